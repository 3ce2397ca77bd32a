"""``khepri plans``: a periodised plan made from a goal, followed by the morning check-in."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from khepri_cli.cli.groups import GroupCommands, build, show_new
from khepri_cli.cli.options import WORDS, JsonOption, with_column_options
from khepri_cli.cli.state import state
from khepri_cli.cli.values import read_given, read_typed, typing_of
from khepri_cli.schema.tables import TRAINING_PLANS

COMMANDS = GroupCommands(
    name="plans",
    table=TRAINING_PLANS,
    help="Training plans made from a goal: phases, weekly volume, and where today sits.\n\n"
    "Example:\n\n    khepri plans create --goal 3f2a --start 2026-12-01",
    docs={
        "list": "List your active plans (--status or --all for drafts, paused and past ones), "
        "with where today sits in each.\n\n"
        "Example:\n\n    khepri plans list --all",
        "edit": "Rename a plan or change its description. Its dates and phases come from the "
        "goal: to change them, cancel it and create another.\n\n"
        "Example:\n\n    khepri plans edit 3f2a --title 'Seville block'",
    },
    status_verbs={
        "activate": (
            "active",
            "Make a draft, paused or finished plan the one the check-in follows.",
        ),
        "pause": ("paused", "Pause a plan: the check-in stops following it until you activate it."),
        "complete": ("completed", "Mark a plan as done."),
        "cancel": ("cancelled", "Cancel a plan (it stays in the journal; see 'plans list --all')."),
    },
    group="khepri_cli.services.plans:PLANS",
    view="khepri_cli.render.plans:VIEW",
    change_example="--title 'Seville block'",
)

NAMED = tuple(TRAINING_PLANS.column(name) for name in ("title", "description"))
StartOption = Annotated[
    str | None,
    typer.Option("--start", metavar="DATE", help=TRAINING_PLANS.column("start_date").help),
]
WeeksOption = Annotated[
    str | None,
    typer.Option("--weeks", metavar="N", help=TRAINING_PLANS.column("duration_weeks").help),
]


@with_column_options(NAMED, TRAINING_PLANS.noun)
def create(
    ctx: typer.Context,
    goal: Annotated[
        str, typer.Option("--goal", metavar="ID", help="The goal's ID, or the start of it.")
    ],
    typed: dict[str, Any],
    start: StartOption = None,
    weeks: WeeksOption = None,
    draft: Annotated[bool, typer.Option("--draft", help="Keep it a draft (not followed).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Turn a goal into a plan: base, build, peak and taper up to the goal's date.

    The plan runs the whole weeks from --start (today) to the goal's date, 4 to
    52 of them (12 without a date), as the Khepri app makes it (docs/plans.md).

    Example:

        khepri plans create --goal 3f2a --start 2026-12-01 --title "Seville block"
    """
    from khepri_cli.services.plans import create_plan

    app_state = state(ctx)
    texts = {"start_date": ("--start", start), "duration_weeks": ("--weeks", weeks)}
    given = read_given(
        COMMANDS.table, app_state, {k: v for k, v in texts.items() if v[1] is not None}
    )
    named = read_typed(COMMANDS.table, app_state, None, typed)
    app_state.remember("target_goal_id", "--goal", goal)
    row = create_plan(
        app_state.journal(), goal, start=given.get("start_date"),
        weeks=given.get("duration_weeks"), draft=draft, **named,
    )  # fmt: skip
    show_new(COMMANDS, app_state, row, as_json, "Created")


def adjust(
    ctx: typer.Context,
    plan_id: Annotated[
        str,
        typer.Argument(metavar="ID", click_type=WORDS, help="The plan's ID, or its start."),
    ],
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help="Why the plan changes.")],
    changes: Annotated[
        str | None,
        typer.Option("--changes", metavar="TEXT", help="What changes, in your words."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Note a change to a plan in its adjustments log (date, reason, changes).

    Example:

        khepri plans adjust 3f2a --reason "knee niggle" \\
            --changes "two easy weeks, no hills"
    """
    from khepri_cli.render import plans as render
    from khepri_cli.render.records import print_row
    from khepri_cli.services.plans import adjust as adjust_plan

    app_state = state(ctx)
    app_state.remember("reason", "--reason", reason)
    row = adjust_plan(app_state.journal(), plan_id, reason, changes)
    typing = typing_of(app_state)
    render.adjusted(row)
    print_row(render.VIEW, row, typing.today, as_json, typing.units)


app = build(COMMANDS, extra={"create": create, "adjust": adjust})
