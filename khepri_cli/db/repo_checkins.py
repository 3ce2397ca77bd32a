"""Daily check-ins: one row per athlete per day.

Every query here names ``athlete_id`` and a ``checkin_date`` range, so SQLite
answers it from the ``(athlete_id, checkin_date)`` index and the time taken
does not grow with the length of the journal.

The morning check-in is the command people run every day, and importing
pydantic and building the models costs about as much as starting typer
(``domain/rules.py``). So the functions that ``khepri checkin`` uses
(:func:`checkin_athlete`, :func:`checkin_row`, :func:`recent_vitals`,
:func:`insert_row`, :func:`update_row`) work on plain
rows and never import the models; the values they write have been checked
by ``domain.rules`` and are checked again by the table's own CHECKs. The
listing and show commands return :class:`~khepri_cli.models.checkin.DailyCheckin`
models as the other repositories do.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from khepri_cli.db import records
from khepri_cli.domain.clock import now_timestamp, touch_timestamp
from khepri_cli.errors import KhepriError

if TYPE_CHECKING:
    from khepri_cli.models.checkin import DailyCheckin

CHECKIN_JSON_COLUMNS = ("soreness_areas", "equipment_access", "ai_recommendation")


class CheckinAthlete(NamedTuple):
    """What the check-in needs of the profile: who, which day it is, units, resting HR."""

    id: str
    timezone: str | None
    units: str
    resting_heart_rate: int | None


def checkin_athlete(conn: sqlite3.Connection) -> CheckinAthlete:
    """The journal's athlete (the same one ``repo_athletes.get_athlete`` returns)."""
    row = conn.execute(
        "SELECT id, timezone, preferred_units, resting_heart_rate FROM athletes "
        "ORDER BY created_at LIMIT 1"
    ).fetchone()
    if row is None:
        raise KhepriError("no athlete profile in this journal yet; run 'khepri init' first")
    return CheckinAthlete(
        row["id"], row["timezone"], row["preferred_units"] or "metric", row["resting_heart_rate"]
    )


def checkin_row(conn: sqlite3.Connection, athlete_id: str, day: date) -> dict[str, Any] | None:
    """The stored check-in of ``day`` as a plain dict (JSON columns decoded), or None."""
    row = conn.execute(
        "SELECT * FROM daily_checkins WHERE athlete_id = ? AND checkin_date = ?",
        (athlete_id, day.isoformat()),
    ).fetchone()
    return records.decoded(row, CHECKIN_JSON_COLUMNS) if row else None


def get_checkin(conn: sqlite3.Connection, athlete_id: str, day: date) -> DailyCheckin | None:
    """The athlete's check-in of ``day`` as a model, if there is one."""
    from khepri_cli.models.checkin import DailyCheckin

    row = conn.execute(
        "SELECT * FROM daily_checkins WHERE athlete_id = ? AND checkin_date = ?",
        (athlete_id, day.isoformat()),
    ).fetchone()
    return DailyCheckin.from_row(row) if row else None


def recent_vitals(
    conn: sqlite3.Connection, athlete_id: str, before: date, days: int
) -> tuple[list[float], list[float]]:
    """Resting HR and HRV values of the ``days`` days before ``before`` (the day itself excluded).

    Returns ``(resting_hr_values, hrv_values)``, oldest first; days without a
    value are left out of that list.
    """
    rows = conn.execute(
        "SELECT resting_hr, hrv_ms FROM daily_checkins "
        "WHERE athlete_id = ? AND checkin_date >= ? AND checkin_date < ? "
        "AND (resting_hr IS NOT NULL OR hrv_ms IS NOT NULL) "
        "ORDER BY checkin_date",
        (athlete_id, (before - timedelta(days=days)).isoformat(), before.isoformat()),
    ).fetchall()
    resting = [float(r["resting_hr"]) for r in rows if r["resting_hr"] is not None]
    hrv = [float(r["hrv_ms"]) for r in rows if r["hrv_ms"] is not None]
    return resting, hrv


def _stored(row: dict[str, Any]) -> dict[str, Any]:
    stored = dict(row)
    for column in CHECKIN_JSON_COLUMNS:
        if stored.get(column) is not None:
            stored[column] = json.dumps(stored[column], ensure_ascii=False, sort_keys=True)
    if isinstance(stored.get("checkin_date"), date):
        stored["checkin_date"] = stored["checkin_date"].isoformat()
    return stored


def insert_row(conn: sqlite3.Connection, values: dict[str, Any]) -> dict[str, Any]:
    """Insert a new check-in from checked column values; returns the row as stored."""
    stamp = now_timestamp()
    row = {"id": str(uuid.uuid4()), **values, "created_at": stamp, "updated_at": stamp}
    stored = _stored(row)
    columns = ", ".join(stored)
    marks = ", ".join(f":{c}" for c in stored)
    conn.execute(f"INSERT INTO daily_checkins ({columns}) VALUES ({marks})", stored)
    return row


def update_row(conn: sqlite3.Connection, row: dict[str, Any]) -> dict[str, Any]:
    """Write every column of ``row`` over the stored row with its id.

    ``updated_at`` becomes now, and always later than the stored value (as
    ``records.update`` does), so the order of changes survives a pinned clock.
    """
    row = {**row, "updated_at": touch_timestamp(row.get("updated_at"))}
    stored = _stored(row)
    assignments = ", ".join(f"{c} = :{c}" for c in stored if c not in ("id", "created_at"))
    conn.execute(f"UPDATE daily_checkins SET {assignments} WHERE id = :id", stored)
    return row


def list_checkins(
    conn: sqlite3.Connection,
    athlete_id: str,
    *,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
) -> list[DailyCheckin]:
    """The athlete's check-ins from ``since`` to ``until`` (both included), newest first."""
    from khepri_cli.models.checkin import DailyCheckin

    where = ["athlete_id = ?"]
    params: list[object] = [athlete_id]
    if since is not None:
        where.append("checkin_date >= ?")
        params.append(since.isoformat())
    if until is not None:
        where.append("checkin_date <= ?")
        params.append(until.isoformat())
    sql = f"SELECT * FROM daily_checkins WHERE {' AND '.join(where)} ORDER BY checkin_date DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [DailyCheckin.from_row(r) for r in conn.execute(sql, params)]
