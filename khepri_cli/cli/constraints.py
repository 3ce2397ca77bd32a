"""``khepri constraints``: injuries, travel and availability changes."""

from __future__ import annotations

from khepri_cli.cli.groups import GroupCommands, build
from khepri_cli.schema.tables import CONSTRAINTS

COMMANDS = GroupCommands(
    name="constraints",
    table=CONSTRAINTS,
    help="Record what limits your training: injuries, travel, less time.\n\n"
    "Example:\n\n"
    '    khepri constraints add injury "Sore knee" --severity mild',
    docs={
        "add": "Add a constraint. Each type has its own flags; the others are refused.\n\n"
        "injury: --body-part --severity --restrict; travel: --destination --equipment "
        "--facilities; availability: --hours-per-week --days. It starts today unless --start "
        "says otherwise.\n\n"
        "Example:\n\n"
        '    khepri constraints add injury "Runner\'s knee" --body-part left_knee \\\n'
        "        --severity moderate --restrict running --restrict jumping",
        "list": "List your active constraints, oldest first (--all adds the resolved ones).\n\n"
        "Example:\n\n    khepri constraints list --type injury",
        "edit": "Change a constraint; only the flags you give change. An empty value ('') "
        "clears a field.\n\nA list flag (--restrict, --equipment, --facilities, --days) "
        "replaces the whole list. The type of a constraint cannot change.\n\n"
        "Example:\n\n    khepri constraints edit 7c1e --severity mild --end 2026-12-20",
    },
    status_verbs={
        "resolve": (
            "resolved",
            "Mark a constraint resolved; if it had no end date, it ends today.",
        ),
        "reopen": (
            "active",
            "Make a resolved constraint active again (its end date stays; see 'edit --clear-end').",
        ),
    },
    clearable="end_date",
    group="khepri_cli.services.constraints:CONSTRAINTS",
    view="khepri_cli.render.constraints:VIEW",
    add_defaults={"--start": "today"},
)

app = build(COMMANDS)
