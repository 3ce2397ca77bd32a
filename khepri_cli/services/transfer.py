"""Export the journal to one JSON document, and import such a document back.

Export reads every table inside one read transaction (a consistent snapshot)
and streams the rows out, so memory stays flat on a long journal. Import
streams the document in too, in ONE write transaction
(:mod:`khepri_cli.services.importer`): every row is checked, against the
rows before it and the journal, as it is written, and the first problem
rolls everything back. New rows are inserted, changed rows replaced by the
file's values, identical rows not touched at all (no UPDATE, so neither
``updated_at`` nor the pending-changes bookkeeping moves).
"""

from __future__ import annotations

import codecs
import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar

from khepri_cli.db.connection import Journal
from khepri_cli.domain.clock import now_timestamp
from khepri_cli.domain.transfer import Tally, write_document
from khepri_cli.errors import StorageError, UsageProblem, file_error
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
    temporary file. A replaced file keeps its permissions; a new one is
    readable by its owner only (0600), like the journal it comes from.
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
        mode = 0o600
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


# -- import ------------------------------------------------------------------

CHUNK_BYTES = 1 << 20
"""How much of the file is read at a time."""


def open_source(source: str) -> tuple[Any, str]:
    """The stream of ``source`` (a path, or ``-`` for stdin) and the name to show for it."""
    if source == "-":
        return getattr(sys.stdin, "buffer", sys.stdin), "standard input"
    try:
        return Path(source).open("rb"), source
    except FileNotFoundError:
        raise UsageProblem(f"cannot read {source!r}: no such file") from None
    except IsADirectoryError:
        raise UsageProblem(f"cannot read {source!r}: it is a folder, not a file") from None
    except OSError as exc:
        raise file_error(exc, f"cannot read {source!r}: {exc.strerror or exc}") from None


def text_chunks(stream: Any, source: str, name: str) -> Iterator[str]:
    """The text of ``stream``, a chunk at a time: UTF-8, a leading byte order mark dropped.

    A byte that cannot be decoded is refused by its position in the file
    (after the byte order mark), as when the file is decoded whole.
    """
    decoded = 0  # bytes decoded so far
    pending, first = b"", True
    while True:
        try:
            data = stream.read(CHUNK_BYTES)
        except OSError as exc:
            raise file_error(exc, f"cannot read {source!r}: {exc.strerror or exc}") from None
        if isinstance(data, str):  # a text stream: already decoded
            if not data:
                return
            yield data
            continue
        final = not data
        data = pending + data
        if first:
            if len(data) < len(codecs.BOM_UTF8) and not final:
                pending = data
                continue
            data, first = data.removeprefix(codecs.BOM_UTF8), False
        try:
            text, used = codecs.utf_8_decode(data, "strict", final)
        except UnicodeDecodeError as exc:
            raise UsageProblem(
                f"{name} is not UTF-8 text (byte {decoded + exc.start + 1} cannot be decoded); "
                "an export is a UTF-8 JSON file"
            ) from None
        decoded += used
        pending = data[used:]
        if text:
            yield text
        if final:
            return


def import_file(
    source: str, journal_path: Path, open_existing: Callable[[], Journal]
) -> tuple[str, dict[str, Tally]]:
    """Import the document at ``source`` in ONE transaction; (the name it goes by, tallies).

    The journal at ``journal_path`` is opened with ``open_existing``; when
    there is none yet, a new one is made (see :func:`_into_new_journal`).
    """
    from khepri_cli.services.importer import import_stream

    stream, name = open_source(source)
    try:
        chunks = text_chunks(stream, source, name)
        if not Path(journal_path).exists():
            return name, _into_new_journal(Path(journal_path), chunks, name)
        with open_existing().transaction() as conn:
            return name, import_stream(conn, chunks, name)
    finally:
        if source != "-":
            stream.close()


def _into_new_journal(target: Path, chunks: Iterator[str], name: str) -> dict[str, Tally]:
    """Import into a new journal built beside ``target`` and moved there only when whole.

    A refused file so leaves no journal behind (nor the folders made for it),
    and no other command ever sees a journal half imported.
    """
    from khepri_cli.db.connection import open_journal
    from khepri_cli.services.importer import import_stream

    made = [f for f in (target.parent, *target.parent.parents) if not f.exists()]
    building = target.with_name(f".{target.name}.{os.urandom(4).hex()}.import")
    journal = None
    try:
        journal = open_journal(building)
        with journal.transaction() as conn:
            tallies = import_stream(conn, chunks, name)
        journal.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the one file
        journal.close()
        journal = None
        _move_into_place(building, target)
    except BaseException:
        if journal is not None:
            journal.close()
        for leftover in (building, *(building.with_name(building.name + s) for s in _SIDE)):
            with suppress(OSError):
                leftover.unlink()
        for folder in made:
            with suppress(OSError):
                folder.rmdir()
        raise
    for side in _SIDE:  # empty once checkpointed; SQLite may leave them
        with suppress(OSError):
            building.with_name(building.name + side).unlink()
    return tallies


_SIDE = ("-wal", "-shm")


def _move_into_place(building: Path, target: Path) -> None:
    """``building`` becomes ``target``, unless a journal appeared there in the meantime."""
    try:
        os.link(building, target)
    except FileExistsError:
        raise StorageError(
            f"cannot create journal {target}: another command created it during the import; "
            "nothing was imported"
        ) from None
    except OSError:  # a file system without hard links
        if target.exists():
            raise
        os.replace(building, target)
        return
    os.unlink(building)
