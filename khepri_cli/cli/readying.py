"""Readying commands for a run: the global options on every command, examples kept as written,
help drawn by rich only on a terminal."""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path
from typing import Any

from khepri_cli.cli.lazy import LazyGroup

GLOBAL_HELP = {
    "--db": "Journal file to use (default: $KHEPRI_DB, else khepri.db in your data folder).",
    "--no-input": "Never prompt; a missing required value is an error.",
    "--debug": "Show tracebacks on errors.",
}
"""The global options, which go before the command or after it (``khepri goals list --db x.db``)."""


def _set_global(ctx: Any, param: Any, value: Any) -> None:
    from khepri_cli.cli.state import state

    if value is None or value is False:
        return
    app_state = state(ctx)
    if param.name == "db":
        app_state.db_path = Path(value)
    elif param.name == "no_input":
        app_state.no_input = True
    else:
        app_state.debug = True


def plain_help_unless_terminal() -> None:
    """Help drawn by rich on a terminal, plain click text when piped (or TERM=dumb).

    As every other output: and drawing help with rich costs more than
    starting typer itself, which a script reading ``khepri goals --help``
    should not pay for.
    """
    import typer.core

    from khepri_cli.render.console import is_terminal

    typer.core.HAS_RICH = is_terminal(sys.stdout)


def prepare(command: Any) -> None:
    """Ready ``command`` and every command below it (also those a lazy group builds later):
    the global options, hidden from their help, and example lines kept as written."""
    _accept_global_options(command)
    _keep_example_lines(command)
    for sub in getattr(command, "commands", {}).values():
        prepare(sub)
    if isinstance(command, LazyGroup):
        command.built.append(prepare)


EXAMPLE_BLOCK = re.compile(r"(Example:\n\n)(?=[ \t])")


def _keep_example_lines(command: Any) -> None:
    """Mark the example block of ``command``'s help so that help never rewraps it.

    Plain help (click) and rich help (typer) both keep the lines of a
    paragraph that starts with ``\\b`` as they are; an example continued on a
    second line (``... \\``) must not be joined and wrapped again.
    """
    if command.help and "\b" not in command.help:
        command.help = EXAMPLE_BLOCK.sub("\\1\b\n", inspect.cleandoc(command.help))


def _accept_global_options(command: Any) -> None:
    """Give ``command`` the global options, hidden from its help."""
    from typer.core import TyperOption

    taken = {opt for param in command.params for opt in getattr(param, "opts", ())}
    for flag, help_text in GLOBAL_HELP.items():
        if flag in taken:
            continue
        value = {"metavar": "FILE"} if flag == "--db" else {"is_flag": True, "default": False}
        command.params.append(
            TyperOption(
                param_decls=[flag],
                help=help_text,
                hidden=True,
                expose_value=False,
                callback=_set_global,
                **value,
            )
        )
