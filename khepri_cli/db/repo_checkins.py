"""Daily check-ins: one row per athlete per day.

Every query here names ``athlete_id`` and a ``checkin_date`` range, so SQLite
answers it from the ``(athlete_id, checkin_date)`` index and the time taken
does not grow with the length of the journal.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from khepri_cli.db import store
from khepri_cli.schema import Row
from khepri_cli.schema.tables import DAILY_CHECKINS


def checkin_on(conn: sqlite3.Connection, athlete_id: str, day: date) -> Row | None:
    """The athlete's check-in of ``day``, if there is one."""
    rows = store.select(
        conn, DAILY_CHECKINS, "athlete_id = ? AND checkin_date = ?", (athlete_id, day.isoformat())
    )
    return rows[0] if rows else None


def first_checkin_day(conn: sqlite3.Connection, athlete_id: str) -> date | None:
    """The day of the athlete's earliest check-in, if any."""
    found = conn.execute(
        "SELECT min(checkin_date) FROM daily_checkins WHERE athlete_id = ?", (athlete_id,)
    ).fetchone()[0]
    return None if found is None else date.fromisoformat(found)


def vitals_between(
    conn: sqlite3.Connection, athlete_id: str, first: date, last: date
) -> list[dict[str, object]]:
    """``checkin_date``, ``resting_hr`` and ``hrv_ms`` of the days from ``first`` to ``last``
    that have either value, oldest first: what personal baselines are made of."""
    rows = conn.execute(
        "SELECT checkin_date, resting_hr, hrv_ms FROM daily_checkins "
        "WHERE athlete_id = ? AND checkin_date >= ? AND checkin_date <= ? "
        "AND (resting_hr IS NOT NULL OR hrv_ms IS NOT NULL) "
        "ORDER BY checkin_date",
        (athlete_id, first.isoformat(), last.isoformat()),
    )
    return [{"checkin_date": d, "resting_hr": rhr, "hrv_ms": hrv} for d, rhr, hrv in rows]


def list_checkins(
    conn: sqlite3.Connection,
    athlete_id: str,
    *,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
) -> list[Row]:
    """The athlete's check-ins from ``since`` to ``until`` (both included), newest first."""
    where = ["athlete_id = ?"]
    params: list[object] = [athlete_id]
    if since is not None:
        where.append("checkin_date >= ?")
        params.append(since.isoformat())
    if until is not None:
        where.append("checkin_date <= ?")
        params.append(until.isoformat())
    return store.select(
        conn,
        DAILY_CHECKINS,
        " AND ".join(where),
        params,
        order="checkin_date DESC",
        limit=limit,
    )
