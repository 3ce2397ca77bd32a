"""The athlete profile. A journal belongs to one athlete."""

from __future__ import annotations

import sqlite3

from khepri_cli.db import records
from khepri_cli.errors import KhepriError
from khepri_cli.models.athlete import Athlete


def get_athlete(conn: sqlite3.Connection) -> Athlete | None:
    row = conn.execute("SELECT * FROM athletes ORDER BY created_at LIMIT 1").fetchone()
    return Athlete.from_row(row) if row else None


def require_athlete(conn: sqlite3.Connection) -> Athlete:
    athlete = get_athlete(conn)
    if athlete is None:
        raise KhepriError("no athlete profile in this journal yet; run 'khepri init' first")
    return athlete


def save_athlete(conn: sqlite3.Connection, athlete: Athlete) -> Athlete:
    """Insert the profile, or write it over the stored one with the same id."""
    if records.fetch(conn, Athlete, athlete.id) is None:
        records.insert(conn, athlete)
        return athlete
    return records.update(conn, athlete)
