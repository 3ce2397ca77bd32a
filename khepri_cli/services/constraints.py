"""Constraints: injuries, travel and availability changes, as a record group.

A constraint starts today unless told otherwise; resolving an open-ended one
ends it today (never before it started).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from khepri_cli.schema import Row
from khepri_cli.schema.tables import CONSTRAINTS as CONSTRAINTS_TABLE
from khepri_cli.services.records import Group, GroupSpec


def _ends_when_resolved(row: Row, status: str, today: date) -> dict[str, Any]:
    if status == "resolved" and row.end_date is None:
        return {"end_date": max(today, row.start_date)}
    return {}


CONSTRAINTS = Group(
    GroupSpec(
        table=CONSTRAINTS_TABLE,
        new_row_defaults=lambda today: {"start_date": today},
        on_status=_ends_when_resolved,
    )
)
