"""``khepri goals``: race, performance, fitness and health goals."""

from __future__ import annotations

from khepri_cli.cli.groups import GroupCommands, build
from khepri_cli.schema.tables import GOALS

COMMANDS = GroupCommands(
    name="goals",
    table=GOALS,
    help="Set, list and close your goals: races, performance, fitness and health.\n\n"
    "Example:\n\n"
    '    khepri goals add race "Cascais 70.3" --date 2027-10-03 --priority A',
    docs={
        "add": "Add a goal. Each type has its own flags; the others are refused.\n\n"
        "race: --event --distance --location --target-time; performance: --metric "
        "--current --target; fitness: --metric --target; health: --metric --current --target. "
        "Priority B unless --priority says otherwise.\n\n"
        "Example:\n\n"
        '    khepri goals add race "Cascais 70.3" --date 2027-10-03 --priority A \\\n'
        "        --distance 70.3 --target-time 5:15:00",
        "list": "List your goals: priority A first, then by target date (undated last).\n\n"
        "Example:\n\n    khepri goals list --status all --type race",
        "edit": "Change a goal; only the flags you give change. An empty value ('') clears a "
        "field.\n\nThe type of a goal cannot change: cancel it and add a new one.\n\n"
        "Example:\n\n    khepri goals edit 3f2a --target-time 5:10:00 --priority A",
    },
    status_verbs={
        "complete": ("completed", "Mark a goal as completed: well done."),
        "cancel": (
            "cancelled",
            "Mark a goal as cancelled (it stays in the journal; see 'goals list --status all').",
        ),
        "reopen": ("active", "Make a completed or cancelled goal active again."),
    },
    clearable="target_date",
    group="khepri_cli.services.goals:GOALS",
    view="khepri_cli.render.goals:VIEW",
)

app = build(COMMANDS)
