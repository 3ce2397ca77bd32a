"""Constraints active on a day: what the morning check-in weighs besides the athlete's values."""

from __future__ import annotations

import sqlite3
from datetime import date

from khepri_cli.db import store
from khepri_cli.schema import Row
from khepri_cli.schema.tables import CONSTRAINTS


def active_constraints(conn: sqlite3.Connection, athlete_id: str, on: date) -> list[Row]:
    """Active constraints whose period covers ``on`` (no end date means ongoing)."""
    day = on.isoformat()
    return store.select(
        conn,
        CONSTRAINTS,
        "athlete_id = ? AND status = 'active' AND start_date <= ? "
        "AND (end_date IS NULL OR end_date >= ?)",
        (athlete_id, day, day),
        order="start_date, created_at, id",
    )
