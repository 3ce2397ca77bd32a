"""Opening the journal file: where it lives, pragmas, schema version, transactions.

This module is on every command's start-up path, so it imports only the
standard library and platformdirs. The migrations (and sqlite-utils with
them) are imported only when a file actually needs upgrading.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from khepri_cli.errors import NoJournal, StorageError

SCHEMA_VERSION = 6
"""The newest schema this Khepri knows; ``PRAGMA user_version`` of an up-to-date file."""

BUSY_TIMEOUT_SECONDS = 10.0


def default_db_path() -> Path:
    """``$KHEPRI_DB`` if set, else ``khepri.db`` in the platform's user data directory."""
    env = os.environ.get("KHEPRI_DB")
    if env:
        try:
            return Path(env).expanduser()
        except RuntimeError:  # ~name of a user this machine does not have: use it as written
            return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("khepri", appauthor=False)) / "khepri.db"


class Journal:
    """An open journal file: a SQLite connection in autocommit mode plus its path."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed on success, rolled back on any error or Ctrl-C.

        ``BEGIN IMMEDIATE`` takes the write lock up front, so two commands at
        once queue on the busy timeout instead of failing half-way.
        """
        if self.conn.in_transaction:  # nested: ride on the outer transaction
            yield self.conn
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:  # locked past the busy timeout, read-only...
            raise StorageError(describe_sqlite_error(exc, self.path)) from exc
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError):  # disk full, I/O error, read-only
                raise StorageError(describe_sqlite_error(exc, self.path)) from exc
            raise

    def close(self) -> None:
        self.conn.close()


PRIVATE = 0o600
"""A new journal is readable and writable by its owner only: it holds health data.
SQLite gives the ``-wal`` and ``-shm`` files the journal's own permissions."""


def open_journal(path: Path | None = None, *, migrate: bool = True, create: bool = True) -> Journal:
    """Open the journal at ``path`` and bring its schema up to date.

    With ``create`` a missing file is created (owner-only, with its folders);
    without it, a missing file is :class:`NoJournal` and nothing is made.
    """
    path = Path(path) if path is not None else default_db_path()
    if path.exists() and path.is_dir():
        raise StorageError(f"cannot open journal {path}: it is a directory")
    if not path.exists():
        if not create:
            raise NoJournal(path)
        _create_private(path)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    except sqlite3.Error as exc:
        raise StorageError(f"cannot open journal {path}: {exc}") from None
    conn.row_factory = sqlite3.Row
    journal = Journal(conn, path)
    try:
        # One statement, so one snapshot: another command may be creating the file right now.
        version, tables = conn.execute(
            "SELECT (SELECT user_version FROM pragma_user_version),"
            " (SELECT count(*) FROM sqlite_master WHERE type = 'table')"
        ).fetchone()
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"journal {path} was written by a newer Khepri (schema version {version}; "
                f"this Khepri knows up to {SCHEMA_VERSION}); upgrade Khepri to open it"
            )
        if version == 0 and tables:
            raise StorageError(
                f"{path} is a SQLite database but not a Khepri journal; "
                "choose another file with --db or KHEPRI_DB"
            )
        if version < SCHEMA_VERSION and migrate:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            from khepri_cli.db.migrations import upgrade

            upgrade(conn, SCHEMA_VERSION)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StorageError(describe_sqlite_error(exc, path)) from None
    except BaseException:
        conn.close()
        raise
    return journal


def _create_private(path: Path) -> None:
    """An empty journal file only its owner can read, in folders made as needed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocker = _file_in_the_way(path.parent)
        if blocker is not None:
            raise StorageError(
                f"cannot create journal {path}: {blocker} is a file, not a folder"
            ) from None
        raise StorageError(
            f"cannot create the journal directory {path.parent}: {exc.strerror or exc}"
        ) from None
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    except FileExistsError:  # another command made it a moment ago
        pass
    except OSError as exc:
        raise StorageError(f"cannot create journal {path}: {exc.strerror or exc}") from None


def _file_in_the_way(folder: Path) -> Path | None:
    """The nearest existing ancestor of ``folder`` if it is a file rather than a folder."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return None if candidate.is_dir() else candidate
    return None


def describe_sqlite_error(exc: sqlite3.Error, path: Path | str) -> str:
    """One line for a SQLite failure, phrased for the person at the keyboard."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return (
            f"journal {path} is locked by another program (waited "
            f"{BUSY_TIMEOUT_SECONDS:g} s); try again when it has finished"
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return f"journal {path} is not a readable Khepri database ({text})"
    if "readonly" in text or "read-only" in text:
        return f"journal {path} is read-only; Khepri cannot write to it"
    if "unable to open" in text:
        return f"cannot open journal {path}: check that its folder exists and is writable"
    if "disk I/O" in text or "full" in text:
        return f"journal {path} could not be written: {text}"
    return f"journal {path}: {text}"
