"""``khepri checkin`` (the morning check-in, ``respond``) and ``khepri checkins`` (list, show, delete).

This is the command people run every morning, so it must start fast: only
typer, the standard library and the shared options/state are imported here;
services, models and rendering are imported inside the commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from khepri_cli.cli.options import (
    WORDS,
    JsonOption,
    SavedJsonOption,
    YesOption,
    refuse_options_before_subcommand,
    with_column_options,
)
from khepri_cli.cli.state import state
from khepri_cli.schema.tables import DAILY_CHECKINS

if TYPE_CHECKING:
    from datetime import date

    from khepri_cli.schema import Row

checkin_app = typer.Typer(no_args_is_help=False, add_completion=False)
checkins_app = typer.Typer(no_args_is_help=False, add_completion=False)

VALUE_COLUMNS = tuple(DAILY_CHECKINS.column(name) for name in DAILY_CHECKINS.entry)
"""The check-in's values, in the order they are asked for (one flag each)."""

DateOption = Annotated[
    str | None,
    typer.Option("--date", metavar="DATE", help=DAILY_CHECKINS.column("checkin_date").help),
]


@checkin_app.callback(invoke_without_command=True)
@with_column_options(VALUE_COLUMNS, "check-in")
def checkin(
    ctx: typer.Context,
    typed: dict[str, Any],
    date_text: DateOption = None,
    as_json: SavedJsonOption = False,
) -> None:
    """Record this morning's check-in and see how ready you are to train.

    With flags it asks nothing; on a terminal without flags it asks for each
    value (Enter skips one, Ctrl-C cancels). A second check-in for the same
    day updates it: the values you give replace the stored ones, the others
    are kept, and the day is judged again.

    Example:

        khepri checkin --sleep-hours 7:30 --energy 7 --stress 3 --sore legs=6
    """
    if ctx.invoked_subcommand is not None:
        _refuse_values_before(ctx.invoked_subcommand, typed, date_text, as_json)
        return
    from khepri_cli.domain.profile import today_of
    from khepri_cli.render import checkin as render
    from khepri_cli.render.console import emit_json
    from khepri_cli.render.recommendation import readiness_panel
    from khepri_cli.services import checkin as service

    app_state = state(ctx)
    app_state.remember("checkin_date", "--date", date_text)
    today = today_of(app_state.find_athlete())  # read what was typed before needing a profile
    day = service.checkin_day(date_text, today)
    values = _values(ctx, day, typed)
    if values is None:
        return
    result = service.check_in(app_state.journal(), app_state.athlete(), day, values)
    render.saved(day, result.created)
    if as_json:
        emit_json(result.row.to_json())
        return
    readiness_panel(day, result.row.ai_recommendation, result.constraints, today)


def _refuse_values_before(
    subcommand: str, typed: dict[str, Any], date_text: str | None, as_json: bool
) -> None:
    """``khepri checkin --energy 7 respond ...``: values belong to the check-in itself."""
    from khepri_cli.errors import UsageProblem

    if typed or date_text is not None or as_json:
        raise UsageProblem(
            f"check-in values cannot be combined with '{subcommand}'; put its own options "
            f"after it, e.g. 'khepri checkin {subcommand} accepted --date yesterday'"
        )


def _values(ctx: typer.Context, day: date, typed: dict[str, Any]) -> dict[str, Any] | None:
    """The day's values: from the flags, else asked on a terminal (None: nothing entered)."""
    from khepri_cli.errors import UsageProblem

    if typed:
        return _read_flags(state(ctx).find_athlete(), day, typed)
    if state(ctx).interactive:
        return _ask_values(ctx, state(ctx).athlete(), day)
    raise UsageProblem(
        "no check-in values given and no terminal to ask on: pass flags, "
        "e.g. 'khepri checkin --sleep-hours 7.5 --energy 7 --stress 3' (see --help)"
    )


def _typing(athlete: Row | None, day: date) -> Any:
    from khepri_cli.domain import forms
    from khepri_cli.domain.profile import units_of

    return forms.Typing(units_of(athlete), day)


def _read_flags(athlete: Row | None, day: date, typed: dict[str, Any]) -> dict[str, Any]:
    """``{flag: text}`` -> the check-in's column values, each checked by its rules."""
    from khepri_cli.domain import forms

    typing = _typing(athlete, day)
    by_flag = {column.flag: column for column in VALUE_COLUMNS}
    return {
        by_flag[flag].name: forms.read_checked(by_flag[flag], text, typing, flag)
        for flag, text in typed.items()
    }


def _ask_values(ctx: typer.Context, athlete: Row, day: date) -> dict[str, Any] | None:
    """Ask for each value on the terminal. None when nothing was entered for a new day."""
    from khepri_cli.cli.prompts import ask
    from khepri_cli.db.repo_checkins import checkin_on
    from khepri_cli.domain import forms
    from khepri_cli.domain.units import IMPERIAL
    from khepri_cli.render.console import say

    current = checkin_on(state(ctx).journal().conn, athlete.id, day)
    verb = "Update the" if current else "The"
    say(f"{verb} check-in for {day} (Enter skips a value, Ctrl-C cancels).")
    typing = _typing(athlete, day)
    values: dict[str, Any] = {}
    for column in VALUE_COLUMNS:
        stored = current.get(column.name) if current else None
        shown = None if stored is None else forms.typed(column, stored, typing.units)
        label = column.prompt
        if column.form == "weight":
            label = f"Weight ({'lb' if typing.units == IMPERIAL else 'kg'})"
        value = ask(
            label,
            lambda text, c=column: forms.read_checked(c, text, typing),
            current=shown,
        )
        if value is not None:
            values[column.name] = value
    if not values and current is None:
        say(f"Nothing entered: no check-in saved for {day}.")
        return None
    return values


@checkin_app.command("respond")
def respond(
    ctx: typer.Context,
    response: Annotated[
        str,
        typer.Argument(
            metavar="RESPONSE",
            click_type=WORDS,
            help=DAILY_CHECKINS.column("user_response").help,
            show_default=False,
        ),
    ],
    notes: Annotated[
        str | None,
        typer.Option(
            "--notes", metavar="TEXT", help=DAILY_CHECKINS.column("user_response_notes").help
        ),
    ] = None,
    date_text: DateOption = None,
    as_json: SavedJsonOption = False,
) -> None:
    """Record what you did with the day's advice (replaces an earlier answer).

    Example:

        khepri checkin respond modified --notes "45 min easy instead"
    """
    from khepri_cli.domain import forms
    from khepri_cli.domain.profile import today_of
    from khepri_cli.domain.units import parse_date
    from khepri_cli.render import checkin as render
    from khepri_cli.render.console import emit_json
    from khepri_cli.services import checkin as service

    answer = forms.read_checked(DAILY_CHECKINS.column("user_response"), response, forms.Typing())
    app_state = state(ctx)
    app_state.remember("user_response_notes", "--notes", notes)
    today = today_of(app_state.find_athlete())
    day = parse_date(date_text, today, "--date") if date_text is not None else today
    row = service.respond(app_state.journal(), app_state.athlete().id, day, answer, notes)
    render.responded(day, answer)
    if as_json:
        emit_json(row.to_json())


SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since", metavar="DATE", help="First day to show: YYYY-MM-DD, today or yesterday."
    ),
]
UntilOption = Annotated[
    str | None,
    typer.Option("--until", metavar="DATE", help="Last day to show (default: today)."),
]
LimitOption = Annotated[
    str | None,
    typer.Option(
        "--limit", metavar="N", help="Show at most this many check-ins (the most recent)."
    ),
]


@checkins_app.callback(invoke_without_command=True)
def checkins(
    ctx: typer.Context,
    since: SinceOption = None,
    until: UntilOption = None,
    limit: LimitOption = None,
    as_json: JsonOption = False,
) -> None:
    """List your recent check-ins, newest first (the last 14 days unless told otherwise).

    Example:

        khepri checkins --since 2026-11-01 --limit 10
    """
    given = {"--since": since, "--until": until, "--limit": limit, "--json": as_json}
    refuse_options_before_subcommand(ctx, given)
    if ctx.invoked_subcommand is None:
        _list(ctx, since, until, limit, as_json)


@checkins_app.command("list")
def list_(
    ctx: typer.Context,
    since: SinceOption = None,
    until: UntilOption = None,
    limit: LimitOption = None,
    as_json: JsonOption = False,
) -> None:
    """List your recent check-ins (same as plain 'khepri checkins').

    Example:

        khepri checkins list --limit 30 --json
    """
    _list(ctx, since, until, limit, as_json)


def _list(
    ctx: typer.Context, since: str | None, until: str | None, limit: str | None, as_json: bool
) -> None:
    from khepri_cli.domain.profile import today_of
    from khepri_cli.services import checkin as service

    days = service.list_range(since, until, limit, today_of(state(ctx).find_athlete()))
    found = service.recent_checkins(state(ctx).journal(), state(ctx).athlete().id, days)
    if as_json:
        from khepri_cli.render.console import emit_json

        emit_json([c.to_json() for c in found])
        return
    from khepri_cli.render import checkin as render

    render.checkins_table(found, days.since, days.until)


DayArgument = Annotated[
    str,
    typer.Argument(
        metavar="DATE",
        click_type=WORDS,
        help="The day: YYYY-MM-DD, today or yesterday.",
        show_default=False,
    ),
]


def _day(ctx: typer.Context, text: str) -> tuple[Row, date]:
    from khepri_cli.domain.profile import today_of
    from khepri_cli.domain.units import parse_date

    day = parse_date(text, today_of(state(ctx).find_athlete()), "DATE")
    return state(ctx).athlete(), day


@checkins_app.command("show")
def show(ctx: typer.Context, day_text: DayArgument, as_json: JsonOption = False) -> None:
    """Show one day's check-in and the assessment stored with it.

    Old days are shown as they were judged, with the rubric version used.

    Example:

        khepri checkins show yesterday
    """
    from khepri_cli.services import checkin as service

    athlete, day = _day(ctx, day_text)
    found = service.require_checkin(state(ctx).journal(), athlete.id, day)
    if as_json:
        from khepri_cli.render.console import emit_json

        emit_json(found.to_json())
        return
    from khepri_cli.domain.profile import units_of
    from khepri_cli.render import checkin as render

    render.show_checkin(found, units_of(athlete))


@checkins_app.command("delete")
def delete(ctx: typer.Context, day_text: DayArgument, yes: YesOption = False) -> None:
    """Delete one day's check-in (asks first on a terminal; --yes otherwise).

    Example:

        khepri checkins delete 2026-11-20 --yes
    """
    from khepri_cli.errors import UsageProblem
    from khepri_cli.render import checkin as render
    from khepri_cli.services import checkin as service

    app_state = state(ctx)
    athlete, day = _day(ctx, day_text)
    service.require_checkin(app_state.journal(), athlete.id, day)
    if not yes:
        if not app_state.interactive:
            raise UsageProblem(
                f"deleting the check-in for {day} needs --yes when there is no terminal to ask on"
            )
        from khepri_cli.cli.prompts import confirm

        if not confirm(f"Delete the check-in for {day}?"):
            render.kept(day)
            return
    service.delete_checkin(app_state.journal(), athlete.id, day)
    render.deleted(day)
