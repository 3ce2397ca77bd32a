"""The declared rules: the gate in front of SQL, and the conversions to storage and JSON."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import date

import pytest

from khepri_cli.db import store
from khepri_cli.db.connection import open_journal
from khepri_cli.domain.rows import changed_row, new_row, whole_row
from khepri_cli.errors import USAGE, InvalidInput
from khepri_cli.schema import Row, Table
from khepri_cli.schema.tables import ATHLETES, CONSTRAINTS, DAILY_CHECKINS, GOALS, TRAINING_PLANS

NOW = "2026-11-25T07:30:00.000000Z"  # KHEPRI_NOW of the test fixtures
ATHLETE = "0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d"
GOAL = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"

# One full row's worth of user data per table (everything but id and timestamps).
DATA: dict[Table, dict] = {
    ATHLETES: {
        "auth_user_id": "5E6F7A8B-9C0D-4E1F-A2B3-C4D5E6F7A8B9",
        "display_name": "Ada",
        "date_of_birth": "1990-04-12",
        "weight_kg": 61.555,
        "height_cm": 168.5,
        "ftp_watts": 250,
        "running_threshold_pace_sec_per_km": 270,
        "css_sec_per_100m": 95,
        "resting_heart_rate": 48,
        "max_heart_rate": 190,
        "lthr": 172,
        "preferred_units": "imperial",
        "timezone": "Europe/London",
        "daily_checkin_time": "06:30",
        "intervals_icu_athlete_id": "i123",
        "intervals_icu_connected": 1,
    },
    GOALS: {
        "athlete_id": ATHLETE,
        "goal_type": "race",
        "title": "  Ironman 70.3  ",
        "description": "first half",
        "target_date": date(2027, 5, 8),
        "priority": "A",
        "race_event_name": "70.3 Mallorca",
        "race_distance": "70.3",
        "race_location": "Alcúdia",
        "race_target_time_seconds": 20700,
        "perf_current_value": 250.004,
        "health_current_value": -3.125,
    },
    CONSTRAINTS: {
        "athlete_id": ATHLETE,
        "constraint_type": "injury",
        "title": "Left knee",
        "start_date": "2026-11-18",
        "injury_body_part": "left_knee",
        "injury_severity": "moderate",
        "injury_restrictions": ["running", "jumping"],
        "travel_equipment_available": ["running_shoes"],
        "availability_hours_per_week": 7.45,
        "availability_days_available": ["monday"],
    },
    DAILY_CHECKINS: {
        "athlete_id": ATHLETE,
        "checkin_date": "2026-11-25",
        "sleep_quality": 7,
        "sleep_hours": 7.25,
        "energy_level": 6,
        "stress_level": 3,
        "overall_soreness": 4,
        "soreness_areas": {"legs": 7, "back": 3},
        "resting_hr": 52,
        "hrv_ms": 61.45,
        "weight_kg": 61.2,
        "available_time_minutes": 90,
        "equipment_access": ["bike_trainer", "pool"],
        "travel_status": "home",
        "notes": "ünïcode ✓",
        "ai_recommendation": {"session": "easy spin", "minutes": 60},
        "ai_recommendation_generated_at": "2026-11-25T07:30:00+01:00",
        "user_response": "modified",
    },
    TRAINING_PLANS: {
        "athlete_id": ATHLETE,
        "title": "Build",
        "duration_weeks": 24,
        "start_date": "2026-11-23",
        "end_date": "2027-05-09",
        "target_goal_id": GOAL,
        "status": "draft",
        "phases": [{"name": "base", "start_week": 1, "end_week": 8}],
        "weekly_template": {"mon": "rest"},
    },
}
MODELS = list(DATA)


def create(table: Table, data: dict) -> Row:
    """A new row of ``table`` from ``data``, checked by the declared rules."""
    return Row(table, new_row(table, data))


def names(table: Table) -> str:
    return table.name


@pytest.fixture
def journal(tmp_path):
    """A journal whose athlete and goal the child rows can point at."""
    opened = open_journal(tmp_path / "models.db")
    opened.conn.execute("INSERT INTO athletes (id) VALUES (?)", (ATHLETE,))
    opened.conn.execute(
        "INSERT INTO goals (id, athlete_id, goal_type, title) VALUES (?, ?, 'race', 'g')",
        (GOAL, ATHLETE),
    )
    yield opened
    opened.close()


def write(conn: sqlite3.Connection, record: Row) -> None:
    row = store.encode(record.table, record)
    conn.execute(
        f"INSERT INTO {record.table.name} ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
        tuple(row.values()),
    )


# -- create, columns, storage -----------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=names)
def test_create_gives_a_fresh_id_and_the_pinned_now(model):
    first, second = create(model, DATA[model]), create(model, DATA[model])
    assert uuid.UUID(first.id).version == 4 and first.id == first.id.lower()
    assert first.id != second.id
    assert first.created_at == first.updated_at == NOW


@pytest.mark.parametrize("model", MODELS, ids=names)
def test_columns_are_the_tables_columns_in_order(model, journal):
    table = [r["name"] for r in journal.conn.execute(f"PRAGMA table_info({model.name})")]
    assert list(model.column_names) == table
    assert set(store.encode(model, create(model, DATA[model]))) == set(table)


@pytest.mark.parametrize("model", MODELS, ids=names)
def test_a_created_row_is_accepted_by_the_database_and_read_back_equal(model, journal):
    record = create(model, DATA[model])
    write(journal.conn, record)
    row = journal.conn.execute(f"SELECT * FROM {model.name} WHERE id = ?", (record.id,)).fetchone()
    assert dict(row) == store.encode(model, record)
    assert store.decode(model, row) == record


@pytest.mark.parametrize("model", MODELS, ids=names)
def test_to_json_is_plain_json_in_column_order(model):
    record = create(model, DATA[model])
    data = record.to_json()
    assert list(data) == list(model.column_names)
    assert json.loads(json.dumps(data)) == data
    assert whole_row(model, data) == record  # what --json prints reads back as the row


def test_storage_forms_of_each_kind_of_column():
    row = store.encode(ATHLETES, create(ATHLETES, DATA[ATHLETES]))
    assert row["date_of_birth"] == "1990-04-12"
    assert row["daily_checkin_time"] == "06:30:00"
    assert row["intervals_icu_connected"] == 1
    assert row["auth_user_id"] == "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"  # canonical lowercase
    checkin = store.encode(DAILY_CHECKINS, create(DAILY_CHECKINS, DATA[DAILY_CHECKINS]))
    assert checkin["soreness_areas"] == '{"back": 3, "legs": 7}'  # JSON text, sorted keys
    assert checkin["equipment_access"] == '["bike_trainer", "pool"]'
    assert checkin["notes"] == "ünïcode ✓"
    plan = store.encode(TRAINING_PLANS, create(TRAINING_PLANS, DATA[TRAINING_PLANS]))
    assert json.loads(plan["phases"]) == DATA[TRAINING_PLANS]["phases"]
    assert plan["adjustments_log"] == "[]"
    constraint = store.encode(CONSTRAINTS, create(CONSTRAINTS, DATA[CONSTRAINTS]))
    assert constraint["travel_equipment_available"] == '["running_shoes"]'  # JSON text
    assert constraint["end_date"] is None


def test_json_forms_of_each_kind_of_column():
    athlete = create(ATHLETES, DATA[ATHLETES]).to_json()
    assert athlete["intervals_icu_connected"] is True
    assert athlete["daily_checkin_time"] == "06:30:00"
    assert athlete["date_of_birth"] == "1990-04-12"
    checkin = create(DAILY_CHECKINS, DATA[DAILY_CHECKINS]).to_json()
    assert checkin["soreness_areas"] == {"legs": 7, "back": 3}
    assert checkin["equipment_access"] == ["bike_trainer", "pool"]


def test_defaults_match_the_schema():
    athlete = create(ATHLETES, {})
    assert athlete.preferred_units == "metric" and athlete.timezone == "UTC"
    assert athlete.daily_checkin_time == "07:00:00" and athlete.intervals_icu_connected is False
    goal = create(GOALS, {"athlete_id": ATHLETE, "goal_type": "fitness", "title": "Consistency"})
    assert (goal.priority, goal.status) == ("B", "active")
    plan = create(
        TRAINING_PLANS,
        {
            "athlete_id": ATHLETE,
            "title": "p",
            "duration_weeks": 4,
            "start_date": "2026-12-01",
            "end_date": "2026-12-28",
        },
    )
    assert (plan.status, plan.phases, plan.adjustments_log) == ("active", [], [])


def test_titles_are_trimmed():
    assert create(GOALS, DATA[GOALS]).title == "Ironman 70.3"


# -- decimals and timestamps --------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "column", "given", "stored"),
    [
        (DAILY_CHECKINS, "sleep_hours", 7.25, 7.3),  # DECIMAL(3,1): half away from zero
        (DAILY_CHECKINS, "sleep_hours", 7.35, 7.4),
        (DAILY_CHECKINS, "sleep_hours", 7.249, 7.2),
        (DAILY_CHECKINS, "sleep_hours", 0.05, 0.1),
        (DAILY_CHECKINS, "hrv_ms", 61.45, 61.5),
        (DAILY_CHECKINS, "weight_kg", 61.555, 61.56),  # DECIMAL(5,2)
        (ATHLETES, "weight_kg", 2.675 * 30, 80.25),
        (ATHLETES, "height_cm", 168.005, 168.01),
        (CONSTRAINTS, "availability_hours_per_week", 7.45, 7.5),
        (GOALS, "perf_target_value", 2.675, 2.68),
        (GOALS, "health_current_value", -3.125, -3.13),  # away from zero, not up
        (GOALS, "health_target_value", -0.005, -0.01),
        (GOALS, "fitness_target_value", 12, 12.0),
    ],
)
def test_decimals_round_as_postgres_does(model, column, given, stored):
    data = {**DATA[model], column: given}
    assert create(model, data)[column] == stored


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2026-11-25T07:30:00+01:00", "2026-11-25T06:30:00.000000Z"),
        ("2026-11-25T07:30:00Z", "2026-11-25T07:30:00.000000Z"),
        ("2026-11-25T07:30:00.5+00:00", "2026-11-25T07:30:00.500000Z"),
        ("2026-11-25 23:30:00-05:00", "2026-11-26T04:30:00.000000Z"),
        ("2026-11-25T07:30:00.123456Z", "2026-11-25T07:30:00.123456Z"),
    ],
)
def test_timestamps_are_stored_in_one_utc_format(given, stored):
    data = {**DATA[DAILY_CHECKINS], "ai_recommendation_generated_at": given}
    assert create(DAILY_CHECKINS, data).ai_recommendation_generated_at == stored
    created = Row(
        DAILY_CHECKINS,
        whole_row(
            DAILY_CHECKINS, {**data, "id": ATHLETE, "created_at": given, "updated_at": given}
        ),
    )
    assert created.created_at == created.updated_at == stored


@pytest.mark.parametrize(
    "given", ["2026-11-25T07:30:00", "2026-11-25", "yesterday", "2026-02-30T07:30:00Z", ""]
)
def test_timestamps_need_a_real_moment_and_a_zone(given):
    data = {**DATA[DAILY_CHECKINS], "ai_recommendation_generated_at": given}
    with pytest.raises(InvalidInput) as caught:
        create(DAILY_CHECKINS, data)
    assert caught.value.message == (
        f"ai_recommendation_generated_at: {given!r} is not valid; "
        "must be an ISO 8601 timestamp with a time zone"
    )


@pytest.mark.parametrize(
    "given",
    [
        "0B5F2C1E-8D4A-4C1E-9A51-3F1F6F0C2A7D",
        "{0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d}",
        "0b5f2c1e8d4a4c1e9a513f1f6f0c2a7d",
        "urn:uuid:0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d",
    ],
)
def test_uuids_are_stored_in_canonical_form(given):
    assert create(GOALS, {**DATA[GOALS], "athlete_id": given}).athlete_id == ATHLETE


# -- changed rows ----------------------------------------------------------------------------


def test_changes_apply_and_keep_the_rest():
    checkin = create(DAILY_CHECKINS, DATA[DAILY_CHECKINS])
    changed = changed_row(checkin, {"energy_level": 8, "sleep_hours": 6.05})
    assert (changed["energy_level"], changed["sleep_hours"]) == (8, 6.1)
    assert changed["id"] == checkin.id and changed["created_at"] == checkin.created_at
    assert changed["updated_at"] > checkin.updated_at  # always moves forward
    assert changed["soreness_areas"] == checkin.soreness_areas
    assert checkin.energy_level == 6  # the original is untouched


def test_changes_are_checked_with_the_whole_row_and_name_the_column():
    constraint = create(CONSTRAINTS, DATA[CONSTRAINTS])
    with pytest.raises(InvalidInput) as caught:
        changed_row(constraint, {"end_date": "2026-11-01"})
    assert caught.value.message == (
        "end_date: '2026-11-01' is not valid; must be on or after the start date 2026-11-18"
    )
    assert caught.value.column == "end_date"
    with pytest.raises(InvalidInput) as caught:
        changed_row(constraint, {"start_date": "2026-12-01", "end_date": "2026-11-30"})
    assert caught.value.column == "end_date"  # the end is blamed when both changed
    ended = Row(CONSTRAINTS, changed_row(constraint, {"end_date": "2026-11-30"}))
    with pytest.raises(InvalidInput) as caught:
        changed_row(ended, {"start_date": "2026-12-05"})
    assert caught.value.message == (
        "start_date: '2026-12-05' is not valid; must be on or before the end date 2026-11-30"
    )
    with pytest.raises(
        InvalidInput, match=r"^duration_weeks: 60 is not valid; must be between 4 and 52$"
    ):
        changed_row(create(TRAINING_PLANS, DATA[TRAINING_PLANS]), {"duration_weeks": 60})


def test_the_journal_keeps_ids_and_timestamps():
    goal = create(GOALS, DATA[GOALS])
    for column in ("id", "created_at", "updated_at"):
        with pytest.raises(InvalidInput, match="is kept by the journal"):
            changed_row(goal, {column: goal[column]})


# -- messages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"energy_level": 11}, "energy_level: 11 is not valid; must be between 1 and 10"),
        ({"energy_level": 0}, "energy_level: 0 is not valid; must be between 1 and 10"),
        (
            {"energy_level": "seven"},
            "energy_level: 'seven' is not valid; must be a whole number, not text",
        ),
        (
            {"sleep_quality": 7.5},
            "sleep_quality: 7.5 is not valid; must be a whole number between 1 and 10",
        ),
        ({"sleep_hours": 24.5}, "sleep_hours: 24.5 is not valid; must be between 0 and 24"),
        (
            {"checkin_date": "2026-02-30"},
            "checkin_date: '2026-02-30' is not valid; must be a real calendar date in the form YYYY-MM-DD",
        ),
        (
            {"soreness_areas": {"legs": 11}},
            'soreness_areas: {"legs": 11} is not valid;'
            " soreness of 'legs' must be a whole number from 1 to 10",
        ),
        (
            {"travel_status": "abroad"},
            "travel_status: 'abroad' is not valid; must be 'home', 'traveling' or 'returning'",
        ),
        ({"stress_level": 12}, "stress_level: 12 is not valid; must be between 1 and 10"),
        ({"bogus": 1}, "bogus: 1 is not valid; is not a column of daily_checkins"),
        (
            {"athlete_id": "nope"},
            "athlete_id: 'nope' is not valid; must be a UUID, e.g. 0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d",
        ),
    ],
)
def test_messages_name_the_column_and_what_is_allowed(changes, message):
    with pytest.raises(InvalidInput) as caught:
        changed_row(create(DAILY_CHECKINS, DATA[DAILY_CHECKINS]), changes)
    error = caught.value
    assert error.message == message
    assert error.exit_code == USAGE
    assert error.field == error.column == next(iter(changes))


@pytest.mark.parametrize(
    ("model", "changes", "message"),
    [
        (GOALS, {"priority": "D"}, "priority: 'D' is not valid; must be 'A', 'B' or 'C'"),
        (
            GOALS,
            {"goal_type": "swim"},
            "goal_type: 'swim' is not valid; must be 'race', 'performance', 'fitness' or 'health'",
        ),
        (GOALS, {"title": "   "}, "title: '   ' is not valid; must not be empty"),
        (
            GOALS,
            {"status": "done"},
            "status: 'done' is not valid; must be 'active', 'completed' or 'cancelled'",
        ),
        (
            CONSTRAINTS,
            {"injury_severity": "critical"},
            "injury_severity: 'critical' is not valid; must be 'mild', 'moderate' or 'severe'",
        ),
        (
            CONSTRAINTS,
            {"injury_restrictions": [1, 2]},
            "injury_restrictions: [1, 2] is not valid; must be a list of text values",
        ),
        (
            TRAINING_PLANS,
            {"duration_weeks": 3},
            "duration_weeks: 3 is not valid; must be between 4 and 52",
        ),
        (
            ATHLETES,
            {"timezone": "Mars/Olympus"},
            "timezone: 'Mars/Olympus' is not valid; must be an IANA time zone name, e.g. Europe/London or UTC",
        ),
        (
            ATHLETES,
            {"intervals_icu_connected": 2},
            "intervals_icu_connected: 2 is not valid; must be true or false",
        ),
        (
            ATHLETES,
            {"preferred_units": "stone"},
            "preferred_units: 'stone' is not valid; must be 'metric' or 'imperial'",
        ),
        (
            ATHLETES,
            {"ftp_watts": 3000},
            "ftp_watts: 3000 is not valid; must be between 1 and 2500 watts",
        ),
        (
            GOALS,
            {"race_target_time_seconds": 2**31},
            "race_target_time_seconds: 2147483648 is not valid; must be a whole number up to 2147483647",
        ),
    ],
)
def test_messages_of_each_table(model, changes, message):
    with pytest.raises(InvalidInput) as caught:
        create(model, {**DATA[model], **changes})
    assert caught.value.message == message


def test_a_missing_required_value_says_so_without_dumping_the_row():
    data = {k: v for k, v in DATA[GOALS].items() if k != "title"}
    with pytest.raises(InvalidInput) as caught:
        create(GOALS, data)
    assert caught.value.message == "title is required"
    assert caught.value.field == caught.value.column == "title"


def test_bad_data_never_reaches_the_database(journal):
    before = journal.conn.execute("SELECT count(*) FROM daily_checkins").fetchone()[0]
    with pytest.raises(InvalidInput):
        store.insert(journal.conn, DAILY_CHECKINS, {**DATA[DAILY_CHECKINS], "energy_level": 11})
    assert journal.conn.execute("SELECT count(*) FROM daily_checkins").fetchone()[0] == before


def test_an_edit_that_changes_nothing_writes_nothing(journal):
    goal = store.insert(journal.conn, GOALS, DATA[GOALS])
    same, changed = store.update_if_changed(journal.conn, goal, {"priority": "A"})
    assert (same, changed) == (goal, False)
    moved, changed = store.update_if_changed(journal.conn, goal, {"priority": "C"})
    assert changed and moved.priority == "C" and moved.updated_at > goal.updated_at
    assert store.fetch(journal.conn, GOALS, goal.id) == moved
