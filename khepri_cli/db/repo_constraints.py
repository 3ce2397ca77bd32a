"""Constraints: injuries, travel and availability."""

from __future__ import annotations

import sqlite3
from datetime import date

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
