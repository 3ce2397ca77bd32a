"""Constraints: injuries, travel and availability."""

from __future__ import annotations

import sqlite3
from datetime import date

from khepri_cli.db import records
from khepri_cli.models.constraint import Constraint


def active_constraints(conn: sqlite3.Connection, athlete_id: str, on: date) -> list[Constraint]:
    """Active constraints whose period covers ``on`` (no end date means ongoing)."""
    day = on.isoformat()
    rows = conn.execute(
        "SELECT * FROM constraints WHERE athlete_id = ? AND status = 'active' "
        "AND start_date <= ? AND (end_date IS NULL OR end_date >= ?) "
        "ORDER BY start_date, created_at",
        (athlete_id, day, day),
    )
    return [Constraint.from_row(r) for r in rows]


def list_constraints(
    conn: sqlite3.Connection,
    athlete_id: str,
    *,
    include_resolved: bool = False,
    constraint_type: str | None = None,
) -> list[Constraint]:
    """The athlete's constraints (active ones unless ``include_resolved``), oldest start first."""
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
    constraint_id = records.resolve_id(conn, "constraints", prefix, "constraint")
    constraint = records.fetch(conn, Constraint, constraint_id)
    assert constraint is not None  # resolve_id just found it, inside the same connection
    return constraint
