"""The local mirror enforces schema.md on its own: raw SQL cannot store a row Postgres would refuse.

Every test here talks to a journal file with plain SQL, bypassing the models,
so each CHECK, NOT NULL, default, UNIQUE, foreign key and trigger is proven
by the database itself.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from khepri_cli.db.connection import Journal, open_journal

NOW = object()
"""Marks a column whose default is the current time in the journal's timestamp format."""

# Written from schema.md ("Tables" + "The local mirror"): UUID, DATE, TIME,
# TIMESTAMPTZ, TEXT[] and JSONB -> TEXT; DECIMAL -> REAL; BOOLEAN -> INTEGER.
# column -> (storage type, NOT NULL, default as PRAGMA table_info shows it)
TIMESTAMPS = {"created_at": ("TEXT", True, NOW), "updated_at": ("TEXT", True, NOW)}
CHILD = {"id": ("TEXT", True, None), "athlete_id": ("TEXT", True, None)}

EXPECTED: dict[str, dict[str, tuple[str, bool, object]]] = {
    "athletes": {
        "id": ("TEXT", True, None),
        # NOT NULL in Postgres, but locally NULL until linked to a Supabase user (schema.md note).
        "auth_user_id": ("TEXT", False, None),
        "display_name": ("TEXT", False, None),
        "date_of_birth": ("TEXT", False, None),
        "weight_kg": ("REAL", False, None),
        "height_cm": ("REAL", False, None),
        "ftp_watts": ("INTEGER", False, None),
        "running_threshold_pace_sec_per_km": ("INTEGER", False, None),
        "css_sec_per_100m": ("INTEGER", False, None),
        "resting_heart_rate": ("INTEGER", False, None),
        "max_heart_rate": ("INTEGER", False, None),
        "lthr": ("INTEGER", False, None),
        "preferred_units": ("TEXT", False, "'metric'"),
        "timezone": ("TEXT", False, "'UTC'"),
        "daily_checkin_time": ("TEXT", False, "'07:00:00'"),
        "intervals_icu_athlete_id": ("TEXT", False, None),
        "intervals_icu_connected": ("INTEGER", False, "0"),
        **TIMESTAMPS,
    },
    "goals": {
        **CHILD,
        "goal_type": ("TEXT", True, None),
        "title": ("TEXT", True, None),
        "description": ("TEXT", False, None),
        "target_date": ("TEXT", False, None),
        "priority": ("TEXT", False, "'B'"),
        "status": ("TEXT", False, "'active'"),
        "race_event_name": ("TEXT", False, None),
        "race_distance": ("TEXT", False, None),
        "race_location": ("TEXT", False, None),
        "race_target_time_seconds": ("INTEGER", False, None),
        "perf_metric": ("TEXT", False, None),
        "perf_current_value": ("REAL", False, None),
        "perf_target_value": ("REAL", False, None),
        "fitness_metric": ("TEXT", False, None),
        "fitness_target_value": ("REAL", False, None),
        "health_metric": ("TEXT", False, None),
        "health_current_value": ("REAL", False, None),
        "health_target_value": ("REAL", False, None),
        **TIMESTAMPS,
    },
    "constraints": {
        **CHILD,
        "constraint_type": ("TEXT", True, None),
        "title": ("TEXT", True, None),
        "description": ("TEXT", False, None),
        "start_date": ("TEXT", True, None),
        "end_date": ("TEXT", False, None),
        "status": ("TEXT", False, "'active'"),
        "injury_body_part": ("TEXT", False, None),
        "injury_severity": ("TEXT", False, None),
        "injury_restrictions": ("TEXT", False, None),
        "travel_destination": ("TEXT", False, None),
        "travel_equipment_available": ("TEXT", False, None),
        "travel_facilities_available": ("TEXT", False, None),
        "availability_hours_per_week": ("REAL", False, None),
        "availability_days_available": ("TEXT", False, None),
        **TIMESTAMPS,
    },
    "daily_checkins": {
        **CHILD,
        "checkin_date": ("TEXT", True, None),
        "sleep_quality": ("INTEGER", False, None),
        "sleep_hours": ("REAL", False, None),
        "energy_level": ("INTEGER", False, None),
        "stress_level": ("INTEGER", False, None),
        "overall_soreness": ("INTEGER", False, None),
        "soreness_areas": ("TEXT", False, None),
        "resting_hr": ("INTEGER", False, None),
        "hrv_ms": ("REAL", False, None),
        "weight_kg": ("REAL", False, None),
        "available_time_minutes": ("INTEGER", False, None),
        "equipment_access": ("TEXT", False, None),
        "travel_status": ("TEXT", False, None),
        "notes": ("TEXT", False, None),
        "ai_recommendation": ("TEXT", False, None),
        "ai_recommendation_generated_at": ("TEXT", False, None),
        "user_response": ("TEXT", False, None),
        "user_response_notes": ("TEXT", False, None),
        **TIMESTAMPS,
    },
    "training_plans": {
        **CHILD,
        "title": ("TEXT", True, None),
        "description": ("TEXT", False, None),
        "duration_weeks": ("INTEGER", True, None),
        "start_date": ("TEXT", True, None),
        "end_date": ("TEXT", True, None),
        "target_goal_id": ("TEXT", False, None),
        "status": ("TEXT", False, "'active'"),
        "phases": ("TEXT", True, "'[]'"),
        "weekly_template": ("TEXT", False, None),
        "adjustments_log": ("TEXT", True, "'[]'"),
        **TIMESTAMPS,
    },
    # Not in schema.md: Khepri's table of completed sessions (docs/load.md).
    "activities": {
        **CHILD,
        "activity_date": ("TEXT", True, None),
        "sport": ("TEXT", True, None),
        "duration_minutes": ("INTEGER", True, None),
        "rpe": ("INTEGER", True, None),
        "distance_km": ("REAL", False, None),
        "tss": ("REAL", False, None),
        "notes": ("TEXT", False, None),
        **TIMESTAMPS,
    },
}

TABLES = tuple(EXPECTED)
TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")

ATHLETE = "0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d"
OTHER_ATHLETE = "7d3c2b1a-0f9e-4d8c-8b7a-6e5d4c3b2a10"
GOAL = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
ROW_ID = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"

# The smallest valid row of each child table (athlete rows need only an id).
MINIMAL: dict[str, dict[str, object]] = {
    "athletes": {"id": OTHER_ATHLETE},
    "goals": {"id": ROW_ID, "athlete_id": ATHLETE, "goal_type": "race", "title": "Ironman"},
    "constraints": {
        "id": ROW_ID,
        "athlete_id": ATHLETE,
        "constraint_type": "injury",
        "title": "Sore knee",
        "start_date": "2026-11-20",
    },
    "daily_checkins": {"id": ROW_ID, "athlete_id": ATHLETE, "checkin_date": "2026-11-25"},
    "training_plans": {
        "id": ROW_ID,
        "athlete_id": ATHLETE,
        "title": "Base block",
        "duration_weeks": 12,
        "start_date": "2026-12-01",
        "end_date": "2027-02-22",
    },
    "activities": {
        "id": ROW_ID,
        "athlete_id": ATHLETE,
        "activity_date": "2026-11-24",
        "sport": "run",
        "duration_minutes": 45,
        "rpe": 6,
    },
}


def insert(conn: sqlite3.Connection, table: str, **values: object) -> None:
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(values.values()))


def insert_minimal(conn: sqlite3.Connection, table: str, **overrides: object) -> None:
    insert(conn, table, **{**MINIMAL[table], **overrides})


def count(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.fixture
def journal(tmp_path: Path):
    """A fresh journal (created and migrated by open_journal) holding one athlete."""
    opened = open_journal(tmp_path / "schema.db")
    insert(opened.conn, "athletes", id=ATHLETE)
    yield opened
    opened.close()


@pytest.fixture
def conn(journal: Journal) -> sqlite3.Connection:
    return journal.conn


# -- shape ------------------------------------------------------------------


@pytest.mark.parametrize("table", TABLES)
def test_columns_match_schema_md(conn, table):
    info = conn.execute(f"PRAGMA table_info({table})").fetchall()
    actual = {row["name"]: (row["type"], bool(row["notnull"]), row["dflt_value"]) for row in info}
    expected = EXPECTED[table]
    assert set(actual) == set(expected)
    for column, (kind, notnull, default) in expected.items():
        got_kind, got_notnull, got_default = actual[column]
        assert (got_kind, got_notnull) == (kind, notnull), column
        if default is NOW:
            assert got_default is not None, column
        else:
            assert got_default == default, column
    primary = [row["name"] for row in info if row["pk"]]
    assert primary == ["id"]


@pytest.mark.parametrize("table", TABLES)
def test_tables_are_strict(conn, table):
    row = conn.execute("SELECT strict FROM pragma_table_list WHERE name = ?", (table,)).fetchone()
    assert row is not None and row["strict"] == 1


def test_schema_md_indexes_exist(conn):
    indexed = {
        (
            row["tbl_name"],
            tuple(c["name"] for c in conn.execute(f"PRAGMA index_info({row['name']})")),
        )
        for row in conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'")
    }
    for wanted in [
        ("athletes", ("auth_user_id",)),
        ("goals", ("athlete_id",)),
        ("goals", ("status",)),
        ("goals", ("target_date",)),
        ("constraints", ("athlete_id",)),
        ("constraints", ("status",)),
        ("constraints", ("start_date", "end_date")),
        ("daily_checkins", ("athlete_id",)),
        ("daily_checkins", ("checkin_date",)),
        ("daily_checkins", ("athlete_id", "checkin_date")),
        ("training_plans", ("athlete_id",)),
        ("training_plans", ("status",)),
        ("training_plans", ("start_date", "end_date")),
        ("activities", ("athlete_id",)),
        ("activities", ("athlete_id", "activity_date")),
    ]:
        assert wanted in indexed


def test_open_journal_turns_on_foreign_keys_and_wal(journal):
    assert journal.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert journal.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopened_journal_still_has_foreign_keys_and_wal(tmp_path):
    open_journal(tmp_path / "again.db").close()
    again = open_journal(tmp_path / "again.db")
    try:
        assert again.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert again.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        again.close()


# -- values outside the rules are refused -------------------------------------

BAD_VALUES = [
    # daily_checkins: scores 1-10, hours 0-24, enums, JSON shapes, dates, timestamps
    ("daily_checkins", "sleep_quality", 0),
    ("daily_checkins", "sleep_quality", 11),
    ("daily_checkins", "sleep_quality", "seven"),
    ("daily_checkins", "sleep_quality", 7.5),
    ("daily_checkins", "sleep_hours", 24.5),
    ("daily_checkins", "sleep_hours", -0.5),
    ("daily_checkins", "energy_level", 0),
    ("daily_checkins", "energy_level", 11),
    ("daily_checkins", "stress_level", 0),
    ("daily_checkins", "stress_level", 11),
    ("daily_checkins", "overall_soreness", 0),
    ("daily_checkins", "overall_soreness", 11),
    ("daily_checkins", "resting_hr", 19),
    ("daily_checkins", "hrv_ms", 0),
    ("daily_checkins", "available_time_minutes", -1),
    ("daily_checkins", "available_time_minutes", 1441),
    ("daily_checkins", "travel_status", "abroad"),
    ("daily_checkins", "travel_status", "Home"),
    ("daily_checkins", "user_response", "ignored"),
    ("daily_checkins", "soreness_areas", "legs=7"),
    ("daily_checkins", "soreness_areas", '["legs"]'),
    ("daily_checkins", "equipment_access", "treadmill"),
    ("daily_checkins", "equipment_access", '{"treadmill": true}'),
    ("daily_checkins", "ai_recommendation", '["rest"]'),
    ("daily_checkins", "ai_recommendation", "{rest}"),
    ("daily_checkins", "checkin_date", "2026-02-30"),
    ("daily_checkins", "checkin_date", "25/11/2026"),
    ("daily_checkins", "checkin_date", "2026-2-3"),
    ("daily_checkins", "checkin_date", "2026-04-31"),
    ("daily_checkins", "checkin_date", "2027-02-29"),
    ("daily_checkins", "checkin_date", "2026-11-25T00:00:00"),
    ("daily_checkins", "checkin_date", None),
    ("daily_checkins", "ai_recommendation_generated_at", "2026-11-25T07:30:00Z"),
    ("daily_checkins", "ai_recommendation_generated_at", "2026-11-25 07:30:00"),
    ("daily_checkins", "ai_recommendation_generated_at", "2026-11-25T07:30:00.000000+01:00"),
    ("daily_checkins", "ai_recommendation_generated_at", "2026-02-30T07:30:00.000000Z"),
    ("daily_checkins", "ai_recommendation_generated_at", "2026-11-25T25:00:00.000000Z"),
    ("daily_checkins", "created_at", "2026-11-25T07:30:00+00:00"),
    ("daily_checkins", "created_at", "2026-13-01T07:30:00.000000Z"),
    ("daily_checkins", "updated_at", "2026-11-25T07:61:00.000000Z"),
    ("daily_checkins", "created_at", None),
    ("daily_checkins", "updated_at", "2026-11-25 07:30:00.000000"),
    # goals
    ("goals", "priority", "D"),
    ("goals", "priority", "a"),
    ("goals", "status", "done"),
    ("goals", "goal_type", "swim"),
    ("goals", "goal_type", None),
    ("goals", "title", ""),
    ("goals", "title", "   "),
    ("goals", "title", None),
    ("goals", "target_date", "2026-02-30"),
    ("goals", "target_date", "25/11/2026"),
    ("goals", "race_target_time_seconds", 0),
    ("goals", "id", "not-a-uuid"),
    ("goals", "id", "1A2B3C4D-5E6F-4A7B-8C9D-0E1F2A3B4C5D"),
    ("goals", "id", "1a2b3c4d5e6f4a7b8c9d0e1f2a3b4c5d"),
    ("goals", "id", "{1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d}"),
    ("goals", "id", None),
    ("goals", "athlete_id", None),
    # constraints
    ("constraints", "constraint_type", "illness"),
    ("constraints", "constraint_type", None),
    ("constraints", "status", "active "),
    ("constraints", "status", "completed"),
    ("constraints", "injury_severity", "critical"),
    ("constraints", "injury_restrictions", '{"running": false}'),
    ("constraints", "injury_restrictions", "running"),
    ("constraints", "travel_equipment_available", '"running_shoes"'),
    ("constraints", "travel_facilities_available", "[gym"),
    ("constraints", "availability_days_available", '{"monday": 1}'),
    ("constraints", "availability_hours_per_week", 168.5),
    ("constraints", "availability_hours_per_week", -1),
    ("constraints", "start_date", None),
    ("constraints", "start_date", "2026-11-31"),
    ("constraints", "end_date", "2026-11-19"),  # before start_date 2026-11-20
    ("constraints", "end_date", "2026-11-31"),
    ("constraints", "title", ""),
    # athletes
    ("athletes", "preferred_units", "stone"),
    ("athletes", "preferred_units", "Metric"),
    ("athletes", "timezone", ""),
    ("athletes", "daily_checkin_time", "7:00"),
    ("athletes", "daily_checkin_time", "07:00"),
    ("athletes", "daily_checkin_time", "25:00:00"),
    ("athletes", "daily_checkin_time", "07:00:00.5"),
    ("athletes", "daily_checkin_time", "7am"),
    ("athletes", "date_of_birth", "1990-13-01"),
    ("athletes", "date_of_birth", "12/04/1990"),
    ("athletes", "date_of_birth", "1990-02-29"),
    ("athletes", "intervals_icu_connected", 2),
    ("athletes", "intervals_icu_connected", "yes"),
    ("athletes", "auth_user_id", "7D3C2B1A-0F9E-4D8C-8B7A-6E5D4C3B2A10"),
    ("athletes", "auth_user_id", "user-1"),
    ("athletes", "id", "0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7"),
    ("athletes", "weight_kg", 0),
    ("athletes", "ftp_watts", 0),
    ("athletes", "running_threshold_pace_sec_per_km", 59),
    ("athletes", "css_sec_per_100m", 601),
    ("athletes", "max_heart_rate", 251),
    ("athletes", "created_at", "2026-11-25T07:30:00Z"),
    # training_plans
    ("training_plans", "duration_weeks", 3),
    ("training_plans", "duration_weeks", 53),
    ("training_plans", "duration_weeks", None),
    ("training_plans", "status", "done"),
    ("training_plans", "phases", "{}"),
    ("training_plans", "phases", "not json"),
    ("training_plans", "phases", None),
    ("training_plans", "adjustments_log", '{"week": 1}'),
    ("training_plans", "adjustments_log", None),
    ("training_plans", "weekly_template", "mon: swim"),
    ("training_plans", "start_date", "2026-12-32"),
    ("training_plans", "end_date", "2027-02-30"),
    ("training_plans", "end_date", "2026-11-30"),  # before start_date 2026-12-01
    ("training_plans", "target_goal_id", "goal-1"),
    ("training_plans", "title", " "),
    # activities
    ("activities", "activity_date", None),
    ("activities", "activity_date", "2026-02-30"),
    ("activities", "activity_date", "24/11/2026"),
    ("activities", "sport", "ski"),
    ("activities", "sport", "Run"),
    ("activities", "sport", None),
    ("activities", "duration_minutes", 0),
    ("activities", "duration_minutes", 1441),
    ("activities", "duration_minutes", 45.5),
    ("activities", "duration_minutes", None),
    ("activities", "rpe", 0),
    ("activities", "rpe", 11),
    ("activities", "rpe", None),
    ("activities", "distance_km", 0),
    ("activities", "distance_km", -1.5),
    ("activities", "distance_km", 100000),
    ("activities", "tss", -0.1),
    ("activities", "tss", 2000.1),
    ("activities", "athlete_id", None),
    ("activities", "created_at", "2026-11-25T07:30:00Z"),
]


@pytest.mark.parametrize(
    ("table", "column", "value"),
    BAD_VALUES,
    ids=[f"{t}.{c}={v!r}" for t, c, v in BAD_VALUES],
)
def test_out_of_contract_values_are_refused(conn, table, column, value):
    before = count(conn, table)
    with pytest.raises(sqlite3.IntegrityError):
        insert_minimal(conn, table, **{column: value})
    assert count(conn, table) == before


GOOD_EDGES = [
    ("daily_checkins", "sleep_quality", 1),
    ("daily_checkins", "sleep_quality", 10),
    ("daily_checkins", "sleep_hours", 0),
    ("daily_checkins", "sleep_hours", 24),
    ("daily_checkins", "sleep_quality", "7"),  # STRICT still converts lossless text
    ("daily_checkins", "soreness_areas", '{"legs": 7, "back": 3}'),
    ("daily_checkins", "equipment_access", '["treadmill", "pool"]'),
    ("daily_checkins", "ai_recommendation_generated_at", "2026-11-25T07:30:00.000000Z"),
    ("daily_checkins", "ai_recommendation_generated_at", "2026-11-25T07:30:59.999999Z"),
    ("daily_checkins", "created_at", "2000-01-01T00:00:00.999500Z"),
    ("daily_checkins", "updated_at", "9999-12-31T23:59:59.999999Z"),
    ("goals", "target_date", "9999-12-31"),
    ("goals", "target_date", "0001-01-01"),
    ("daily_checkins", "user_response", "alternative"),
    ("goals", "priority", "C"),
    ("goals", "status", "cancelled"),
    ("goals", "target_date", "2028-02-29"),
    ("constraints", "end_date", "2026-11-20"),  # same day as start
    ("constraints", "end_date", None),  # ongoing
    ("constraints", "availability_hours_per_week", 168),
    ("athletes", "daily_checkin_time", "23:59:59"),
    ("athletes", "auth_user_id", "7d3c2b1a-0f9e-4d8c-8b7a-6e5d4c3b2a10"),
    ("training_plans", "duration_weeks", 4),
    ("training_plans", "duration_weeks", 52),
    ("training_plans", "status", "draft"),
    ("training_plans", "weekly_template", '"easy week"'),
    ("training_plans", "phases", '[{"name": "base", "start_week": 1, "end_week": 4}]'),
    ("activities", "duration_minutes", 1),
    ("activities", "duration_minutes", 1440),
    ("activities", "rpe", 1),
    ("activities", "rpe", 10),
    ("activities", "sport", "strength"),
    ("activities", "sport", "other"),
    ("activities", "distance_km", 0.001),
    ("activities", "distance_km", 99999.999),
    ("activities", "tss", 0),
    ("activities", "tss", 2000),
    ("activities", "activity_date", "2028-02-29"),
]


@pytest.mark.parametrize(
    ("table", "column", "value"),
    GOOD_EDGES,
    ids=[f"{t}.{c}={v!r}" for t, c, v in GOOD_EDGES],
)
def test_values_at_the_edges_of_the_rules_are_accepted(conn, table, column, value):
    insert_minimal(conn, table, **{column: value})
    stored = conn.execute(
        f"SELECT {column} FROM {table} WHERE id = ?", (MINIMAL[table]["id"],)
    ).fetchone()[0]
    assert stored == (int(value) if value == "7" else value)


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("athletes", "date_of_birth", "1990-02-30"),
        ("goals", "target_date", "2026-09-31"),
        ("daily_checkins", "checkin_date", "2026-06-31"),
        ("training_plans", "end_date", "2027-02-29"),
        ("activities", "activity_date", "2026-11-31"),
        ("constraints", "updated_at", "2026-11-25T24:30:00.000000Z"),
    ],
)
def test_an_update_to_a_day_that_does_not_exist_is_refused(conn, table, column, value):
    insert_minimal(conn, table)
    row_id = MINIMAL[table]["id"]
    before = dict(conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone())
    with pytest.raises(sqlite3.IntegrityError, match="real calendar"):
        conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (value, row_id))
    after = dict(conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone())
    assert after == before


# -- defaults -----------------------------------------------------------------


def test_defaults_fill_in_what_the_schema_says(conn):
    for table in ("goals", "training_plans"):
        insert_minimal(conn, table)
    insert_minimal(conn, "constraints", id=GOAL)
    athlete = conn.execute("SELECT * FROM athletes WHERE id = ?", (ATHLETE,)).fetchone()
    assert athlete["preferred_units"] == "metric"
    assert athlete["timezone"] == "UTC"
    assert athlete["daily_checkin_time"] == "07:00:00"
    assert athlete["intervals_icu_connected"] == 0
    assert athlete["auth_user_id"] is None
    goal = conn.execute("SELECT * FROM goals").fetchone()
    assert (goal["priority"], goal["status"]) == ("B", "active")
    constraint = conn.execute("SELECT * FROM constraints").fetchone()
    assert constraint["status"] == "active"
    plan = conn.execute("SELECT * FROM training_plans").fetchone()
    assert (plan["status"], plan["phases"], plan["adjustments_log"]) == ("active", "[]", "[]")
    for row in (athlete, goal, constraint, plan):
        assert TIMESTAMP_RE.match(row["created_at"]), row["created_at"]
        assert row["updated_at"] == row["created_at"]


# -- UNIQUE -------------------------------------------------------------------


def test_one_checkin_per_athlete_per_day(conn):
    insert_minimal(conn, "daily_checkins")
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        insert_minimal(conn, "daily_checkins", id=GOAL)
    insert_minimal(conn, "daily_checkins", id=GOAL, checkin_date="2026-11-26")
    insert(conn, "athletes", id=OTHER_ATHLETE)
    insert_minimal(conn, "daily_checkins", id=OTHER_ATHLETE, athlete_id=OTHER_ATHLETE)
    assert count(conn, "daily_checkins") == 3


def test_auth_user_id_is_unique_but_may_be_missing_on_many(conn):
    user = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"
    conn.execute("UPDATE athletes SET auth_user_id = ? WHERE id = ?", (user, ATHLETE))
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        insert(conn, "athletes", id=OTHER_ATHLETE, auth_user_id=user)
    insert(conn, "athletes", id=OTHER_ATHLETE)
    insert(conn, "athletes", id=GOAL)
    assert count(conn, "athletes") == 3


def test_the_same_id_cannot_be_stored_twice(conn):
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        insert(conn, "athletes", id=ATHLETE)


# -- foreign keys -------------------------------------------------------------

CHILD_TABLES = ("goals", "constraints", "daily_checkins", "training_plans", "activities")


@pytest.mark.parametrize("table", CHILD_TABLES)
def test_child_of_an_unknown_athlete_is_refused(conn, table):
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        insert_minimal(conn, table, athlete_id=OTHER_ATHLETE)
    assert count(conn, table) == 0


def test_plan_for_an_unknown_goal_is_refused(conn):
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        insert_minimal(conn, "training_plans", target_goal_id=GOAL)


def test_deleting_an_athlete_deletes_everything_of_theirs(conn):
    insert(conn, "athletes", id=OTHER_ATHLETE)
    insert_minimal(conn, "goals", id=GOAL)
    insert_minimal(conn, "constraints")
    insert_minimal(conn, "daily_checkins")
    insert_minimal(conn, "training_plans", target_goal_id=GOAL)
    insert_minimal(conn, "activities")
    kept = "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"
    insert_minimal(conn, "goals", id=kept, athlete_id=OTHER_ATHLETE)
    conn.execute("DELETE FROM athletes WHERE id = ?", (ATHLETE,))
    for table in CHILD_TABLES:
        assert (
            conn.execute(
                f"SELECT count(*) FROM {table} WHERE athlete_id = ?", (ATHLETE,)
            ).fetchone()[0]
            == 0
        )
    assert [r["id"] for r in conn.execute("SELECT id FROM goals")] == [kept]


def test_deleting_a_goal_unlinks_its_plans(conn):
    insert_minimal(conn, "goals", id=GOAL)
    insert_minimal(conn, "training_plans", target_goal_id=GOAL)
    conn.execute("DELETE FROM goals WHERE id = ?", (GOAL,))
    plan = conn.execute("SELECT * FROM training_plans").fetchone()
    assert plan["id"] == ROW_ID and plan["target_goal_id"] is None


def test_changing_an_athlete_id_follows_into_every_table(conn):
    insert_minimal(conn, "goals", id=GOAL)
    insert_minimal(conn, "constraints")
    insert_minimal(conn, "daily_checkins")
    insert_minimal(conn, "training_plans")
    insert_minimal(conn, "activities")
    conn.execute("UPDATE athletes SET id = ? WHERE id = ?", (OTHER_ATHLETE, ATHLETE))
    for table in CHILD_TABLES:
        ids = [r[0] for r in conn.execute(f"SELECT athlete_id FROM {table}")]
        assert ids == [OTHER_ATHLETE], table


# -- triggers -----------------------------------------------------------------

OLD_STAMP = "2020-01-02T03:04:05.000000Z"
NOTES_COLUMN = {"athletes": "display_name", "daily_checkins": "notes", "activities": "notes"}
"""A free-text column of each table, to change a row without breaking a rule."""


@pytest.mark.parametrize("table", TABLES)
def test_a_raw_update_moves_updated_at(conn, table):
    row_id = MINIMAL[table]["id"]
    insert_minimal(conn, table, created_at=OLD_STAMP, updated_at=OLD_STAMP)
    column = NOTES_COLUMN.get(table, "description")
    conn.execute(f"UPDATE {table} SET {column} = 'changed' WHERE id = ?", (row_id,))
    row = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
    assert row["created_at"] == OLD_STAMP
    assert row["updated_at"] > OLD_STAMP
    assert TIMESTAMP_RE.match(row["updated_at"])


def test_an_explicit_updated_at_is_kept(conn):
    stamp = "2026-11-25T07:30:00.000000Z"
    conn.execute("UPDATE athletes SET display_name = 'Ada', updated_at = ?", (stamp,))
    assert conn.execute("SELECT updated_at FROM athletes").fetchone()[0] == stamp


def test_updates_right_after_an_insert_never_recurse(tmp_path):
    """Insert and update in the same millisecond, on the connection that created the file.

    The updated_at trigger updates its own table; if recursive triggers were
    on, an UPDATE landing in the row's creation millisecond would loop until
    SQLite gives up with "too many levels of trigger recursion".
    """
    fresh = open_journal(tmp_path / "fresh.db")
    try:
        assert fresh.conn.execute("PRAGMA recursive_triggers").fetchone()[0] == 0
        for n in range(300):
            row_id = f"{n:08x}-0000-4000-8000-000000000000"
            insert(fresh.conn, "athletes", id=row_id)
            fresh.conn.execute("UPDATE athletes SET display_name = 'x' WHERE id = ?", (row_id,))
    finally:
        fresh.close()


def pending(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return [
        (r["table_name"], r["row_id"], r["op"])
        for r in conn.execute("SELECT * FROM _khepri_pending_changes ORDER BY seq")
    ]


def seq_of(conn: sqlite3.Connection, table: str, row_id: object) -> int:
    return conn.execute(
        "SELECT seq FROM _khepri_pending_changes WHERE table_name = ? AND row_id = ?",
        (table, row_id),
    ).fetchone()[0]


@pytest.mark.parametrize("table", CHILD_TABLES)
def test_pending_changes_record_insert_update_delete_once_per_row(conn, table):
    conn.execute("DELETE FROM _khepri_pending_changes")
    insert_minimal(conn, table)
    assert pending(conn) == [(table, ROW_ID, "upsert")]
    first = seq_of(conn, table, ROW_ID)
    column = NOTES_COLUMN.get(table, "description")
    conn.execute(f"UPDATE {table} SET {column} = 'more' WHERE id = ?", (ROW_ID,))
    assert pending(conn) == [(table, ROW_ID, "upsert")]
    assert seq_of(conn, table, ROW_ID) > first
    conn.execute(f"DELETE FROM {table} WHERE id = ?", (ROW_ID,))
    assert pending(conn) == [(table, ROW_ID, "delete")]
    insert_minimal(conn, table)  # the same id again: latest op wins
    assert pending(conn) == [(table, ROW_ID, "upsert")]


def test_pending_changes_follow_cascades_and_id_changes(conn):
    insert_minimal(conn, "goals", id=GOAL)
    insert_minimal(conn, "daily_checkins")
    conn.execute("DELETE FROM _khepri_pending_changes")
    conn.execute("UPDATE athletes SET id = ? WHERE id = ?", (OTHER_ATHLETE, ATHLETE))
    assert set(pending(conn)) == {
        ("athletes", OTHER_ATHLETE, "upsert"),
        ("athletes", ATHLETE, "delete"),
        ("goals", GOAL, "upsert"),
        ("daily_checkins", ROW_ID, "upsert"),
    }
    conn.execute("DELETE FROM athletes WHERE id = ?", (OTHER_ATHLETE,))
    assert set(pending(conn)) == {
        ("athletes", OTHER_ATHLETE, "delete"),
        ("athletes", ATHLETE, "delete"),
        ("goals", GOAL, "delete"),
        ("daily_checkins", ROW_ID, "delete"),
    }


def test_a_refused_write_leaves_no_pending_change(conn):
    conn.execute("DELETE FROM _khepri_pending_changes")
    with pytest.raises(sqlite3.IntegrityError):
        insert_minimal(conn, "goals", priority="D")
    assert pending(conn) == []


def test_pending_change_ops_are_checked(conn):
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO _khepri_pending_changes (table_name, row_id, op) VALUES ('goals', ?, 'merge')",
            (GOAL,),
        )
