"""``khepri goals``: race, performance, fitness and health goals."""

from __future__ import annotations

from typing import Annotated

import typer

from khepri_cli.cli.options import JsonOption, YesOption
from khepri_cli.cli.state import state

app = typer.Typer(
    help="Set, list and close your goals: races, performance, fitness and health.\n\n"
    "Example:\n\n"
    '    khepri goals add race "Cascais 70.3" --date 2027-10-03 --priority A --distance 70.3',
    no_args_is_help=True,
    add_completion=False,
)

GoalType = Annotated[
    str,
    typer.Argument(
        metavar="TYPE", help="race, performance, fitness or health.", show_default=False
    ),
]
Title = Annotated[
    str, typer.Argument(metavar="TITLE", help="A short name for the goal.", show_default=False)
]
GoalId = Annotated[
    str, typer.Argument(metavar="ID", help="The goal's ID, or the start of it (from 'goals list').")
]
Date = Annotated[
    str | None,
    typer.Option("--date", help="Target date: YYYY-MM-DD, today or tomorrow."),
]
Priority = Annotated[
    str | None,
    typer.Option("--priority", help="A (the season's main goal), B or C. Default: B."),
]
Description = Annotated[str | None, typer.Option("--description", help="Notes on the goal.")]
Event = Annotated[
    str | None, typer.Option("--event", help="Race goals: event name, e.g. 'Ironman Cascais'.")
]
Distance = Annotated[
    str | None,
    typer.Option("--distance", help="Race goals: distance, e.g. 70.3, marathon, olympic, 10k."),
]
Location = Annotated[str | None, typer.Option("--location", help="Race goals: where it is.")]
TargetTime = Annotated[
    str | None,
    typer.Option("--target-time", help="Race goals: finish time, h:mm:ss or 5h30m, e.g. 5:45:00."),
]
Metric = Annotated[
    str | None,
    typer.Option(
        "--metric",
        help="Performance, fitness and health goals: what you measure, e.g. ftp, "
        "weekly_volume_km, weight_kg.",
    ),
]
Current = Annotated[
    str | None,
    typer.Option("--current", help="Performance and health goals: where you are now, e.g. 250."),
]
Target = Annotated[
    str | None,
    typer.Option(
        "--target", help="Performance, fitness and health goals: the value to reach, e.g. 280."
    ),
]


def _given(**flags: str | None) -> dict[str, str]:
    """Keyword arguments -> ``{"--flag": text}`` for the flags the user actually typed."""
    names = {"title_arg": "TITLE", "target_time": "--target-time"}
    return {names.get(k, f"--{k.replace('_', '-')}"): v for k, v in flags.items() if v is not None}


@app.command("add")
def add(
    ctx: typer.Context,
    goal_type: GoalType,
    title: Title,
    date: Date = None,
    priority: Priority = None,
    description: Description = None,
    event: Event = None,
    distance: Distance = None,
    location: Location = None,
    target_time: TargetTime = None,
    metric: Metric = None,
    current: Current = None,
    target: Target = None,
    as_json: JsonOption = False,
) -> None:
    """Add a goal. Each type has its own flags; the others are refused.

    race: --event --distance --location --target-time; performance: --metric
    --current --target; fitness: --metric --target; health: --metric --current
    --target.

    Example:

        khepri goals add race "Cascais 70.3" --date 2027-10-03 --priority A --distance 70.3 --target-time 5:15:00
    """
    from khepri_cli.services import goals as service

    app_state = state(ctx)
    athlete = app_state.athlete()
    given = _given(
        title_arg=title,
        date=date,
        priority=priority,
        description=description,
        event=event,
        distance=distance,
        location=location,
        target_time=target_time,
        metric=metric,
        current=current,
        target=target,
    )
    goal = service.add_goal(app_state.journal(), athlete, goal_type, given)
    from khepri_cli.render import goals as render

    render.added(goal)
    _print_goal(goal, athlete.today(), as_json)


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[
        str,
        typer.Option("--status", help="active, completed, cancelled or all."),
    ] = "active",
    goal_type: Annotated[
        str | None,
        typer.Option("--type", help="Only this type: race, performance, fitness or health."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List your goals: priority A first, then by target date (undated last).

    Example:

        khepri goals list --status all --type race
    """
    from khepri_cli.services import goals as service

    app_state = state(ctx)
    athlete = app_state.athlete()
    goals = service.list_goals(app_state.journal(), athlete, status, goal_type)
    if as_json:
        from khepri_cli.render.console import emit_json

        emit_json([goal.to_json() for goal in goals])
        return
    from khepri_cli.render import goals as render

    render.goals_table(goals, athlete.today(), status=service.parse_status_filter(status))


@app.command("show")
def show(ctx: typer.Context, goal_id: GoalId, as_json: JsonOption = False) -> None:
    """Show every field of one goal.

    Example:

        khepri goals show 3f2a --json
    """
    from khepri_cli.services import goals as service

    app_state = state(ctx)
    athlete = app_state.athlete()
    goal = service.find_goal(app_state.journal(), goal_id)
    _print_goal(goal, athlete.today(), as_json)


@app.command("edit")
def edit(
    ctx: typer.Context,
    goal_id: GoalId,
    title: Annotated[str | None, typer.Option("--title", help="A new name for the goal.")] = None,
    date: Date = None,
    clear_date: Annotated[
        bool, typer.Option("--clear-date", help="Remove the target date.")
    ] = False,
    priority: Priority = None,
    description: Description = None,
    event: Event = None,
    distance: Distance = None,
    location: Location = None,
    target_time: TargetTime = None,
    metric: Metric = None,
    current: Current = None,
    target: Target = None,
    as_json: JsonOption = False,
) -> None:
    """Change a goal; only the flags you give change. An empty value ('') clears a field.

    The type of a goal cannot change: cancel it and add a new one.

    Example:

        khepri goals edit 3f2a --target-time 5:10:00 --priority A
    """
    from khepri_cli.services import goals as service

    app_state = state(ctx)
    athlete = app_state.athlete()
    given = _given(
        title=title,
        date=date,
        priority=priority,
        description=description,
        event=event,
        distance=distance,
        location=location,
        target_time=target_time,
        metric=metric,
        current=current,
        target=target,
    )
    goal, changed = service.edit_goal(
        app_state.journal(), athlete, goal_id, given, clear_date=clear_date
    )
    from khepri_cli.render import goals as render

    render.edited(goal, changed)
    _print_goal(goal, athlete.today(), as_json)


def _print_goal(goal, today, as_json: bool) -> None:
    """One goal on stdout: its JSON row, or the field table."""
    if as_json:
        from khepri_cli.render.console import emit_json

        emit_json(goal.to_json())
        return
    from khepri_cli.render import goals as render

    render.show_goal(goal, today)


def _set_status(ctx: typer.Context, goal_id: str, status: str) -> None:
    from khepri_cli.render import goals as render
    from khepri_cli.services import goals as service

    app_state = state(ctx)
    app_state.athlete()
    goal, changed = service.set_status(app_state.journal(), goal_id, status)
    render.status_changed(goal, changed)


@app.command("complete")
def complete(ctx: typer.Context, goal_id: GoalId) -> None:
    """Mark a goal as completed: well done.

    Example:

        khepri goals complete 3f2a
    """
    _set_status(ctx, goal_id, "completed")


@app.command("cancel")
def cancel(ctx: typer.Context, goal_id: GoalId) -> None:
    """Mark a goal as cancelled (it stays in the journal; see 'goals list --status all').

    Example:

        khepri goals cancel 3f2a
    """
    _set_status(ctx, goal_id, "cancelled")


@app.command("reopen")
def reopen(ctx: typer.Context, goal_id: GoalId) -> None:
    """Make a completed or cancelled goal active again.

    Example:

        khepri goals reopen 3f2a
    """
    _set_status(ctx, goal_id, "active")


@app.command("delete")
def delete(ctx: typer.Context, goal_id: GoalId, yes: YesOption = False) -> None:
    """Delete a goal for good (asks first on a terminal; --yes is required in scripts).

    Example:

        khepri goals delete 3f2a --yes
    """
    from khepri_cli.errors import UsageProblem
    from khepri_cli.render import goals as render
    from khepri_cli.services import goals as service

    app_state = state(ctx)
    app_state.athlete()
    journal = app_state.journal()
    goal = service.find_goal(journal, goal_id)
    if not yes:
        if not app_state.interactive:
            raise UsageProblem("deleting needs --yes when there is no terminal to confirm on")
        question = f"Delete {goal.goal_type} goal {goal.id[:8]} ({goal.title})?"
        if not typer.confirm(question, default=False, err=True):
            render.kept(goal)
            return
    service.delete_goal(journal, goal)
    render.deleted(goal)
