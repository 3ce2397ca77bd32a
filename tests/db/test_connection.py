"""Opening and writing the journal file: where it goes wrong, it says so in one line, exit 1."""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from khepri_cli.db import connection
from khepri_cli.db.connection import default_db_path, open_journal
from khepri_cli.errors import StorageError

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_permissions = pytest.mark.skipif(
    ROOT, reason="running as root: file permissions do not stop root from writing"
)


def one_error_line(run, *fragments: str) -> None:
    assert run.exit_code == 1, run.output
    assert run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith("khepri: error: ")
    assert "Traceback" not in run.output
    for fragment in fragments:
        assert fragment in run.stderr


# -- where the journal lives ------------------------------------------------------


def test_khepri_db_chooses_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KHEPRI_DB", str(tmp_path / "elsewhere.db"))
    assert default_db_path() == tmp_path / "elsewhere.db"


def test_without_khepri_db_the_journal_is_in_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("KHEPRI_DB")
    path = default_db_path()
    assert path.name == "khepri.db"
    assert path.is_relative_to(tmp_path)  # the fixture's XDG_DATA_HOME / HOME


def test_the_journal_folder_is_created(tmp_path, khepri):
    path = tmp_path / "deep" / "er" / "journal.db"
    khepri.ok("--db", str(path), "init", "--name", "Ada")
    assert path.is_file()


# -- files that cannot be used -------------------------------------------------------


def test_a_corrupt_file_is_one_line_and_left_untouched(tmp_path, khepri):
    path = tmp_path / "corrupt.db"
    path.write_bytes(random.Random(7).randbytes(8192))
    before = path.read_bytes()
    run = khepri("--db", str(path), "profile")
    one_error_line(run, str(path), "not a readable Khepri database")
    assert path.read_bytes() == before
    run = khepri("--db", str(path), "init", "--name", "Ada")
    one_error_line(run, "not a readable Khepri database")
    assert path.read_bytes() == before


def test_a_truncated_journal_is_one_line(tmp_path, khepri):
    path = tmp_path / "cut.db"
    khepri.ok("--db", str(path), "init", "--name", "Ada")
    for extra in ("-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    path.write_bytes(path.read_bytes()[:1500])
    run = khepri("--db", str(path), "profile")
    one_error_line(run, str(path))


def test_a_directory_as_the_journal_is_one_line(tmp_path, khepri, monkeypatch):
    folder = tmp_path / "folder"
    folder.mkdir()
    monkeypatch.setenv("KHEPRI_DB", str(folder))
    one_error_line(khepri("profile"), str(folder), "is a directory")
    with pytest.raises(StorageError, match="is a directory"):
        open_journal(folder)
    assert list(folder.iterdir()) == []


def test_a_directory_given_to_db_is_the_same_error_as_through_khepri_db(tmp_path, khepri):
    """A journal that cannot be opened is a failure at run time (exit 1), however it was named."""
    folder = tmp_path / "folder"
    folder.mkdir()
    for command in (["init", "--name", "Ada"], ["profile"]):
        one_error_line(khepri("--db", str(folder), *command), str(folder), "is a directory")
        one_error_line(khepri(*command, "--db", str(folder)), str(folder), "is a directory")
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("below", ["x.db", "sub/x.db"])
def test_a_journal_below_a_regular_file_is_one_line(tmp_path, khepri, below):
    blocker = tmp_path / "somefile.txt"
    blocker.write_text("not a folder")
    run = khepri("--db", f"somefile.txt/{below}", "init", "--name", "Ada")
    one_error_line(run, "somefile.txt is a file, not a folder")
    assert blocker.read_text() == "not a folder"


@needs_permissions
def test_an_unwritable_folder_is_one_line(tmp_path, khepri):
    folder = tmp_path / "locked-folder"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        run = khepri("--db", str(folder / "j.db"), "init", "--name", "Ada")
    finally:
        folder.chmod(0o700)
    one_error_line(run, str(folder / "j.db"))
    assert list(folder.iterdir()) == []


@needs_permissions
def test_a_read_only_journal_is_one_line_and_unchanged(tmp_path, khepri):
    path = tmp_path / "ro.db"
    khepri.ok("--db", str(path), "init", "--name", "Ada", "--ftp", "250")
    path.chmod(0o400)
    try:
        run = khepri("--db", str(path), "profile", "set", "--ftp", "300")
    finally:
        path.chmod(0o600)
    one_error_line(run, "read-only")
    assert sqlite3.connect(path).execute("SELECT ftp_watts FROM athletes").fetchone() == (250,)


# -- locks -----------------------------------------------------------------------------


@pytest.fixture
def short_wait(monkeypatch):
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_SECONDS", 0.2)


def hold_write_lock(path: Path, mode: str = "EXCLUSIVE") -> sqlite3.Connection:
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute(f"BEGIN {mode}")
    other.execute("UPDATE athletes SET display_name = display_name")
    return other


def test_a_locked_journal_is_one_line_naming_the_file(tmp_path, khepri, short_wait):
    path = tmp_path / "shared.db"  # not $KHEPRI_DB: the message must name the file in use
    khepri.ok("--db", str(path), "init", "--name", "Ada", "--ftp", "250")
    other = hold_write_lock(path)
    try:
        started = time.monotonic()
        run = khepri("--db", str(path), "profile", "set", "--ftp", "300")
        waited = time.monotonic() - started
    finally:
        other.rollback()
        other.close()
    one_error_line(run, "locked", str(path))
    assert waited >= 0.15  # it waited out the busy timeout before giving up
    row = sqlite3.connect(path).execute("SELECT ftp_watts FROM athletes").fetchone()
    assert row == (250,)


def test_reading_is_not_blocked_by_a_writer(athlete, short_wait):
    other = hold_write_lock(athlete.db_path)
    try:
        run = athlete.ok("profile", "--json")
    finally:
        other.rollback()
        other.close()
    assert '"display_name": "Ada"' in run.stdout


def test_a_locked_old_journal_cannot_be_upgraded_and_says_so(tmp_path, short_wait):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")  # a fresh file someone else is busy creating
    try:
        with pytest.raises(StorageError, match="locked"):
            open_journal(path)
    finally:
        conn.rollback()
        conn.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 0


def test_two_writers_at_once_wait_for_each_other(athlete):
    """A second write queues on the busy timeout instead of failing."""
    locked = threading.Event()
    done = threading.Event()
    errors: list[BaseException] = []

    def slow_writer():
        try:
            other = sqlite3.connect(athlete.db_path, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            other.execute("UPDATE athletes SET lthr = 170")
            locked.set()
            time.sleep(0.5)
            other.execute("COMMIT")
            other.close()
        except BaseException as exc:
            errors.append(exc)
            locked.set()
        finally:
            done.set()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert locked.wait(5)
    started = time.monotonic()
    athlete.ok("profile", "set", "--ftp", "300")
    waited = time.monotonic() - started
    thread.join(5)
    assert errors == []
    assert waited >= 0.3  # it really did wait for the other writer
    assert athlete.rows("SELECT ftp_watts, lthr FROM athletes") == [{"ftp_watts": 300, "lthr": 170}]


# -- transactions ---------------------------------------------------------------------


def test_a_failed_transaction_leaves_the_file_as_it_was(tmp_path):
    journal = open_journal(tmp_path / "t.db")
    try:
        with journal.transaction() as conn:
            conn.execute(
                "INSERT INTO athletes (id) VALUES ('0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d')"
            )
        with pytest.raises(KeyboardInterrupt), journal.transaction() as conn:
            conn.execute("UPDATE athletes SET display_name = 'half'")
            raise KeyboardInterrupt
        assert journal.conn.execute("SELECT display_name FROM athletes").fetchone()[0] is None
        assert not journal.conn.in_transaction
    finally:
        journal.close()


def test_a_nested_transaction_rides_on_the_outer_one(tmp_path):
    journal = open_journal(tmp_path / "t.db")
    try:
        with pytest.raises(RuntimeError), journal.transaction() as outer:
            outer.execute(
                "INSERT INTO athletes (id) VALUES ('0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d')"
            )
            with journal.transaction() as inner:
                assert inner is outer
                inner.execute("UPDATE athletes SET display_name = 'inner'")
            raise RuntimeError("after the inner block")
        assert journal.conn.execute("SELECT count(*) FROM athletes").fetchone()[0] == 0
    finally:
        journal.close()


def test_a_failing_commit_rolls_back_instead_of_leaving_the_transaction_open(tmp_path):
    """A COMMIT refused by SQLite keeps the transaction open unless we roll it back;
    the next ``transaction()`` would then ride on it and never commit anything."""
    journal = open_journal(tmp_path / "t.db")
    journal.conn.execute("PRAGMA defer_foreign_keys = ON")  # the FK is checked at COMMIT
    orphan = (
        "INSERT INTO goals (id, athlete_id, goal_type, title) VALUES "
        "('1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', '0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d', "
        "'race', 'x')"
    )
    try:
        with pytest.raises(sqlite3.IntegrityError), journal.transaction() as conn:
            conn.execute(orphan)
        assert not journal.conn.in_transaction
        with journal.transaction() as conn:
            conn.execute(
                "INSERT INTO athletes (id) VALUES ('0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d')"
            )
    finally:
        journal.close()
    check = sqlite3.connect(tmp_path / "t.db")
    assert check.execute("SELECT count(*) FROM goals").fetchone()[0] == 0
    assert check.execute("SELECT count(*) FROM athletes").fetchone()[0] == 1
    check.close()
