"""Goals: race, performance, fitness and health goals."""

from __future__ import annotations

import sqlite3

from khepri_cli.db import records
from khepri_cli.models.goal import Goal

_ORDER = "ORDER BY COALESCE(priority, 'B'), target_date IS NULL, target_date, created_at, id"
"""Priority A first, then the nearest target date; goals without a date come last."""


def list_goals(
    conn: sqlite3.Connection,
    athlete_id: str,
    *,
    status: str | None = None,
    goal_type: str | None = None,
) -> list[Goal]:
    """The athlete's goals, optionally of one status and one type, in priority order."""
    where = ["athlete_id = ?"]
    params: list[str] = [athlete_id]
    if status is not None:
        where.append("COALESCE(status, 'active') = ?")
        params.append(status)
    if goal_type is not None:
        where.append("goal_type = ?")
        params.append(goal_type)
    rows = conn.execute(f"SELECT * FROM goals WHERE {' AND '.join(where)} {_ORDER}", params)
    return [Goal.from_row(r) for r in rows]


def get_goal(conn: sqlite3.Connection, prefix: str) -> Goal:
    """The goal whose ID starts with ``prefix`` (NotFound / ambiguous otherwise)."""
    goal_id = records.resolve_id(conn, "goals", prefix, "goal")
    goal = records.fetch(conn, Goal, goal_id)
    assert goal is not None  # resolve_id just found it, inside the same connection
    return goal
