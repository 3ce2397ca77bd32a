"""``khepri checkin`` (the morning check-in, ``respond``) and ``khepri checkins`` (list, show, delete).

This is the command people run every morning, so it must start fast: only
typer, the standard library and the shared options/state are imported here;
services, models and rendering are imported inside the commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from khepri_cli.cli.options import JsonOption, YesOption
from khepri_cli.cli.state import state

if TYPE_CHECKING:
    from datetime import date

    from khepri_cli.db.repo_checkins import CheckinAthlete

checkin_app = typer.Typer(no_args_is_help=False, add_completion=False)
checkins_app = typer.Typer(no_args_is_help=False, add_completion=False)

DateOption = Annotated[
    str | None,
    typer.Option("--date", help="The day: YYYY-MM-DD, today or yesterday (default: today)."),
]
SleepHours = Annotated[
    str | None,
    typer.Option("--sleep-hours", help="Hours slept, e.g. 7.5 or 7:30 (0-24)."),
]
SleepQuality = Annotated[
    str | None, typer.Option("--sleep-quality", help="Sleep quality, 1 (awful) to 10 (perfect).")
]
Energy = Annotated[str | None, typer.Option("--energy", help="Energy, 1 (empty) to 10 (full).")]
Stress = Annotated[str | None, typer.Option("--stress", help="Stress, 1 (calm) to 10 (maxed).")]
Soreness = Annotated[
    str | None, typer.Option("--soreness", help="Overall soreness, 1 (none) to 10 (very sore).")
]
Sore = Annotated[
    list[str] | None,
    typer.Option(
        "--sore",
        help="Soreness of one area, AREA=N (repeatable); areas: legs, back, shoulders, arms, "
        "core, neck; N 1-10, 0 clears the area. E.g. --sore legs=6.",
    ),
]
RestingHr = Annotated[
    str | None, typer.Option("--resting-hr", help="Resting heart rate this morning, bpm.")
]
Hrv = Annotated[str | None, typer.Option("--hrv", help="Heart rate variability, ms (e.g. 65).")]
Weight = Annotated[
    str | None, typer.Option("--weight", help="Body weight in your units (kg or lb), e.g. 70.5.")
]
Minutes = Annotated[
    str | None,
    typer.Option("--available-minutes", help="Time you have to train today, minutes (or h:mm)."),
]
Equipment = Annotated[
    str | None,
    typer.Option("--equipment", help="Equipment you can use today, comma-separated (or 'none')."),
]
Travel = Annotated[
    str | None, typer.Option("--travel", help="Where you are: home, traveling or returning.")
]
Notes = Annotated[str | None, typer.Option("--notes", help="Anything else about today.")]


@checkin_app.callback(invoke_without_command=True)
def checkin(
    ctx: typer.Context,
    date_text: DateOption = None,
    sleep_hours: SleepHours = None,
    sleep_quality: SleepQuality = None,
    energy: Energy = None,
    stress: Stress = None,
    soreness: Soreness = None,
    sore: Sore = None,
    resting_hr: RestingHr = None,
    hrv: Hrv = None,
    weight: Weight = None,
    available_minutes: Minutes = None,
    equipment: Equipment = None,
    travel: Travel = None,
    notes: Notes = None,
) -> None:
    """Record this morning's check-in and see how ready you are to train.

    With flags it asks nothing; on a terminal without flags it asks for each
    value (Enter skips one, Ctrl-C cancels). A second check-in for the same
    day updates it: the values you give replace the stored ones, the others
    are kept, and the day is judged again.

    Example:

        khepri checkin --sleep-hours 7:30 --energy 7 --stress 3 --sore legs=6
    """
    given = {
        column: value
        for column, value in (
            ("sleep_hours", sleep_hours),
            ("sleep_quality", sleep_quality),
            ("energy_level", energy),
            ("stress_level", stress),
            ("overall_soreness", soreness),
            ("resting_hr", resting_hr),
            ("hrv_ms", hrv),
            ("weight_kg", weight),
            ("available_time_minutes", available_minutes),
            ("equipment_access", equipment),
            ("travel_status", travel),
            ("notes", notes),
        )
        if value is not None
    }
    if ctx.invoked_subcommand is not None:
        if given or sore or date_text is not None:
            from khepri_cli.errors import UsageProblem

            raise UsageProblem(
                f"check-in values cannot be combined with '{ctx.invoked_subcommand}'; put its own "
                f"options after it, e.g. 'khepri checkin {ctx.invoked_subcommand} accepted --date yesterday'"
            )
        return

    from khepri_cli.domain.clock import today_in
    from khepri_cli.errors import UsageProblem
    from khepri_cli.render import checkin as render
    from khepri_cli.services import checkin as service

    app_state = state(ctx)
    athlete = _athlete(ctx)
    day = service.checkin_day(date_text, today_in(athlete.timezone))
    if given or sore:
        values = service.parse_checkin_flags(given, sore, athlete.units)
    elif app_state.interactive:
        values = _ask_values(ctx, athlete, day)
        if values is None:
            return
    else:
        raise UsageProblem(
            "no check-in values given and no terminal to ask on: pass flags, "
            "e.g. 'khepri checkin --sleep-hours 7.5 --energy 7 --stress 3' (see --help)"
        )
    result = service.check_in(app_state.journal(), athlete, day, values)
    render.saved(day, result.created)
    render.readiness_panel(day, result.row["ai_recommendation"], result.constraints)


def _athlete(ctx: typer.Context) -> CheckinAthlete:
    """The journal's athlete, read without the pydantic models (start-up time)."""
    from khepri_cli.db.repo_checkins import checkin_athlete

    return checkin_athlete(state(ctx).journal().conn)


def _ask_values(ctx: typer.Context, athlete: CheckinAthlete, day: date) -> dict[str, Any] | None:
    """Ask for each value on the terminal. None when nothing was entered for a new day."""
    from khepri_cli.cli.prompts import ask
    from khepri_cli.db.repo_checkins import checkin_row
    from khepri_cli.render.console import say
    from khepri_cli.services.checkin import CHECKIN_FIELDS, prompt_label

    current = checkin_row(state(ctx).journal().conn, athlete.id, day)
    verb = "Update the" if current else "The"
    say(f"{verb} check-in for {day} (Enter skips a value, Ctrl-C cancels).")
    units = athlete.units
    values: dict[str, Any] = {}
    for field in CHECKIN_FIELDS:
        stored = current.get(field.column) if current else None
        shown = None if stored is None else field.typed(stored, units)
        value = ask(
            prompt_label(field, units),
            lambda text, f=field: f.parse(text, units),
            current=shown,
        )
        if value is not None:
            values[field.column] = value
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
            help="What you did with today's advice: accepted, modified, skipped or alternative.",
            show_default=False,
        ),
    ],
    notes: Annotated[
        str | None, typer.Option("--notes", help="Why, or what you did instead.")
    ] = None,
    date_text: DateOption = None,
) -> None:
    """Record what you did with the day's advice (replaces an earlier answer).

    Example:

        khepri checkin respond modified --notes "rode 45 min easy instead of intervals"
    """
    from khepri_cli.domain.clock import today_in
    from khepri_cli.domain.units import parse_date
    from khepri_cli.render import checkin as render
    from khepri_cli.services import checkin as service

    answer = service.parse_response(response)
    athlete = _athlete(ctx)
    today = today_in(athlete.timezone)
    day = parse_date(date_text, today, "--date") if date_text is not None else today
    service.respond(state(ctx).journal(), athlete.id, day, answer, notes)
    render.responded(day, answer)


SinceOption = Annotated[
    str | None,
    typer.Option("--since", help="First day to show: YYYY-MM-DD, today or yesterday."),
]
UntilOption = Annotated[
    str | None,
    typer.Option("--until", help="Last day to show (default: today)."),
]
LimitOption = Annotated[
    str | None,
    typer.Option("--limit", help="Show at most this many check-ins (the most recent)."),
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
    if ctx.invoked_subcommand is not None:
        if since is not None or until is not None or limit is not None or as_json:
            from khepri_cli.errors import UsageProblem

            raise UsageProblem(
                f"put the options after the subcommand: 'khepri checkins {ctx.invoked_subcommand} ...'"
            )
        return
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
    from khepri_cli.domain.clock import today_in
    from khepri_cli.services import checkin as service

    athlete = _athlete(ctx)
    days = service.list_range(since, until, limit, today_in(athlete.timezone))
    found = service.recent_checkins(state(ctx).journal(), athlete.id, days)
    if as_json:
        from khepri_cli.render.console import emit_json

        emit_json([c.to_json() for c in found])
        return
    from khepri_cli.render import checkin as render

    render.checkins_table(found, days.since, days.until)


DayArgument = Annotated[
    str,
    typer.Argument(help="The day: YYYY-MM-DD, today or yesterday.", show_default=False),
]


def _day(ctx: typer.Context, text: str) -> tuple[CheckinAthlete, date]:
    from khepri_cli.domain.clock import today_in
    from khepri_cli.domain.units import parse_date

    athlete = _athlete(ctx)
    return athlete, parse_date(text, today_in(athlete.timezone), "DATE")


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
    from khepri_cli.render import checkin as render

    render.show_checkin(found, athlete.units)


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
