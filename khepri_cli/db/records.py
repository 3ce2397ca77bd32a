"""Generic row operations shared by the repositories: insert, update, fetch, ID prefixes."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any, TypeVar

from khepri_cli.domain.clock import touch_timestamp
from khepri_cli.errors import NotFound, UsageProblem

if TYPE_CHECKING:  # the models (pydantic) stay out of the check-in's start-up
    from khepri_cli.models.common import Record

R = TypeVar("R", bound="Record")

SHORT_ID = 8
"""How many characters of a UUID the tables show (like git's short hashes)."""


def insert(conn: sqlite3.Connection, record: Record) -> None:
    row = record.to_row()
    columns = ", ".join(row)
    marks = ", ".join(f":{c}" for c in row)
    conn.execute(f"INSERT INTO {record.table} ({columns}) VALUES ({marks})", row)


def update(conn: sqlite3.Connection, record: R) -> R:
    """Write every column of ``record`` over its stored row; ``updated_at`` becomes now."""
    record = record.model_copy(update={"updated_at": touch_timestamp(record.updated_at)})
    row = record.to_row()
    assignments = ", ".join(f"{c} = :{c}" for c in row if c not in ("id", "created_at"))
    conn.execute(f"UPDATE {record.table} SET {assignments} WHERE id = :id", row)
    return record


def update_if_changed(conn: sqlite3.Connection, current: R, new: R) -> tuple[R, bool]:
    """Write ``new`` only if it differs from ``current``: an edit that changes nothing
    leaves the row, its ``updated_at`` and the sync bookkeeping alone."""
    if new == current:
        return current, False
    return update(conn, new), True


def delete(conn: sqlite3.Connection, table: str, row_id: str) -> None:
    conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))


def fetch(conn: sqlite3.Connection, model: type[R], row_id: str) -> R | None:
    row = conn.execute(f"SELECT * FROM {model.table} WHERE id = ?", (row_id,)).fetchone()
    return model.from_row(row) if row else None


def decoded(row: sqlite3.Row, json_columns: tuple[str, ...]) -> dict[str, Any]:
    """A stored row as a plain dict with its JSON columns parsed (no model, no pydantic)."""
    data = dict(row)
    for column in json_columns:
        if data.get(column) is not None:
            data[column] = json.loads(data[column])
    return data


def resolve_id(conn: sqlite3.Connection, table: str, prefix: str, what: str) -> str:
    """The full id of the one row in ``table`` whose id starts with ``prefix``."""
    cleaned = prefix.strip().lower()
    if not cleaned or any(ch not in "0123456789abcdef-" for ch in cleaned):
        raise NotFound(f"no {what} with ID {prefix!r}: IDs are hexadecimal, e.g. 3f2a9c1d")
    matches = [
        r[0]
        for r in conn.execute(
            f"SELECT id FROM {table} WHERE id >= ? AND id < ? ORDER BY id LIMIT 6",
            (cleaned, cleaned + "g"),
        )
    ]
    if not matches:
        raise NotFound(f"no {what} with ID {prefix!r} (list them with 'khepri {table} list')")
    if len(matches) > 1:
        shown = ", ".join(m[: len(cleaned) + 4] for m in matches[:5])
        raise UsageProblem(f"ID {prefix!r} matches several {what}s ({shown}); type more of it")
    return matches[0]


def short_id(row_id: str) -> str:
    return row_id[:SHORT_ID]
