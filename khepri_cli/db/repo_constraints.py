"""Constraints: injuries, travel and availability.

:func:`active_constraints` is read by every morning check-in, so it returns
plain :class:`ConstraintView` rows and this module imports the pydantic
model only inside the functions that return models.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from khepri_cli.db import records

if TYPE_CHECKING:
    from khepri_cli.models.constraint import Constraint

JSON_COLUMNS = (
    "injury_restrictions",
    "travel_equipment_available",
    "travel_facilities_available",
    "availability_days_available",
)


class ConstraintView(NamedTuple):
    """A constraints row read without pydantic: same attribute names as the model."""

    id: str
    constraint_type: str
    title: str
    description: str | None
    start_date: date
    end_date: date | None
    status: str | None
    injury_body_part: str | None
    injury_severity: str | None
    injury_restrictions: list[str] | None
    travel_destination: str | None
    travel_equipment_available: list[str] | None
    travel_facilities_available: list[str] | None
    availability_hours_per_week: float | None
    availability_days_available: list[str] | None


def active_constraints(conn: sqlite3.Connection, athlete_id: str, on: date) -> list[ConstraintView]:
    """Active constraints whose period covers ``on`` (no end date means ongoing)."""
    day = on.isoformat()
    rows = conn.execute(
        "SELECT * FROM constraints WHERE athlete_id = ? AND status = 'active' "
        "AND start_date <= ? AND (end_date IS NULL OR end_date >= ?) "
        "ORDER BY start_date, created_at",
        (athlete_id, day, day),
    )
    found = []
    for row in rows:
        data = records.decoded(row, JSON_COLUMNS)
        found.append(
            ConstraintView(
                **{
                    name: data.get(name)
                    for name in ConstraintView._fields
                    if name not in ("start_date", "end_date")
                },
                start_date=date.fromisoformat(data["start_date"]),
                end_date=date.fromisoformat(data["end_date"]) if data["end_date"] else None,
            )
        )
    return found


def list_constraints(
    conn: sqlite3.Connection,
    athlete_id: str,
    *,
    include_resolved: bool = False,
    constraint_type: str | None = None,
) -> list[Constraint]:
    """The athlete's constraints (active ones unless ``include_resolved``), oldest start first."""
    from khepri_cli.models.constraint import Constraint

    where = ["athlete_id = ?"]
    params: list[str] = [athlete_id]
    if not include_resolved:
        where.append("COALESCE(status, 'active') = 'active'")
    if constraint_type is not None:
        where.append("constraint_type = ?")
        params.append(constraint_type)
    rows = conn.execute(
        f"SELECT * FROM constraints WHERE {' AND '.join(where)} "
        "ORDER BY start_date, created_at, id",
        params,
    )
    return [Constraint.from_row(r) for r in rows]


def get_constraint(conn: sqlite3.Connection, prefix: str) -> Constraint:
    """The constraint whose ID starts with ``prefix`` (NotFound / ambiguous otherwise)."""
    from khepri_cli.models.constraint import Constraint

    constraint_id = records.resolve_id(conn, "constraints", prefix, "constraint")
    constraint = records.fetch(conn, Constraint, constraint_id)
    assert constraint is not None  # resolve_id just found it, inside the same connection
    return constraint
