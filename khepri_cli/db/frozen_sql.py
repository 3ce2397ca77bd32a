"""Frozen SQL of the local migrations: the CHECK fragments and triggers every table repeats.

Each migration in :mod:`khepri_cli.db.migrations` spells out its own tables
and columns; the fragments below are the parts that are the same for every
table (a UUID, a timestamp, the ``updated_at`` and pending-change triggers,
the calendar guards). They shipped with the migrations that first used them
and, like those, are never edited: a change would silently change what an
old migration does to a new journal. Standard library only.
"""

from __future__ import annotations

_HEX = "[0-9a-f]"
UUID_GLOB = "-".join(_HEX * n for n in (8, 4, 4, 4, 12))
TIMESTAMP_GLOB = (
    "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T"
    "[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z"
)
NOW = "strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')"
PENDING = "_khepri_pending_changes"


def uuid_check(col: str, *, nullable: bool = False) -> str:
    check = f"{col} GLOB '{UUID_GLOB}'"
    return f"{col} IS NULL OR {check}" if nullable else check


def timestamps() -> str:
    """The ``created_at`` and ``updated_at`` column definitions, after a table's last column."""
    return f"""
    created_at TEXT NOT NULL DEFAULT ({NOW}) CHECK (created_at GLOB '{TIMESTAMP_GLOB}'),
    updated_at TEXT NOT NULL DEFAULT ({NOW}) CHECK (updated_at GLOB '{TIMESTAMP_GLOB}')"""


def date_check(col: str) -> str:
    return f"date({col}) IS {col}"


def json_array_check(col: str) -> str:
    return f"{col} IS NULL OR (json_valid({col}) AND json_type({col}) = 'array')"


def json_object_check(col: str) -> str:
    return f"{col} IS NULL OR (json_valid({col}) AND json_type({col}) = 'object')"


def updated_at_trigger(table: str) -> str:
    return f"""
CREATE TRIGGER {table}_touch_updated_at AFTER UPDATE ON {table}
FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE {table} SET updated_at = {NOW} WHERE id = NEW.id;
END;
"""


def change_triggers_v1(table: str) -> str:
    """m002's pending-change triggers (replaced by :func:`pending_triggers` in m003)."""
    record = f"INSERT OR REPLACE INTO {PENDING} (table_name, row_id, op) VALUES"
    return f"""
CREATE TRIGGER {table}_pending_insert AFTER INSERT ON {table}
BEGIN
    {record} ('{table}', NEW.id, 'upsert');
END;
CREATE TRIGGER {table}_pending_update AFTER UPDATE ON {table}
BEGIN
    {record} ('{table}', NEW.id, 'upsert');
    DELETE FROM {PENDING}
        WHERE NEW.id IS NOT OLD.id AND table_name = '{table}' AND row_id = OLD.id;
    INSERT INTO {PENDING} (table_name, row_id, op)
        SELECT '{table}', OLD.id, 'delete' WHERE NEW.id IS NOT OLD.id;
END;
CREATE TRIGGER {table}_pending_delete AFTER DELETE ON {table}
BEGIN
    {record} ('{table}', OLD.id, 'delete');
END;
"""


def drop_pending_triggers(table: str) -> str:
    return f"""
DROP TRIGGER {table}_pending_insert;
DROP TRIGGER {table}_pending_update;
DROP TRIGGER {table}_pending_delete;"""


def pending_triggers(table: str) -> str:
    """Pending-change triggers that never depend on a conflict clause.

    Inside a foreign-key action (ON UPDATE CASCADE, ON DELETE SET NULL) SQLite
    runs every nested statement with ABORT, overriding the ``OR REPLACE`` of
    m002's triggers, so a second change to the same row in one statement
    failed with a UNIQUE error. Deleting the old pending row first and then
    inserting needs no conflict resolution at all.
    """
    columns = f"INSERT INTO {PENDING} (table_name, row_id, op)"
    return f"""
CREATE TRIGGER {table}_pending_insert AFTER INSERT ON {table}
BEGIN
    DELETE FROM {PENDING} WHERE table_name = '{table}' AND row_id = NEW.id;
    {columns} VALUES ('{table}', NEW.id, 'upsert');
END;
CREATE TRIGGER {table}_pending_update AFTER UPDATE ON {table}
BEGIN
    DELETE FROM {PENDING} WHERE table_name = '{table}' AND row_id IN (NEW.id, OLD.id);
    {columns} VALUES ('{table}', NEW.id, 'upsert');
    {columns} SELECT '{table}', OLD.id, 'delete' WHERE NEW.id IS NOT OLD.id;
END;
CREATE TRIGGER {table}_pending_delete AFTER DELETE ON {table}
BEGIN
    DELETE FROM {PENDING} WHERE table_name = '{table}' AND row_id = OLD.id;
    {columns} VALUES ('{table}', OLD.id, 'delete');
END;
"""


CALENDAR_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "athletes": (("date_of_birth",), ("created_at", "updated_at")),
    "goals": (("target_date",), ("created_at", "updated_at")),
    "constraints": (("start_date", "end_date"), ("created_at", "updated_at")),
    "daily_checkins": (
        ("checkin_date",),
        ("ai_recommendation_generated_at", "created_at", "updated_at"),
    ),
    "training_plans": (("start_date", "end_date"), ("created_at", "updated_at")),
}
"""Columns holding a DATE or a TIMESTAMPTZ, per table (schema.md), as each table's migration
created them."""


def calendar_guards(table: str) -> str:
    """Refuse days and times that do not exist (2026-02-30, 25:00), as Postgres does.

    m001's ``date(x) IS x`` lets 2026-02-30 through: without a modifier,
    SQLite (3.40 at least) echoes an impossible day back unchanged. With
    ``'+0 days'`` every version normalises it (to 2026-03-02), so the
    comparison fails. A CHECK cannot be altered in place, hence BEFORE triggers.
    """
    days, stamps = CALENDAR_COLUMNS[table]
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
