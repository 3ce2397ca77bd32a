"""``khepri init`` and ``khepri profile``: the athlete's profile."""

from __future__ import annotations

from typing import Annotated

import typer

from khepri_cli.cli.options import JsonOption
from khepri_cli.cli.state import state

app = typer.Typer(
    help="Show or change your athlete profile.\n\nExample:\n\n    khepri profile set --ftp 265",
    no_args_is_help=False,
)
init_app = typer.Typer()

Name = Annotated[str | None, typer.Option("--name", help="Your name, e.g. 'Ada Lovelace'.")]
Dob = Annotated[str | None, typer.Option("--dob", help="Date of birth, YYYY-MM-DD.")]
Weight = Annotated[
    str | None, typer.Option("--weight", help="Body weight in your units (kg or lb), e.g. 70.5.")
]
Height = Annotated[
    str | None, typer.Option("--height", help="Height in cm (or 5'10\" when imperial).")
]
Ftp = Annotated[str | None, typer.Option("--ftp", help="Functional threshold power, watts.")]
Pace = Annotated[
    str | None,
    typer.Option(
        "--threshold-pace", help="Run threshold pace per km (per mile if imperial), e.g. 4:30."
    ),
]
Css = Annotated[
    str | None,
    typer.Option("--css", help="Critical swim speed per 100 m (100 yd if imperial), e.g. 1:35."),
]
RestingHr = Annotated[str | None, typer.Option("--resting-hr", help="Resting heart rate, bpm.")]
MaxHr = Annotated[str | None, typer.Option("--max-hr", help="Maximum heart rate, bpm.")]
Lthr = Annotated[str | None, typer.Option("--lthr", help="Lactate threshold heart rate, bpm.")]
Units = Annotated[str | None, typer.Option("--units", help="metric or imperial.")]
Timezone = Annotated[
    str | None, typer.Option("--timezone", help="IANA time zone, e.g. Europe/London.")
]
CheckinTime = Annotated[
    str | None, typer.Option("--checkin-time", help="Daily check-in time, HH:MM.")
]


def _given(**flags: str | None) -> dict[str, str | None]:
    names = {
        "name": "display_name",
        "dob": "date_of_birth",
        "weight": "weight_kg",
        "height": "height_cm",
        "ftp": "ftp_watts",
        "threshold_pace": "running_threshold_pace_sec_per_km",
        "css": "css_sec_per_100m",
        "resting_hr": "resting_heart_rate",
        "max_hr": "max_heart_rate",
        "lthr": "lthr",
        "units": "preferred_units",
        "timezone": "timezone",
        "checkin_time": "daily_checkin_time",
    }
    return {names[k]: v for k, v in flags.items() if v is not None}


@init_app.command("init")
def init(
    ctx: typer.Context,
    name: Name = None,
    dob: Dob = None,
    weight: Weight = None,
    height: Height = None,
    ftp: Ftp = None,
    threshold_pace: Pace = None,
    css: Css = None,
    resting_hr: RestingHr = None,
    max_hr: MaxHr = None,
    lthr: Lthr = None,
    units: Units = None,
    timezone: Timezone = None,
    checkin_time: CheckinTime = None,
) -> None:
    """Create your athlete profile (run again to update it).

    On a terminal it asks for each value; with flags (or --no-input) it asks nothing.

    Example:

        khepri init --name "Ada" --ftp 250 --threshold-pace 4:30 --resting-hr 48
    """
    from khepri_cli.cli.prompts import ask_profile
    from khepri_cli.db.repo_athletes import get_athlete
    from khepri_cli.domain.profile import parse_profile_flags
    from khepri_cli.render import profile as render
    from khepri_cli.services import profile as service

    app_state = state(ctx)
    given = _given(
        name=name,
        dob=dob,
        weight=weight,
        height=height,
        ftp=ftp,
        threshold_pace=threshold_pace,
        css=css,
        resting_hr=resting_hr,
        max_hr=max_hr,
        lthr=lthr,
        units=units,
        timezone=timezone,
        checkin_time=checkin_time,
    )
    journal = app_state.journal()
    current = get_athlete(journal.conn)
    if app_state.interactive and not given:
        changes = ask_profile(current)
    else:
        changes = parse_profile_flags(given, current.units if current else "metric")
    athlete, created = service.save_profile(journal, changes)
    render.saved(athlete, created)
    render.show_profile(athlete)


@app.callback(invoke_without_command=True)
def profile(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show your athlete profile, in your units.

    Example:

        khepri profile --json
    """
    if ctx.invoked_subcommand is not None:
        return
    _show(ctx, as_json)


@app.command("show")
def show(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show your athlete profile (same as plain 'khepri profile').

    Example:

        khepri profile show --json
    """
    _show(ctx, as_json)


def _show(ctx: typer.Context, as_json: bool) -> None:
    from khepri_cli.render import profile as render

    athlete = state(ctx).athlete()
    if as_json:
        from khepri_cli.render.console import emit_json

        emit_json(athlete.to_json())
    else:
        render.show_profile(athlete)


@app.command("set")
def set_(
    ctx: typer.Context,
    name: Name = None,
    dob: Dob = None,
    weight: Weight = None,
    height: Height = None,
    ftp: Ftp = None,
    threshold_pace: Pace = None,
    css: Css = None,
    resting_hr: RestingHr = None,
    max_hr: MaxHr = None,
    lthr: Lthr = None,
    units: Units = None,
    timezone: Timezone = None,
    checkin_time: CheckinTime = None,
) -> None:
    """Change one or more profile values; the others stay as they are.

    Example:

        khepri profile set --ftp 265 --weight 69.8
    """
    from khepri_cli.domain.profile import parse_profile_flags
    from khepri_cli.errors import UsageProblem
    from khepri_cli.render import profile as render
    from khepri_cli.services import profile as service

    given = _given(
        name=name,
        dob=dob,
        weight=weight,
        height=height,
        ftp=ftp,
        threshold_pace=threshold_pace,
        css=css,
        resting_hr=resting_hr,
        max_hr=max_hr,
        lthr=lthr,
        units=units,
        timezone=timezone,
        checkin_time=checkin_time,
    )
    if not given:
        raise UsageProblem("nothing to change: give at least one flag, e.g. --ftp 265")
    app_state = state(ctx)
    changes = parse_profile_flags(given, app_state.athlete().units)
    athlete = service.update_profile(app_state.journal(), changes)
    render.saved(athlete, created=False)
    render.show_profile(athlete)
