"""Versioned schema migrations for the local journal.

Each migration is registered in order on the sqlite-utils ``Migrations``
set "khepri", runs in its own transaction together with the record of it in
``_sqlite_migrations``, and bumps ``PRAGMA user_version`` so that opening a
file can tell in one cheap read whether anything needs doing.

Rules: add a new migration, never edit one that has shipped. The SQL below is
therefore frozen text, not generated from anything that could change later.
"""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from khepri_cli.db.frozen_sql import (
    TIMESTAMP_GLOB,
    calendar_guards,
    change_triggers_v1,
    date_check,
    drop_pending_triggers,
    json_array_check,
    json_object_check,
    pending_triggers,
    timestamps,
    updated_at_trigger,
    uuid_check,
)

migrations = Migrations("khepri")

M001_TABLES = f"""
CREATE TABLE athletes (
    id TEXT PRIMARY KEY NOT NULL CHECK ({uuid_check("id")}),
    auth_user_id TEXT UNIQUE CHECK ({uuid_check("auth_user_id", nullable=True)}),
    display_name TEXT,
    date_of_birth TEXT CHECK ({date_check("date_of_birth")}),
    weight_kg REAL CHECK (weight_kg > 0 AND weight_kg < 1000),
    height_cm REAL CHECK (height_cm > 0 AND height_cm < 1000),
    ftp_watts INTEGER CHECK (ftp_watts BETWEEN 1 AND 2500),
    running_threshold_pace_sec_per_km INTEGER
        CHECK (running_threshold_pace_sec_per_km BETWEEN 60 AND 1800),
    css_sec_per_100m INTEGER CHECK (css_sec_per_100m BETWEEN 30 AND 600),
    resting_heart_rate INTEGER CHECK (resting_heart_rate BETWEEN 20 AND 250),
    max_heart_rate INTEGER CHECK (max_heart_rate BETWEEN 20 AND 250),
    lthr INTEGER CHECK (lthr BETWEEN 20 AND 250),
    preferred_units TEXT DEFAULT 'metric' CHECK (preferred_units IN ('metric', 'imperial')),
    timezone TEXT DEFAULT 'UTC' CHECK (length(timezone) > 0),
    daily_checkin_time TEXT DEFAULT '07:00:00' CHECK (time(daily_checkin_time) IS daily_checkin_time),
    intervals_icu_athlete_id TEXT,
    intervals_icu_connected INTEGER DEFAULT 0 CHECK (intervals_icu_connected IN (0, 1)),{timestamps()}
) STRICT;

CREATE TABLE goals (
    id TEXT PRIMARY KEY NOT NULL CHECK ({uuid_check("id")}),
    athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE ON UPDATE CASCADE
        CHECK ({uuid_check("athlete_id")}),
    goal_type TEXT NOT NULL CHECK (goal_type IN ('race', 'performance', 'fitness', 'health')),
    title TEXT NOT NULL CHECK (length(trim(title)) > 0),
    description TEXT,
    target_date TEXT CHECK ({date_check("target_date")}),
    priority TEXT DEFAULT 'B' CHECK (priority IN ('A', 'B', 'C')),
    status TEXT DEFAULT 'active' CHECK (status IN ('active', 'completed', 'cancelled')),
    race_event_name TEXT,
    race_distance TEXT,
    race_location TEXT,
    race_target_time_seconds INTEGER CHECK (race_target_time_seconds > 0),
    perf_metric TEXT,
    perf_current_value REAL CHECK (abs(perf_current_value) < 100000000),
    perf_target_value REAL CHECK (abs(perf_target_value) < 100000000),
    fitness_metric TEXT,
    fitness_target_value REAL CHECK (abs(fitness_target_value) < 100000000),
    health_metric TEXT,
    health_current_value REAL CHECK (abs(health_current_value) < 100000000),
    health_target_value REAL CHECK (abs(health_target_value) < 100000000),{timestamps()}
) STRICT;

CREATE TABLE constraints (
    id TEXT PRIMARY KEY NOT NULL CHECK ({uuid_check("id")}),
    athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE ON UPDATE CASCADE
        CHECK ({uuid_check("athlete_id")}),
    constraint_type TEXT NOT NULL CHECK (constraint_type IN ('injury', 'travel', 'availability')),
    title TEXT NOT NULL CHECK (length(trim(title)) > 0),
    description TEXT,
    start_date TEXT NOT NULL CHECK ({date_check("start_date")}),
    end_date TEXT CHECK ({date_check("end_date")}),
    status TEXT DEFAULT 'active' CHECK (status IN ('active', 'resolved')),
    injury_body_part TEXT,
    injury_severity TEXT CHECK (injury_severity IN ('mild', 'moderate', 'severe')),
    injury_restrictions TEXT CHECK ({json_array_check("injury_restrictions")}),
    travel_destination TEXT,
    travel_equipment_available TEXT CHECK ({json_array_check("travel_equipment_available")}),
    travel_facilities_available TEXT CHECK ({json_array_check("travel_facilities_available")}),
    availability_hours_per_week REAL CHECK (availability_hours_per_week BETWEEN 0 AND 168),
    availability_days_available TEXT CHECK ({json_array_check("availability_days_available")}),{timestamps()},
    CHECK (end_date IS NULL OR end_date >= start_date)
) STRICT;

CREATE TABLE daily_checkins (
    id TEXT PRIMARY KEY NOT NULL CHECK ({uuid_check("id")}),
    athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE ON UPDATE CASCADE
        CHECK ({uuid_check("athlete_id")}),
    checkin_date TEXT NOT NULL CHECK ({date_check("checkin_date")}),
    sleep_quality INTEGER CHECK (sleep_quality BETWEEN 1 AND 10),
    sleep_hours REAL CHECK (sleep_hours BETWEEN 0 AND 24),
    energy_level INTEGER CHECK (energy_level BETWEEN 1 AND 10),
    stress_level INTEGER CHECK (stress_level BETWEEN 1 AND 10),
    overall_soreness INTEGER CHECK (overall_soreness BETWEEN 1 AND 10),
    soreness_areas TEXT CHECK ({json_object_check("soreness_areas")}),
    resting_hr INTEGER CHECK (resting_hr BETWEEN 20 AND 250),
    hrv_ms REAL CHECK (hrv_ms > 0 AND hrv_ms < 10000),
    weight_kg REAL CHECK (weight_kg > 0 AND weight_kg < 1000),
    available_time_minutes INTEGER CHECK (available_time_minutes BETWEEN 0 AND 1440),
    equipment_access TEXT CHECK ({json_array_check("equipment_access")}),
    travel_status TEXT CHECK (travel_status IN ('home', 'traveling', 'returning')),
    notes TEXT,
    ai_recommendation TEXT CHECK ({json_object_check("ai_recommendation")}),
    ai_recommendation_generated_at TEXT CHECK (ai_recommendation_generated_at GLOB '{TIMESTAMP_GLOB}'),
    user_response TEXT
        CHECK (user_response IN ('accepted', 'modified', 'skipped', 'alternative')),
    user_response_notes TEXT,{timestamps()},
    UNIQUE (athlete_id, checkin_date)
) STRICT;

CREATE TABLE training_plans (
    id TEXT PRIMARY KEY NOT NULL CHECK ({uuid_check("id")}),
    athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE ON UPDATE CASCADE
        CHECK ({uuid_check("athlete_id")}),
    title TEXT NOT NULL CHECK (length(trim(title)) > 0),
    description TEXT,
    duration_weeks INTEGER NOT NULL CHECK (duration_weeks BETWEEN 4 AND 52),
    start_date TEXT NOT NULL CHECK ({date_check("start_date")}),
    end_date TEXT NOT NULL CHECK ({date_check("end_date")}),
    target_goal_id TEXT REFERENCES goals(id) ON DELETE SET NULL ON UPDATE CASCADE
        CHECK ({uuid_check("target_goal_id", nullable=True)}),
    status TEXT DEFAULT 'active'
        CHECK (status IN ('draft', 'active', 'paused', 'completed', 'cancelled')),
    phases TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(phases) AND json_type(phases) = 'array'),
    weekly_template TEXT CHECK (weekly_template IS NULL OR json_valid(weekly_template)),
    adjustments_log TEXT NOT NULL DEFAULT '[]'
        CHECK (json_valid(adjustments_log) AND json_type(adjustments_log) = 'array'),{timestamps()},
    CHECK (end_date >= start_date)
) STRICT;

CREATE INDEX idx_athletes_auth_user_id ON athletes(auth_user_id);
CREATE INDEX idx_goals_athlete_id ON goals(athlete_id);
CREATE INDEX idx_goals_status ON goals(status);
CREATE INDEX idx_goals_target_date ON goals(target_date);
CREATE INDEX idx_constraints_athlete_id ON constraints(athlete_id);
CREATE INDEX idx_constraints_status ON constraints(status);
CREATE INDEX idx_constraints_dates ON constraints(start_date, end_date);
CREATE INDEX idx_daily_checkins_athlete_id ON daily_checkins(athlete_id);
CREATE INDEX idx_daily_checkins_date ON daily_checkins(checkin_date DESC);
CREATE INDEX idx_daily_checkins_athlete_date ON daily_checkins(athlete_id, checkin_date DESC);
CREATE INDEX idx_training_plans_athlete_id ON training_plans(athlete_id);
CREATE INDEX idx_training_plans_status ON training_plans(status);
CREATE INDEX idx_training_plans_dates ON training_plans(start_date, end_date);
"""

M001_TABLE_NAMES = ("athletes", "goals", "constraints", "daily_checkins", "training_plans")
"""The tables m001 created, frozen with it: m001-m004 loop over these, never over the live
declaration, so a table added later (with a migration of its own) cannot change them."""


@migrations()
def m001_create_journal_tables(db: Database) -> None:
    """The five tables of the data contract, their checks, indexes and updated_at triggers."""
    _run_script(db.conn, M001_TABLES + "".join(updated_at_trigger(t) for t in M001_TABLE_NAMES))
    db.conn.execute("PRAGMA user_version = 1")


@migrations()
def m002_track_pending_changes(db: Database) -> None:
    """Local-only sync bookkeeping: every insert, update and delete leaves a pending change.

    Triggers write the change in the same transaction as the row itself, so a
    crash can never lose the fact that something must be pushed. One pending
    row per journal row: the latest operation wins and gets a new ``seq``.
    Rows that already exist are all pending, since nothing was pushed yet.
    """
    script = []
    script.append(
        """
CREATE TABLE _khepri_pending_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    UNIQUE (table_name, row_id)
) STRICT;

CREATE TABLE _khepri_sync_state (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT
) STRICT;
"""
    )
    for table in M001_TABLE_NAMES:
        script.append(change_triggers_v1(table))
        script.append(
            f"INSERT INTO _khepri_pending_changes (table_name, row_id, op) "
            f"SELECT '{table}', id, 'upsert' FROM {table} ORDER BY rowid;"
        )
    _run_script(db.conn, "".join(script))
    db.conn.execute("PRAGMA user_version = 2")


@migrations()
def m003_pending_changes_inside_cascades(db: Database) -> None:
    """Rewrite m002's triggers so cascades (goal deleted under a plan, athlete id changed) work."""
    _run_script(
        db.conn, "".join(drop_pending_triggers(t) + pending_triggers(t) for t in M001_TABLE_NAMES)
    )
    db.conn.execute("PRAGMA user_version = 3")


@migrations()
def m004_real_calendar_dates(db: Database) -> None:
    """Dates and timestamps must name a day and time that exist, on every SQLite version."""
    _run_script(db.conn, "".join(calendar_guards(t) for t in M001_TABLE_NAMES))
    db.conn.execute("PRAGMA user_version = 4")


M005_ACTIVITIES = f"""
CREATE TABLE activities (
    id TEXT PRIMARY KEY NOT NULL CHECK ({uuid_check("id")}),
    athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE ON UPDATE CASCADE
        CHECK ({uuid_check("athlete_id")}),
    activity_date TEXT NOT NULL CHECK ({date_check("activity_date")}),
    sport TEXT NOT NULL CHECK (sport IN ('swim', 'bike', 'run', 'strength', 'other')),
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    rpe INTEGER NOT NULL CHECK (rpe BETWEEN 1 AND 10),
    distance_km REAL CHECK (distance_km > 0 AND distance_km < 100000),
    tss REAL CHECK (tss BETWEEN 0 AND 2000),
    notes TEXT,{timestamps()}
) STRICT;

CREATE INDEX idx_activities_athlete_id ON activities(athlete_id);
CREATE INDEX idx_activities_athlete_date ON activities(athlete_id, activity_date DESC);
"""

M006_SYNC_BOOKKEEPING = """
CREATE TABLE _khepri_sync_base (
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    base TEXT NOT NULL CHECK (json_valid(base) AND json_type(base) = 'object'),
    PRIMARY KEY (table_name, row_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE _khepri_sync_conflicts (
    id INTEGER PRIMARY KEY,
    synced_at TEXT NOT NULL,
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    column_name TEXT,
    local_value TEXT CHECK (local_value IS NULL OR json_valid(local_value)),
    remote_value TEXT CHECK (remote_value IS NULL OR json_valid(remote_value)),
    kept TEXT CHECK (kept IN ('local', 'remote')),
    detail TEXT NOT NULL
) STRICT;
"""


@migrations()
def m005_activities(db: Database) -> None:
    """The completed training sessions behind fitness, fatigue and form (docs/load.md).

    The table comes with everything the first five got over m001-m004: its
    checks, indexes, the updated_at trigger, the pending-change triggers and
    the calendar guards.
    """
    script = M005_ACTIVITIES + updated_at_trigger("activities")
    script += pending_triggers("activities") + calendar_guards("activities")
    _run_script(db.conn, script)
    db.conn.execute("PRAGMA user_version = 5")


@migrations()
def m006_sync_bases_and_conflicts(db: Database) -> None:
    """Local-only bookkeeping of the two-way sync (docs/sync.md, "How rows merge").

    ``_khepri_sync_base`` keeps, per synced row, its values as the remote
    holds them after the last sync (the base of the three-way merge), as a
    JSON object of SQLite storage values keyed by column. ``_khepri_sync_conflicts``
    records every conflict a sync met, with both values, for ``khepri sync conflicts``.
    """
    _run_script(db.conn, M006_SYNC_BOOKKEEPING)
    db.conn.execute("PRAGMA user_version = 6")


def _database(conn: sqlite3.Connection) -> Database:
    """sqlite-utils' view of our connection, without side effects on it.

    By default ``Database`` turns on ``PRAGMA recursive_triggers`` (which
    would make the updated_at trigger re-fire itself, up to "too many levels
    of trigger recursion" when an update lands in the row's creation
    millisecond) and runs sqlite-utils plugins against the connection.
    """
    return Database(conn, recursive_triggers=False, execute_plugins=False)


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run statements one by one inside the migration's transaction.

    ``executescript`` would commit first, breaking the all-or-nothing upgrade.
    """
    statement = ""
    for piece in script.split(";"):
        statement += piece + ";"
        if sqlite3.complete_statement(statement):
            if statement.strip(" \n;"):
                conn.execute(statement)
            statement = ""
    if statement.strip(" \n;"):
        raise ValueError(f"incomplete SQL statement in migration: {statement[:80]}")


def upgrade(conn: sqlite3.Connection, target_version: int) -> None:
    """Apply every pending migration up to ``target_version``, all or nothing.

    The write lock is taken first and the version read again under it, so two
    commands opening an old file at the same moment upgrade it once.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] < target_version:
            migrations.apply(_database(conn))
    except BaseException:
        if conn.in_transaction:  # SQLite may already have rolled back (disk full, I/O error)
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
