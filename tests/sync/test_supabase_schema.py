"""The Postgres schema on a stand-in Supabase: the contract's types, RLS, triggers and indexes.

Row Level Security is exercised the way PostgREST runs requests: ``SET ROLE
authenticated`` (or ``anon`` / ``service_role``) with the JWT claims in
``request.jwt.claims`` (see ``acting_as`` in conftest.py).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
import uuid
from pathlib import Path
from typing import Any

import pytest

from khepri_cli.sql import MIGRATIONS, whole_schema

from .conftest import acting_as, make_user

psycopg = pytest.importorskip("psycopg")
errors = psycopg.errors

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("athletes", "goals", "constraints", "daily_checkins", "training_plans", "activities")
TS = "timestamp with time zone"

# schema.md, table by table: column -> Postgres type (format_type), in order.
CONTRACT: dict[str, list[tuple[str, str]]] = {
    "athletes": [
        ("id", "uuid"),
        ("auth_user_id", "uuid"),
        ("display_name", "text"),
        ("date_of_birth", "date"),
        ("weight_kg", "numeric(5,2)"),
        ("height_cm", "numeric(5,2)"),
        ("ftp_watts", "integer"),
        ("running_threshold_pace_sec_per_km", "integer"),
        ("css_sec_per_100m", "integer"),
        ("resting_heart_rate", "integer"),
        ("max_heart_rate", "integer"),
        ("lthr", "integer"),
        ("preferred_units", "text"),
        ("timezone", "text"),
        ("daily_checkin_time", "time without time zone"),
        ("intervals_icu_athlete_id", "text"),
        ("intervals_icu_connected", "boolean"),
        ("created_at", TS),
        ("updated_at", TS),
    ],
    "goals": [
        ("id", "uuid"),
        ("athlete_id", "uuid"),
        ("goal_type", "text"),
        ("title", "text"),
        ("description", "text"),
        ("target_date", "date"),
        ("priority", "text"),
        ("status", "text"),
        ("race_event_name", "text"),
        ("race_distance", "text"),
        ("race_location", "text"),
        ("race_target_time_seconds", "integer"),
        ("perf_metric", "text"),
        ("perf_current_value", "numeric(10,2)"),
        ("perf_target_value", "numeric(10,2)"),
        ("fitness_metric", "text"),
        ("fitness_target_value", "numeric(10,2)"),
        ("health_metric", "text"),
        ("health_current_value", "numeric(10,2)"),
        ("health_target_value", "numeric(10,2)"),
        ("created_at", TS),
        ("updated_at", TS),
    ],
    "constraints": [
        ("id", "uuid"),
        ("athlete_id", "uuid"),
        ("constraint_type", "text"),
        ("title", "text"),
        ("description", "text"),
        ("start_date", "date"),
        ("end_date", "date"),
        ("status", "text"),
        ("injury_body_part", "text"),
        ("injury_severity", "text"),
        ("injury_restrictions", "text[]"),
        ("travel_destination", "text"),
        ("travel_equipment_available", "text[]"),
        ("travel_facilities_available", "text[]"),
        ("availability_hours_per_week", "numeric(4,1)"),
        ("availability_days_available", "text[]"),
        ("created_at", TS),
        ("updated_at", TS),
    ],
    "daily_checkins": [
        ("id", "uuid"),
        ("athlete_id", "uuid"),
        ("checkin_date", "date"),
        ("sleep_quality", "integer"),
        ("sleep_hours", "numeric(3,1)"),
        ("energy_level", "integer"),
        ("stress_level", "integer"),
        ("overall_soreness", "integer"),
        ("soreness_areas", "jsonb"),
        ("resting_hr", "integer"),
        ("hrv_ms", "numeric(5,1)"),
        ("weight_kg", "numeric(5,2)"),
        ("available_time_minutes", "integer"),
        ("equipment_access", "text[]"),
        ("travel_status", "text"),
        ("notes", "text"),
        ("ai_recommendation", "jsonb"),
        ("ai_recommendation_generated_at", TS),
        ("user_response", "text"),
        ("user_response_notes", "text"),
        ("created_at", TS),
        ("updated_at", TS),
    ],
    "training_plans": [
        ("id", "uuid"),
        ("athlete_id", "uuid"),
        ("title", "text"),
        ("description", "text"),
        ("duration_weeks", "integer"),
        ("start_date", "date"),
        ("end_date", "date"),
        ("target_goal_id", "uuid"),
        ("status", "text"),
        ("phases", "jsonb"),
        ("weekly_template", "jsonb"),
        ("adjustments_log", "jsonb"),
        ("created_at", TS),
        ("updated_at", TS),
    ],
    # Not in schema.md: Khepri's completed sessions (docs/load.md), its second migration.
    "activities": [
        ("id", "uuid"),
        ("athlete_id", "uuid"),
        ("activity_date", "date"),
        ("sport", "text"),
        ("duration_minutes", "integer"),
        ("rpe", "integer"),
        ("distance_km", "numeric(8,3)"),
        ("tss", "numeric(6,1)"),
        ("notes", "text"),
        ("created_at", TS),
        ("updated_at", TS),
    ],
}

# schema.md's index list: table -> indexed column lists (as pg_get_indexdef shows them).
INDEXES = {
    ("athletes", "auth_user_id"),
    ("goals", "athlete_id"),
    ("goals", "status"),
    ("goals", "target_date"),
    ("constraints", "athlete_id"),
    ("constraints", "status"),
    ("constraints", "start_date, end_date"),
    ("daily_checkins", "athlete_id"),
    ("daily_checkins", "checkin_date DESC"),
    ("daily_checkins", "athlete_id, checkin_date DESC"),
    ("training_plans", "athlete_id"),
    ("training_plans", "status"),
    ("training_plans", "start_date, end_date"),
    ("activities", "athlete_id"),
    ("activities", "athlete_id, activity_date DESC"),
}


@pytest.fixture
def pg(pg_url: str):
    with psycopg.connect(pg_url, autocommit=True) as conn:
        yield conn


# --- the files --------------------------------------------------------------------


def test_each_migration_is_a_relative_symlink_to_the_packaged_file():
    for migration in MIGRATIONS:
        link = ROOT / "supabase" / "migrations" / migration.filename
        packaged = ROOT / "khepri_cli" / "sql" / "migrations" / migration.filename
        assert link.is_symlink(), link
        assert os.readlink(link) == f"../../khepri_cli/sql/migrations/{migration.filename}"
        assert link.resolve() == packaged.resolve()
        assert link.read_text(encoding="utf-8") == migration.sql()


def test_git_stores_the_migrations_as_symlinks():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for migration in MIGRATIONS:
        out = subprocess.run(
            ["git", "ls-files", "-s", f"supabase/migrations/{migration.filename}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert out.startswith("120000 "), (migration.filename, out)


def test_the_schema_never_calls_uuid_generate_v4():
    # On hosted Supabase uuid-ossp lives in the extensions schema: SQLSTATE 42883 on db push.
    assert "uuid_generate_v4" not in whole_schema()
    assert whole_schema().count("DEFAULT gen_random_uuid()") == len(TABLES)


def test_supabase_config_matches_the_documented_layout():
    config = tomllib.loads((ROOT / "supabase" / "config.toml").read_text(encoding="utf-8"))
    assert config["project_id"] == "khepri"
    assert config["api"]["port"] == 54321
    assert config["db"]["port"] == 54322
    assert config["db"]["major_version"] == 15
    assert config["db"]["seed"] == {"enabled": True, "sql_paths": ["./seed.sql"]}
    assert config["auth"]["email"]["enable_signup"] is True
    assert config["studio"]["enabled"] is True
    for path in config["db"]["seed"]["sql_paths"]:
        assert (ROOT / "supabase" / path).is_file()
    assert (ROOT / "supabase" / "functions" / ".gitkeep").exists()


def test_env_example_names_every_setting_without_real_secrets():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    settings = dict(
        line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")
    )
    assert settings == {
        "SUPABASE_URL": "",
        "SUPABASE_PUBLISHABLE_KEY": "",
        "SUPABASE_SERVICE_ROLE_KEY": "",
        "SUPABASE_DB_URL": "",
    }
    assert "postgresql://postgres:postgres@127.0.0.1:54322/postgres" in text
    assert "http://127.0.0.1:54321" in text


# --- structure ----------------------------------------------------------------------


def test_tables_have_the_contract_columns_and_types(pg):
    rows = pg.execute(
        """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY c.relname, a.attnum
        """
    ).fetchall()
    found: dict[str, list[tuple[str, str]]] = {}
    for table, column, type_name in rows:
        found.setdefault(table, []).append((column, type_name))
    assert found == CONTRACT


def test_ids_timestamps_and_not_nulls(pg):
    rows = pg.execute(
        """
        SELECT table_name, column_name, is_nullable, column_default
        FROM information_schema.columns WHERE table_schema = 'public'
        """
    ).fetchall()
    info = {(t, c): (nullable == "YES", default) for t, c, nullable, default in rows}
    for table in TABLES:
        assert info[table, "id"] == (False, "gen_random_uuid()")
        assert info[table, "created_at"] == (False, "now()")
        assert info[table, "updated_at"] == (False, "now()")
    not_null = {key for key, (nullable, _) in info.items() if not nullable}
    expected = {(t, c) for t in TABLES for c in ("id", "created_at", "updated_at")}
    expected |= {(t, "athlete_id") for t in TABLES if t != "athletes"}
    expected |= {
        ("athletes", "auth_user_id"),
        ("goals", "goal_type"),
        ("goals", "title"),
        ("constraints", "constraint_type"),
        ("constraints", "title"),
        ("constraints", "start_date"),
        ("daily_checkins", "checkin_date"),
        ("training_plans", "title"),
        ("training_plans", "duration_weeks"),
        ("training_plans", "start_date"),
        ("training_plans", "end_date"),
        ("training_plans", "phases"),
        ("training_plans", "adjustments_log"),
        ("activities", "activity_date"),
        ("activities", "sport"),
        ("activities", "duration_minutes"),
        ("activities", "rpe"),
    }
    assert not_null == expected


def test_every_index_of_the_contract_exists(pg):
    rows = pg.execute(
        "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'"
    ).fetchall()
    found = set()
    for table, definition in rows:
        columns = re.search(r"USING btree \((.*)\)$", definition)
        assert columns, definition
        found.add((table, columns.group(1)))
    assert found >= INDEXES
    # athletes(auth_user_id) is served by the UNIQUE constraint's index, not a duplicate one.
    assert sum(1 for key in found if key == ("athletes", "auth_user_id")) == 1


def test_every_table_has_rls_and_four_owner_policies_with_a_wrapped_uid(pg):
    rls = dict(
        pg.execute(
            "SELECT relname, relrowsecurity FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r'"
        ).fetchall()
    )
    assert rls == dict.fromkeys(TABLES, True)
    policies = pg.execute(
        "SELECT tablename, cmd, roles, qual, with_check FROM pg_policies WHERE schemaname = 'public'"
    ).fetchall()
    by_table: dict[str, list[str]] = {}
    for table, cmd, roles, qual, with_check in policies:
        by_table.setdefault(table, []).append(cmd)
        assert roles == ["authenticated"], (table, cmd)
        for expression in (qual, with_check):
            if expression is None:
                continue
            assert "SELECT auth.uid()" in expression, (table, cmd, expression)
            # no bare auth.uid() evaluated per row
            assert "auth.uid()" not in expression.replace("SELECT auth.uid()", ""), expression
        needs_using = cmd in ("SELECT", "UPDATE", "DELETE")
        needs_check = cmd in ("INSERT", "UPDATE")
        assert (qual is not None) == needs_using, (table, cmd)
        assert (with_check is not None) == needs_check, (table, cmd)
    commands = ["DELETE", "INSERT", "SELECT", "UPDATE"]
    assert {t: sorted(cmds) for t, cmds in by_table.items()} == {t: commands for t in TABLES}


def test_every_table_has_a_before_update_trigger_for_updated_at(pg):
    rows = pg.execute(
        """
        SELECT c.relname, p.proname, t.tgtype
        FROM pg_trigger t
        JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_proc p ON p.oid = t.tgfoid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND NOT t.tgisinternal
        """
    ).fetchall()
    # tgtype bits: 1 = row, 2 = before, 16 = update
    assert {(table, proc) for table, proc, kind in rows if kind & 1 and kind & 2 and kind & 16} == {
        (table, "khepri_set_updated_at") for table in TABLES
    }


# --- RLS at work ----------------------------------------------------------------------


def _own_rows(conn: Any, user: str) -> dict[str, str]:
    """As ``user``: an athlete and one row in each child table; returns their ids."""
    ids = {}
    with acting_as(conn, user):
        ids["athletes"] = str(
            conn.execute(
                "INSERT INTO athletes (auth_user_id, display_name) VALUES (%s, 'Ada') RETURNING id",
                (user,),
            ).fetchone()[0]
        )
        athlete = ids["athletes"]
        ids["goals"] = str(
            conn.execute(
                "INSERT INTO goals (athlete_id, goal_type, title) VALUES (%s, 'race', 'Marathon') "
                "RETURNING id",
                (athlete,),
            ).fetchone()[0]
        )
        ids["constraints"] = str(
            conn.execute(
                "INSERT INTO constraints (athlete_id, constraint_type, title, start_date, "
                "injury_restrictions) VALUES (%s, 'injury', 'Knee', '2026-11-01', %s) RETURNING id",
                (athlete, ["running"]),
            ).fetchone()[0]
        )
        ids["daily_checkins"] = str(
            conn.execute(
                "INSERT INTO daily_checkins (athlete_id, checkin_date, sleep_quality, "
                "soreness_areas) VALUES (%s, '2026-11-25', 7, '{\"legs\": 3}') RETURNING id",
                (athlete,),
            ).fetchone()[0]
        )
        ids["training_plans"] = str(
            conn.execute(
                "INSERT INTO training_plans (athlete_id, title, duration_weeks, start_date, "
                "end_date, target_goal_id) VALUES (%s, 'Build', 12, '2026-12-01', '2027-02-22', %s) "
                "RETURNING id",
                (athlete, ids["goals"]),
            ).fetchone()[0]
        )
        ids["activities"] = str(
            conn.execute(
                "INSERT INTO activities (athlete_id, activity_date, sport, duration_minutes, rpe) "
                "VALUES (%s, '2026-11-24', 'run', 45, 6) RETURNING id",
                (athlete,),
            ).fetchone()[0]
        )
    return ids


def _count(conn: Any, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_owner_can_insert_select_update_and_delete_own_rows(pg, pg_url):
    ada = make_user(pg_url, "ada@example.com")
    ids = _own_rows(pg, ada)
    with acting_as(pg, ada):
        for table in TABLES:
            assert _count(pg, table) == 1, table
            assert str(pg.execute(f"SELECT id FROM {table}").fetchone()[0]) == ids[table]
        column = {
            "athletes": "display_name",
            "goals": "title",
            "constraints": "title",
            "daily_checkins": "notes",
            "training_plans": "title",
            "activities": "notes",
        }
        for table in TABLES:
            updated = pg.execute(
                f"UPDATE {table} SET {column[table]} = 'changed' WHERE id = %s", (ids[table],)
            )
            assert updated.rowcount == 1, table
    with acting_as(pg, ada):
        for table in reversed(TABLES):
            deleted = pg.execute(f"DELETE FROM {table} WHERE id = %s", (ids[table],))
            assert deleted.rowcount == 1, table
        for table in TABLES:
            assert _count(pg, table) == 0, table


def test_another_user_sees_and_changes_nothing_of_yours(pg, pg_url):
    ada = make_user(pg_url, "ada@example.com")
    bob = make_user(pg_url, "bob@example.com")
    ids = _own_rows(pg, ada)
    with acting_as(pg, bob):
        for table in TABLES:
            assert _count(pg, table) == 0, table
            assert (
                pg.execute(f"SELECT * FROM {table} WHERE id = %s", (ids[table],)).fetchall() == []
            )
            assert pg.execute(f"UPDATE {table} SET created_at = now() WHERE true").rowcount == 0
            assert pg.execute(f"DELETE FROM {table}").rowcount == 0
    # Ada's rows are all still there, untouched.
    for table in TABLES:
        assert _count(pg, table) == 1, table


@pytest.mark.parametrize(
    ("statement", "params"),
    [
        ("INSERT INTO athletes (auth_user_id) VALUES (%(ada)s)", {}),
        ("INSERT INTO goals (athlete_id, goal_type, title) VALUES (%(athlete)s, 'race', 'x')", {}),
        (
            "INSERT INTO constraints (athlete_id, constraint_type, title, start_date) "
            "VALUES (%(athlete)s, 'travel', 'x', '2026-11-01')",
            {},
        ),
        (
            "INSERT INTO daily_checkins (athlete_id, checkin_date) VALUES (%(athlete)s, '2026-11-26')",
            {},
        ),
        (
            "INSERT INTO training_plans (athlete_id, title, duration_weeks, start_date, end_date) "
            "VALUES (%(athlete)s, 'x', 4, '2026-12-01', '2026-12-28')",
            {},
        ),
        (
            "INSERT INTO activities (athlete_id, activity_date, sport, duration_minutes, rpe) "
            "VALUES (%(athlete)s, '2026-11-24', 'bike', 60, 5)",
            {},
        ),
    ],
    ids=["athletes", "goals", "constraints", "daily_checkins", "training_plans", "activities"],
)
def test_another_user_cannot_write_rows_into_your_profile(pg, pg_url, statement, params):
    ada = make_user(pg_url, "ada@example.com")
    bob = make_user(pg_url, "bob@example.com")
    ids = _own_rows(pg, ada)
    with pytest.raises(errors.InsufficientPrivilege), acting_as(pg, bob):
        pg.execute(statement, {"ada": ada, "athlete": ids["athletes"], **params})


def test_a_user_cannot_hand_a_row_over_to_someone_else(pg, pg_url):
    ada = make_user(pg_url, "ada@example.com")
    bob = make_user(pg_url, "bob@example.com")
    ada_ids = _own_rows(pg, ada)
    bob_ids = _own_rows(pg, bob)
    with pytest.raises(errors.InsufficientPrivilege), acting_as(pg, bob):
        pg.execute(
            "UPDATE athletes SET auth_user_id = %s WHERE id = %s", (ada, bob_ids["athletes"])
        )
    with pytest.raises(errors.InsufficientPrivilege), acting_as(pg, bob):
        pg.execute(
            "UPDATE goals SET athlete_id = %s WHERE id = %s",
            (ada_ids["athletes"], bob_ids["goals"]),
        )


def test_a_plan_cannot_point_at_another_users_goal(pg, pg_url):
    ada = make_user(pg_url, "ada@example.com")
    bob = make_user(pg_url, "bob@example.com")
    ada_ids = _own_rows(pg, ada)
    bob_ids = _own_rows(pg, bob)
    with pytest.raises(errors.InsufficientPrivilege), acting_as(pg, bob):
        pg.execute(
            "UPDATE training_plans SET target_goal_id = %s WHERE id = %s",
            (ada_ids["goals"], bob_ids["training_plans"]),
        )
    with acting_as(pg, bob):  # their own goal is fine
        assert (
            pg.execute(
                "UPDATE training_plans SET target_goal_id = NULL WHERE id = %s",
                (bob_ids["training_plans"],),
            ).rowcount
            == 1
        )


def test_anon_has_no_access_and_a_missing_subject_sees_nothing(pg, pg_url):
    ada = make_user(pg_url, "ada@example.com")
    _own_rows(pg, ada)
    for table in TABLES:
        with pytest.raises(errors.InsufficientPrivilege), acting_as(pg, None, role="anon"):
            pg.execute(f"SELECT * FROM {table}")
        with acting_as(pg, None):  # authenticated role but no sub claim
            assert _count(pg, table) == 0


def test_service_role_bypasses_rls(pg, pg_url):
    _own_rows(pg, make_user(pg_url, "ada@example.com"))
    _own_rows(pg, make_user(pg_url, "bob@example.com"))
    with acting_as(pg, None, role="service_role"):
        for table in TABLES:
            assert _count(pg, table) == 2, table


def test_ids_default_to_random_uuids(pg, pg_url):
    ada = make_user(pg_url, "ada@example.com")
    ids = _own_rows(pg, ada)
    for value in ids.values():
        assert uuid.UUID(value).version == 4
    assert len(set(ids.values())) == len(ids)


def test_updated_at_moves_on_update_and_created_at_stays(pg, pg_url):
    ada = make_user(pg_url, "ada@example.com")
    ids = _own_rows(pg, ada)
    before = {
        table: pg.execute(
            f"SELECT created_at, updated_at FROM {table} WHERE id = %s", (ids[table],)
        ).fetchone()
        for table in TABLES
    }
    with acting_as(pg, ada):  # a later transaction: now() has moved on
        for table in TABLES:
            pg.execute(
                f"UPDATE {table} SET updated_at = '2000-01-01T00:00:00Z' WHERE id = %s",
                (ids[table],),
            )
    for table in TABLES:
        created, updated = pg.execute(
            f"SELECT created_at, updated_at FROM {table} WHERE id = %s", (ids[table],)
        ).fetchone()
        assert created == before[table][0], table
        assert updated > before[table][1], table


def test_deleting_the_auth_user_removes_everything_and_a_goal_unlinks_its_plan(pg, pg_url):
    ada = make_user(pg_url, "ada@example.com")
    ids = _own_rows(pg, ada)
    pg.execute("DELETE FROM goals WHERE id = %s", (ids["goals"],))
    assert pg.execute("SELECT target_goal_id FROM training_plans").fetchone() == (None,)
    pg.execute("DELETE FROM auth.users WHERE id = %s", (ada,))
    for table in TABLES:
        assert _count(pg, table) == 0, table


def test_one_checkin_per_athlete_per_day(pg, pg_url):
    ada = make_user(pg_url, "ada@example.com")
    ids = _own_rows(pg, ada)
    with pytest.raises(errors.UniqueViolation), acting_as(pg, ada):
        pg.execute(
            "INSERT INTO daily_checkins (athlete_id, checkin_date) VALUES (%s, '2026-11-25')",
            (ids["athletes"],),
        )


# --- applying and seeding -------------------------------------------------------------


def test_psql_applies_the_printed_schema_to_a_new_project_in_one_transaction(pg_empty_url):
    if shutil.which("psql") is None:
        pytest.skip("psql is not installed")
    from typer.testing import CliRunner

    from khepri_cli.cli.main import app

    printed = CliRunner().invoke(app, ["supabase", "schema"])
    assert printed.exit_code == 0, printed.output
    command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", pg_empty_url]
    done = subprocess.run(command, input=printed.stdout, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with psycopg.connect(pg_empty_url) as conn:
        assert {
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        } == set(TABLES)
    # A second run fails as a whole and leaves the project as it was.
    again = subprocess.run(command, input=printed.stdout, capture_output=True, text=True)
    assert again.returncode != 0
    assert "already exists" in again.stderr


def test_seed_runs_without_users_and_gives_the_first_user_examples(pg, pg_url):
    seed = (ROOT / "supabase" / "seed.sql").read_text(encoding="utf-8")
    pg.execute(seed)  # right after `supabase db reset`: no users, no error, no rows
    for table in TABLES:
        assert _count(pg, table) == 0
    ada = make_user(pg_url, "ada@example.com")
    pg.execute(seed)
    counts = {table: _count(pg, table) for table in TABLES}
    assert all(counts[table] >= 1 for table in TABLES), counts
    pg.execute(seed)  # loading it again adds nothing
    assert {table: _count(pg, table) for table in TABLES} == counts
    with acting_as(pg, ada):  # the examples belong to that user under RLS
        assert {table: _count(pg, table) for table in TABLES} == counts
    with acting_as(pg, make_user(pg_url, "bob@example.com")):
        assert all(_count(pg, table) == 0 for table in TABLES)
