"""Training plans the morning check-in follows: the athlete's active plans holding a day."""

from __future__ import annotations

import sqlite3
from datetime import date

from khepri_cli.db import store
from khepri_cli.schema import Row
from khepri_cli.schema.tables import TRAINING_PLANS


def plans_covering(conn: sqlite3.Connection, athlete_id: str, day: date) -> list[Row]:
    """The athlete's active plans whose dates hold ``day`` (drafts and paused plans are not)."""
    on = day.isoformat()
    return store.select(
        conn,
        TRAINING_PLANS,
        "athlete_id = ? AND start_date <= ? AND end_date >= ? AND COALESCE(status, 'active') = ?",
        (athlete_id, on, on, "active"),
    )
