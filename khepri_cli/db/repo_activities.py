"""Training sessions as the load model reads them: one athlete's, over a range of days.

The query names ``athlete_id`` and an ``activity_date`` range, so SQLite
answers it from the ``(athlete_id, activity_date)`` index: the time taken
grows with the days asked for, not with the length of the journal. Only the
columns the load needs are read, straight into :class:`Session` values.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from khepri_cli.domain.load import Session


def sessions_between(
    conn: sqlite3.Connection, athlete_id: str, first: date, last: date
) -> list[Session]:
    """The athlete's sessions from ``first`` to ``last`` (both included), oldest first."""
    rows = conn.execute(
        "SELECT activity_date, duration_minutes, rpe, tss, sport FROM activities "
        "WHERE athlete_id = ? AND activity_date >= ? AND activity_date <= ? "
        "ORDER BY activity_date",
        (athlete_id, first.isoformat(), last.isoformat()),
    )
    return [
        Session(date.fromisoformat(day), minutes, rpe, tss, sport)
        for day, minutes, rpe, tss, sport in rows
    ]
