"""Goals: race, performance, fitness and health goals, as a record group."""

from __future__ import annotations

from khepri_cli.schema.tables import GOALS as GOALS_TABLE
from khepri_cli.services.records import Group, GroupSpec

GOALS = Group(
    GroupSpec(
        table=GOALS_TABLE,
        # Priority A first, then the nearest target date; goals without a date come last.
        list_order="COALESCE(priority, 'B'), target_date IS NULL, target_date, created_at, id",
        new_row_defaults=lambda today: {"priority": "B"},
    )
)
