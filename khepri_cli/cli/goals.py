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
        "show": "Show every field of one goal.\n\nExample:\n\n    khepri goals show 3f2a --json",
        "edit": "Change a goal; only the flags you give change. An empty value ('') clears a "
        "field.\n\nThe type of a goal cannot change: cancel it and add a new one.\n\n"
        "Example:\n\n    khepri goals edit 3f2a --target-time 5:10:00 --priority A",
        "complete": "Mark a goal as completed: well done.\n\n"
        "Example:\n\n    khepri goals complete 3f2a",
        "cancel": "Mark a goal as cancelled (it stays in the journal; see "
        "'goals list --status all').\n\nExample:\n\n    khepri goals cancel 3f2a",
        "reopen": "Make a completed or cancelled goal active again.\n\n"
        "Example:\n\n    khepri goals reopen 3f2a",
        "delete": "Delete a goal for good (asks first on a terminal; --yes is required in "
        "scripts).\n\nExample:\n\n    khepri goals delete 3f2a --yes",
    },
    type_help="race, performance, fitness or health.",
    clear=("--clear-date", "target_date", "Remove the target date."),
    edit_hint="--date 2027-06-14",
    status_verbs={"complete": "completed", "cancel": "cancelled", "reopen": "active"},
    group="khepri_cli.services.goals:GOALS",
    view="khepri_cli.render.goals:VIEW",
)

app = build(COMMANDS)
