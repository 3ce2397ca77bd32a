"""The one write path of the journal, and the generic reads every repository shares.

Writes take plain column values, apply the declared rules
(:mod:`khepri_cli.domain.rows`), encode each value with its column's kind and
run one statement; the caller holds the transaction. Before a row in sync
with the remote changes, its values are kept as its sync base
(:func:`khepri_cli.db.repo_sync.capture_bases`), whatever the write is. Reads decode stored rows
into :class:`~khepri_cli.schema.Row` values the same way, so there is one
encoder and one decoder for every table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from khepri_cli.db import repo_sync
from khepri_cli.domain import rows as rules
from khepri_cli.errors import NotFound, UsageProblem
from khepri_cli.schema import Row, Table

# -- encoding ------------------------------------------------------------------


def encode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """Canonical values -> SQLite storage values, for the columns present in ``row``."""
    return {c.name: c.kind.to_sqlite(row[c.name]) for c in table.columns if c.name in row}


def decode(table: Table, stored: sqlite3.Row | dict[str, Any]) -> Row:
    """A stored row -> a :class:`Row` of canonical values."""
    data = dict(stored)
    return Row(
        table, {c.name: c.kind.from_sqlite(data[c.name]) for c in table.columns if c.name in data}
    )


# -- writes --------------------------------------------------------------------


def _insert_sql(table: Table) -> str:
    names = table.column_names
    return (
        f"INSERT INTO {table.name} ({', '.join(names)}) "
        f"VALUES ({', '.join(':' + n for n in names)})"
    )


def _update_sql(table: Table, names: Iterable[str]) -> str:
    assignments = ", ".join(f"{n} = :{n}" for n in names if n != "id")
    return f"UPDATE {table.name} SET {assignments} WHERE id = :id"


def insert(conn: sqlite3.Connection, table: Table, values: dict[str, Any]) -> Row:
    """Check ``values`` as a new row of ``table`` and insert it; returns the row as stored."""
    row = rules.new_row(table, values)
    conn.execute(_insert_sql(table), encode(table, row))
    return Row(table, row)


def _write_changes(conn: sqlite3.Connection, current: Row, row: dict[str, Any]) -> Row:
    changed = {n: v for n, v in row.items() if current.get(n) != v or n == "id"}
    repo_sync.capture_bases(conn, current.table, [current.id])
    stored = encode(current.table, changed)
    conn.execute(_update_sql(current.table, stored), stored)
    return Row(current.table, row)


def update(conn: sqlite3.Connection, current: Row, changes: dict[str, Any]) -> Row:
    """Apply ``changes`` to ``current`` (checked) and write them; ``updated_at`` moves on."""
    return _write_changes(conn, current, rules.changed_row(current, changes))


def update_if_changed(
    conn: sqlite3.Connection, current: Row, changes: dict[str, Any]
) -> tuple[Row, bool]:
    """Like :func:`update`, but an edit that changes nothing leaves the row alone.

    Its ``updated_at`` and the sync bookkeeping then stay as they were.
    """
    row = rules.changed_row(current, changes)
    if {**row, "updated_at": current["updated_at"]} == dict(current):
        return current, False
    return _write_changes(conn, current, row), True


def insert_whole(conn: sqlite3.Connection, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """Insert rows already checked whole (:func:`khepri_cli.domain.rows.whole_row`)."""
    conn.executemany(_insert_sql(table), (encode(table, row) for row in rows))


def replace_whole(conn: sqlite3.Connection, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """Write rows already checked whole over the stored rows with their ids."""
    rows = list(rows)
    repo_sync.capture_bases(conn, table, [row["id"] for row in rows])
    conn.executemany(_update_sql(table, table.column_names), (encode(table, row) for row in rows))


class WholeRows:
    """:func:`insert_whole` and :func:`replace_whole` one row at a time, with their SQL built
    once: an import writes each row as soon as it has read and checked it."""

    def __init__(self, table: Table):
        self.table = table
        self.insert_sql = _insert_sql(table)
        self.replace_sql = _update_sql(table, table.column_names)

    def insert(self, conn: sqlite3.Connection, row: dict[str, Any]) -> None:
        conn.execute(self.insert_sql, encode(self.table, row))

    def replace(self, conn: sqlite3.Connection, row: dict[str, Any]) -> None:
        conn.execute(self.replace_sql, encode(self.table, row))


def delete(conn: sqlite3.Connection, table: Table, row_id: str) -> None:
    repo_sync.capture_bases(conn, table, [row_id])
    conn.execute(f"DELETE FROM {table.name} WHERE id = ?", (row_id,))


# -- reads ---------------------------------------------------------------------


def fetch(conn: sqlite3.Connection, table: Table, row_id: str) -> Row | None:
    stored = conn.execute(f"SELECT * FROM {table.name} WHERE id = ?", (row_id,)).fetchone()
    return decode(table, stored) if stored else None


def select(
    conn: sqlite3.Connection,
    table: Table,
    where: str = "",
    params: Iterable[Any] = (),
    *,
    order: str | None = None,
    limit: int | None = None,
) -> list[Row]:
    """Rows of ``table`` matching ``where`` (SQL with ``?`` marks), in ``order``."""
    sql = f"SELECT * FROM {table.name}"
    if where:
        sql += f" WHERE {where}"
    sql += f" ORDER BY {order or table.order_by}"
    params = list(params)
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [decode(table, r) for r in conn.execute(sql, params)]


def resolve_id(conn: sqlite3.Connection, table: Table, prefix: str) -> str:
    """The full id of the one row in ``table`` whose id starts with ``prefix``."""
    noun = table.noun
    cleaned = prefix.strip().lower()
    if not cleaned or any(ch not in "0123456789abcdef-" for ch in cleaned):
        raise NotFound(f"no {noun} with ID {prefix!r}: IDs are hexadecimal, e.g. 3f2a9c1d")
    matches = [
        r[0]
        for r in conn.execute(
            f"SELECT id FROM {table.name} WHERE id >= ? AND id < ? ORDER BY id LIMIT 6",
            (cleaned, cleaned + "g"),
        )
    ]
    if not matches:
        raise NotFound(f"no {noun} with ID {prefix!r}", table=table.name)
    if len(matches) > 1:
        shown = ", ".join(m[: len(cleaned) + 4] for m in matches[:5])
        raise UsageProblem(f"ID {prefix!r} matches several {noun}s ({shown}); type more of it")
    return matches[0]


def find(conn: sqlite3.Connection, table: Table, prefix: str) -> Row:
    """The row whose ID starts with ``prefix`` (NotFound, or ambiguous, otherwise)."""
    row = fetch(conn, table, resolve_id(conn, table, prefix))
    assert row is not None  # resolve_id just found it, inside the same connection
    return row
