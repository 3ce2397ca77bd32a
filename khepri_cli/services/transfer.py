"""Export the journal to one JSON document, and import such a document back.

Export reads every table inside one read transaction (a consistent snapshot)
and streams the rows out, so memory stays flat on a long journal. Import
checks the whole document first (:mod:`khepri_cli.domain.transfer`), then,
in ONE write transaction, checks it against the journal, decides for every
row whether it is new, changed or identical, and only then writes: new rows
are inserted, changed rows replaced by the file's values, identical rows not
touched at all (no UPDATE, so neither ``updated_at`` nor the pending-changes
bookkeeping moves).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar

from khepri_cli.db import store
from khepri_cli.db.connection import Journal
from khepri_cli.domain.clock import now_timestamp, touch_timestamp
from khepri_cli.domain.transfer import (
    TABLES,
    EmptyJournal,
    Incoming,
    Tally,
    check_against,
    check_document,
    parse_document,
    write_document,
)
from khepri_cli.errors import KhepriError, StorageError, UsageProblem
from khepri_cli.schema import table

T = TypeVar("T")


# -- export ------------------------------------------------------------------


def _json_rows(conn: sqlite3.Connection, name: str) -> Iterator[list[str]]:
    """Every row of the table in its export order, as batches of row text."""
    from khepri_cli.db.export_rows import table_rows

    return table_rows(conn, table(name))


def export_journal(
    journal: Journal, tables: list[str], write: Callable[[str], Any]
) -> dict[str, int]:
    """Write the document for ``tables`` through ``write``; returns rows per table."""
    conn = journal.conn
    conn.execute("BEGIN")  # a read transaction: every table from the same moment
    try:
        return write_document(write, now_timestamp(), ((t, _json_rows(conn, t)) for t in tables))
    finally:
        if conn.in_transaction:  # read only: nothing to keep
            conn.execute("ROLLBACK")


def export_to_file(journal: Journal, tables: list[str], target: Path) -> dict[str, int]:
    """Write the document to ``target`` atomically: the old file stays until the new is whole."""
    target = Path(target)
    if _same_file(target, journal.path):
        raise UsageProblem(
            f"--output: {str(target)!r} is the journal itself; choose another file name"
        )
    return write_atomically(target, lambda write: export_journal(journal, tables, write))


def _same_file(target: Path, journal_path: Path) -> bool:
    try:
        journal = journal_path.resolve()
        resolved = target.resolve()
    except OSError:
        return False
    companions = {journal, *(journal.with_name(journal.name + s) for s in ("-wal", "-shm"))}
    return resolved in companions


def write_atomically(target: Path, produce: Callable[[Callable[[str], Any]], T]) -> T:
    """Write through a temporary file in the same folder, then ``os.replace`` it over ``target``.

    An error or Ctrl-C half-way leaves ``target`` as it was and removes the
    temporary file. A replaced file keeps its permissions; a new one gets
    the usual ones (umask).
    """
    if target.is_symlink():
        target = target.resolve()
    folder = target.parent
    if target.is_dir():
        raise UsageProblem(f"--output: {str(target)!r} is a folder; give a file name")
    if not folder.is_dir():
        raise UsageProblem(f"--output: the folder {str(folder)!r} does not exist")
    try:
        mode = target.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise StorageError(f"cannot write to {folder}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            result = produce(stream.write)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as exc:
        with suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise StorageError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
    return result


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


# -- import ------------------------------------------------------------------


def read_source(source: str) -> tuple[str, str]:
    """The text of ``source`` (a path, or ``-`` for stdin) and the name to show for it."""
    if source == "-":
        stream = getattr(sys.stdin, "buffer", None)
        data = stream.read() if stream is not None else sys.stdin.read()
        name = "standard input"
    else:
        name = source
        path = Path(source)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise UsageProblem(f"cannot read {source!r}: no such file") from None
        except IsADirectoryError:
            raise UsageProblem(f"cannot read {source!r}: it is a folder, not a file") from None
        except OSError as exc:
            raise KhepriError(f"cannot read {source!r}: {exc.strerror or exc}") from None
    if isinstance(data, str):
        return data, name
    try:
        return data.decode("utf-8-sig"), name
    except UnicodeDecodeError as exc:
        raise UsageProblem(
            f"{name} is not UTF-8 text (byte {exc.start + 1} cannot be decoded); "
            "an export is a UTF-8 JSON file"
        ) from None


def load_document(source: str) -> Incoming:
    """Read, parse and check a document completely; nothing touches the journal."""
    text, name = read_source(source)
    data = parse_document(text, name)
    del text  # only the parsed rows are needed from here on
    return check_document(data, name)


class JournalContents:
    """:class:`khepri_cli.domain.transfer.Stored`, answered by the journal."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def athlete(self) -> tuple[str, str | None] | None:
        row = self.conn.execute(
            "SELECT id, display_name FROM athletes ORDER BY created_at LIMIT 1"
        ).fetchone()
        return (row[0], row[1]) if row else None

    def has_row(self, table_name: str, row_id: str) -> bool:
        sql = f"SELECT 1 FROM {table(table_name).name} WHERE id = ?"
        return self.conn.execute(sql, (row_id,)).fetchone() is not None

    def row_with(self, table_name: str, values: dict[str, Any]) -> str | None:
        where = " AND ".join(f"{table(table_name).column(c).name} = ?" for c in values)
        row = self.conn.execute(
            f"SELECT id FROM {table_name} WHERE {where}", tuple(values.values())
        ).fetchone()
        return row[0] if row else None


ADD, UPDATE, SAME = "add", "update", "same"


def _decide(conn: sqlite3.Connection, name: str, rows: list[dict[str, Any]]) -> list[str]:
    """For each file row: new, changed or identical to the stored row with its id.

    A changed row that still carries the stored ``updated_at`` (a hand-edited
    file) gets a fresh one, later than the stored: a change must move it.
    """
    decisions = []
    for row in rows:
        current = store.fetch(conn, table(name), row["id"])
        if current is None:
            decisions.append(ADD)
            continue
        if current == row:
            decisions.append(SAME)
            continue
        if row["updated_at"] == current["updated_at"]:
            row["updated_at"] = touch_timestamp(current["updated_at"])
        decisions.append(UPDATE)
    return decisions


def _write(
    conn: sqlite3.Connection, name: str, rows: list[dict[str, Any]], decisions: list[str]
) -> None:
    pairs = list(zip(rows, decisions, strict=True))
    store.insert_whole(conn, table(name), (row for row, what in pairs if what == ADD))
    store.replace_whole(conn, table(name), (row for row, what in pairs if what == UPDATE))


def import_document(journal: Journal, incoming: Incoming) -> dict[str, Tally]:
    """Load a checked document into the journal in ONE transaction; per-table tallies."""
    tallies: dict[str, Tally] = {}
    with journal.transaction() as conn:
        check_against(incoming, JournalContents(conn))
        plans = {
            name: _decide(conn, name, incoming.rows[name])
            for name in TABLES
            if name in incoming.rows
        }
        for name, decisions in plans.items():  # foreign-key order: parents first
            _write(conn, name, incoming.rows[name], decisions)
            tallies[name] = Tally(
                added=decisions.count(ADD),
                updated=decisions.count(UPDATE),
                unchanged=decisions.count(SAME),
            )
    return tallies


def import_into(
    journal_path: Path, open_journal: Callable[[], Journal], incoming: Incoming
) -> dict[str, Tally]:
    """Import into the journal at ``journal_path``, which may not exist yet.

    A document that cannot go into a new journal (say, goals without their
    athlete) is refused before the file is created, so a failed import leaves
    no empty journal behind.
    """
    if not Path(journal_path).exists():
        check_against(incoming, EmptyJournal())
    return import_document(open_journal(), incoming)
