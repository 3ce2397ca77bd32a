"""The ``khepri`` command: global options, lazily loaded command groups, one error path.

Each command group lives in its own module with its own ``typer.Typer``; the
root group imports a module only when its command runs (or for ``--help``),
so ``khepri checkin`` never pays for sync, export or their imports.

Errors leave the program in exactly one place, :meth:`KhepriGroup.main`:
a :class:`~khepri_cli.errors.KhepriError` or a bad option becomes one line on
stderr and exit code 2 (bad usage or input) or 1 (failure at run time);
anything else is a bug, reported in one line, with the traceback only under
``--debug``.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from khepri_cli import __version__
from khepri_cli.cli.lazy import click_command
from khepri_cli.cli.readying import GLOBAL_HELP, plain_help_unless_terminal, prepare
from khepri_cli.cli.state import AppState
from khepri_cli.errors import USAGE, InvalidInput, KhepriError, NoProfile, NotFound, file_error

# name -> (module, attribute: a typer.Typer, or a click command such as a record group)
COMMANDS: dict[str, tuple[str, str, str]] = {
    # name: (module, its typer app or click group, the first paragraph of its help)
    "init": (
        "khepri_cli.cli.profile",
        "init_app",
        "Create your athlete profile (run again to update it).",
    ),
    "profile": ("khepri_cli.cli.profile", "app", "Show or change your athlete profile."),
    "checkin": (
        "khepri_cli.cli.checkin",
        "checkin_app",
        "Record this morning's check-in and see how ready you are to train.",
    ),
    "checkins": (
        "khepri_cli.cli.checkin",
        "checkins_app",
        "List your recent check-ins, newest first (the last 14 days unless told otherwise).",
    ),
    "goals": (
        "khepri_cli.cli.goals",
        "app",
        "Set, list and close your goals: races, performance, fitness and health.",
    ),
    "constraints": (
        "khepri_cli.cli.constraints",
        "app",
        "Record what limits your training: injuries, travel, less time.",
    ),
    "log": (
        "khepri_cli.cli.activities",
        "log_app",
        "Log a completed training session: the sport, how long, and how hard it felt.",
    ),
    "activities": (
        "khepri_cli.cli.activities",
        "app",
        "The training sessions you logged with 'khepri log': list, show, correct, delete.",
    ),
    "load": (
        "khepri_cli.cli.load",
        "app",
        "Your training load by week: sessions, time, load, fitness, fatigue and form.",
    ),
    "plans": (
        "khepri_cli.cli.plans",
        "app",
        "Training plans made from a goal: phases, weekly volume, and where today sits.",
    ),
    "export": (
        "khepri_cli.cli.transfer",
        "export_app",
        "Export your journal as one JSON document (all tables, or those given with --table).",
    ),
    "import": (
        "khepri_cli.cli.transfer",
        "import_app",
        "Import a document written by 'khepri export' (all or nothing).",
    ),
    "sync": (
        "khepri_cli.cli.sync",
        "app",
        "Bring your Supabase project's changes here and send the journal's there.",
    ),
    "login": (
        "khepri_cli.cli.account",
        "login_app",
        "Log in to your Supabase project with the email and password of the Khepri app.",
    ),
    "signup": (
        "khepri_cli.cli.account",
        "signup_app",
        "Create an account in your Supabase project (where the project allows sign-ups).",
    ),
    "whoami": (
        "khepri_cli.cli.account",
        "whoami_app",
        "Show who you are logged in as, checked with the server.",
    ),
    "logout": (
        "khepri_cli.cli.account",
        "logout_app",
        "Log out: end the session on the server where possible, and remove it here.",
    ),
    "config": (
        "khepri_cli.cli.config",
        "app",
        "Show the Supabase project Khepri talks to, and where each setting comes from.",
    ),
    "supabase": (
        "khepri_cli.cli.supabase",
        "app",
        "Set up the Supabase project that 'khepri sync' pushes to.",
    ),
}
"""Every command: where it lives, loaded only when it runs, and the line ``khepri --help``
lists it with, kept here so that the list imports none of the commands' modules
(tests/test_help.py holds the line equal to the command's own help)."""

LAZY_COMMANDS: dict[str, tuple[str, str]] = {n: (m, a) for n, (m, a, _) in COMMANDS.items()}
LISTED: dict[str, str] = {name: summary for name, (_, _, summary) in COMMANDS.items()}

PROG = "khepri"


class Interrupted(Exception):
    """Ctrl-C inside a command, carried past typer's own handling of it."""


class KhepriGroup(TyperGroup):
    """The root group: lazy subcommands and the single exit point."""

    listing = False  # while its help lists the commands

    def list_commands(self, ctx: Any) -> list[str]:
        return [*self.commands, *(n for n in LAZY_COMMANDS if n not in self.commands)]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if self.listing and cmd_name not in self.commands and cmd_name in LISTED:
            return TyperCommand(name=cmd_name, help=LISTED[cmd_name])
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            module_name, attribute = LAZY_COMMANDS[cmd_name]
            found = getattr(importlib.import_module(module_name), attribute)
            command = click_command(found) if isinstance(found, typer.Typer) else found
            command.name = cmd_name
            prepare(command)
            self.commands[cmd_name] = command
        return self.commands.get(cmd_name)

    def invoke(self, ctx: Any) -> Any:
        # typer turns Ctrl-C into a silent exit 130; keep it an interruption so
        # run_safely can say that nothing was written.
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            raise Interrupted from exc
        except InvalidInput as exc:
            raise _as_typed(exc, ctx.obj) from None

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:
        standalone = extra.pop("standalone_mode", True)
        args = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in args or os.environ.get("KHEPRI_DEBUG") == "1"
        plain_help_unless_terminal()
        code = run_safely(
            lambda: super(KhepriGroup, self).main(
                args, prog_name or PROG, standalone_mode=False, **extra
            ),
            debug=debug,
        )
        if standalone:
            sys.exit(code)
        return code


def run_safely(invoke: Any, *, debug: bool) -> int:
    """Run the command; turn every way it can end into an exit code and at most one line."""
    from typer._click import exceptions as click_exceptions

    try:
        result = invoke()
        return result if isinstance(result, int) else 0
    except KhepriError as exc:
        _fail(exc.message + _hint(exc), debug)
        return exc.exit_code
    except click_exceptions.NoArgsIsHelpError as exc:
        sys.stdout.write(exc.format_message())
        return 0
    except click_exceptions.UsageError as exc:
        _fail(_usage_message(exc), debug)
        return USAGE
    except click_exceptions.ClickException as exc:
        _fail(exc.format_message(), debug)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except (Interrupted, typer.Abort, KeyboardInterrupt, EOFError):
        sys.stderr.write("\nAborted: nothing was written.\n")
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 1
    except OSError as exc:
        return _file_failure(exc, debug)
    except Exception as exc:
        import sqlite3

        if isinstance(exc, sqlite3.Error):
            from khepri_cli.db.connection import describe_sqlite_error

            _fail(describe_sqlite_error(exc, _db_hint()), debug)
            return 1
        detail = f"{type(exc).__name__}: {exc}"
        hint = "" if debug else " (run again with --debug for the traceback)"
        _fail(f"unexpected error: {detail}{hint}", debug)
        return 1
    finally:
        sys.stdout.flush()


def _file_failure(exc: OSError, debug: bool) -> int:
    """A file named on the command line cannot be used: one line, and the exit code of
    :func:`~khepri_cli.errors.file_error` (2 when the name is at fault)."""
    reason = exc.strerror or str(exc)
    if exc.filename is not None:
        name = str(exc.filename)
        reason = f"cannot use {name if len(name) <= 60 else name[:57] + '...'!r}: {reason}"
    error = file_error(exc, reason)
    _fail(error.message, debug)
    return error.exit_code


def _as_typed(exc: InvalidInput, app_state: Any) -> InvalidInput:
    """An error about a column, told in the words the user typed: their flag, their text.

    The library below the command line speaks in column names and values; this
    is the one place that turns them back into ``--energy: '11'``.
    """
    typed = getattr(app_state, "typed", {})
    if exc.column not in typed:
        return exc
    flag, text = typed[exc.column]
    shown = ", ".join(text) if isinstance(text, list) else text
    return InvalidInput(flag, shown, exc.allowed)


LIST_COMMANDS = {"daily_checkins": "khepri checkins", "training_plans": "khepri plans list"}
"""Where a table's rows are listed, when it is not 'khepri <table> list'."""


def _hint(exc: KhepriError) -> str:
    """What to do next, for the errors of the library that a command line can help with."""
    if isinstance(exc, NoProfile):
        return "; run 'khepri init' first"
    if isinstance(exc, NotFound) and exc.table:
        return f" (list them with '{LIST_COMMANDS.get(exc.table, f'khepri {exc.table} list')}')"
    return ""


def _usage_message(exc: Any) -> str:
    message = exc.format_message()
    command = exc.ctx.command_path if getattr(exc, "ctx", None) else PROG
    return f"{message} (see '{command} --help')"


def _fail(message: str, debug: bool) -> None:
    """The one line of an error on stderr; what the user typed in it can control nothing."""
    from khepri_cli.render.console import one_line

    if debug:
        import traceback

        traceback.print_exc()
    sys.stderr.write(f"{PROG}: error: {one_line(message)}\n")


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _db_hint() -> str:
    from khepri_cli.db.connection import default_db_path

    return str(default_db_path())


app = typer.Typer(
    cls=KhepriGroup,
    name=PROG,
    help="Khepri: a local-first training journal for endurance athletes.\n\n"
    "Example:\n\n    khepri checkin --sleep-hours 7.5 --energy 7 --stress 3",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"khepri {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", metavar="FILE", help=GLOBAL_HELP["--db"], show_default=False),
    ] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help=GLOBAL_HELP["--no-input"])] = False,
    debug: Annotated[bool, typer.Option("--debug", help=GLOBAL_HELP["--debug"])] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Khepri: a local-first training journal for endurance athletes."""
    ctx.obj = AppState(db_path=None if db is None else Path(db), no_input=no_input, debug=debug)
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    """Console-script entry point."""
    app()
