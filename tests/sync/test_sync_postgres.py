"""``khepri sync`` against a real PostgreSQL set up like a Supabase project.

Each test gets a fresh database (``pg_url`` from conftest.py) holding the
test ``auth`` stand-in and Khepri's schema with its RLS policies, and drives
the CLI the way a user does. Rows are read back as the database superuser
(RLS does not apply to it) and compared with the journal value for value.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from khepri_cli.db import store
from khepri_cli.db.connection import open_journal
from khepri_cli.domain.clock import format_timestamp
from khepri_cli.domain.rows import make
from khepri_cli.schema import table as declared_table
from khepri_cli.schema.tables import (
    ACTIVITIES,
    ATHLETES,
    CONSTRAINTS,
    DAILY_CHECKINS,
    GOALS,
    TRAINING_PLANS,
)
from khepri_cli.sync.engine import PUSH_ORDER

from .conftest import acting_as, make_user

psycopg = pytest.importorskip("psycopg")

TRICKY_TEXTS = ["running", "a,b", 'x"y', "{z}", "back\\slash", "ünïcödé ✓", "", "NULL", " sp "]


def build_journal(path: Path) -> dict[str, Any]:
    """A journal where every column of every table holds a value that is easy to get wrong."""
    journal = open_journal(path)
    athlete = make(
        ATHLETES,
        {
            "display_name": "Zoë 'Ørsted' \"Q\" \\ ✓",
            "date_of_birth": "1990-02-28",
            "weight_kg": 61.55,
            "height_cm": 168.05,
            "ftp_watts": 250,
            "running_threshold_pace_sec_per_km": 270,
            "css_sec_per_100m": 95,
            "resting_heart_rate": 48,
            "max_heart_rate": 190,
            "lthr": 172,
            "preferred_units": "imperial",
            "timezone": "America/Argentina/Buenos_Aires",
            "daily_checkin_time": "06:05:09",
            "intervals_icu_athlete_id": "i12345",
            "intervals_icu_connected": True,
        },
    )
    race = make(
        GOALS,
        {
            "athlete_id": athlete.id,
            "goal_type": "race",
            "title": "Ironman 70.3 Nice — «A» race",
            "description": "multi\nline text",
            "target_date": "2027-06-01",
            "priority": "A",
            "race_event_name": "IM 70.3",
            "race_distance": "70.3",
            "race_location": "Nice, France",
            "race_target_time_seconds": 18000,
            "perf_metric": "ftp",
            "perf_current_value": -0.01,
            "perf_target_value": 99999999.99,
            "fitness_metric": "weekly_volume_km",
            "fitness_target_value": 0.1,
            "health_metric": "weight_kg",
            "health_current_value": 70.05,
            "health_target_value": 12345678.9,
        },
    )
    bare_goal = make(GOALS, {"athlete_id": athlete.id, "goal_type": "health", "title": "Sleep"})
    injury = make(
        CONSTRAINTS,
        {
            "athlete_id": athlete.id,
            "constraint_type": "injury",
            "title": "Left knee",
            "start_date": "2026-11-01",
            "end_date": "2026-12-31",
            "status": "resolved",
            "injury_body_part": "left_knee",
            "injury_severity": "moderate",
            "injury_restrictions": TRICKY_TEXTS,
            "travel_destination": "Zürich",
            "travel_equipment_available": [],
            "travel_facilities_available": ["pool"],
            "availability_hours_per_week": 7.5,
            "availability_days_available": ["monday", "wednesday"],
        },
    )
    bare_constraint = make(
        CONSTRAINTS,
        {
            "athlete_id": athlete.id,
            "constraint_type": "travel",
            "title": "Trip",
            "start_date": "2026-11-20",
        },
    )
    full_day = make(
        DAILY_CHECKINS,
        {
            "athlete_id": athlete.id,
            "checkin_date": "2026-11-24",
            "sleep_quality": 8,
            "sleep_hours": 7.5,
            "energy_level": 7,
            "stress_level": 3,
            "overall_soreness": 4,
            "soreness_areas": {"legs": 7, "back": 3},
            "resting_hr": 49,
            "hrv_ms": 65.3,
            "weight_kg": 70.25,
            "available_time_minutes": 90,
            "equipment_access": ["pool", "bike_trainer", "a,b"],
            "travel_status": "home",
            "notes": "line one\nline two ✓ 🚴 'quote' \"dq\" \\",
            "ai_recommendation": {
                "level": "green",
                "plan": {"blocks": [1, 2.5, "x"], "nested": {"deep": [True, False, None]}},
                "note": None,
                "ünï": "ok",
                "controls": "tab\there\r\nand a return",  # text columns refuse these, JSON keeps them
            },
            "ai_recommendation_generated_at": "2026-11-24T06:00:00.123456Z",
            "user_response": "accepted",
            "user_response_notes": "fine",
        },
    )
    bare_day = make(DAILY_CHECKINS, {"athlete_id": athlete.id, "checkin_date": "2026-11-23"})
    plan = make(
        TRAINING_PLANS,
        {
            "athlete_id": athlete.id,
            "title": "Base",
            "description": "eight weeks",
            "duration_weeks": 8,
            "start_date": "2026-12-01",
            "end_date": "2027-01-25",
            "target_goal_id": race.id,
            "status": "draft",
            "phases": [{"name": "base", "start_week": 1, "end_week": 8, "focus": "aerobic"}],
            "weekly_template": {"mon": ["swim", "strength"], "tue": None},
            "adjustments_log": [{"at": "2026-11-02", "why": "knee"}],
        },
    )
    bare_plan = make(
        TRAINING_PLANS,
        {
            "athlete_id": athlete.id,
            "title": "Off season",
            "duration_weeks": 4,
            "start_date": "2027-09-01",
            "end_date": "2027-09-28",
        },
    )
    session = make(
        ACTIVITIES,
        {
            "athlete_id": athlete.id,
            "activity_date": "2026-11-24",
            "sport": "bike",
            "duration_minutes": 1440,
            "rpe": 10,
            "distance_km": 99999.999,
            "tss": 85.5,
            "notes": "24 h ✓ 'quote' \"dq\"",
        },
    )
    everything = (athlete, race, bare_goal, injury, bare_constraint, full_day, bare_day, plan)
    with journal.transaction() as conn:
        for record in (*everything, bare_plan, session):
            store.insert_whole(conn, record.table, [record])
    journal.close()
    return {
        "athlete": athlete,
        "goal": race,
        "day": full_day,
        "bare_day": bare_day,
        "plan": plan,
    }


def local_rows(db_path: Path, table: str) -> dict[str, dict[str, Any]]:
    """The journal's rows in comparable form: JSON parsed, booleans as bool, REAL as Decimal."""
    declared = declared_table(table)
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        rows = {}
        for row in conn.execute(f"SELECT * FROM {table}"):
            data = dict(row)
            for column, value in data.items():
                if value is None:
                    continue
                if column in declared.json_columns():
                    data[column] = json.loads(value)
                elif declared.column(column).kind.name == "boolean":
                    data[column] = bool(value)
                elif isinstance(value, float):
                    data[column] = Decimal(repr(value))
            rows[data["id"]] = data
        return rows
    finally:
        conn.close()


def remote_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def remote_rows(pg_url: str, table: str) -> dict[str, dict[str, Any]]:
    """Every row of a remote table, as the superuser sees it (no RLS)."""
    from psycopg.rows import dict_row

    with psycopg.connect(pg_url, row_factory=dict_row) as conn:
        rows = conn.execute(f"SELECT * FROM public.{table}").fetchall()
    converted = [{k: remote_value(v) for k, v in row.items()} for row in rows]
    return {row["id"]: row for row in converted}


def without_stamps(rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {k: {c: v for c, v in row.items() if c != "updated_at"} for k, row in rows.items()}


def remote_versions(pg_url: str) -> dict[str, tuple[str, str]]:
    """``id -> (xmin, updated_at)`` of every remote row: any write changes xmin."""
    versions = {}
    with psycopg.connect(pg_url) as conn:
        for table in PUSH_ORDER:
            for row_id, xmin, updated in conn.execute(
                f"SELECT id::text, xmin::text, updated_at FROM public.{table}"
            ):
                versions[row_id] = (xmin, updated)
    return versions


def remote_counts(pg_url: str) -> dict[str, int]:
    with psycopg.connect(pg_url) as conn:
        return {
            t: conn.execute(f"SELECT count(*) FROM public.{t}").fetchone()[0] for t in PUSH_ORDER
        }


@pytest.fixture
def user(pg_url: str) -> str:
    return make_user(pg_url, "ada@example.com")


@pytest.fixture
def other_user(pg_url: str) -> str:
    return make_user(pg_url, "bob@example.com")


@pytest.fixture
def data(db_path: Path) -> dict[str, Any]:
    return build_journal(db_path)


def sync(khepri, pg_url: str, user_id: str, *more: str):
    return khepri("sync", "--db-url", pg_url, "--user-id", user_id, *more)


# -- values ------------------------------------------------------------------


def test_every_column_survives_the_push_value_for_value(khepri, pg_url, user, data, db_path):
    run = sync(khepri, pg_url, user)
    assert run.exit_code == 0, run.output
    for table in PUSH_ORDER:
        local, remote = local_rows(db_path, table), remote_rows(pg_url, table)
        assert set(remote) == set(local), table
        for row_id, row in local.items():
            assert remote[row_id] == row, (table, row_id)
    remote_day = remote_rows(pg_url, "daily_checkins")[data["day"].id]
    assert remote_day["sleep_hours"] == Decimal("7.5")
    assert remote_day["equipment_access"] == ["pool", "bike_trainer", "a,b"]
    assert remote_day["ai_recommendation"]["plan"]["nested"]["deep"] == [True, False, None]
    remote_constraints = remote_rows(pg_url, "constraints").values()
    assert [c["injury_restrictions"] for c in remote_constraints if c["injury_restrictions"]] == [
        TRICKY_TEXTS
    ]
    [athlete] = remote_rows(pg_url, "athletes").values()
    assert athlete["auth_user_id"] == user and athlete["intervals_icu_connected"] is True
    assert athlete["daily_checkin_time"] == "06:05:09"
    assert athlete["weight_kg"] == Decimal("61.55")


def test_the_summary_table_and_the_message(khepri, pg_url, user, data):
    run = sync(khepri, pg_url, user)
    assert run.exit_code == 0, run.output
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["table", "pulled", "pushed", "conflicts", "kept"]
    assert lines[1].split() == ["athletes", "0", "1", "0", "0"]
    assert lines[4].split() == ["daily_checkins", "0", "2", "0", "0"]
    assert lines[6].split() == ["activities", "0", "1", "0", "0"]
    assert lines[7].split() == ["total", "0", "10", "0", "0"]
    assert f"Linked this journal to Supabase user {user}." in run.stderr
    assert "Pulled 0 and pushed 10 change(s) with " in run.stderr


def test_a_second_sync_with_nothing_changed_writes_nothing(khepri, pg_url, user, data):
    khepri.ok("sync", "--db-url", pg_url, "--user-id", user)
    before = remote_versions(pg_url)
    run = khepri.ok("sync", "--db-url", pg_url)  # the user is remembered
    assert remote_versions(pg_url) == before
    assert "Nothing to pull or push" in run.stderr
    assert khepri.rows("SELECT count(*) AS n FROM _khepri_pending_changes") == [{"n": 0}]


def test_one_change_writes_one_row(khepri, pg_url, user, data, db_path):
    khepri.ok("sync", "--db-url", pg_url, "--user-id", user)
    before = remote_versions(pg_url)
    journal = open_journal(db_path)
    with journal.transaction() as conn:
        day = store.fetch(conn, DAILY_CHECKINS, data["bare_day"].id)
        store.update(conn, day, {"energy_level": 3, "notes": "tired ✓"})
    journal.close()
    run = khepri.ok("sync", "--db-url", pg_url, "--json")
    report = json.loads(run.stdout)
    assert sum(t["upserted"] for t in report["tables"]) == 1
    after = remote_versions(pg_url)
    changed = [row_id for row_id in after if after[row_id] != before[row_id]]
    assert changed == [data["bare_day"].id]
    remote = remote_rows(pg_url, "daily_checkins")[data["bare_day"].id]
    assert remote["energy_level"] == 3 and remote["notes"] == "tired ✓"
    # The remote's own trigger stamps an update with the server's clock.
    assert after[data["bare_day"].id][1] != before[data["bare_day"].id][1]


def test_deletes_reach_the_remote(khepri, pg_url, user, data, db_path):
    khepri.ok("sync", "--db-url", pg_url, "--user-id", user)
    journal = open_journal(db_path)
    with journal.transaction() as conn:
        store.delete(conn, GOALS, data["goal"].id)  # the plan's target becomes NULL
        store.delete(conn, DAILY_CHECKINS, data["day"].id)
    journal.close()
    run = khepri.ok("sync", "--db-url", pg_url, "--json")
    tables = {t["table"]: t for t in json.loads(run.stdout)["tables"]}
    assert tables["goals"]["deleted"] == 1 and tables["daily_checkins"]["deleted"] == 1
    assert tables["training_plans"]["upserted"] == 1
    assert data["goal"].id not in remote_rows(pg_url, "goals")
    assert data["day"].id not in remote_rows(pg_url, "daily_checkins")
    assert remote_rows(pg_url, "training_plans")[data["plan"].id]["target_goal_id"] is None
    assert remote_counts(pg_url) == {
        "athletes": 1,
        "goals": 1,
        "constraints": 2,
        "daily_checkins": 1,
        "training_plans": 2,
        "activities": 1,
    }


def test_a_large_push_in_several_batches_keeps_every_row(pg_url, user, db_path):
    from khepri_cli.sync.engine import SyncEngine
    from khepri_cli.sync.settings import resolve_target
    from khepri_cli.sync.transports.postgres import PostgresTransport

    journal = open_journal(db_path)
    athlete = make(ATHLETES, {"display_name": "Batch"})
    days = [
        make(
            DAILY_CHECKINS,
            {
                "athlete_id": athlete.id,
                "checkin_date": date.fromordinal(date(2020, 1, 1).toordinal() + i).isoformat(),
                "sleep_hours": (i % 240) / 10,
                "notes": f"day {i} ✓",
                "equipment_access": [f"item {i}"],
            },
        )
        for i in range(57)
    ]
    with journal.transaction() as conn:
        for record in (athlete, *days):
            store.insert_whole(conn, record.table, [record])
    transport = PostgresTransport(resolve_target(pg_url))
    report = SyncEngine(journal, transport, batch_rows=10).run(user)
    journal.close()
    assert report.upserted == 58
    local, remote = local_rows(db_path, "daily_checkins"), remote_rows(pg_url, "daily_checkins")
    assert remote == local


# -- row level security ----------------------------------------------------------


def test_users_see_and_change_only_their_own_rows(khepri, pg_url, user, other_user, data, tmp_path):
    khepri.ok("sync", "--db-url", pg_url, "--user-id", user)
    bobs = tmp_path / "bob.db"
    bob_data = build_journal(bobs)
    khepri.ok("--db", str(bobs), "sync", "--db-url", pg_url, "--user-id", other_user)
    assert remote_counts(pg_url)["daily_checkins"] == 4
    with psycopg.connect(pg_url) as conn, acting_as(conn, other_user):
        for table in PUSH_ORDER:
            ids = {r[0] for r in conn.execute(f"SELECT id::text FROM public.{table}")}
            assert ids == set(local_rows(bobs, table)), table
        ada_day = data["day"].id
        gone = conn.execute("DELETE FROM public.daily_checkins WHERE id = %s", (ada_day,))
        assert gone.rowcount == 0
        changed = conn.execute(
            "UPDATE public.daily_checkins SET energy_level = 1 WHERE id = %s", (ada_day,)
        )
        assert changed.rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
            conn.execute(
                "INSERT INTO public.daily_checkins (athlete_id, checkin_date) VALUES (%s, %s)",
                (data["athlete"].id, "2030-01-01"),
            )
    assert remote_rows(pg_url, "daily_checkins")[data["day"].id]["energy_level"] == 7
    assert bob_data["day"].id != data["day"].id


def test_a_journal_pushed_as_another_user_is_refused_and_reported(
    khepri, pg_url, user, other_user, data
):
    khepri.ok("sync", "--db-url", pg_url, "--user-id", user)
    journal = open_journal(khepri.db_path)
    with journal.transaction() as conn:
        day = store.fetch(conn, DAILY_CHECKINS, data["day"].id)
        store.update(conn, day, {"energy_level": 2})
    journal.close()
    remote_before = {t: remote_rows(pg_url, t) for t in PUSH_ORDER}
    local_before = khepri.snapshot()
    run = khepri("sync", "--db-url", pg_url, "--user-id", other_user)
    assert run.exit_code == 1, run.output
    [line] = run.stderr.splitlines()
    assert line.startswith(f"khepri: error: athletes row {data['athlete'].id}: ")
    assert "row level security refused it (SQLSTATE 42501)" in line
    assert "the journal keeps its 1 pending change(s)" in line
    assert run.stdout == ""
    assert {t: remote_rows(pg_url, t) for t in PUSH_ORDER} == remote_before
    assert khepri.snapshot() == local_before
    rerun = khepri.ok("sync", "--db-url", pg_url, "--user-id", user)
    assert "Pulled 0 and pushed 1 change(s)" in rerun.stderr


def test_a_child_row_of_another_users_athlete_is_refused_by_name(
    khepri, pg_url, user, other_user, data, tmp_path
):
    """Bob's journal holds a check-in whose id Ada's remote row already uses."""
    khepri.ok("sync", "--db-url", pg_url, "--user-id", user)
    bobs = tmp_path / "bob.db"
    build_journal(bobs)
    conn = sqlite3.connect(bobs)
    with conn:
        conn.execute(
            "UPDATE daily_checkins SET id = ? WHERE checkin_date = '2026-11-24'", (data["day"].id,)
        )
    conn.close()
    run = khepri("--db", str(bobs), "sync", "--db-url", pg_url, "--user-id", other_user)
    assert run.exit_code == 1, run.output
    [line] = run.stderr.splitlines()
    assert f"daily_checkins row {data['day'].id}: row level security refused it" in line
    assert remote_counts(pg_url)["athletes"] == 1
    assert remote_rows(pg_url, "daily_checkins")[data["day"].id]["athlete_id"] == data["athlete"].id


# -- real data already on the remote ----------------------------------------------------


def app_profile(pg_url: str, user_id: str, **columns: Any) -> str:
    """A profile created by the Khepri app for ``user_id`` (through RLS, as the app would)."""
    with psycopg.connect(pg_url) as conn, acting_as(conn, user_id):
        names = ", ".join(["auth_user_id", *columns])
        marks = ", ".join(["%s"] * (len(columns) + 1))
        row = conn.execute(
            f"INSERT INTO public.athletes ({names}) VALUES ({marks}) RETURNING id::text",
            (user_id, *columns.values()),
        ).fetchone()
    return row[0]


def test_the_users_remote_profile_is_adopted_never_duplicated(khepri, pg_url, user, data, db_path):
    remote_id = app_profile(
        pg_url, user, display_name="from the app", ftp_watts=200, updated_at="2026-11-01T00:00:00Z"
    )
    run = sync(khepri, pg_url, user)
    assert run.exit_code == 0, run.output
    assert (
        f"conflict: athletes {remote_id[:8]}: this Supabase user already has a profile remotely "
        f"(id {remote_id})" in run.stderr
    )
    # Both sides set them, and the journal's profile changed later: its values win.
    assert f"conflict: athletes {remote_id[:8]}: ftp_watts was changed on both sides" in run.stderr
    athletes = remote_rows(pg_url, "athletes")
    assert list(athletes) == [remote_id]
    assert athletes[remote_id]["display_name"] == data["athlete"].display_name
    assert athletes[remote_id]["ftp_watts"] == 250
    for table in PUSH_ORDER[1:]:
        assert {r["athlete_id"] for r in remote_rows(pg_url, table).values()} == {remote_id}
        # (taking the new id touched each row's updated_at here: that column aside)
        assert without_stamps(remote_rows(pg_url, table)) == without_stamps(
            local_rows(db_path, table)
        )
    assert khepri.rows("SELECT id, auth_user_id FROM athletes") == [
        {"id": remote_id, "auth_user_id": user}
    ]
    assert khepri.rows("SELECT count(*) AS n FROM _khepri_pending_changes") == [{"n": 0}]
    again = khepri.ok("sync", "--db-url", pg_url)
    assert "conflict" not in again.stderr and "Nothing to pull or push" in again.stderr


def test_a_remote_check_in_on_the_same_day_is_merged_with_the_local_one(khepri, pg_url, user, data):
    remote_id = app_profile(pg_url, user)
    with psycopg.connect(pg_url) as conn, acting_as(conn, user):
        theirs = conn.execute(
            "INSERT INTO public.daily_checkins (athlete_id, checkin_date, energy_level, notes, "
            "updated_at) VALUES (%s, '2026-11-24', 2, 'from the app', '2026-11-26T06:00:00Z') "
            "RETURNING id::text",
            (remote_id,),
        ).fetchone()[0]
    run = sync(khepri, pg_url, user, "--json")
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    same_day = [c for c in report["conflicts"] if c["kind"] == "made_on_both_sides"]
    assert [(c["row_id"], c["local_id"]) for c in same_day] == [(theirs, data["day"].id)]
    assert "check-in of 2026-11-24 was made here" in same_day[0]["detail"]
    both = {c["column"]: c for c in report["conflicts"] if c["kind"] == "both_changed"}
    assert set(both) == {"energy_level", "notes"}  # set on both sides; the app's is later
    assert both["energy_level"]["local"] == 7 and both["energy_level"]["remote"] == 2
    assert both["energy_level"]["kept"] == "remote"
    days = [r for r in remote_rows(pg_url, "daily_checkins").values()]
    on_the_day = [d for d in days if d["checkin_date"] == "2026-11-24"]
    assert len(on_the_day) == 1 and len(days) == 2
    day = on_the_day[0]
    assert day["id"] == theirs and day["energy_level"] == 2 and day["notes"] == "from the app"
    assert day["sleep_quality"] == 8 and day["ai_recommendation"]["ünï"] == "ok"  # only here
    local = khepri.rows(
        "SELECT id, energy_level FROM daily_checkins WHERE checkin_date = '2026-11-24'"
    )
    assert local == [{"id": theirs, "energy_level": 2}]


def test_dry_run_writes_nothing_remotely_or_locally(khepri, pg_url, user, data):
    app_profile(pg_url, user)
    local_before = khepri.snapshot()
    remote_before = {t: remote_rows(pg_url, t) for t in PUSH_ORDER}
    run = sync(khepri, pg_url, user, "--dry-run")
    assert run.exit_code == 0, run.output
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["table", "would", "pull", "would", "push", "conflicts", "kept"]
    assert lines[1].split() == ["athletes", "1", "1", "1", "0"]
    assert lines[7].split() == ["total", "1", "10", "1", "0"]
    assert "Dry run: 1 change(s) would be pulled from and 10 pushed to" in run.stderr
    assert khepri.snapshot() == local_before
    assert {t: remote_rows(pg_url, t) for t in PUSH_ORDER} == remote_before


def test_status_shows_pending_changes_and_the_last_sync(khepri, pg_url, user, data):
    before = json.loads(khepri.ok("sync", "status", "--json").stdout)
    assert before["pending_total"] == 10 and before["last_sync"] is None
    assert before["linked_user_id"] is None
    url = pg_url + " password=s3cret-Pa55"
    khepri.ok("sync", "--db-url", url, "--user-id", user)
    after = json.loads(khepri.ok("sync", "status", "--json").stdout)
    assert after["pending_total"] == 0
    assert after["linked_user_id"] == user
    last = after["last_sync"]
    assert last["user_id"] == user and last["upserted"] == 10
    assert last["at"] == "2026-11-25T07:30:00.000000Z"
    assert last["target"].endswith("password=***") and "s3cret" not in last["target"]
    shown = khepri.ok("sync", "status").stdout
    assert "Last sync: 2026-11-25T07:30:00.000000Z" in shown and "s3cret" not in shown
    assert f"as user {user}" in shown
