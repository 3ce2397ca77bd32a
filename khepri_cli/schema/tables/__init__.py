"""The journal's tables, declared once: every column, its contract, and how people meet it.

This is the one home of what schema.md says about the tables (kinds,
NOT NULLs, defaults, ranges, allowed values, foreign keys) and of what the
command line and the renderers need of each column (flag, help, label, how
it is typed and shown), one module per table. Value rules, encoding,
export/import, sync, prompts, options and show tables read it from here. The
SQL of the migrations is frozen text with its own literal copies
(``db/migrations.py``, ``khepri_cli/sql/``); tests prove the two agree.
"""

from __future__ import annotations

from khepri_cli.schema.model import Table
from khepri_cli.schema.tables.activities import ACTIVITIES, SPORTS
from khepri_cli.schema.tables.athletes import ATHLETES
from khepri_cli.schema.tables.constraints import CONSTRAINT_TYPES, CONSTRAINTS
from khepri_cli.schema.tables.daily_checkins import DAILY_CHECKINS, SORENESS_AREAS
from khepri_cli.schema.tables.goals import GOAL_TYPES, GOALS
from khepri_cli.schema.tables.training_plans import PLAN_STATUSES, TRAINING_PLANS

TABLES: tuple[Table, ...] = (
    ATHLETES,
    GOALS,
    CONSTRAINTS,
    DAILY_CHECKINS,
    TRAINING_PLANS,
    ACTIVITIES,
)
"""Every table of the journal, in foreign-key order: parents before the rows that point at them."""

__all__ = [
    "ACTIVITIES",
    "ATHLETES",
    "CONSTRAINTS",
    "CONSTRAINT_TYPES",
    "DAILY_CHECKINS",
    "GOALS",
    "GOAL_TYPES",
    "PLAN_STATUSES",
    "SORENESS_AREAS",
    "SPORTS",
    "TABLES",
    "TRAINING_PLANS",
]
