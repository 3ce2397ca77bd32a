"""``khepri log`` (a completed session) and ``khepri activities`` (list, show, edit, delete)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from khepri_cli.cli.groups import GroupCommands, build, show_new
from khepri_cli.cli.options import WORDS, JsonOption, with_column_options
from khepri_cli.cli.state import state
from khepri_cli.cli.values import read_given, read_typed
from khepri_cli.schema.tables import ACTIVITIES

COMMANDS = GroupCommands(
    name="activities",
    table=ACTIVITIES,
    help="The training sessions you logged with 'khepri log': list, show, correct, delete.\n\n"
    "Example:\n\n    khepri activities list --days 7 --sport run",
    docs={
        "list": "List your sessions of the last 28 days (--days), newest first, with the load "
        "of each: minutes × RPE, or its TSS when it has one.\n\n"
        "Example:\n\n    khepri activities list --days 90 --sport bike --json",
        "edit": "Correct a session; only the flags you give change. An empty value ('') clears "
        "the distance, TSS or notes.\n\n"
        "Example:\n\n    khepri activities edit 3f2a --rpe 7 --duration 1:15",
    },
    status_verbs={},
    group="khepri_cli.services.activities:ACTIVITIES",
    view="khepri_cli.render.activities:VIEW",
    change_example="--rpe 7",
    recent_days=28,
)

app = build(COMMANDS)
log_app = typer.Typer(add_completion=False)

POSITIONAL = ("sport", "duration_minutes")
LOG_COLUMNS = tuple(c for c in ACTIVITIES.flagged() if c.name not in POSITIONAL)
"""What ``khepri log`` takes as options: the day, RPE, distance, TSS and notes."""


@log_app.command("log")
@with_column_options(LOG_COLUMNS, ACTIVITIES.noun, required=("rpe",))
def log(
    ctx: typer.Context,
    sport: Annotated[
        str,
        typer.Argument(
            metavar="SPORT",
            click_type=WORDS,
            help=ACTIVITIES.column("sport").help,
            show_default=False,
        ),
    ],
    duration: Annotated[
        str,
        typer.Argument(
            metavar="DURATION",
            click_type=WORDS,
            help=ACTIVITIES.column("duration_minutes").help,
            show_default=False,
        ),
    ],
    typed: dict[str, Any],
    as_json: JsonOption = False,
) -> None:
    """Log a completed training session: the sport, how long, and how hard it felt.

    DURATION is minutes (90 or 45m), hours:minutes (1:30), h:mm:ss (1:29:40,
    to the nearest minute) or 1h30m. The session's load is minutes × RPE, or
    its --tss when given; it is today's unless --date says otherwise.

    Example:

        khepri log bike 1:30 --rpe 7 --distance 42 --tss 85
    """
    from khepri_cli.services.activities import ACTIVITIES as SESSIONS

    app_state = state(ctx)
    texts = {"sport": ("SPORT", sport), "duration_minutes": ("DURATION", duration)}
    values = read_given(COMMANDS.table, app_state, texts)
    values.update(read_typed(COMMANDS.table, app_state, values["sport"], typed))
    show_new(COMMANDS, app_state, SESSIONS.add(app_state.journal(), **values), as_json, "Logged")
