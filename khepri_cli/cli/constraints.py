"""``khepri constraints``: injuries, travel and availability changes."""

from __future__ import annotations

from typing import Annotated

import typer

from khepri_cli.cli.options import JsonOption, YesOption
from khepri_cli.cli.state import state

app = typer.Typer(
    help="Record what limits your training: injuries, travel, less time.\n\n"
    "Example:\n\n"
    '    khepri constraints add injury "Sore knee" --body-part left_knee --severity mild',
    no_args_is_help=True,
    add_completion=False,
)

ConstraintType = Annotated[
    str,
    typer.Argument(metavar="TYPE", help="injury, travel or availability.", show_default=False),
]
Title = Annotated[
    str,
    typer.Argument(metavar="TITLE", help="A short name for the constraint.", show_default=False),
]
ConstraintId = Annotated[
    str,
    typer.Argument(
        metavar="ID", help="The constraint's ID, or the start of it (from 'constraints list')."
    ),
]
Start = Annotated[
    str | None,
    typer.Option("--start", help="First day: YYYY-MM-DD, today or yesterday. Default: today."),
]
End = Annotated[
    str | None,
    typer.Option("--end", help="Last day, YYYY-MM-DD (leave out while it is ongoing)."),
]
Description = Annotated[str | None, typer.Option("--description", help="Notes on the constraint.")]
BodyPart = Annotated[
    str | None,
    typer.Option("--body-part", help="Injuries: where, e.g. left_knee or 'lower back'."),
]
Severity = Annotated[
    str | None, typer.Option("--severity", help="Injuries: mild, moderate or severe.")
]
Restrict = Annotated[
    list[str] | None,
    typer.Option(
        "--restrict",
        help="Injuries: an activity to avoid, e.g. running (repeat the flag for more).",
    ),
]
Destination = Annotated[
    str | None, typer.Option("--destination", help="Travel: where you are going.")
]
Equipment = Annotated[
    str | None,
    typer.Option(
        "--equipment", help="Travel: equipment you will have, e.g. running_shoes,swim_goggles."
    ),
]
Facilities = Annotated[
    str | None,
    typer.Option("--facilities", help="Travel: facilities there, e.g. gym,pool,outdoor_running."),
]
HoursPerWeek = Annotated[
    str | None,
    typer.Option("--hours-per-week", help="Availability: hours a week you can train, 0-168."),
]
Days = Annotated[
    str | None,
    typer.Option(
        "--days", help="Availability: days you can train, e.g. monday,wednesday or mon,wed."
    ),
]


def _given(**flags) -> dict:
    """Keyword arguments -> ``{"--flag": value}`` for the flags the user actually typed."""
    names = {"title_arg": "TITLE"}
    return {
        names.get(k, f"--{k.replace('_', '-')}"): v
        for k, v in flags.items()
        if v is not None and v != []
    }


@app.command("add")
def add(
    ctx: typer.Context,
    constraint_type: ConstraintType,
    title: Title,
    start: Start = None,
    end: End = None,
    description: Description = None,
    body_part: BodyPart = None,
    severity: Severity = None,
    restrict: Restrict = None,
    destination: Destination = None,
    equipment: Equipment = None,
    facilities: Facilities = None,
    hours_per_week: HoursPerWeek = None,
    days: Days = None,
    as_json: JsonOption = False,
) -> None:
    """Add a constraint. Each type has its own flags; the others are refused.

    injury: --body-part --severity --restrict; travel: --destination
    --equipment --facilities; availability: --hours-per-week --days.

    Example:

        khepri constraints add injury "Runner's knee" --body-part left_knee --severity moderate --restrict running --restrict jumping
    """
    from khepri_cli.render import constraints as render
    from khepri_cli.services import constraints as service

    app_state = state(ctx)
    athlete = app_state.athlete()
    given = _given(
        title_arg=title,
        start=start,
        end=end,
        description=description,
        body_part=body_part,
        severity=severity,
        restrict=restrict,
        destination=destination,
        equipment=equipment,
        facilities=facilities,
        hours_per_week=hours_per_week,
        days=days,
    )
    constraint = service.add_constraint(app_state.journal(), athlete, constraint_type, given)
    render.added(constraint)
    _print_constraint(constraint, athlete.today(), as_json)


@app.command("list")
def list_(
    ctx: typer.Context,
    show_all: Annotated[
        bool, typer.Option("--all", help="Include resolved constraints too.")
    ] = False,
    constraint_type: Annotated[
        str | None, typer.Option("--type", help="Only this type: injury, travel or availability.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List your active constraints, oldest first (--all adds the resolved ones).

    Example:

        khepri constraints list --type injury
    """
    from khepri_cli.services import constraints as service

    app_state = state(ctx)
    athlete = app_state.athlete()
    constraints = service.list_constraints(
        app_state.journal(), athlete, include_resolved=show_all, type_text=constraint_type
    )
    if as_json:
        from khepri_cli.render.console import emit_json

        emit_json([constraint.to_json() for constraint in constraints])
        return
    from khepri_cli.render import constraints as render

    render.constraints_table(constraints, athlete.today(), include_resolved=show_all)


@app.command("show")
def show(ctx: typer.Context, constraint_id: ConstraintId, as_json: JsonOption = False) -> None:
    """Show every field of one constraint.

    Example:

        khepri constraints show 7c1e --json
    """
    from khepri_cli.services import constraints as service

    app_state = state(ctx)
    athlete = app_state.athlete()
    constraint = service.find_constraint(app_state.journal(), constraint_id)
    _print_constraint(constraint, athlete.today(), as_json)


@app.command("edit")
def edit(
    ctx: typer.Context,
    constraint_id: ConstraintId,
    title: Annotated[
        str | None, typer.Option("--title", help="A new name for the constraint.")
    ] = None,
    start: Start = None,
    end: End = None,
    clear_end: Annotated[
        bool, typer.Option("--clear-end", help="Remove the end date (ongoing again).")
    ] = False,
    description: Description = None,
    body_part: BodyPart = None,
    severity: Severity = None,
    restrict: Restrict = None,
    destination: Destination = None,
    equipment: Equipment = None,
    facilities: Facilities = None,
    hours_per_week: HoursPerWeek = None,
    days: Days = None,
    as_json: JsonOption = False,
) -> None:
    """Change a constraint; only the flags you give change. An empty value ('') clears a field.

    A list flag (--restrict, --equipment, --facilities, --days) replaces the
    whole list. The type of a constraint cannot change.

    Example:

        khepri constraints edit 7c1e --severity mild --end 2026-12-20
    """
    from khepri_cli.render import constraints as render
    from khepri_cli.services import constraints as service

    app_state = state(ctx)
    athlete = app_state.athlete()
    given = _given(
        title=title,
        start=start,
        end=end,
        description=description,
        body_part=body_part,
        severity=severity,
        restrict=restrict,
        destination=destination,
        equipment=equipment,
        facilities=facilities,
        hours_per_week=hours_per_week,
        days=days,
    )
    constraint, changed = service.edit_constraint(
        app_state.journal(), athlete, constraint_id, given, clear_end=clear_end
    )
    render.edited(constraint, changed)
    _print_constraint(constraint, athlete.today(), as_json)


def _print_constraint(constraint, today, as_json: bool) -> None:
    """One constraint on stdout: its JSON row, or the field table."""
    if as_json:
        from khepri_cli.render.console import emit_json

        emit_json(constraint.to_json())
        return
    from khepri_cli.render import constraints as render

    render.show_constraint(constraint, today)


@app.command("resolve")
def resolve(ctx: typer.Context, constraint_id: ConstraintId) -> None:
    """Mark a constraint resolved; if it had no end date, it ends today.

    Example:

        khepri constraints resolve 7c1e
    """
    from khepri_cli.render import constraints as render
    from khepri_cli.services import constraints as service

    app_state = state(ctx)
    athlete = app_state.athlete()
    constraint, changed = service.resolve_constraint(app_state.journal(), athlete, constraint_id)
    render.resolved(constraint, changed)


@app.command("reopen")
def reopen(ctx: typer.Context, constraint_id: ConstraintId) -> None:
    """Make a resolved constraint active again (its end date stays; see 'edit --clear-end').

    Example:

        khepri constraints reopen 7c1e
    """
    from khepri_cli.render import constraints as render
    from khepri_cli.services import constraints as service

    app_state = state(ctx)
    app_state.athlete()
    constraint, changed = service.reopen_constraint(app_state.journal(), constraint_id)
    render.reopened(constraint, changed)


@app.command("delete")
def delete(ctx: typer.Context, constraint_id: ConstraintId, yes: YesOption = False) -> None:
    """Delete a constraint for good (asks first on a terminal; --yes is required in scripts).

    Example:

        khepri constraints delete 7c1e --yes
    """
    from khepri_cli.errors import UsageProblem
    from khepri_cli.render import constraints as render
    from khepri_cli.services import constraints as service

    app_state = state(ctx)
    app_state.athlete()
    journal = app_state.journal()
    constraint = service.find_constraint(journal, constraint_id)
    if not yes:
        if not app_state.interactive:
            raise UsageProblem("deleting needs --yes when there is no terminal to confirm on")
        question = (
            f"Delete {constraint.constraint_type} constraint {constraint.id[:8]} "
            f"({constraint.title})?"
        )
        if not typer.confirm(question, default=False, err=True):
            render.kept(constraint)
            return
    service.delete_constraint(journal, constraint)
    render.deleted(constraint)
