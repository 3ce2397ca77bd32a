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

migrations = Migrations("khepri")

# -- shared fragments of m001 (frozen with it) -------------------------------
_HEX = "[0-9a-f]"
_UUID_GLOB = "-".join(_HEX * n for n in (8, 4, 4, 4, 12))
_TS_GLOB = (
    "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T"
    "[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z"
)
_NOW = "strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')"


def _uuid(col: str, *, nullable: bool = False) -> str:
    check = f"{col} GLOB '{_UUID_GLOB}'"
    return f"{col} IS NULL OR {check}" if nullable else check


def _timestamps() -> str:
    return f"""
    created_at TEXT NOT NULL DEFAULT ({_NOW}) CHECK (created_at GLOB '{_TS_GLOB}'),
    updated_at TEXT NOT NULL DEFAULT ({_NOW}) CHECK (updated_at GLOB '{_TS_GLOB}')"""


def _date(col: str) -> str:
    return f"date({col}) IS {col}"


def _json_array(col: str) -> str:
    return f"{col} IS NULL OR (json_valid({col}) AND json_type({col}) = 'array')"


def _json_object(col: str) -> str:
    return f"{col} IS NULL OR (json_valid({col}) AND json_type({col}) = 'object')"


M001_TABLES = f"""
CREATE TABLE athletes (
    id TEXT PRIMARY KEY NOT NULL CHECK ({_uuid("id")}),
    auth_user_id TEXT UNIQUE CHECK ({_uuid("auth_user_id", nullable=True)}),
    display_name TEXT,
    date_of_birth TEXT CHECK ({_date("date_of_birth")}),
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
    intervals_icu_connected INTEGER DEFAULT 0 CHECK (intervals_icu_connected IN (0, 1)),{_timestamps()}
) STRICT;

CREATE TABLE goals (
    id TEXT PRIMARY KEY NOT NULL CHECK ({_uuid("id")}),
    athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE ON UPDATE CASCADE
        CHECK ({_uuid("athlete_id")}),
    goal_type TEXT NOT NULL CHECK (goal_type IN ('race', 'performance', 'fitness', 'health')),
    title TEXT NOT NULL CHECK (length(trim(title)) > 0),
    description TEXT,
    target_date TEXT CHECK ({_date("target_date")}),
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
    health_target_value REAL CHECK (abs(health_target_value) < 100000000),{_timestamps()}
) STRICT;

CREATE TABLE constraints (
    id TEXT PRIMARY KEY NOT NULL CHECK ({_uuid("id")}),
    athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE ON UPDATE CASCADE
        CHECK ({_uuid("athlete_id")}),
    constraint_type TEXT NOT NULL CHECK (constraint_type IN ('injury', 'travel', 'availability')),
    title TEXT NOT NULL CHECK (length(trim(title)) > 0),
    description TEXT,
    start_date TEXT NOT NULL CHECK ({_date("start_date")}),
    end_date TEXT CHECK ({_date("end_date")}),
    status TEXT DEFAULT 'active' CHECK (status IN ('active', 'resolved')),
    injury_body_part TEXT,
    injury_severity TEXT CHECK (injury_severity IN ('mild', 'moderate', 'severe')),
    injury_restrictions TEXT CHECK ({_json_array("injury_restrictions")}),
    travel_destination TEXT,
    travel_equipment_available TEXT CHECK ({_json_array("travel_equipment_available")}),
    travel_facilities_available TEXT CHECK ({_json_array("travel_facilities_available")}),
    availability_hours_per_week REAL CHECK (availability_hours_per_week BETWEEN 0 AND 168),
    availability_days_available TEXT CHECK ({_json_array("availability_days_available")}),{_timestamps()},
    CHECK (end_date IS NULL OR end_date >= start_date)
) STRICT;

CREATE TABLE daily_checkins (
    id TEXT PRIMARY KEY NOT NULL CHECK ({_uuid("id")}),
    athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE ON UPDATE CASCADE
        CHECK ({_uuid("athlete_id")}),
    checkin_date TEXT NOT NULL CHECK ({_date("checkin_date")}),
    sleep_quality INTEGER CHECK (sleep_quality BETWEEN 1 AND 10),
    sleep_hours REAL CHECK (sleep_hours BETWEEN 0 AND 24),
    energy_level INTEGER CHECK (energy_level BETWEEN 1 AND 10),
    stress_level INTEGER CHECK (stress_level BETWEEN 1 AND 10),
    overall_soreness INTEGER CHECK (overall_soreness BETWEEN 1 AND 10),
    soreness_areas TEXT CHECK ({_json_object("soreness_areas")}),
    resting_hr INTEGER CHECK (resting_hr BETWEEN 20 AND 250),
    hrv_ms REAL CHECK (hrv_ms > 0 AND hrv_ms < 10000),
    weight_kg REAL CHECK (weight_kg > 0 AND weight_kg < 1000),
    available_time_minutes INTEGER CHECK (available_time_minutes BETWEEN 0 AND 1440),
    equipment_access TEXT CHECK ({_json_array("equipment_access")}),
    travel_status TEXT CHECK (travel_status IN ('home', 'traveling', 'returning')),
    notes TEXT,
    ai_recommendation TEXT CHECK ({_json_object("ai_recommendation")}),
    ai_recommendation_generated_at TEXT CHECK (ai_recommendation_generated_at GLOB '{_TS_GLOB}'),
    user_response TEXT
        CHECK (user_response IN ('accepted', 'modified', 'skipped', 'alternative')),
    user_response_notes TEXT,{_timestamps()},
    UNIQUE (athlete_id, checkin_date)
) STRICT;

CREATE TABLE training_plans (
    id TEXT PRIMARY KEY NOT NULL CHECK ({_uuid("id")}),
    athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE ON UPDATE CASCADE
        CHECK ({_uuid("athlete_id")}),
    title TEXT NOT NULL CHECK (length(trim(title)) > 0),
    description TEXT,
    duration_weeks INTEGER NOT NULL CHECK (duration_weeks BETWEEN 4 AND 52),
    start_date TEXT NOT NULL CHECK ({_date("start_date")}),
    end_date TEXT NOT NULL CHECK ({_date("end_date")}),
    target_goal_id TEXT REFERENCES goals(id) ON DELETE SET NULL ON UPDATE CASCADE
        CHECK ({_uuid("target_goal_id", nullable=True)}),
    status TEXT DEFAULT 'active'
        CHECK (status IN ('draft', 'active', 'paused', 'completed', 'cancelled')),
    phases TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(phases) AND json_type(phases) = 'array'),
    weekly_template TEXT CHECK (weekly_template IS NULL OR json_valid(weekly_template)),
    adjustments_log TEXT NOT NULL DEFAULT '[]'
        CHECK (json_valid(adjustments_log) AND json_type(adjustments_log) = 'array'),{_timestamps()},
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


def _updated_at_trigger(table: str) -> str:
    return f"""
CREATE TRIGGER {table}_touch_updated_at AFTER UPDATE ON {table}
FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE {table} SET updated_at = {_NOW} WHERE id = NEW.id;
END;
"""


@migrations()
def m001_create_journal_tables(db: Database) -> None:
    """The five tables of the data contract, their checks, indexes and updated_at triggers."""
    _run_script(db.conn, M001_TABLES + "".join(_updated_at_trigger(t) for t in M001_TABLE_NAMES))
    db.conn.execute("PRAGMA user_version = 1")


def _change_triggers(table: str) -> str:
    record = "INSERT OR REPLACE INTO _khepri_pending_changes (table_name, row_id, op) VALUES"
    return f"""
CREATE TRIGGER {table}_pending_insert AFTER INSERT ON {table}
BEGIN
    {record} ('{table}', NEW.id, 'upsert');
END;
CREATE TRIGGER {table}_pending_update AFTER UPDATE ON {table}
BEGIN
    {record} ('{table}', NEW.id, 'upsert');
    DELETE FROM _khepri_pending_changes
        WHERE NEW.id IS NOT OLD.id AND table_name = '{table}' AND row_id = OLD.id;
    INSERT INTO _khepri_pending_changes (table_name, row_id, op)
        SELECT '{table}', OLD.id, 'delete' WHERE NEW.id IS NOT OLD.id;
END;
CREATE TRIGGER {table}_pending_delete AFTER DELETE ON {table}
BEGIN
    {record} ('{table}', OLD.id, 'delete');
END;
"""


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
        script.append(_change_triggers(table))
        script.append(
            f"INSERT INTO _khepri_pending_changes (table_name, row_id, op) "
            f"SELECT '{table}', id, 'upsert' FROM {table} ORDER BY rowid;"
        )
    _run_script(db.conn, "".join(script))
    db.conn.execute("PRAGMA user_version = 2")


def _pending_triggers_v2(table: str) -> str:
    """Pending-change triggers that never depend on a conflict clause.

    Inside a foreign-key action (ON UPDATE CASCADE, ON DELETE SET NULL) SQLite
    runs every nested statement with ABORT, overriding the ``OR REPLACE`` of
    m002's triggers, so a second change to the same row in one statement
    failed with a UNIQUE error. Deleting the old pending row first and then
    inserting needs no conflict resolution at all.
    """
    pending = "_khepri_pending_changes"
    columns = f"INSERT INTO {pending} (table_name, row_id, op)"
    return f"""
DROP TRIGGER {table}_pending_insert;
DROP TRIGGER {table}_pending_update;
DROP TRIGGER {table}_pending_delete;
CREATE TRIGGER {table}_pending_insert AFTER INSERT ON {table}
BEGIN
    DELETE FROM {pending} WHERE table_name = '{table}' AND row_id = NEW.id;
    {columns} VALUES ('{table}', NEW.id, 'upsert');
END;
CREATE TRIGGER {table}_pending_update AFTER UPDATE ON {table}
BEGIN
    DELETE FROM {pending} WHERE table_name = '{table}' AND row_id IN (NEW.id, OLD.id);
    {columns} VALUES ('{table}', NEW.id, 'upsert');
    {columns} SELECT '{table}', OLD.id, 'delete' WHERE NEW.id IS NOT OLD.id;
END;
CREATE TRIGGER {table}_pending_delete AFTER DELETE ON {table}
BEGIN
    DELETE FROM {pending} WHERE table_name = '{table}' AND row_id = OLD.id;
    {columns} VALUES ('{table}', OLD.id, 'delete');
END;
"""


@migrations()
def m003_pending_changes_inside_cascades(db: Database) -> None:
    """Rewrite m002's triggers so cascades (goal deleted under a plan, athlete id changed) work."""
    _run_script(db.conn, "".join(_pending_triggers_v2(t) for t in M001_TABLE_NAMES))
    db.conn.execute("PRAGMA user_version = 3")


# Columns holding a DATE or a TIMESTAMPTZ, per table (schema.md).
_CALENDAR_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "athletes": (("date_of_birth",), ("created_at", "updated_at")),
    "goals": (("target_date",), ("created_at", "updated_at")),
    "constraints": (("start_date", "end_date"), ("created_at", "updated_at")),
    "daily_checkins": (
        ("checkin_date",),
        ("ai_recommendation_generated_at", "created_at", "updated_at"),
    ),
    "training_plans": (("start_date", "end_date"), ("created_at", "updated_at")),
}


def _calendar_guards(table: str) -> str:
    """Refuse days and times that do not exist (2026-02-30, 25:00), as Postgres does.

    m001's ``date(x) IS x`` lets 2026-02-30 through: without a modifier,
    SQLite (3.40 at least) echoes an impossible day back unchanged. With
    ``'+0 days'`` every version normalises it (to 2026-03-02), so the
    comparison fails. A CHECK cannot be altered in place, hence BEFORE triggers.
    """
    days, stamps = _CALENDAR_COLUMNS[table]
    wrong = [f"(NEW.{c} IS NOT NULL AND date(NEW.{c}, '+0 days') IS NOT NEW.{c})" for c in days]
    # Only the first 19 characters: SQLite keeps milliseconds, so a whole
    # timestamp ending in .9995 or more would round up into the next second.
    wrong += [
        f"(NEW.{c} IS NOT NULL AND datetime(substr(NEW.{c}, 1, 19), '+0 days')"
        f" IS NOT replace(substr(NEW.{c}, 1, 19), 'T', ' '))"
        for c in stamps
    ]
    names = ", ".join(f"{table}.{c}" for c in (*days, *stamps))
    message = f"CHECK constraint failed: {names} must be real calendar dates and times"
    condition = "\n    OR ".join(wrong)
    return "".join(
        f"""
CREATE TRIGGER {table}_real_calendar_{event.lower()} BEFORE {event} ON {table}
WHEN {condition}
BEGIN
    SELECT RAISE(ABORT, '{message}');
END;
"""
        for event in ("INSERT", "UPDATE")
    )


@migrations()
def m004_real_calendar_dates(db: Database) -> None:
    """Dates and timestamps must name a day and time that exist, on every SQLite version."""
    _run_script(db.conn, "".join(_calendar_guards(t) for t in M001_TABLE_NAMES))
    db.conn.execute("PRAGMA user_version = 4")


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
