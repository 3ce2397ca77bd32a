"""When a two-way sync cannot finish: nothing pulled is applied, nothing is lost, a rerun converges.

Against real PostgreSQL, on the seed and on the live schema. Each fault
leaves the journal byte for byte as it was (``snapshot()``) and the remote
without any part of the push; the next ``khepri sync`` ends where a sync
without the fault would have.
"""

from __future__ import annotations

import json

import pytest

from khepri_cli.sync.transports import base
from khepri_cli.sync.transports.base import RemoteError
from khepri_cli.sync.transports.postgres import PostgresTransport

from .two_way import App, everything

psycopg = pytest.importorskip("psycopg")


@pytest.fixture
def both_sides_changed(athlete, remote):
    """A synced journal; then a day checked in there by the app, and one here."""
    athlete.ok("checkin", "--date", "2026-11-20", "--energy", "6")
    athlete.ok("sync", "--db-url", remote.url, "--user-id", remote.user_id)
    me = athlete.rows("SELECT id FROM athletes")[0]["id"]
    remote.insert("daily_checkins", athlete_id=me, checkin_date="2026-11-21", energy_level=4)
    athlete.ok("checkin", "--date", "2026-11-22", "--energy", "8")
    return athlete


def one_line(run) -> str:
    assert run.exit_code == 1, run.output
    [line] = run.stderr.splitlines()
    assert line.startswith("khepri: error: ") and "Traceback" not in run.output
    return line


def converged(journal, remote: App) -> None:
    """Journal and remote hold the same rows, value by value, and nothing is pending."""
    mine = everything(journal.db_path)
    for table, rows in mine.items():
        assert rows == remote.rows(table), table
    assert journal.rows("SELECT count(*) AS n FROM _khepri_pending_changes") == [{"n": 0}]
    days = sorted(r["checkin_date"] for r in mine["daily_checkins"].values())
    assert days == ["2026-11-20", "2026-11-21", "2026-11-22"]


def test_a_fault_mid_pull_applies_nothing_and_a_rerun_converges(
    both_sides_changed, remote, monkeypatch
):
    journal = both_sides_changed
    before, there = journal.snapshot(), remote.raw("daily_checkins")
    original = PostgresTransport.changes

    def drop_on_the_check_ins(self, table, *args):
        if table == "daily_checkins":
            raise RemoteError(base.LOST, "the connection to the database dropped (test)")
        return original(self, table, *args)

    monkeypatch.setattr(PostgresTransport, "changes", drop_on_the_check_ins)
    line = one_line(journal("sync", "--db-url", remote.url))
    assert "dropped (test)" in line and "the journal keeps its 1 pending change(s)" in line
    assert journal.snapshot() == before and remote.raw("daily_checkins") == there
    monkeypatch.setattr(PostgresTransport, "changes", original)
    journal.ok("sync", "--db-url", remote.url)
    converged(journal, remote)


def test_a_fault_while_writing_what_was_pulled_applies_none_of_it(
    both_sides_changed, remote, monkeypatch
):
    """The remote committed; the journal could not record it: the rerun finds it there."""
    from khepri_cli.db import store

    journal = both_sides_changed
    before = journal.snapshot()
    original = store.insert_whole

    def full_disk(conn, table, rows):
        raise journal_error()

    monkeypatch.setattr(store, "insert_whole", full_disk)
    one_line(journal("sync", "--db-url", remote.url))
    assert journal.snapshot() == before
    monkeypatch.setattr(store, "insert_whole", original)
    rerun = json.loads(journal.ok("sync", "--db-url", remote.url, "--json").stdout)
    assert rerun["conflicts"] == []  # what arrived there the first time is found equal
    converged(journal, remote)


def journal_error():
    from khepri_cli.errors import StorageError

    return StorageError("journal test.db could not be written: database or disk is full")


def test_a_connection_dropped_mid_push_leaves_both_sides_as_they_were(
    both_sides_changed, remote, monkeypatch
):
    journal = both_sides_changed
    before, there = journal.snapshot(), remote.raw("daily_checkins")
    original = PostgresTransport.upsert

    def terminate_then_upsert(self, table, columns, rows):
        with psycopg.connect(remote.url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (self._conn.info.backend_pid,))
        return original(self, table, columns, rows)

    monkeypatch.setattr(PostgresTransport, "upsert", terminate_then_upsert)
    line = one_line(journal("sync", "--db-url", remote.url))
    assert "dropped" in line and "nothing was pushed" in line
    assert journal.snapshot() == before and remote.raw("daily_checkins") == there
    monkeypatch.setattr(PostgresTransport, "upsert", original)
    journal.ok("sync", "--db-url", remote.url)
    converged(journal, remote)


def test_a_row_the_app_changes_during_the_sync_is_never_overwritten(athlete, remote, monkeypatch):
    athlete.ok("checkin", "--date", "2026-11-20", "--energy", "6")
    athlete.ok("sync", "--db-url", remote.url, "--user-id", remote.user_id)
    [day] = athlete.rows("SELECT id FROM daily_checkins")
    athlete.ok("checkin", "--date", "2026-11-20", "--stress", "3")
    before = athlete.snapshot()
    original = PostgresTransport.upsert

    def the_app_writes_first(self, table, columns, rows):
        if table == "daily_checkins":  # after the pull read it, before the push writes it
            remote.update("daily_checkins", day["id"], notes="from the app, meanwhile")
        return original(self, table, columns, rows)

    monkeypatch.setattr(PostgresTransport, "upsert", the_app_writes_first)
    line = one_line(athlete("sync", "--db-url", remote.url))
    assert "the remote changed rows this sync had read" in line
    assert athlete.snapshot() == before
    assert remote.raw("daily_checkins")[day["id"]]["notes"] == "from the app, meanwhile"
    monkeypatch.setattr(PostgresTransport, "upsert", original)
    athlete.ok("sync", "--db-url", remote.url)
    merged = remote.raw("daily_checkins")[day["id"]]
    assert merged["notes"] == "from the app, meanwhile" and merged["stress_level"] == 3
