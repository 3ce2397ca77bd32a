"""The athlete profile. A journal belongs to one athlete."""

from __future__ import annotations

import sqlite3

from khepri_cli.db import store
from khepri_cli.errors import NoProfile
from khepri_cli.schema import Row
from khepri_cli.schema.tables import ATHLETES


def get_athlete(conn: sqlite3.Connection) -> Row | None:
    """The journal's athlete (the first profile made), or None before ``khepri init``."""
    rows = store.select(conn, ATHLETES, order="created_at", limit=1)
    return rows[0] if rows else None


def require_athlete(conn: sqlite3.Connection) -> Row:
    athlete = get_athlete(conn)
    if athlete is None:
        raise NoProfile()
    return athlete
