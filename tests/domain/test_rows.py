"""The row models: the gate in front of SQL, and the conversions to storage and JSON."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import date, time

import pytest

from khepri_cli.db.connection import open_journal
from khepri_cli.errors import USAGE, InvalidInput
from khepri_cli.models.athlete import Athlete
from khepri_cli.models.checkin import DailyCheckin
from khepri_cli.models.common import Record, validate
from khepri_cli.models.constraint import Constraint
from khepri_cli.models.goal import Goal
from khepri_cli.models.plan import TrainingPlan

NOW = "2026-11-25T07:30:00.000000Z"  # KHEPRI_NOW of the test fixtures
ATHLETE = "0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d"
GOAL = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"

# One full row's worth of user data per model (everything but id and timestamps).
DATA: dict[type[Record], dict] = {
    Athlete: {
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
    Goal: {
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
    Constraint: {
        "athlete_id": ATHLETE,
        "constraint_type": "injury",
        "title": "Left knee",
        "start_date": "2026-11-18",
        "injury_body_part": "left_knee",
        "injury_severity": "moderate",
        "injury_restrictions": ["running", "jumping"],
        "travel_equipment_available": '["running_shoes"]',
        "availability_hours_per_week": 7.45,
        "availability_days_available": ["monday"],
    },
    DailyCheckin: {
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
    TrainingPlan: {
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


def store(conn: sqlite3.Connection, record: Record) -> None:
    row = record.to_row()
    conn.execute(
        f"INSERT INTO {record.table} ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
        tuple(row.values()),
    )


# -- create, columns, storage -----------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_create_gives_a_fresh_id_and_the_pinned_now(model):
    first, second = model.create(DATA[model]), model.create(DATA[model])
    assert uuid.UUID(first.id).version == 4 and first.id == first.id.lower()
    assert first.id != second.id
    assert first.created_at == first.updated_at == NOW


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_columns_are_the_tables_columns_in_order(model, journal):
    table = [r["name"] for r in journal.conn.execute(f"PRAGMA table_info({model.table})")]
    assert model.columns() == table
    assert set(model.create(DATA[model]).to_row()) == set(table)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_a_created_row_is_accepted_by_the_database_and_read_back_equal(model, journal):
    record = model.create(DATA[model])
    store(journal.conn, record)
    row = journal.conn.execute(f"SELECT * FROM {model.table} WHERE id = ?", (record.id,)).fetchone()
    assert dict(row) == record.to_row()
    assert model.from_row(row) == record


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_to_json_is_plain_json_in_column_order(model):
    record = model.create(DATA[model])
    data = record.to_json()
    assert list(data) == model.columns()
    assert json.loads(json.dumps(data)) == data
    assert model.model_validate(data) == record  # what --json prints reads back as the row


def test_storage_forms_of_each_kind_of_column():
    row = Athlete.create(DATA[Athlete]).to_row()
    assert row["date_of_birth"] == "1990-04-12"
    assert row["daily_checkin_time"] == "06:30:00"
    assert row["intervals_icu_connected"] == 1
    assert row["auth_user_id"] == "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"  # canonical lowercase
    checkin = DailyCheckin.create(DATA[DailyCheckin]).to_row()
    assert checkin["soreness_areas"] == '{"back": 3, "legs": 7}'  # JSON text, sorted keys
    assert checkin["equipment_access"] == '["bike_trainer", "pool"]'
    assert checkin["notes"] == "ünïcode ✓"
    plan = TrainingPlan.create(DATA[TrainingPlan]).to_row()
    assert json.loads(plan["phases"]) == DATA[TrainingPlan]["phases"]
    assert plan["adjustments_log"] == "[]"
    constraint = Constraint.create(DATA[Constraint]).to_row()
    assert constraint["travel_equipment_available"] == '["running_shoes"]'  # JSON text accepted
    assert constraint["end_date"] is None


def test_json_forms_of_each_kind_of_column():
    athlete = Athlete.create(DATA[Athlete]).to_json()
    assert athlete["intervals_icu_connected"] is True
    assert athlete["daily_checkin_time"] == "06:30:00"
    assert athlete["date_of_birth"] == "1990-04-12"
    checkin = DailyCheckin.create(DATA[DailyCheckin]).to_json()
    assert checkin["soreness_areas"] == {"legs": 7, "back": 3}
    assert checkin["equipment_access"] == ["bike_trainer", "pool"]


def test_defaults_match_the_schema():
    athlete = Athlete.create({})
    assert athlete.preferred_units == "metric" and athlete.timezone == "UTC"
    assert athlete.daily_checkin_time == time(7, 0) and athlete.intervals_icu_connected is False
    goal = Goal.create({"athlete_id": ATHLETE, "goal_type": "fitness", "title": "Consistency"})
    assert (goal.priority, goal.status) == ("B", "active")
    plan = TrainingPlan.create(
        {
            "athlete_id": ATHLETE,
            "title": "p",
            "duration_weeks": 4,
            "start_date": "2026-12-01",
            "end_date": "2026-12-28",
        }
    )
    assert (plan.status, plan.phases, plan.adjustments_log) == ("active", [], [])


def test_titles_are_trimmed():
    assert Goal.create(DATA[Goal]).title == "Ironman 70.3"


# -- decimals and timestamps --------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "column", "given", "stored"),
    [
        (DailyCheckin, "sleep_hours", 7.25, 7.3),  # DECIMAL(3,1): half away from zero
        (DailyCheckin, "sleep_hours", 7.35, 7.4),
        (DailyCheckin, "sleep_hours", 7.249, 7.2),
        (DailyCheckin, "sleep_hours", 0.05, 0.1),
        (DailyCheckin, "hrv_ms", 61.45, 61.5),
        (DailyCheckin, "weight_kg", 61.555, 61.56),  # DECIMAL(5,2)
        (Athlete, "weight_kg", 2.675 * 30, 80.25),
        (Athlete, "height_cm", 168.005, 168.01),
        (Constraint, "availability_hours_per_week", 7.45, 7.5),
        (Goal, "perf_target_value", 2.675, 2.68),
        (Goal, "health_current_value", -3.125, -3.13),  # away from zero, not up
        (Goal, "health_target_value", -0.005, -0.01),
        (Goal, "fitness_target_value", 12, 12.0),
    ],
)
def test_decimals_round_as_postgres_does(model, column, given, stored):
    data = {**DATA[model], column: given}
    assert getattr(model.create(data), column) == stored


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
    data = {**DATA[DailyCheckin], "ai_recommendation_generated_at": given}
    assert DailyCheckin.create(data).ai_recommendation_generated_at == stored
    created = DailyCheckin.create({**data, "created_at": given, "updated_at": given})
    assert created.created_at == created.updated_at == stored


@pytest.mark.parametrize(
    "given", ["2026-11-25T07:30:00", "2026-11-25", "yesterday", "2026-02-30T07:30:00Z", ""]
)
def test_timestamps_need_a_real_moment_and_a_zone(given):
    data = {**DATA[DailyCheckin], "ai_recommendation_generated_at": given}
    with pytest.raises(InvalidInput) as caught:
        DailyCheckin.create(data)
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
    assert Goal.create({**DATA[Goal], "athlete_id": given}).athlete_id == ATHLETE


# -- merged ----------------------------------------------------------------------------------


def test_merged_applies_changes_and_keeps_the_rest():
    checkin = DailyCheckin.create(DATA[DailyCheckin])
    changed = checkin.merged({"energy_level": 8, "sleep_hours": 6.05})
    assert (changed.energy_level, changed.sleep_hours) == (8, 6.1)
    assert changed.id == checkin.id and changed.created_at == checkin.created_at
    assert changed.soreness_areas == checkin.soreness_areas
    assert checkin.energy_level == 6  # the original is untouched


def test_merged_validates_the_whole_result_and_names_the_flag():
    constraint = Constraint.create(DATA[Constraint])
    with pytest.raises(InvalidInput) as caught:
        constraint.merged({"end_date": "2026-11-01"}, {"end_date": "--end"})
    assert caught.value.message == (
        "--end: '2026-11-01' is not valid; must be on or after the start date 2026-11-18"
    )
    with pytest.raises(InvalidInput, match=r"^--weeks: 60 is not valid; must be between 4 and 52$"):
        TrainingPlan.create(DATA[TrainingPlan]).merged(
            {"duration_weeks": 60}, {"duration_weeks": "--weeks"}
        )


def test_merged_with_nothing_changed_is_equal():
    goal = Goal.create(DATA[Goal])
    assert goal.merged({}) == goal


# -- messages --------------------------------------------------------------------------------

CHECKIN_LABELS = {
    "energy_level": "--energy",
    "sleep_quality": "--sleep-quality",
    "sleep_hours": "--sleep-hours",
    "checkin_date": "--date",
    "soreness_areas": "--soreness",
    "travel_status": "--travel",
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"energy_level": 11}, "--energy: 11 is not valid; must be between 1 and 10"),
        ({"energy_level": 0}, "--energy: 0 is not valid; must be between 1 and 10"),
        (
            {"energy_level": "seven"},
            "--energy: 'seven' is not valid; must be a whole number between 1 and 10",
        ),
        (
            {"sleep_quality": 7.5},
            "--sleep-quality: 7.5 is not valid; must be a whole number between 1 and 10",
        ),
        ({"sleep_hours": 24.5}, "--sleep-hours: 24.5 is not valid; must be between 0 and 24"),
        (
            {"checkin_date": "2026-02-30"},
            "--date: '2026-02-30' is not valid; must be a real calendar date in the form YYYY-MM-DD",
        ),
        (
            {"soreness_areas": {"legs": 11}},
            "--soreness: {'legs': 11} is not valid; soreness of 'legs' must be a whole number from 1 to 10",
        ),
        (
            {"travel_status": "abroad"},
            "--travel: 'abroad' is not valid; must be 'home', 'traveling' or 'returning'",
        ),
        # no label: the column name is used
        ({"stress_level": 12}, "stress_level: 12 is not valid; must be between 1 and 10"),
        ({"bogus": 1}, "bogus: 1 is not valid; is not a column of this table"),
        (
            {"athlete_id": "nope"},
            "athlete_id: 'nope' is not valid; must be a UUID, e.g. 0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d",
        ),
    ],
)
def test_validation_messages_name_the_flag_and_what_is_allowed(changes, message):
    with pytest.raises(InvalidInput) as caught:
        validate(
            DailyCheckin,
            {**DailyCheckin.create(DATA[DailyCheckin]).model_dump(), **changes},
            CHECKIN_LABELS,
        )
    error = caught.value
    assert error.message == message
    assert error.exit_code == USAGE
    assert error.field == CHECKIN_LABELS.get(next(iter(changes)), next(iter(changes)))


@pytest.mark.parametrize(
    ("model", "changes", "labels", "message"),
    [
        (
            Goal,
            {"priority": "D"},
            {"priority": "--priority"},
            "--priority: 'D' is not valid; must be 'A', 'B' or 'C'",
        ),
        (
            Goal,
            {"goal_type": "swim"},
            {"goal_type": "--type"},
            "--type: 'swim' is not valid; must be 'race', 'performance', 'fitness' or 'health'",
        ),
        (
            Goal,
            {"title": "   "},
            {"title": "--title"},
            "--title: '   ' is not valid; must not be empty",
        ),
        (
            Goal,
            {"status": "done"},
            {},
            "status: 'done' is not valid; must be 'active', 'completed' or 'cancelled'",
        ),
        (
            Constraint,
            {"injury_severity": "critical"},
            {"injury_severity": "--severity"},
            "--severity: 'critical' is not valid; must be 'mild', 'moderate' or 'severe'",
        ),
        (
            Constraint,
            {"injury_restrictions": [1, 2]},
            {"injury_restrictions": "--restrictions"},
            "--restrictions: [1, 2] is not valid; must be a list of text values",
        ),
        (
            TrainingPlan,
            {"duration_weeks": 3},
            {"duration_weeks": "--weeks"},
            "--weeks: 3 is not valid; must be between 4 and 52",
        ),
        (
            Athlete,
            {"timezone": "Mars/Olympus"},
            {"timezone": "--timezone"},
            "--timezone: 'Mars/Olympus' is not valid; must be an IANA time zone name, e.g. Europe/London or UTC",
        ),
        (
            Athlete,
            {"intervals_icu_connected": 2},
            {},
            "intervals_icu_connected: 2 is not valid; must be true or false",
        ),
        (
            Athlete,
            {"preferred_units": "stone"},
            {"preferred_units": "--units"},
            "--units: 'stone' is not valid; must be 'metric' or 'imperial'",
        ),
    ],
)
def test_messages_of_each_model(model, changes, labels, message):
    with pytest.raises(InvalidInput) as caught:
        model.create({**DATA[model], **changes}, labels)
    assert caught.value.message == message


def test_a_missing_required_value_says_so_without_dumping_the_row():
    data = {k: v for k, v in DATA[Goal].items() if k != "title"}
    with pytest.raises(InvalidInput) as caught:
        Goal.create(data, {"title": "--title"})
    assert caught.value.message == "--title is required"
    assert caught.value.field == "--title"


def test_bad_data_never_reaches_the_database(journal):
    before = journal.conn.execute("SELECT count(*) FROM daily_checkins").fetchone()[0]
    with pytest.raises(InvalidInput):
        store(journal.conn, DailyCheckin.create({**DATA[DailyCheckin], "energy_level": 11}))
    assert journal.conn.execute("SELECT count(*) FROM daily_checkins").fetchone()[0] == before
