"""The sync's bookkeeping on the journal: pending changes, state, bases, conflicts, the remote's catalogue.

All of it lives in local-only tables that are never pushed (migrations m002
and m005):

* ``_khepri_pending_changes``: one row per journal row changed since it was
  last in sync (filled by triggers, in the same transaction as the change);
* ``_khepri_sync_state``: key/value facts about the last sync (who, where,
  when, the pull's watermark, what the remote's catalogue was);
* ``_khepri_sync_base``: per row that parted ways with the remote since the
  last sync, what the remote held of it then (the base of the three-way
  merge), as JSON; a row with nothing pending is its own base;
* ``_khepri_sync_conflicts``: every conflict a sync met, both values kept.

A sync also uses a few TEMP tables (the connection's own, never in the
file): the bases of the reshaped rows a push sent, and sets of row keys
(kept back, changed meanwhile, decided by the pull). Writing them inside a read snapshot takes no lock on
the journal. The caller holds the transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from khepri_cli.schema import Table

PENDING = "_khepri_pending_changes"
STATE = "_khepri_sync_state"
BASES = "_khepri_sync_base"
CONFLICTS = "_khepri_sync_conflicts"

STATE_USER = "user_id"
STATE_AT = "last_sync_at"
STATE_TARGET = "last_sync_target"
STATE_SUMMARY = "last_sync_summary"
STATE_PULLED_AT = "pulled_at"
"""The remote's clock when the last complete pull began: the next one asks for what changed since."""
STATE_BASES_FOR = "bases_for"
"""The remote and user the bases were recorded with (bases of another remote mean nothing)."""
STATE_READ_AGAIN = "read_again"
"""Rows a pull could not merge (changed here meanwhile): the next pull reads them again."""
CATALOGUE_PREFIX = "remote_catalogue "

Key = tuple[str, str]
"""A journal row: (table, id)."""

KEPT, CHANGED = "kept", "changed"
"""Roles of row keys in the scratch table: kept back by this sync, changed during it."""


# -- state ------------------------------------------------------------------------


def read_state(conn: sqlite3.Connection) -> dict[str, str]:
    return {r[0]: r[1] for r in conn.execute(f"SELECT key, value FROM {STATE}")}


def write_state(conn: sqlite3.Connection, values: dict[str, str | None]) -> None:
    """Set (or, with None, forget) state keys."""
    for key, value in values.items():
        if value is None:
            conn.execute(f"DELETE FROM {STATE} WHERE key = ?", (key,))
        else:
            conn.execute(f"INSERT OR REPLACE INTO {STATE} (key, value) VALUES (?, ?)", (key, value))


def cached_catalogue(conn: sqlite3.Connection, target: str) -> dict[str, Any] | None:
    """The remote's catalogue as last read (``{"catalogue", "read_at"}``), if any."""
    row = conn.execute(
        f"SELECT value FROM {STATE} WHERE key = ?", (CATALOGUE_PREFIX + target,)
    ).fetchone()
    return json.loads(row[0]) if row else None


def save_catalogue(conn: sqlite3.Connection, target: str, entry: dict[str, Any] | None) -> None:
    write_state(conn, {CATALOGUE_PREFIX + target: None if entry is None else json.dumps(entry)})


# -- pending changes --------------------------------------------------------------


def pending_counts(conn: sqlite3.Connection, tables: Sequence[str]) -> dict[str, dict[str, int]]:
    """Pending changes per table: ``{table: {"upsert": n, "delete": m}}``."""
    counts = {table: {"upsert": 0, "delete": 0} for table in tables}
    for table, op, count in conn.execute(
        f"SELECT table_name, op, count(*) FROM {PENDING} GROUP BY table_name, op"
    ):
        if table in counts:
            counts[table][op] = count
    return counts


def pending_total(conn: sqlite3.Connection) -> int:
    return conn.execute(f"SELECT count(*) FROM {PENDING}").fetchone()[0]


def top_seq(conn: sqlite3.Connection) -> int:
    """The highest ``seq`` given so far (0 when nothing is pending)."""
    return conn.execute(f"SELECT coalesce(max(seq), 0) FROM {PENDING}").fetchone()[0]


def pending_of(conn: sqlite3.Connection, table: str, ids: Iterable[str]) -> dict[str, str]:
    """The pending operation (``upsert``/``delete``) of each of ``ids`` that has one."""
    return _of_rows(conn, PENDING, "op", table, ids)


def _of_rows(
    conn: sqlite3.Connection, bookkeeping: str, column: str, table: str, ids: Iterable[str]
) -> dict[str, str]:
    """``column`` of the ``bookkeeping`` rows of each of ``ids`` of ``table``, by id."""
    return dict(
        conn.execute(
            f"SELECT row_id, {column} FROM {bookkeeping} WHERE table_name = ? "
            "AND row_id IN (SELECT value FROM json_each(?))",
            (table, json.dumps(list(ids))),
        )
    )


def pending_deletes(conn: sqlite3.Connection) -> dict[str, list[str]]:
    deletes: dict[str, list[str]] = {}
    for table, row_id in conn.execute(
        f"SELECT table_name, row_id FROM {PENDING} WHERE op = 'delete' ORDER BY seq"
    ):
        deletes.setdefault(table, []).append(row_id)
    return deletes


def pending_upserts(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(
        f"SELECT count(*) FROM {PENDING} WHERE table_name = ? AND op = 'upsert'", (table,)
    ).fetchone()[0]


def any_pending_upsert(conn: sqlite3.Connection, table: str) -> bool:
    sql = f"SELECT 1 FROM {PENDING} WHERE table_name = ? AND op = 'upsert' LIMIT 1"
    return conn.execute(sql, (table,)).fetchone() is not None


def mark_changed_after(conn: sqlite3.Connection, seq: int) -> int:
    """Put every row changed after ``seq`` (e.g. by another command during a sync) in the
    scratch set ``changed``; return the highest seq now."""
    conn.execute(
        f"INSERT OR IGNORE INTO temp.khepri_keys SELECT '{CHANGED}', table_name, row_id "
        f"FROM {PENDING} WHERE seq > ?",
        (seq,),
    )
    return top_seq(conn)


def drop_carried(conn: sqlite3.Connection, ceiling: int) -> None:
    """Drop the pending changes up to ``ceiling`` a sync carried (not those it kept back).

    When everything went and nothing changed meanwhile, the table is emptied
    at once (SQLite drops its pages instead of deleting row by row).
    """
    kept = conn.execute(f"SELECT 1 FROM temp.khepri_keys WHERE role = '{KEPT}' LIMIT 1").fetchone()
    if not kept and top_seq(conn) == ceiling:
        conn.execute(f"DELETE FROM {PENDING}")
        return
    spare = _not_in_keys("p", KEPT) if kept else ""
    conn.execute(f"DELETE FROM {PENDING} AS p WHERE seq <= ?{spare}", (ceiling,))


def drop_echoes(conn: sqlite3.Connection, before: int) -> None:
    """Drop the pending changes after ``before``: echoes of a sync's own writes to the journal.

    Rows it kept back, or that changed here meanwhile, stay pending; every
    row it kept back ends up pending.
    """
    spare = _not_in_keys("p", KEPT, CHANGED)
    conn.execute(f"DELETE FROM {PENDING} AS p WHERE seq > ?{spare}", (before,))
    conn.execute(
        f"INSERT OR IGNORE INTO {PENDING} (table_name, row_id, op) "
        f"SELECT table_name, row_id, 'upsert' FROM temp.khepri_keys WHERE role = '{KEPT}'"
    )


def _not_in_keys(alias: str, *roles: str) -> str:
    listed = ", ".join(f"'{role}'" for role in roles)
    return (
        f" AND NOT EXISTS (SELECT 1 FROM temp.khepri_keys k WHERE k.table_name = {alias}."
        f"table_name AND k.row_id = {alias}.row_id AND k.role IN ({listed}))"
    )


def keep_table(conn: sqlite3.Connection, table: str, *, every_row: bool) -> None:
    """Keep back the pending changes of ``table`` (``every_row``: all its rows) from this sync."""
    if every_row:
        conn.execute(
            f"INSERT OR IGNORE INTO temp.khepri_keys SELECT '{KEPT}', ?, id FROM {table}", (table,)
        )
    conn.execute(
        f"INSERT OR IGNORE INTO temp.khepri_keys SELECT '{KEPT}', table_name, row_id "
        f"FROM {PENDING} WHERE table_name = ?",
        (table,),
    )


# -- bases ------------------------------------------------------------------------


def base_ids(conn: sqlite3.Connection, table: str) -> set[str]:
    return {
        r[0] for r in conn.execute(f"SELECT row_id FROM {BASES} WHERE table_name = ?", (table,))
    }


def bases_of(conn: sqlite3.Connection, table: str, ids: Iterable[str]) -> dict[str, str]:
    """The stored base (JSON text) of each of ``ids`` that has one."""
    return _of_rows(conn, BASES, "base", table, ids)


def put_bases(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, str]]) -> None:
    """Store (table, id, base JSON) rows, replacing older bases."""
    conn.executemany(
        f"INSERT OR REPLACE INTO {BASES} (table_name, row_id, base) VALUES (?, ?, ?)", rows
    )


def drop_bases(conn: sqlite3.Connection, keys: Iterable[Key]) -> None:
    conn.executemany(f"DELETE FROM {BASES} WHERE table_name = ? AND row_id = ?", keys)


def drop_all_bases(conn: sqlite3.Connection) -> None:
    conn.execute(f"DELETE FROM {BASES}")


def known_ids(conn: sqlite3.Connection, table: str) -> set[str]:
    """The rows the remote had after the last sync: those in sync, and those with a base."""
    joined = conn.execute(f"SELECT group_concat(id) FROM {table}").fetchone()[0]
    ids = set(joined.split(",")) if joined else set()  # one string: cheaper than a row per id
    ids -= {
        row[0]
        for row in conn.execute(f"SELECT row_id FROM {PENDING} WHERE table_name = ?", (table,))
    }
    return ids | base_ids(conn, table)


def capture_bases(conn: sqlite3.Connection, table: Table, ids: Iterable[str]) -> None:
    """Before rows change here: keep what each one in sync was, its base, once.

    A row with nothing pending is what the remote holds (its own base); the
    first change after a sync would lose that, so its values are kept here
    first. Rows already pending (changed since the sync, or never synced)
    keep what they have. Called by the journal's one write path
    (:mod:`khepri_cli.db.store`) before an update or a delete.
    """
    columns = [c for c in table.column_names if c != "id"]
    values = ", ".join(f"'{c}', t.{c}" for c in columns)
    conn.executemany(
        f"INSERT OR IGNORE INTO {BASES} (table_name, row_id, base) "
        f"SELECT ?, t.id, json_object({values}) FROM {table.name} t WHERE t.id = ? "
        f"AND NOT EXISTS (SELECT 1 FROM {PENDING} p WHERE p.table_name = ? AND p.row_id = t.id)",
        ((table.name, row_id, table.name) for row_id in ids),
    )


def drop_carried_bases(conn: sqlite3.Connection, ceiling: int) -> None:
    """The rows whose pending change a sync carried are in sync now: their own bases.

    Not the rows it kept back, nor those changed here meanwhile.
    """
    conn.execute(
        f"DELETE FROM {BASES} AS b WHERE EXISTS (SELECT 1 FROM {PENDING} p WHERE p.seq <= ? "
        f"AND p.table_name = b.table_name AND p.row_id = b.row_id){_not_in_keys('b', KEPT, CHANGED)}",
        (ceiling,),
    )


# -- scratch (TEMP tables of this connection) ------------------------------------------


def open_scratch(conn: sqlite3.Connection) -> None:
    """Empty TEMP tables for one sync: bases of the rows sent, and sets of row keys."""
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS khepri_sent_base (table_name TEXT NOT NULL, "
        "row_id TEXT NOT NULL, base TEXT NOT NULL, PRIMARY KEY (table_name, row_id))"
    )
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS khepri_keys (role TEXT NOT NULL, "
        "table_name TEXT NOT NULL, row_id TEXT NOT NULL, PRIMARY KEY (role, table_name, row_id))"
    )
    conn.execute("DELETE FROM temp.khepri_sent_base")
    conn.execute("DELETE FROM temp.khepri_keys")


def note_sent(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, str]]) -> None:
    """(table, id, base JSON) of rows a push is sending."""
    conn.executemany("INSERT OR REPLACE INTO temp.khepri_sent_base VALUES (?, ?, ?)", rows)


def note_keys(conn: sqlite3.Connection, role: str, keys: Iterable[Key]) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO temp.khepri_keys VALUES (?, ?, ?)", ((role, *k) for k in keys)
    )


def keys(conn: sqlite3.Connection, role: str) -> set[Key]:
    return {
        (r[0], r[1])
        for r in conn.execute(
            "SELECT table_name, row_id FROM temp.khepri_keys WHERE role = ?", (role,)
        )
    }


def keep_sent_bases(conn: sqlite3.Connection) -> None:
    """The bases of the rows the push sent and the remote took (not kept back)."""
    conn.execute(
        f"INSERT OR REPLACE INTO {BASES} (table_name, row_id, base) "
        "SELECT s.table_name, s.row_id, s.base FROM temp.khepri_sent_base s "
        "WHERE NOT EXISTS (SELECT 1 FROM temp.khepri_keys k WHERE k.role = ? "
        "AND k.table_name = s.table_name AND k.row_id = s.row_id)",
        (KEPT,),
    )


# -- conflicts ----------------------------------------------------------------------

_CONFLICT_COLUMNS = (
    "synced_at",
    "table_name",
    "row_id",
    "kind",
    "column_name",
    "local_value",
    "remote_value",
    "kept",
    "detail",
)


def add_conflicts(conn: sqlite3.Connection, rows: Iterable[Sequence[Any]]) -> None:
    """Record conflicts, each as the values of :data:`_CONFLICT_COLUMNS` (values as JSON text)."""
    marks = ", ".join("?" * len(_CONFLICT_COLUMNS))
    conn.executemany(
        f"INSERT INTO {CONFLICTS} ({', '.join(_CONFLICT_COLUMNS)}) VALUES ({marks})", rows
    )


def conflicts(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    """Every recorded conflict, oldest first; values decoded from JSON."""
    sql = f"SELECT id, {', '.join(_CONFLICT_COLUMNS)} FROM {CONFLICTS} ORDER BY id"
    for row in conn.execute(sql):
        found = dict(zip(("id", *_CONFLICT_COLUMNS), row, strict=True))
        for name in ("local_value", "remote_value"):
            if found[name] is not None:
                found[name] = json.loads(found[name])
        yield found


def count_conflicts(conn: sqlite3.Connection) -> int:
    return conn.execute(f"SELECT count(*) FROM {CONFLICTS}").fetchone()[0]
