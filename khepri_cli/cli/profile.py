"""``khepri init`` and ``khepri profile``: the athlete's profile."""

from __future__ import annotations

from typing import Any

import typer

from khepri_cli.cli.options import (
    JsonOption,
    SavedJsonOption,
    refuse_options_before_subcommand,
    with_column_options,
)
from khepri_cli.cli.state import AppState, state
from khepri_cli.schema.tables import ATHLETES

app = typer.Typer(
    help="Show or change your athlete profile.\n\nExample:\n\n    khepri profile set --ftp 265",
    no_args_is_help=False,
    add_completion=False,
)
init_app = typer.Typer(add_completion=False)

PROFILE_COLUMNS = tuple(ATHLETES.column(name) for name in ATHLETES.entry)
"""The profile values people set, in the order they are asked for (one flag each)."""


def _read(app_state: AppState, current: Any, typed: dict[str, str]) -> dict[str, Any]:
    """``{flag: text}`` -> profile values in the athlete's units (or those given with them)."""
    from khepri_cli.domain.profile import read_profile, today_of, units_of

    by_flag = {column.flag: column.name for column in PROFILE_COLUMNS}
    for flag, text in typed.items():
        app_state.remember(by_flag[flag], flag, text)
    texts = {by_flag[flag]: text for flag, text in typed.items()}
    return read_profile(texts, units_of(current), today_of(current))


@init_app.command("init")
@with_column_options(PROFILE_COLUMNS)
def init(ctx: typer.Context, typed: dict[str, str], as_json: SavedJsonOption = False) -> None:
    """Create your athlete profile (run again to update it).

    On a terminal it asks for each value; with flags it asks nothing, and
    --no-input makes a profile with the defaults (metric, this machine's time zone).

    Example:

        khepri init --name "Ada" --ftp 250 --threshold-pace 4:30 --resting-hr 48
    """
    from khepri_cli.render import profile as render
    from khepri_cli.services import profile as service

    app_state = state(ctx)
    current = app_state.find_athlete()
    changes = _init_values(app_state, current, typed)
    athlete, created = service.save_profile(app_state.journal(create=True), changes)
    render.saved(athlete, created)
    render.show_profile(athlete, as_json)


def _init_values(app_state: AppState, current: Any, typed: dict[str, str]) -> dict[str, Any]:
    """The profile values of ``init``: its flags, else asked on a terminal, else none at all
    with --no-input; without any of these there is nothing to go on."""
    from khepri_cli.errors import UsageProblem

    if typed:
        return _read(app_state, current, typed)
    if app_state.interactive:
        from khepri_cli.cli.prompts import ask_profile

        return ask_profile(current)
    if app_state.no_input:
        return {}
    raise UsageProblem(
        "no profile values given and no terminal to ask on: pass flags, e.g. "
        "'khepri init --name Ada --ftp 250', or --no-input for a profile with the defaults"
    )


@app.callback(invoke_without_command=True)
def profile(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show your athlete profile, in your units.

    Example:

        khepri profile --json
    """
    refuse_options_before_subcommand(ctx, {"--json": as_json})
    if ctx.invoked_subcommand is not None:
        return
    from khepri_cli.render import profile as render

    render.show_profile(state(ctx).athlete(), as_json)


@app.command("show")
def show(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show your athlete profile (same as plain 'khepri profile').

    Example:

        khepri profile show --json
    """
    from khepri_cli.render import profile as render

    render.show_profile(state(ctx).athlete(), as_json)


@app.command("set")
@with_column_options(PROFILE_COLUMNS)
def set_(ctx: typer.Context, typed: dict[str, str], as_json: SavedJsonOption = False) -> None:
    """Change one or more profile values; the others stay as they are.

    Example:

        khepri profile set --ftp 265 --weight 69.8
    """
    from khepri_cli.errors import UsageProblem
    from khepri_cli.render import profile as render
    from khepri_cli.services import profile as service

    if not typed:
        raise UsageProblem("nothing to change: give at least one flag, e.g. --ftp 265")
    app_state = state(ctx)
    changes = _read(app_state, app_state.find_athlete(), typed)
    athlete = service.update_profile(app_state.journal(), changes)
    render.saved(athlete, created=False)
    render.show_profile(athlete, as_json)
