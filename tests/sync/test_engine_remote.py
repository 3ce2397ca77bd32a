"""The engine and the remote it meets: the cached catalogue, a journal from before bases, a
transport without transactions (as the Supabase API is), conflicts on record.

Against the in-memory remote of test_engine.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from khepri_cli.db import repo_sync, store
from khepri_cli.db.connection import open_journal
from khepri_cli.errors import SyncError
from khepri_cli.schema.tables import DAILY_CHECKINS, GOALS
from khepri_cli.sync import report as reports
from khepri_cli.sync.engine import SyncEngine
from khepri_cli.sync.transports import base
from khepri_cli.sync.transports.base import RemoteError

from .test_engine import USER, FakeRemote, FakeTransport, journal, pending, seed, sync

__all__ = ["journal"]  # the fixture, imported


class Counting(FakeTransport):
    """Counts catalogue reads; ``stale`` makes the first pull fail as a renamed column would."""

    catalogues = 0

    def __init__(self, remote: FakeRemote, *, stale: bool = False, lacks: str | None = None):
        super().__init__(remote)
        self.stale = stale
        self.lacks = lacks

    def catalogue(self, wanted: Any) -> dict[str, dict[str, str]]:
        Counting.catalogues += 1
        found = super().catalogue(wanted)
        found.pop(self.lacks or "", None)
        return found

    def changes(self, *args: Any):
        if self.stale:
            self.stale = False
            raise RemoteError(base.SCHEMA, "column daily_checkins.x does not exist")
        return super().changes(*args)


def run(journal, remote: FakeRemote, **options: Any) -> reports.SyncReport:
    return SyncEngine(journal, Counting(remote, **options)).run(USER)


def test_a_complete_catalogue_is_read_once_and_again_when_it_proves_stale(journal):
    seed(journal)
    remote = FakeRemote()
    Counting.catalogues = 0
    run(journal, remote)
    run(journal, remote)
    assert Counting.catalogues == 1  # cached in the journal, per remote
    cached = repo_sync.cached_catalogue(journal.conn, "fake://remote")
    assert cached["complete"] and "daily_checkins" in cached["catalogue"]
    journal_day = journal.conn.execute("SELECT id FROM daily_checkins LIMIT 1").fetchone()[0]
    remote.edit("daily_checkins", journal_day, energy_level=2)
    report = run(journal, remote, stale=True)  # the remote changed shape: read again, retried
    assert Counting.catalogues == 2 and report.table("daily_checkins").pulled == 1


def test_a_remote_lacking_a_table_is_asked_again_at_every_sync(journal):
    seed(journal)
    remote = FakeRemote()
    Counting.catalogues = 0
    first = run(journal, remote, lacks="constraints")
    assert [(k.table, k.rows) for k in first.kept] == [("constraints", 1)]
    assert "lacks table constraints" in first.remote
    second = run(journal, remote, lacks="constraints")
    assert Counting.catalogues == 2 and second.kept_rows == 1
    third = run(journal, remote)  # the table was added there: its row goes
    assert third.kept == [] and third.table("constraints").upserted == 1
    assert pending(journal) == 0


def test_a_journal_that_pushed_before_bases_were_kept_syncs_both_ways(journal):
    data = seed(journal)
    remote = FakeRemote()
    sync(journal, remote)
    with journal.transaction() as conn:  # as Khepri before two-way sync left it
        conn.execute("DELETE FROM _khepri_sync_base")
        repo_sync.write_state(conn, {"bases_for": None, "pulled_at": None})
    first, second, third = (d.id for d in data["days"])
    del remote.tables["daily_checkins"][first]  # deleted in the app
    remote.edit("daily_checkins", second, notes="from the app")
    with journal.transaction() as conn:
        store.update(conn, store.fetch(conn, DAILY_CHECKINS, third), {"energy_level": 2})
    report, _ = sync(journal, remote)
    assert report.conflicts == []
    here = {
        r[0]: r for r in journal.conn.execute("SELECT id, notes, energy_level FROM daily_checkins")
    }
    assert first not in here and here[second][1] == "from the app"
    assert remote.tables["daily_checkins"][third]["energy_level"] == 2
    assert repo_sync.read_state(journal.conn)["bases_for"].startswith(USER)
    assert pending(journal) == 0


class WithoutTransactions(FakeTransport):
    """Like the Supabase API: every write lands on its own; there is nothing to roll back."""

    transactional = False

    def begin(self, user_id: str) -> None:
        self.user = user_id
        self.work = self.remote.tables  # writes go straight there
        self.log = []

    def commit(self) -> None:
        self.remote.writes.extend(self.log)

    def rollback(self) -> None:
        pass


def test_without_transactions_a_failure_leaves_what_arrived_and_a_rerun_converges(journal):
    seed(journal, checkins=12)
    remote = FakeRemote()
    calls: list[int] = []

    def drop_on_the_third_batch(op, table, rows):
        if table == "daily_checkins":
            calls.append(1)
            if len(calls) == 3:
                return RemoteError(base.LOST, "the connection to fake://remote dropped")
        return None

    before = pending(journal)
    transport = WithoutTransactions(remote, drop_on_the_third_batch)
    with pytest.raises(SyncError) as raised:
        SyncEngine(journal, transport, batch_rows=5).run(USER)
    assert "what was sent before stays remotely" in raised.value.message
    assert len(remote.rows("daily_checkins")) == 10  # two batches of five arrived
    assert pending(journal) == before  # the journal keeps every change
    report = SyncEngine(journal, WithoutTransactions(remote), batch_rows=5).run(USER)
    assert report.conflicts == []  # what arrived is found equal, not in conflict
    assert len(remote.rows("daily_checkins")) == 12 and pending(journal) == 0
    again = SyncEngine(journal, WithoutTransactions(remote)).run(USER)
    assert again.upserted == again.pulled == 0


def test_conflicts_are_kept_with_both_values(journal):
    data = seed(journal)
    remote = FakeRemote()
    sync(journal, remote)
    goal = data["goal"].id
    with journal.transaction() as conn:
        store.update(conn, store.fetch(conn, GOALS, goal), {"title": "Nice, here"})
    remote.edit("goals", goal, title="Nice, there")  # the remote's clock is later
    report, _ = sync(journal, remote)
    [clash] = report.conflicts
    assert (clash.kind, clash.column, clash.kept) == (reports.BOTH_CHANGED, "title", "remote")
    [kept] = list(repo_sync.conflicts(journal.conn))
    assert (kept["local_value"], kept["remote_value"], kept["kept"]) == (
        "Nice, here",
        "Nice, there",
        "remote",
    )
    assert json.loads(json.dumps(report.to_json()))["conflicts"][0]["local"] == "Nice, here"


def test_a_row_changed_here_while_the_sync_runs_merges_at_the_next_one(journal):
    data = seed(journal)
    remote = FakeRemote()
    sync(journal, remote)
    day = data["days"][0].id
    remote.edit("daily_checkins", day, notes="from the app")

    def edit_meanwhile(op, table, rows):
        if table == "goals":  # another khepri command, while the push runs
            other = open_journal(journal.path)
            with other.transaction() as conn:
                store.update(conn, store.fetch(conn, DAILY_CHECKINS, day), {"energy_level": 2})
            other.close()
        return None

    with journal.transaction() as conn:  # something to push, so that the push runs
        store.update(conn, store.fetch(conn, GOALS, data["goal"].id), {"priority": "A"})
    report, _ = sync(journal, remote, fail=edit_meanwhile)
    assert report.still_pending == 1
    row = journal.conn.execute(
        "SELECT notes, energy_level FROM daily_checkins WHERE id = ?", (day,)
    ).fetchone()
    assert tuple(row) == ("légères courbatures", 2)  # the edit stays; the pull waits for it
    report, _ = sync(journal, remote)
    assert report.conflicts == []
    row = journal.conn.execute(
        "SELECT notes, energy_level FROM daily_checkins WHERE id = ?", (day,)
    ).fetchone()
    assert tuple(row) == ("from the app", 2)
    there = remote.tables["daily_checkins"][day]
    assert (there["notes"], there["energy_level"]) == ("from the app", 2)
    assert pending(journal) == 0


def test_a_remote_value_the_journal_refuses_is_never_overwritten_by_the_journals_row(journal):
    data = seed(journal)
    remote = FakeRemote()
    sync(journal, remote)
    day = data["days"][0].id
    remote.edit("daily_checkins", day, soreness_areas={"legs": 12})  # the app's bug
    with journal.transaction() as conn:
        store.update(conn, store.fetch(conn, DAILY_CHECKINS, day), {"energy_level": 3})
    for _ in range(2):  # at every sync, until it is fixed there
        report, _ = sync(journal, remote)
        assert [(k.table, k.row_id) for k in report.kept] == [("daily_checkins", day)]
        assert remote.tables["daily_checkins"][day]["soreness_areas"] == {"legs": 12}
    remote.edit("daily_checkins", day, soreness_areas={"legs": 2})
    report, _ = sync(journal, remote)
    assert report.kept == [] and report.conflicts == []
    there = remote.tables["daily_checkins"][day]
    assert (there["soreness_areas"], there["energy_level"]) == ({"legs": 2}, 3)
    assert pending(journal) == 0
