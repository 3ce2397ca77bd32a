"""The sync engine against an in-memory remote that keeps Supabase's rules.

``FakeRemote`` holds the journal's tables as dicts and enforces what the real
database does to a sync: row level security per user (a row of another user
is invisible, and writing it is refused with 42501), foreign keys, one
check-in per athlete and day, and transactions with savepoints. The engine
cannot tell it from PostgreSQL except by speed; tests/sync/test_sync_postgres.py
runs the same stories against the real thing.
"""

from __future__ import annotations

import copy
import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from khepri_cli.db import store
from khepri_cli.db.connection import Journal, open_journal
from khepri_cli.db.repo_sync import capture_bases, pending_counts, read_state
from khepri_cli.domain.clock import format_timestamp
from khepri_cli.domain.rows import make, new_id
from khepri_cli.errors import NoProfile, SyncError
from khepri_cli.schema import table as declared
from khepri_cli.schema.tables import ATHLETES, CONSTRAINTS, DAILY_CHECKINS, GOALS, TRAINING_PLANS
from khepri_cli.sync import report as reports
from khepri_cli.sync.engine import PUSH_ORDER, SyncEngine
from khepri_cli.sync.transports import base
from khepri_cli.sync.transports.base import RemoteError, Transport

USER = "6f1b7a52-3c1e-4f7e-9d42-0a3c5e7b9d11"
OTHER_USER = "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a"
START = datetime(2030, 1, 1, tzinfo=UTC)
"""The fake remote's clock runs ahead of the journal's, pinned (KHEPRI_NOW) or not
(rows written with plain SQL take the real time): the remote's changes are the later ones."""

Failure = Callable[[str, str, list[dict[str, Any]]], RemoteError | None]


class FakeRemote:
    """The remote database: committed tables, Auth users, a clock and a log of committed writes.

    Like the real schema, it stamps ``updated_at`` (and ``created_at``) with its
    own clock when a row is written without one or updated.
    """

    def __init__(self, users: tuple[str, ...] = (USER, OTHER_USER)):
        self.tables: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in PUSH_ORDER}
        self.users = set(users)
        self.writes: list[tuple[str, str, int]] = []  # (op, table, rows) per statement
        self.reachable = True
        self.ticks = 0

    def now(self) -> str:
        self.ticks += 1
        return format_timestamp(START + timedelta(seconds=self.ticks))

    def rows(self, table: str) -> list[dict[str, Any]]:
        return list(self.tables[table].values())

    def put(self, table: str, **values: Any) -> dict[str, Any]:
        """A row written there by someone else (the app), stamped by the remote's clock."""
        declared_table = declared(table)
        row = {c: values.get(c) for c in declared_table.column_names}
        row["id"] = row["id"] or new_id()
        row["created_at"] = row["created_at"] or self.now()
        row["updated_at"] = values.get("updated_at") or self.now()
        for column in declared_table.columns:
            if row[column.name] is None and column.default is not None:
                row[column.name] = column.kind.to_json(column.kind.check(column.default))
        self.tables[table][row["id"]] = row
        return row

    def edit(self, table: str, row_id: str, **values: Any) -> None:
        """Someone else changes a row there: its updated_at moves on."""
        self.tables[table][row_id] = {
            **self.tables[table][row_id],
            **values,
            "updated_at": self.now(),
        }


class FakeTransport:
    """A :class:`Transport` over a :class:`FakeRemote`; ``fail`` injects faults per statement."""

    target = "fake://remote"
    transactional = True

    def __init__(self, remote: FakeRemote, fail: Failure | None = None):
        self.remote = remote
        self.fail = fail
        self.work: dict[str, dict[str, dict[str, Any]]] | None = None
        self.log: list[tuple[str, str, int]] = []
        self.user: str | None = None
        self.statements: list[tuple[str, str, int]] = []
        self.reads: list[tuple[str, tuple]] = []
        self.closed = False

    def connect(self) -> None:
        if not self.remote.reachable:
            raise RemoteError(base.UNREACHABLE, "cannot reach the database at fake://remote")

    def close(self) -> None:
        self.closed = True

    def begin(self, user_id: str) -> None:
        self.user = user_id
        self.work = copy.deepcopy(self.remote.tables)
        self.log = []

    def commit(self) -> None:
        assert self.work is not None
        self.remote.tables, self.work = self.work, None
        self.remote.writes.extend(self.log)

    def rollback(self) -> None:
        self.work = None

    @contextmanager
    def _atomic(self) -> Iterator[None]:
        """Every write is all or nothing, as the Transport protocol asks."""
        assert self.work is not None  # rows are replaced, never changed in place
        saved = {table: dict(rows) for table, rows in self.work.items()}
        log = list(self.log)
        try:
            yield
        except RemoteError:
            self.work, self.log = saved, log
            raise

    # -- reads
    def catalogue(self, wanted: Any) -> dict[str, dict[str, str]]:
        return {
            t: dict.fromkeys(declared(t).column_names, "text")
            for t in self.remote.tables
            if t in wanted
        }

    def clock(self) -> str:
        return self.remote.now()

    def _visible(self, table: str, filters: Any) -> list[dict[str, Any]]:
        assert self.work is not None
        rows = [r for r in self.work[table].values() if self._owned(table, r)]
        for column, op, value in filters:
            if op == base.EQ:
                rows = [r for r in rows if r.get(column) == value]
            elif op == base.GT:
                rows = [r for r in rows if (r.get(column) or "") > value]
            else:
                rows = [r for r in rows if r.get(column) in set(value)]
        return rows

    def select(self, table: str, columns: list[str], filters: Any):
        self.reads.append((table, tuple(filters)))
        rows = self._visible(table, filters)
        yield [{c: copy.deepcopy(r.get(c)) for c in columns} for r in rows]

    def changes(self, table: str, columns: list[str], owner: Any, changed: Any):
        rows = next(self.select(table, columns, [owner, changed]))
        return rows, [r["id"] for r in self._visible(table, [owner])]

    def row_format(self, table: str, columns: list[str]) -> base.RowFormat:
        return base.RowFormat(base.JSON_ROWS)

    # -- RLS as the schema's policies define it
    def _owned(self, table: str, row: dict[str, Any]) -> bool:
        assert self.work is not None
        if table == "athletes":
            return row["auth_user_id"] == self.user
        athlete = self.work["athletes"].get(row["athlete_id"])
        return athlete is not None and athlete["auth_user_id"] == self.user

    def upsert(self, table: str, columns: list[str], rows: list[str]) -> int:
        with self._atomic():
            return self._upsert(table, columns, [json.loads(row) for row in rows])

    def _upsert(self, table: str, columns: list[str], rows: list[dict[str, Any]]) -> int:
        assert self.work is not None
        self.statements.append(("upsert", table, len(rows)))
        self._maybe_fail("upsert", table, rows)
        target = self.work[table]
        days: dict[tuple[str, str], str] = {}
        if table == "daily_checkins":  # one check-in per athlete and day
            days = {(r["athlete_id"], r["checkin_date"]): r["id"] for r in target.values()}
            # a row's own old day is free once it moves
            for row in rows:
                old = target.get(row["id"])
                if old is not None:
                    days.pop((old["athlete_id"], old["checkin_date"]), None)
        for row in rows:
            assert list(row) == list(columns)
            existing = target.get(row["id"])
            if existing is not None and not self._owned(table, existing):
                raise RemoteError(
                    base.REFUSED,
                    f'new row violates row-level security policy (USING expression) for table "{table}"',
                    "42501",
                )
            if table != "athletes" and row["athlete_id"] not in self.work["athletes"]:
                raise RemoteError(base.REJECTED, f"{table}: athlete_id is not present", "23503")
            if table == "athletes" and row["auth_user_id"] not in self.remote.users:
                raise RemoteError(base.REJECTED, "auth_user_id is not present in users", "23503")
            if not self._owned(table, row):
                raise RemoteError(
                    base.REFUSED,
                    f'new row violates row-level security policy for table "{table}"',
                    "42501",
                )
            if table == "daily_checkins":
                key = (row["athlete_id"], row["checkin_date"])
                holder = days.get(key)
                if holder is not None and holder != row["id"] and holder in target:
                    raise RemoteError(
                        base.REJECTED, "duplicate key (athlete_id, checkin_date)", "23505"
                    )
            goal = row.get("target_goal_id")
            if table == "training_plans" and goal is not None and goal not in self.work["goals"]:
                raise RemoteError(base.REJECTED, "target_goal_id is not present", "23503")
            if existing is not None:  # the remote's trigger stamps an update
                row = {**existing, **row, "updated_at": self.remote.now()}
            target[row["id"]] = row
            if table == "daily_checkins":
                days[(row["athlete_id"], row["checkin_date"])] = row["id"]
        self.log.append(("upsert", table, len(rows)))
        return len(rows)

    def delete(self, table: str, ids: list[str]) -> int:
        with self._atomic():
            return self._delete(table, ids)

    def _delete(self, table: str, ids: list[str]) -> int:
        assert self.work is not None
        self.statements.append(("delete", table, len(ids)))
        self._maybe_fail("delete", table, [{"id": i} for i in ids])
        gone = 0
        for row_id in ids:
            row = self.work[table].get(row_id)
            if row is not None and self._owned(table, row):
                del self.work[table][row_id]
                gone += 1
                if table == "athletes":
                    for child in PUSH_ORDER[1:]:
                        for key in [
                            k for k, r in self.work[child].items() if r["athlete_id"] == row_id
                        ]:
                            del self.work[child][key]
        self.log.append(("delete", table, gone))
        return gone

    def _maybe_fail(self, op: str, table: str, rows: list[dict[str, Any]]) -> None:
        if self.fail is not None:
            error = self.fail(op, table, rows)
            if error is not None:
                raise error


def test_the_fake_is_a_transport():
    assert isinstance(FakeTransport(FakeRemote()), Transport)


# -- journal helpers -----------------------------------------------------------


@pytest.fixture
def journal(db_path: Path) -> Iterator[Journal]:
    journal = open_journal(db_path)
    yield journal
    journal.close()


def seed(journal: Journal, checkins: int = 3) -> dict[str, Any]:
    """An athlete with a goal, a constraint, ``checkins`` days and a plan."""
    athlete = make(
        ATHLETES,
        {
            "display_name": "Zoë Ørsted",
            "date_of_birth": "1990-04-12",
            "weight_kg": 61.55,
            "ftp_watts": 250,
            "timezone": "Europe/London",
            "daily_checkin_time": "06:30:00",
            "intervals_icu_connected": True,
        },
    )
    goal = make(
        GOALS,
        {
            "athlete_id": athlete.id,
            "goal_type": "race",
            "title": "Ironman 70.3 Nice",
            "target_date": "2027-06-01",
            "perf_current_value": 12345678.99,
        },
    )
    constraint = make(
        CONSTRAINTS,
        {
            "athlete_id": athlete.id,
            "constraint_type": "injury",
            "title": "Left knee",
            "start_date": "2026-11-01",
            "injury_restrictions": ["running", "jumping"],
            "availability_hours_per_week": 7.5,
        },
    )
    # From 2026-11-01, or earlier for a long history: a check-in is never after today (11-25).
    first = min(date(2026, 11, 1), date(2026, 11, 25) - timedelta(days=checkins - 1))
    days = [
        make(
            DAILY_CHECKINS,
            {
                "athlete_id": athlete.id,
                "checkin_date": str(first + timedelta(days=day - 1)),
                "sleep_hours": 7.5,
                "energy_level": 7,
                "soreness_areas": {"legs": 6},
                "equipment_access": ["pool"],
                "notes": "légères courbatures",
            },
        )
        for day in range(1, checkins + 1)
    ]
    plan = make(
        TRAINING_PLANS,
        {
            "athlete_id": athlete.id,
            "title": "Base",
            "duration_weeks": 8,
            "start_date": "2026-12-01",
            "end_date": "2027-01-25",
            "target_goal_id": goal.id,
            "phases": [{"name": "base", "start_week": 1, "end_week": 8}],
        },
    )
    with journal.transaction() as conn:
        for record in (athlete, goal, constraint, *days, plan):
            store.insert_whole(conn, record.table, [record])
    return {"athlete": athlete, "goal": goal, "constraint": constraint, "days": days, "plan": plan}


def pending(journal: Journal) -> int:
    return journal.conn.execute("SELECT count(*) FROM _khepri_pending_changes").fetchone()[0]


def dump(journal: Journal) -> str:
    return "\n".join(journal.conn.iterdump())


def sync(journal: Journal, remote: FakeRemote, user: str = USER, **options: Any):
    fail = options.pop("fail", None)
    transport = FakeTransport(remote, fail)
    report = SyncEngine(journal, transport, **options).run(user, dry_run=False)
    return report, transport


def counts(report) -> dict[str, tuple[int, int, int]]:
    return {t.table: (t.upserted, t.deleted, t.conflicts) for t in report.tables}


# -- the happy path ------------------------------------------------------------


def test_first_sync_pushes_everything_parents_first_and_clears_pending(journal):
    data = seed(journal)
    remote = FakeRemote()
    report, transport = sync(journal, remote)
    assert counts(report) == {
        "athletes": (1, 0, 0),
        "goals": (1, 0, 0),
        "constraints": (1, 0, 0),
        "daily_checkins": (3, 0, 0),
        "training_plans": (1, 0, 0),
        "activities": (0, 0, 0),
    }
    assert [s[1] for s in transport.statements] == [t for t in PUSH_ORDER if t != "activities"]
    assert pending(journal) == 0
    athlete = remote.tables["athletes"][data["athlete"].id]
    assert athlete["auth_user_id"] == USER
    assert athlete["intervals_icu_connected"] is True
    assert athlete["weight_kg"] == 61.55
    day = remote.tables["daily_checkins"][data["days"][0].id]
    assert day["soreness_areas"] == {"legs": 6}
    assert day["equipment_access"] == ["pool"]
    assert day["notes"] == "légères courbatures"
    assert remote.tables["constraints"][data["constraint"].id]["injury_restrictions"] == [
        "running",
        "jumping",
    ]
    assert transport.closed


def test_first_sync_links_the_athlete_and_remembers_the_user(journal):
    data = seed(journal)
    report, _ = sync(journal, FakeRemote())
    assert report.linked and report.linked_from is None
    row = journal.conn.execute("SELECT auth_user_id FROM athletes").fetchone()
    assert row[0] == USER
    state = read_state(journal.conn)
    assert state["user_id"] == USER
    assert state["last_sync_target"] == "fake://remote"
    assert state["last_sync_at"].startswith("2026-11-25T07:30:00")
    assert json.loads(state["last_sync_summary"]) == {
        "pulled": 0,
        "upserted": 7,
        "deleted": 0,
        "conflicts": 0,
        "kept": 0,
    }
    assert data["athlete"].auth_user_id is None


def test_the_link_is_kept_locally_exactly_as_pushed(journal):
    data = seed(journal)
    remote = FakeRemote()
    sync(journal, remote)
    local = dict(journal.conn.execute("SELECT * FROM athletes").fetchone())
    pushed = remote.tables["athletes"][data["athlete"].id]
    assert local["auth_user_id"] == pushed["auth_user_id"] == USER
    assert local["updated_at"] == pushed["updated_at"] > data["athlete"].updated_at
    assert pending(journal) == 0


def test_relinking_to_a_user_with_nothing_there_sends_the_whole_journal(journal):
    seed(journal)
    remote = FakeRemote()
    sync(journal, remote, user=OTHER_USER)
    remote.tables = {t: {} for t in PUSH_ORDER}  # say the project was reset
    report, transport = sync(journal, remote, user=USER)
    assert report.linked and report.linked_from == OTHER_USER
    with_rows = [t for t in PUSH_ORDER if t != "activities"]  # seed() logs no session
    assert [s[1] for s in transport.statements] == with_rows
    assert journal.conn.execute("SELECT auth_user_id FROM athletes").fetchone()[0] == USER
    assert {t: len(rows) for t, rows in remote.tables.items()} == {
        "athletes": 1,
        "goals": 1,
        "constraints": 1,
        "daily_checkins": 3,
        "training_plans": 1,
        "activities": 0,
    }
    assert pending(journal) == 0


def test_a_remote_that_lost_the_profile_gets_everything_again_and_nothing_is_deleted_here(journal):
    data = seed(journal)
    remote = FakeRemote()
    sync(journal, remote)
    remote.tables = {t: {} for t in PUSH_ORDER}  # the account was deleted and made again
    before = {
        t: journal.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in PUSH_ORDER
    }
    report, _ = sync(journal, remote)
    after = {t: journal.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in PUSH_ORDER}
    assert after == before
    assert report.upserted == 7 and report.pulled == 0
    assert any("has no profile for this user" in note for note in report.notes)
    assert remote.tables["athletes"][data["athlete"].id]["auth_user_id"] == USER


def test_a_profile_changed_during_the_push_is_linked_and_stays_pending(journal):
    data = seed(journal)

    def edit_profile(op, table, rows):
        if table == "athletes":
            other = sqlite3.connect(journal.path)
            with other:
                other.execute(
                    "UPDATE athletes SET ftp_watts = 300, updated_at = '2026-11-25T08:00:00.000000Z'"
                )
            other.close()
        return None

    remote = FakeRemote()
    report, _ = sync(journal, remote, fail=edit_profile)
    assert report.still_pending == 1
    row = journal.conn.execute("SELECT auth_user_id, ftp_watts FROM athletes").fetchone()
    assert tuple(row) == (USER, 300)
    sync(journal, remote)
    assert remote.tables["athletes"][data["athlete"].id]["ftp_watts"] == 300
    assert pending(journal) == 0


def test_a_second_sync_with_nothing_changed_writes_nothing(journal):
    seed(journal)
    remote = FakeRemote()
    sync(journal, remote)
    written = list(remote.writes)
    report, transport = sync(journal, remote)
    assert transport.statements == []
    assert remote.writes == written
    assert report.upserted == report.deleted == 0
    assert not report.linked


def test_one_change_writes_one_row(journal):
    data = seed(journal, checkins=20)
    remote = FakeRemote()
    sync(journal, remote)
    with journal.transaction() as conn:
        conn.execute(
            "UPDATE daily_checkins SET energy_level = 3 WHERE id = ?", (data["days"][4].id,)
        )
    report, transport = sync(journal, remote)
    assert transport.statements == [("upsert", "daily_checkins", 1)]
    assert report.upserted == 1
    assert remote.tables["daily_checkins"][data["days"][4].id]["energy_level"] == 3


def test_deletes_reach_the_remote_children_first_and_before_upserts(journal):
    data = seed(journal)
    remote = FakeRemote()
    sync(journal, remote)
    with journal.transaction() as conn:
        store.delete(conn, GOALS, data["goal"].id)  # the plan's target_goal_id becomes NULL
        store.delete(conn, DAILY_CHECKINS, data["days"][0].id)
    report, transport = sync(journal, remote)
    assert transport.statements == [
        ("delete", "daily_checkins", 1),
        ("delete", "goals", 1),
        ("upsert", "training_plans", 1),
    ]
    assert counts(report)["goals"] == (0, 1, 0)
    assert data["goal"].id not in remote.tables["goals"]
    assert data["days"][0].id not in remote.tables["daily_checkins"]
    assert remote.tables["training_plans"][data["plan"].id]["target_goal_id"] is None


def test_a_day_deleted_and_checked_in_again_takes_its_day_back(journal):
    data = seed(journal)
    remote = FakeRemote()
    sync(journal, remote)
    first = data["days"][0]
    again = make(
        DAILY_CHECKINS,
        {"athlete_id": first.athlete_id, "checkin_date": "2026-11-01", "energy_level": 9},
    )
    with journal.transaction() as conn:
        store.delete(conn, DAILY_CHECKINS, first.id)
        store.insert_whole(conn, again.table, [again])
    report, _ = sync(journal, remote)
    assert report.conflicts == []
    days = [r for r in remote.rows("daily_checkins") if r["checkin_date"] == "2026-11-01"]
    assert [d["id"] for d in days] == [again.id]


def test_large_pushes_go_in_batches(journal):
    seed(journal, checkins=12)
    report, transport = sync(journal, FakeRemote(), batch_rows=5)
    assert [s for s in transport.statements if s[1] == "daily_checkins"] == [
        ("upsert", "daily_checkins", 5),
        ("upsert", "daily_checkins", 5),
        ("upsert", "daily_checkins", 2),
    ]
    assert report.upserted == 16


def add_many_days(journal: Journal, athlete_id: str, count: int) -> None:
    with journal.transaction() as conn:
        conn.executemany(
            "INSERT INTO daily_checkins (id, athlete_id, checkin_date, energy_level) "
            "VALUES (?, ?, ?, ?)",
            [
                (new_id(), athlete_id, str(date(2000, 1, 1) + timedelta(days=i)), 1 + i % 10)
                for i in range(count)
            ],
        )


def test_many_changes_in_a_larger_table_are_read_in_one_scan(journal):
    data = seed(journal)
    add_many_days(journal, data["athlete"].id, 6000)
    remote = FakeRemote()
    sync(journal, remote, batch_rows=2500)
    with journal.transaction() as conn:  # one statement, keeping bases as the write path does
        where = "checkin_date < '2013-10-01'"
        capture_bases(
            conn,
            DAILY_CHECKINS,
            [r[0] for r in conn.execute(f"SELECT id FROM daily_checkins WHERE {where}")],
        )
        conn.execute(f"UPDATE daily_checkins SET energy_level = 10 WHERE {where}")
    changed = journal.conn.execute(
        "SELECT count(*) FROM _khepri_pending_changes WHERE table_name = 'daily_checkins'"
    ).fetchone()[0]
    statements: list[str] = []
    journal.conn.set_trace_callback(statements.append)
    report, _ = sync(journal, remote, batch_rows=2500)
    journal.conn.set_trace_callback(None)
    assert 5000 <= changed == report.upserted < 6003
    assert any("CROSS JOIN _khepri_pending_changes" in s for s in statements)
    assert all(
        r["energy_level"] == 10
        for r in remote.rows("daily_checkins")
        if r["checkin_date"] < "2013-10-01"
    )


def test_one_change_never_reads_the_whole_table(journal):
    data = seed(journal)
    add_many_days(journal, data["athlete"].id, 6000)
    remote = FakeRemote()
    sync(journal, remote)
    with journal.transaction() as conn:
        conn.execute(
            "UPDATE daily_checkins SET energy_level = 2 WHERE id = ?", (data["days"][0].id,)
        )
    statements: list[str] = []
    journal.conn.set_trace_callback(statements.append)
    report, _ = sync(journal, remote)
    journal.conn.set_trace_callback(None)
    assert report.upserted == 1
    scans = [  # the ids alone are read (deletes there are found by id sets), never the rows
        detail
        for statement in statements
        if statement.lstrip().startswith("SELECT")
        for *_, detail in journal.conn.execute("EXPLAIN QUERY PLAN " + statement)
        if detail.startswith(("SCAN t", "SCAN daily_checkins")) and "COVERING INDEX" not in detail
    ]
    assert scans == []
    assert not any("count(*) FROM daily_checkins" in s for s in statements)


def test_progress_is_reported_per_batch(journal):
    seed(journal, checkins=12)
    events: list[tuple] = []

    class Recorder:
        def start(self, total: int) -> None:
            events.append(("start", total))

        def advance(self, table: str, rows: int) -> None:
            events.append((table, rows))

        def stop(self) -> None:
            events.append(("stop",))

    sync(journal, FakeRemote(), batch_rows=5, progress=Recorder())
    assert events[0] == ("start", 16)
    assert events[-1] == ("stop",)
    assert sum(e[1] for e in events[1:-1]) == 16


def test_a_row_changed_during_the_push_stays_pending(journal):
    data = seed(journal)
    remote = FakeRemote()
    day = data["days"][1]

    def edit_meanwhile(op, table, rows):
        if table == "daily_checkins":
            other = sqlite3.connect(journal.path)  # another khepri command, during the push
            with other:
                other.execute("UPDATE daily_checkins SET energy_level = 2 WHERE id = ?", (day.id,))
            other.close()
        return None

    report, _ = sync(journal, remote, fail=edit_meanwhile)
    assert report.still_pending == 1
    left = journal.conn.execute(
        "SELECT table_name, row_id, op FROM _khepri_pending_changes"
    ).fetchall()
    assert [tuple(r) for r in left] == [("daily_checkins", day.id, "upsert")]
    assert remote.tables["daily_checkins"][day.id]["energy_level"] == 7  # the value read before
    report, _ = sync(journal, remote)
    assert report.upserted == 1
    assert remote.tables["daily_checkins"][day.id]["energy_level"] == 2


# -- faults ----------------------------------------------------------------------


def test_an_unreachable_remote_changes_nothing_local(journal):
    seed(journal)
    before = dump(journal)
    remote = FakeRemote()
    remote.reachable = False
    with pytest.raises(SyncError, match="cannot reach the database"):
        sync(journal, remote)
    assert dump(journal) == before


def test_a_failure_mid_push_keeps_nothing_remote_and_everything_pending(journal):
    seed(journal, checkins=12)
    remote = FakeRemote()

    def drop_on_third_batch(op, table, rows):
        if table == "daily_checkins" and len(transport_calls) == 2:
            return RemoteError(base.LOST, "the connection to fake://remote dropped")
        if table == "daily_checkins":
            transport_calls.append(1)
        return None

    transport_calls: list[int] = []
    with pytest.raises(SyncError) as raised:
        sync(journal, remote, fail=drop_on_third_batch, batch_rows=5)
    message = raised.value.message
    assert "the connection to fake://remote dropped" in message
    assert "nothing was pushed" in message and "16 pending change(s)" in message
    assert all(not rows for rows in remote.tables.values())
    assert remote.writes == []
    assert pending(journal) == 16
    report, _ = sync(journal, remote, batch_rows=5)
    assert report.upserted == 16
    assert len(remote.rows("daily_checkins")) == 12
    assert pending(journal) == 0


def test_a_failed_commit_keeps_everything_pending_and_a_rerun_adds_no_duplicates(journal):
    seed(journal)
    remote = FakeRemote()

    class LostAtCommit(FakeTransport):
        def commit(self) -> None:
            super().commit()  # the server kept it, but the answer never arrived
            raise RemoteError(base.LOST, "the connection to fake://remote dropped")

    with pytest.raises(SyncError, match="may or may not have kept this push"):
        SyncEngine(journal, LostAtCommit(remote)).run(USER)
    assert pending(journal) == 7
    sync(journal, remote)
    assert len(remote.rows("daily_checkins")) == 3 and len(remote.rows("athletes")) == 1
    assert pending(journal) == 0


def test_a_row_refused_by_rls_is_named_and_nothing_is_dropped(journal):
    data = seed(journal, checkins=9)
    remote = FakeRemote()
    # Someone else's remote row already uses the id of one of our check-ins.
    theirs_athlete = {
        "id": new_id(),
        "auth_user_id": OTHER_USER,
    }
    remote.tables["athletes"][theirs_athlete["id"]] = theirs_athlete
    stolen = data["days"][6].id
    remote.tables["daily_checkins"][stolen] = {
        "id": stolen,
        "athlete_id": theirs_athlete["id"],
        "checkin_date": "2020-01-01",
    }
    before = copy.deepcopy(remote.tables)
    with pytest.raises(SyncError) as raised:
        sync(journal, remote, batch_rows=4)
    message = raised.value.message
    assert f"daily_checkins row {stolen}" in message
    assert "row level security refused it (SQLSTATE 42501)" in message
    assert remote.tables == before
    assert pending(journal) == 13


def test_several_refused_rows_are_counted(journal):
    data = seed(journal, checkins=8)
    remote = FakeRemote()
    theirs = new_id()
    remote.tables["athletes"][theirs] = {"id": theirs, "auth_user_id": OTHER_USER}
    for day in data["days"][2:6]:
        remote.tables["daily_checkins"][day.id] = {
            "id": day.id,
            "athlete_id": theirs,
            "checkin_date": "2020-01-01",
        }
    with pytest.raises(SyncError) as raised:
        sync(journal, remote)
    message = raised.value.message
    named = message.split("daily_checkins row ", 1)[1].split(" ", 1)[0]
    assert named in {day.id for day in data["days"][2:6]}
    assert "(and 2 more row(s) of daily_checkins)" in message


def test_a_journal_of_another_user_is_refused_not_dropped(journal):
    seed(journal)
    remote = FakeRemote()
    sync(journal, remote, user=OTHER_USER)  # the journal's rows now belong to OTHER_USER
    with journal.transaction() as conn:
        conn.execute("UPDATE daily_checkins SET energy_level = 1")
    before, local = copy.deepcopy(remote.tables), dump(journal)
    with pytest.raises(SyncError, match=r"athletes row .*row level security refused it"):
        sync(journal, remote, user=USER)
    assert remote.tables == before
    assert dump(journal) == local  # still linked to OTHER_USER, the 3 changes still pending
    assert pending(journal) == 3


def test_a_non_row_failure_is_reported_as_it_is(journal):
    seed(journal)

    def timeout(op, table, rows):
        return RemoteError(base.TIMEOUT, "the server cancelled the statement")

    with pytest.raises(SyncError, match=r"^the server cancelled the statement; nothing was pushed"):
        sync(journal, FakeRemote(), fail=timeout)
    assert pending(journal) == 7


# -- real data on the remote -------------------------------------------------------


def test_a_remote_profile_for_the_user_is_adopted_never_duplicated(journal):
    data = seed(journal)
    remote = FakeRemote()
    made = remote.put(
        "athletes",
        auth_user_id=USER,
        display_name="from the app",
        intervals_icu_athlete_id="i42",
        intervals_icu_connected=True,
        updated_at="2026-11-01T00:00:00.000000Z",  # before the journal's profile changed
    )
    remote_id = made["id"]
    report, transport = sync(journal, remote)
    assert [a["id"] for a in remote.rows("athletes")] == [remote_id]
    theirs = remote.tables["athletes"][remote_id]
    assert theirs["display_name"] == "Zoë Ørsted"  # set on both sides, changed later here
    assert theirs["intervals_icu_athlete_id"] == "i42"  # never set here: the app's stays
    assert theirs["intervals_icu_connected"] is True  # set here too: the same value
    assert {r["athlete_id"] for r in remote.rows("daily_checkins")} == {remote_id}
    assert not any(s[0] == "delete" and s[1] == "athletes" for s in transport.statements)
    kinds = [(c.kind, c.column) for c in report.conflicts]
    assert kinds == [(reports.ADOPTED_PROFILE, None), (reports.BOTH_CHANGED, "display_name")]
    adopted = report.conflicts[0]
    assert adopted.local_id == data["athlete"].id and adopted.row_id == remote_id
    assert counts(report)["athletes"] == (1, 0, 2)
    local = journal.conn.execute("SELECT id, intervals_icu_athlete_id FROM athletes").fetchall()
    assert [tuple(r) for r in local] == [(remote_id, "i42")]
    children = journal.conn.execute(
        "SELECT count(*) FROM daily_checkins WHERE athlete_id = ?", (remote_id,)
    ).fetchone()[0]
    assert children == 3
    assert pending(journal) == 0
    again, transport = sync(journal, remote)
    assert again.conflicts == [] and transport.statements == []


def test_a_check_in_made_on_both_sides_is_one_row_merged_value_by_value(journal):
    data = seed(journal)
    remote = FakeRemote()
    remote.put("athletes", id=data["athlete"].id, auth_user_id=USER)
    theirs = remote.put(
        "daily_checkins",
        athlete_id=data["athlete"].id,
        checkin_date="2026-11-02",
        energy_level=1,  # the journal says 7: both set, the app's is later
        resting_hr=52,  # only there
        ai_recommendation={"summary": "Easy spin", "intensityLevel": "easy"},
    )["id"]
    mine = data["days"][1]
    report, _ = sync(journal, remote)
    days = [r for r in remote.rows("daily_checkins") if r["checkin_date"] == "2026-11-02"]
    assert len(days) == 1 and len(remote.rows("daily_checkins")) == 3
    day = days[0]
    assert day["id"] == theirs and day["energy_level"] == 1 and day["resting_hr"] == 52
    assert day["sleep_hours"] == 7.5 and day["notes"] == "légères courbatures"  # only here
    assert day["ai_recommendation"] == {"summary": "Easy spin", "intensityLevel": "easy"}
    kinds = [(c.kind, c.column) for c in report.conflicts]
    assert kinds == [(reports.MADE_ON_BOTH_SIDES, None), (reports.BOTH_CHANGED, "energy_level")]
    assert report.conflicts[0].local_id == mine.id
    local = journal.conn.execute(
        "SELECT id, energy_level, resting_hr, sleep_hours FROM daily_checkins "
        "WHERE checkin_date = '2026-11-02'"
    ).fetchall()
    assert [tuple(r) for r in local] == [(theirs, 1, 52, 7.5)]
    assert pending(journal) == 0
    again, transport = sync(journal, remote)
    assert again.conflicts == [] and transport.statements == []


def test_dry_run_reports_the_same_day_without_writing_anything(journal):
    data = seed(journal)
    remote = FakeRemote()
    remote.put("athletes", id=data["athlete"].id, auth_user_id=USER)
    remote.put("daily_checkins", athlete_id=data["athlete"].id, checkin_date="2026-11-03")
    committed = copy.deepcopy(remote.tables)
    before = dump(journal)
    report = SyncEngine(journal, FakeTransport(remote)).run(USER, dry_run=True)
    assert [c.kind for c in report.conflicts] == [reports.MADE_ON_BOTH_SIDES]
    assert "check-in of 2026-11-03" in report.conflicts[0].detail
    assert remote.tables == committed
    assert dump(journal) == before


def test_a_day_that_moves_there_onto_a_day_held_here_makes_one_row(journal):
    """The remote moved day 2 onto day 1 and deleted day 1; here day 1 was edited."""
    data = seed(journal)
    remote = FakeRemote()
    sync(journal, remote)
    first, second = data["days"][0], data["days"][1]
    remote.edit("daily_checkins", second.id, checkin_date="2026-11-01", energy_level=4)
    del remote.tables["daily_checkins"][first.id]
    with journal.transaction() as conn:
        store.update(conn, store.fetch(conn, DAILY_CHECKINS, first.id), {"notes": "edited here"})
    report, _ = sync(journal, remote)
    local = journal.conn.execute(
        "SELECT id, checkin_date, energy_level, notes FROM daily_checkins ORDER BY checkin_date"
    ).fetchall()
    assert tuple(local[0]) == (second.id, "2026-11-01", 4, "edited here")
    assert first.id not in {r[0] for r in local}
    there = {r["id"]: r for r in remote.rows("daily_checkins")}
    assert there[second.id]["notes"] == "edited here" and first.id not in there
    assert reports.MADE_ON_BOTH_SIDES in [c.kind for c in report.conflicts]
    assert pending(journal) == 0
    again, transport = sync(journal, remote)
    assert transport.statements == [] and again.conflicts == []


def test_dry_run_writes_nothing_anywhere_and_counts_what_adoption_would_push(journal):
    seed(journal)
    remote = FakeRemote()
    sync(journal, remote)
    # The remote profile was recreated by the app with another id (e.g. after a reset).
    remote.tables = {t: {} for t in PUSH_ORDER}
    remote.put("athletes", auth_user_id=USER)
    committed = copy.deepcopy(remote.tables)
    before = dump(journal)
    transport = FakeTransport(remote)
    report = SyncEngine(journal, transport).run(USER, dry_run=True)
    assert report.dry_run
    assert dump(journal) == before
    assert remote.tables == committed and transport.statements == []
    assert counts(report) == {
        "athletes": (1, 0, 1),
        "goals": (1, 0, 0),
        "constraints": (1, 0, 0),
        "daily_checkins": (3, 0, 0),
        "training_plans": (1, 0, 0),
        "activities": (0, 0, 0),
    }


def test_dry_run_of_a_fresh_journal_counts_the_pending_changes(journal):
    seed(journal)
    report = SyncEngine(journal, FakeTransport(FakeRemote())).run(USER, dry_run=True)
    assert report.upserted == 7 and report.linked
    assert pending_counts(journal.conn, PUSH_ORDER)["daily_checkins"] == {"upsert": 3, "delete": 0}
    assert journal.conn.execute("SELECT auth_user_id FROM athletes").fetchone()[0] is None


def test_a_journal_without_a_profile_is_an_error(journal):
    with pytest.raises(NoProfile, match="no athlete profile"):
        sync(journal, FakeRemote())


def test_the_engine_order_is_the_schema_order():
    from khepri_cli.schema import TABLE_NAMES

    assert PUSH_ORDER == TABLE_NAMES


# -- what the user sees while it runs -----------------------------------------------


class _Terminal:
    """A stand-in for stderr that says it is a terminal and keeps what is written."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        raise OSError("not a real terminal")


def test_the_progress_bar_draws_on_a_terminal_for_long_pushes(journal, monkeypatch):
    from khepri_cli.render import sync as render

    seed(journal, checkins=1200)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setenv("TERM", "xterm")
    bar = render.progress()
    assert bar is not None
    report, _ = sync(journal, FakeRemote(), batch_rows=500, progress=bar)
    assert report.upserted == 1204
    assert "pushing" in terminal.text and "1204/1204" in terminal.text


def test_no_progress_bar_when_piped_or_for_short_pushes(journal, monkeypatch):
    from khepri_cli.render import sync as render

    assert render.progress() is None  # stderr is not a terminal under pytest
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setenv("TERM", "xterm")
    seed(journal, checkins=3)
    sync(journal, FakeRemote(), progress=render.progress())
    assert terminal.text == ""
