"""Rows of a record group (goals, constraints, plans...): one athlete's, by status, type and day."""

from __future__ import annotations

import sqlite3
from datetime import date

from khepri_cli.db import store
from khepri_cli.schema import Row, Table


def list_records(
    conn: sqlite3.Connection,
    table: Table,
    athlete_id: str,
    *,
    status: str | None = None,
    type_value: str | None = None,
    since: tuple[str, date] | None = None,
    order: str | None = None,
) -> list[Row]:
    """The athlete's rows of ``table``, of one status (None: all) and one type (None: all).

    ``since`` is (a day column, a day): only rows on or after that day, a
    range the table's (athlete_id, day) index answers.
    """
    where = ["athlete_id = ?"]
    params: list[str] = [athlete_id]
    if status is not None:
        status_column = table.column("status")
        where.append(f"COALESCE(status, '{status_column.default}') = ?")
        params.append(status)
    if type_value is not None and table.type_column:
        where.append(f"{table.type_column} = ?")
        params.append(type_value)
    if since is not None:
        column, day = since
        where.append(f"{table.column(column).name} >= ?")
        params.append(day.isoformat())
    return store.select(conn, table, " AND ".join(where), params, order=order)
