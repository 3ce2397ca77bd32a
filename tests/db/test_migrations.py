"""Upgrading journals: old files move to the current schema in place, all or nothing."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlite_utils import Database

from khepri_cli.db import migrations as m
from khepri_cli.db.connection import SCHEMA_VERSION, open_journal
from khepri_cli.errors import StorageError

TABLES = ("athletes", "goals", "constraints", "daily_checkins", "training_plans")
ALL_MIGRATIONS = [migration.name for migration in m.migrations._migrations]

ATHLETE = "0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d"
USER = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"
GOAL = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
GOAL_2 = "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"
CONSTRAINT = "3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a"
CHECKIN = "4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b"
CHECKIN_2 = "5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b8c"
PLAN = "6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d"
STAMP = "2026-11-20T06:15:42.123456Z"

ROWS: dict[str, list[dict[str, object]]] = {
    "athletes": [
        {
            "id": ATHLETE,
            "auth_user_id": USER,
            "display_name": "Ada Lovelace",
            "date_of_birth": "1990-04-12",
            "weight_kg": 61.55,
            "height_cm": 168.5,
            "ftp_watts": 250,
            "running_threshold_pace_sec_per_km": 270,
            "css_sec_per_100m": 95,
            "resting_heart_rate": 48,
            "max_heart_rate": 190,
            "lthr": 172,
            "preferred_units": "imperial",
            "timezone": "Europe/London",
            "daily_checkin_time": "06:30:00",
            "intervals_icu_athlete_id": "i12345",
            "intervals_icu_connected": 1,
            "created_at": STAMP,
            "updated_at": "2026-11-21T06:15:42.000001Z",
        }
    ],
    "goals": [
        {
            "id": GOAL,
            "athlete_id": ATHLETE,
            "goal_type": "race",
            "title": "Ironman 70.3 Mallorca",
            "description": "First half — ünïcode too",
            "target_date": "2027-05-08",
            "priority": "A",
            "status": "active",
            "race_event_name": "70.3 Mallorca",
            "race_distance": "70.3",
            "race_location": "Alcúdia",
            "race_target_time_seconds": 20700,
            "created_at": STAMP,
            "updated_at": STAMP,
        },
        {
            "id": GOAL_2,
            "athlete_id": ATHLETE,
            "goal_type": "performance",
            "title": "FTP 280",
            "perf_metric": "ftp",
            "perf_current_value": 250.0,
            "perf_target_value": 280.25,
            "fitness_target_value": None,
            "health_current_value": -3.5,
            "created_at": STAMP,
            "updated_at": STAMP,
        },
    ],
    "constraints": [
        {
            "id": CONSTRAINT,
            "athlete_id": ATHLETE,
            "constraint_type": "injury",
            "title": "Left knee",
            "start_date": "2026-11-18",
            "end_date": None,
            "status": "active",
            "injury_body_part": "left_knee",
            "injury_severity": "moderate",
            "injury_restrictions": '["running", "jumping"]',
            "travel_equipment_available": "[]",
            "availability_hours_per_week": 7.5,
            "availability_days_available": '["monday", "wednesday"]',
            "created_at": STAMP,
            "updated_at": STAMP,
        }
    ],
    "daily_checkins": [
        {
            "id": CHECKIN,
            "athlete_id": ATHLETE,
            "checkin_date": "2026-11-24",
            "sleep_quality": 7,
            "sleep_hours": 7.3,
            "energy_level": 6,
            "stress_level": 3,
            "overall_soreness": 4,
            "soreness_areas": '{"legs": 7, "back": 3}',
            "resting_hr": 52,
            "hrv_ms": 61.4,
            "weight_kg": 61.2,
            "available_time_minutes": 90,
            "equipment_access": '["bike_trainer", "pool"]',
            "travel_status": "home",
            "notes": "Felt good.\nSecond line.",
            "ai_recommendation": '{"session": "easy spin", "minutes": 60}',
            "ai_recommendation_generated_at": STAMP,
            "user_response": "modified",
            "user_response_notes": "went 45 min",
            "created_at": STAMP,
            "updated_at": STAMP,
        },
        {
            "id": CHECKIN_2,
            "athlete_id": ATHLETE,
            "checkin_date": "2026-11-25",
            "sleep_hours": 0.0,
            "created_at": STAMP,
            "updated_at": STAMP,
        },
    ],
    "training_plans": [
        {
            "id": PLAN,
            "athlete_id": ATHLETE,
            "title": "Build to Mallorca",
            "duration_weeks": 24,
            "start_date": "2026-11-23",
            "end_date": "2027-05-09",
            "target_goal_id": GOAL,
            "status": "draft",
            "phases": '[{"name": "base", "start_week": 1, "end_week": 8}]',
            "weekly_template": '{"mon": "rest"}',
            "adjustments_log": "[]",
            "created_at": STAMP,
            "updated_at": STAMP,
        }
    ],
}


def build_old_journal(path: Path, stop_before: str, rows=ROWS) -> None:
    """A journal as an older Khepri left it: migrations up to ``stop_before``, plus rows."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        m.migrations.apply(Database(conn), stop_before=stop_before)
        for table in TABLES:
            for row in rows[table]:
                columns = ", ".join(row)
                marks = ", ".join("?" for _ in row)
                conn.execute(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values())
                )
    finally:
        conn.close()


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def dump(path: Path, sql: str) -> list[dict]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def all_rows(path: Path) -> dict[str, list[dict]]:
    return {t: dump(path, f"SELECT * FROM {t} ORDER BY id") for t in TABLES}


def names_in_schema(path: Path) -> set[str]:
    return {r["name"] for r in dump(path, "SELECT name FROM sqlite_master")}


@pytest.fixture
def v1(tmp_path: Path) -> Path:
    path = tmp_path / "v1.db"
    build_old_journal(path, stop_before="m002_track_pending_changes")
    assert user_version(path) == 1
    return path


def test_the_current_schema_version_counts_every_migration():
    assert len(ALL_MIGRATIONS) == SCHEMA_VERSION
    assert ALL_MIGRATIONS[:2] == ["m001_create_journal_tables", "m002_track_pending_changes"]


def test_a_new_file_gets_every_migration_once(tmp_path):
    path = tmp_path / "new.db"
    open_journal(path).close()
    open_journal(path).close()
    assert user_version(path) == SCHEMA_VERSION
    recorded = dump(path, "SELECT migration_set, name FROM _sqlite_migrations ORDER BY id")
    assert recorded == [{"migration_set": "khepri", "name": name} for name in ALL_MIGRATIONS]


def test_version_1_upgrades_in_place_keeping_every_value(v1):
    before = all_rows(v1)
    assert sum(len(rows) for rows in before.values()) == 7
    journal = open_journal(v1)
    journal.close()
    assert user_version(v1) == SCHEMA_VERSION
    assert all_rows(v1) == before
    # every value, including the kind SQLite stored it as
    for table in TABLES:
        for row in ROWS[table]:
            stored = dump(v1, f"SELECT * FROM {table} WHERE id = '{row['id']}'")[0]
            for column, value in row.items():
                assert stored[column] == value, (table, column)
                assert type(stored[column]) is type(value), (table, column)
    names = [r["name"] for r in dump(v1, "SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert names == ALL_MIGRATIONS


def test_upgrading_version_1_seeds_a_pending_change_for_every_row(v1):
    open_journal(v1).close()
    pending = dump(v1, "SELECT table_name, row_id, op FROM _khepri_pending_changes ORDER BY seq")
    expected = {(t, row["id"], "upsert") for t in TABLES for row in ROWS[t]}
    assert {(p["table_name"], p["row_id"], p["op"]) for p in pending} == expected
    assert len(pending) == len(expected)
    # parents before children, so a push in seq order never breaks a foreign key
    order = [p["table_name"] for p in pending]
    assert order.index("athletes") < min(order.index(t) for t in TABLES[1:])


def test_an_upgraded_file_works_like_a_new_one(v1):
    journal = open_journal(v1)
    try:
        conn = journal.conn
        conn.execute("DELETE FROM goals WHERE id = ?", (GOAL,))  # a plan targets it
        assert conn.execute("SELECT target_goal_id FROM training_plans").fetchone()[0] is None
        conn.execute("UPDATE athletes SET display_name = 'Ada L.'")
        updated = conn.execute("SELECT updated_at FROM athletes").fetchone()[0]
        assert updated > ROWS["athletes"][0]["updated_at"]
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE daily_checkins SET checkin_date = '2026-02-30'")
    finally:
        journal.close()
    ops = dump(v1, "SELECT table_name, row_id, op FROM _khepri_pending_changes")
    assert {"table_name": "goals", "row_id": GOAL, "op": "delete"} in ops
    assert {"table_name": "training_plans", "row_id": PLAN, "op": "upsert"} in ops


def test_version_2_keeps_its_pending_changes_when_upgraded(tmp_path):
    path = tmp_path / "v2.db"
    build_old_journal(path, stop_before="m003_pending_changes_inside_cascades")
    assert user_version(path) == 2
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DELETE FROM _khepri_pending_changes WHERE table_name != 'goals'")
    conn.close()
    pending = dump(path, "SELECT * FROM _khepri_pending_changes ORDER BY seq")
    open_journal(path).close()
    assert dump(path, "SELECT * FROM _khepri_pending_changes ORDER BY seq") == pending
    assert user_version(path) == SCHEMA_VERSION


def test_version_4_gets_the_activities_table_with_its_triggers(tmp_path):
    path = tmp_path / "v4.db"
    build_old_journal(path, stop_before="m005_activities")
    assert user_version(path) == 4
    before = all_rows(path)
    assert "activities" not in names_in_schema(path)
    journal = open_journal(path)
    try:
        conn = journal.conn
        conn.execute("DELETE FROM _khepri_pending_changes")
        conn.execute(
            "INSERT INTO activities (id, athlete_id, activity_date, sport, duration_minutes, rpe, "
            "created_at, updated_at) VALUES (?, ?, '2026-11-24', 'run', 45, 6, ?, ?)",
            (CHECKIN, ATHLETE, STAMP, STAMP),
        )
        with pytest.raises(sqlite3.IntegrityError, match="real calendar"):
            conn.execute("UPDATE activities SET activity_date = '2026-11-31'")
        conn.execute("UPDATE activities SET notes = 'hills'")
        stamps = conn.execute("SELECT created_at, updated_at FROM activities").fetchone()
        assert stamps[0] == STAMP and stamps[1] > STAMP  # the updated_at trigger
        pending = conn.execute("SELECT table_name, row_id, op FROM _khepri_pending_changes")
        assert [tuple(r) for r in pending] == [("activities", CHECKIN, "upsert")]
    finally:
        journal.close()
    assert user_version(path) == SCHEMA_VERSION >= 5
    assert all_rows(path) == before
    assert {"idx_activities_athlete_id", "idx_activities_athlete_date"} <= names_in_schema(path)


def fail_after(monkeypatch, name: str, error: BaseException) -> None:
    """Make migration ``name`` do its work and then fail, as a full disk would."""
    [entry] = [mig for mig in m.migrations._migrations if mig.name == name]
    original = entry.fn

    def broken(db):
        original(db)
        raise error

    monkeypatch.setattr(entry, "fn", broken)


@pytest.mark.parametrize(
    "error",
    [
        sqlite3.OperationalError("database or disk is full"),
        RuntimeError("boom"),
        KeyboardInterrupt(),
    ],
    ids=["disk full", "bug", "ctrl-c"],
)
def test_an_upgrade_that_fails_part_way_leaves_version_1_as_it_was(v1, monkeypatch, error):
    before_rows = all_rows(v1)
    before_names = names_in_schema(v1)
    fail_after(monkeypatch, ALL_MIGRATIONS[-1], error)
    with pytest.raises((StorageError, type(error))):
        open_journal(v1)
    assert user_version(v1) == 1
    assert all_rows(v1) == before_rows
    assert names_in_schema(v1) == before_names
    assert "_khepri_pending_changes" not in names_in_schema(v1)
    names = [r["name"] for r in dump(v1, "SELECT name FROM _sqlite_migrations")]
    assert names == ["m001_create_journal_tables"]
    monkeypatch.undo()
    open_journal(v1).close()  # and the next run upgrades it fully
    assert user_version(v1) == SCHEMA_VERSION
    assert all_rows(v1) == before_rows


def test_a_failed_upgrade_is_one_line_and_exit_1_through_the_cli(v1, khepri, monkeypatch):
    fail_after(
        monkeypatch, ALL_MIGRATIONS[-1], sqlite3.OperationalError("database or disk is full")
    )
    run = khepri("--db", str(v1), "profile")
    assert run.exit_code == 1
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1
    assert run.stderr.startswith("khepri: error: journal ")
    assert "could not be written" in run.stderr
    assert user_version(v1) == 1


def test_a_file_from_a_newer_khepri_is_refused(v1):
    conn = sqlite3.connect(v1)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = v1.read_bytes()
    with pytest.raises(StorageError, match="newer Khepri") as caught:
        open_journal(v1)
    assert f"schema version {SCHEMA_VERSION + 1}" in caught.value.message
    assert str(v1) in caught.value.message
    assert v1.read_bytes() == before


def test_the_cli_refuses_a_newer_file_in_one_line(v1, khepri):
    conn = sqlite3.connect(v1)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 7}")
    conn.close()
    run = khepri("--db", str(v1), "profile")
    assert run.exit_code == 1
    assert run.stderr.count("\n") == 1
    assert "newer Khepri" in run.stderr and "upgrade Khepri" in run.stderr
    assert user_version(v1) == SCHEMA_VERSION + 7


def test_two_commands_opening_an_old_file_at_once_upgrade_it_once(v1):
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def open_it():
        try:
            barrier.wait()
            open_journal(v1).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    names = [r["name"] for r in dump(v1, "SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert names == ALL_MIGRATIONS


def test_a_sqlite_file_that_is_not_a_journal_is_left_alone(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("INSERT INTO recipes VALUES ('pancakes')")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match="not a Khepri journal"):
        open_journal(path)
    assert names_in_schema(path) == {"recipes"}
    assert user_version(path) == 0


def test_an_empty_file_becomes_a_journal(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    open_journal(path).close()
    assert user_version(path) == SCHEMA_VERSION


CHECK_IMPORTS = (
    "import sys\n"
    "from khepri_cli.db.connection import open_journal\n"
    "open_journal(sys.argv[1]).close()\n"
    "print('sqlite_utils' in sys.modules)\n"
)


def imports_sqlite_utils(path: Path) -> bool:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", CHECK_IMPORTS, str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return {"True": True, "False": False}[done.stdout.strip()]


def test_opening_an_up_to_date_file_does_not_import_sqlite_utils(tmp_path, v1):
    current = tmp_path / "current.db"
    open_journal(current).close()
    assert imports_sqlite_utils(current) is False
    assert imports_sqlite_utils(v1) is True  # an old file does need the migrations
