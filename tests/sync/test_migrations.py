"""The remote schema as versioned migrations, and ``khepri supabase schema --missing``.

The index (``khepri_cli.sql.MIGRATIONS``) must match the files, the first
migration must stay exactly what projects applied, and ``--missing`` must
tell, from a real database's catalogue and the Supabase CLI's records, which
migrations it lacks.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from khepri_cli import sql
from khepri_cli.sql import (
    MIGRATIONS,
    Migration,
    PartialMigration,
    initial_schema,
    missing_migrations,
    schema_tables,
    whole_schema,
)

ROOT = Path(__file__).resolve().parents[2]
PACKAGED = ROOT / "khepri_cli" / "sql" / "migrations"
SUPABASE = ROOT / "supabase" / "migrations"
# sha256 of 20260201000000_initial_schema.sql as shipped: projects have applied these bytes.
FIRST_SHA256 = "ea2057cdcfd7b15882df74b55f1ae539a60a9309c04906e9fdb5c45689135e0d"


@dataclass(frozen=True)
class TextMigration(Migration):
    """A migration whose SQL is given here rather than read from the package."""

    text: str = ""

    def sql(self) -> str:
        return self.text


NEXT = TextMigration(  # a migration yet to come, to test how the next one is found
    "20990101000000",
    "race_results",
    creates=("race_results",),
    text=(
        "CREATE TABLE public.race_results (\n"
        "    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),\n"
        "    athlete_id UUID NOT NULL REFERENCES public.athletes(id) ON DELETE CASCADE\n"
        ");\n"
    ),
)


def psql(url: str, script: str) -> subprocess.CompletedProcess:
    if shutil.which("psql") is None:
        pytest.skip("psql is not installed")
    command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", url]
    return subprocess.run(command, input=script, capture_output=True, text=True)


def catalogue(url: str) -> dict[str, dict[str, str]]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY c.relname, a.attnum"
        ).fetchall()
    return sql.catalogue_from_rows(rows)


# --- the index and the files ---------------------------------------------------------------


def test_the_first_migration_is_byte_for_byte_what_was_shipped():
    first = PACKAGED / "20260201000000_initial_schema.sql"
    assert hashlib.sha256(first.read_bytes()).hexdigest() == FIRST_SHA256
    assert MIGRATIONS[0].filename == first.name
    assert initial_schema() == first.read_text(encoding="utf-8")


def test_the_index_lists_every_file_in_order_and_nothing_else():
    versions = [m.version for m in MIGRATIONS]
    assert all(re.fullmatch(r"\d{14}", v) for v in versions), versions
    assert versions == sorted(set(versions)), "versions must be unique and in order"
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", m.name) for m in MIGRATIONS)
    listed = [m.filename for m in MIGRATIONS]
    assert sorted(p.name for p in PACKAGED.iterdir()) == listed
    assert sorted(p.name for p in SUPABASE.iterdir()) == listed
    for migration in MIGRATIONS:
        assert migration.creates, f"{migration.label} names nothing to probe for"
        assert migration.sql().endswith("\n")


def test_the_whole_schema_is_every_migration_in_order():
    assert whole_schema() == "\n".join(m.sql() for m in MIGRATIONS)
    assert whole_schema(MIGRATIONS[:1]) == initial_schema()
    two = whole_schema([MIGRATIONS[0], NEXT])
    assert two == initial_schema() + "\n" + NEXT.text


def test_schema_tables_are_what_the_migrations_create(pg_url):
    """schema_tables() (read by sync/remote_schema.py) is the catalogue, columns in order."""
    found = catalogue(pg_url)
    assert {t: tuple(c) for t, c in found.items()} == schema_tables()


def test_each_migration_creates_what_it_says_and_the_one_before_lacks_it(pg_empty_url):
    import psycopg

    with psycopg.connect(pg_empty_url) as conn:
        for migration in MIGRATIONS:
            before = sql.catalogue_from_rows(
                conn.execute(sql.catalogue_sql(sql.probe_tables())).fetchall()
            )
            assert migration.found(before) == ([], list(migration.creates)), migration.label
            conn.execute(migration.sql())
            after = sql.catalogue_from_rows(
                conn.execute(sql.catalogue_sql(sql.probe_tables())).fetchall()
            )
            assert migration.found(after) == (list(migration.creates), []), migration.label


# --- deciding what is missing (no database) ---------------------------------------------------

FIRST = MIGRATIONS[0]
TWO = (FIRST, NEXT)
SEED = {
    table: dict.fromkeys(columns, "text")
    for table, columns in schema_tables().items()
    if table in FIRST.creates
}


def test_an_empty_remote_lacks_everything():
    assert missing_migrations({}, (), TWO) == list(TWO)


def test_a_remote_with_the_first_lacks_the_second():
    assert missing_migrations(SEED, (), TWO) == [NEXT]
    assert missing_migrations({**SEED, "race_results": {"id": "uuid"}}, (), TWO) == []


def test_recorded_versions_count_as_applied():
    assert missing_migrations({}, [FIRST.version], TWO) == [NEXT]
    assert missing_migrations({}, [FIRST.version, NEXT.version], TWO) == []


def test_a_column_probe():
    column = TextMigration("20990102000000", "plan_sport", creates=("training_plans.sport",))
    assert missing_migrations(SEED, (), (FIRST, column)) == [column]
    with_column = {**SEED, "training_plans": {**SEED["training_plans"], "sport": "text"}}
    assert missing_migrations(with_column, (), (FIRST, column)) == []


def test_part_of_a_migration_is_an_error_unless_recorded():
    partial = {"athletes": SEED["athletes"], "goals": SEED["goals"]}
    with pytest.raises(PartialMigration) as caught:
        missing_migrations(partial, (), TWO)
    assert str(caught.value) == (
        f"has part of migration {FIRST.label} (has athletes, goals; "
        f"lacks constraints, daily_checkins, training_plans)"
    )
    assert missing_migrations(partial, [FIRST.version], TWO) == [NEXT]


def test_the_live_backend_has_the_first_migration_and_lacks_khepris_later_ones():
    live = {**SEED, "training_plans": {"id": "uuid", "name": "text"}, "seasons": {}}
    assert missing_migrations(live) == list(MIGRATIONS[1:])


def test_catalogue_sql_refuses_odd_names():
    with pytest.raises(ValueError):
        sql.catalogue_sql(["athletes; DROP TABLE goals"])


# --- khepri supabase schema --missing on real databases ----------------------------------------


def lacking_line(url: str, lacking: list[Migration]) -> str:
    names = ", ".join(m.label for m in lacking)
    return (
        f"The database at {url} lacks {len(lacking)} of {len(MIGRATIONS)} "
        f"Khepri migration(s): {names}\n"
    )


def up_to_date_line(url: str) -> str:
    return f"The database at {url} is up to date: it has all Khepri migrations.\n"


def test_a_new_project_lacks_everything_and_the_output_applies(khepri, pg_empty_url):
    run = khepri.ok("supabase", "schema", "--missing", "--db-url", pg_empty_url)
    assert run.stdout == whole_schema()
    assert run.stderr == lacking_line(pg_empty_url, list(MIGRATIONS))
    done = psql(pg_empty_url, run.stdout)
    assert done.returncode == 0, done.stderr
    again = khepri.ok("supabase", "schema", "--missing", "--db-url", pg_empty_url)
    assert again.stdout == ""
    assert again.stderr == up_to_date_line(pg_empty_url)
    assert not khepri.db_path.exists()  # the journal is never touched


def test_a_project_with_the_schema_is_up_to_date(khepri, pg_url):
    run = khepri.ok("supabase", "schema", "--missing", "--db-url", pg_url)
    assert (run.stdout, run.stderr) == ("", up_to_date_line(pg_url))


def test_the_live_khepri_backend_takes_the_migrations_after_the_first(khepri, pg_live_url):
    run = khepri.ok("supabase", "schema", "--missing", "--db-url", pg_live_url)
    assert run.stdout == whole_schema(MIGRATIONS[1:])  # the app's backend has no sessions table
    assert run.stderr == lacking_line(pg_live_url, list(MIGRATIONS[1:]))
    done = psql(pg_live_url, run.stdout)
    assert done.returncode == 0, done.stderr
    again = khepri.ok("supabase", "schema", "--missing", "--db-url", pg_live_url)
    assert (again.stdout, again.stderr) == ("", up_to_date_line(pg_live_url))


def test_an_older_project_is_upgraded_by_the_next_migration(khepri, pg_url, monkeypatch):
    monkeypatch.setattr(sql, "MIGRATIONS", (*MIGRATIONS, NEXT))
    run = khepri.ok("supabase", "schema", "--missing", "--db-url", pg_url)
    assert run.stdout == NEXT.text
    assert run.stderr == (
        f"The database at {pg_url} lacks 1 of {len(MIGRATIONS) + 1} "
        f"Khepri migration(s): {NEXT.label}\n"
    )
    done = psql(pg_url, run.stdout)
    assert done.returncode == 0, done.stderr
    again = khepri.ok("supabase", "schema", "--missing", "--db-url", pg_url)
    assert (again.stdout, again.stderr) == ("", up_to_date_line(pg_url))
    # and the whole schema now ends with it
    assert khepri.ok("supabase", "schema").stdout == whole_schema(MIGRATIONS) + "\n" + NEXT.text


def test_versions_recorded_by_the_supabase_cli_count(khepri, pg_empty_url, monkeypatch):
    import psycopg

    with psycopg.connect(pg_empty_url) as conn:  # as `supabase db push` leaves it
        conn.execute(
            "CREATE SCHEMA supabase_migrations; "
            "CREATE TABLE supabase_migrations.schema_migrations "
            "(version text PRIMARY KEY, statements text[], name text)"
        )
        conn.execute(
            "INSERT INTO supabase_migrations.schema_migrations (version, name) VALUES (%s, %s)",
            (MIGRATIONS[0].version, MIGRATIONS[0].name),
        )
    # No Khepri table, but the record says the first migration was applied.
    run = khepri.ok("supabase", "schema", "--missing", "--db-url", pg_empty_url)
    assert run.stdout == (whole_schema(MIGRATIONS[1:]) if len(MIGRATIONS) > 1 else "")
    monkeypatch.setattr(sql, "MIGRATIONS", (MIGRATIONS[0], NEXT))
    run = khepri.ok("supabase", "schema", "--missing", "--db-url", pg_empty_url)
    assert run.stdout == NEXT.text


def test_part_of_a_migration_is_one_line_and_exit_1(khepri, pg_empty_url):
    import psycopg

    with psycopg.connect(pg_empty_url) as conn:
        conn.execute("CREATE TABLE public.athletes (id uuid PRIMARY KEY)")
    run = khepri("supabase", "schema", "--missing", "--db-url", pg_empty_url)
    assert run.exit_code == 1
    assert run.stdout == ""
    assert run.stderr == (
        f"khepri: error: the database at {pg_empty_url} has part of migration "
        f"{MIGRATIONS[0].label} (has athletes; lacks goals, constraints, daily_checkins, "
        "training_plans); it was changed by hand, so Khepri cannot tell what to add: "
        "compare it with 'khepri supabase schema'\n"
    )


def test_the_url_comes_from_the_environment_or_dotenv(khepri, pg_url, monkeypatch, tmp_path):
    (tmp_path / ".env").write_text(f"SUPABASE_DB_URL='{pg_url}'\n", encoding="utf-8")
    assert khepri.ok("supabase", "schema", "--missing").stderr == up_to_date_line(pg_url)
    (tmp_path / ".env").unlink()
    monkeypatch.setenv("SUPABASE_DB_URL", pg_url)
    assert khepri.ok("supabase", "schema", "--missing").stderr == up_to_date_line(pg_url)


def test_missing_to_a_file(khepri, pg_empty_url, pg_url, tmp_path):
    target = tmp_path / "upgrade.sql"
    run = khepri.ok("supabase", "schema", "--missing", "--db-url", pg_empty_url, "-o", str(target))
    assert target.read_text(encoding="utf-8") == whole_schema()
    assert run.stdout == ""
    assert run.stderr.endswith(f"Wrote the migration(s) it lacks to {target}\n")
    target.unlink()
    run = khepri.ok("supabase", "schema", "--missing", "--db-url", pg_url, "-o", str(target))
    assert not target.exists()  # up to date: nothing to write
    assert run.stderr == up_to_date_line(pg_url)


# --- failures -------------------------------------------------------------------------------


def one_line(run) -> str:
    assert run.stdout == ""
    [line] = run.stderr.splitlines()
    assert line.startswith("khepri: error: ")
    return line


def test_an_unreachable_server_is_one_line_exit_1_without_the_password(khepri):
    url = "postgresql://postgres:hunter2secret@127.0.0.1:1/postgres?connect_timeout=3"
    run = khepri("supabase", "schema", "--missing", "--db-url", url)
    assert run.exit_code == 1
    line = one_line(run)
    assert "hunter2secret" not in line
    assert line.startswith(
        "khepri: error: cannot connect to the database at postgresql://postgres:***@127.0.0.1:1/"
    )


def test_a_refused_login_is_one_line_exit_1_without_the_password(khepri, pg_url):
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(pg_url)
    params.update(user="khepri_nobody", password="hunter2secret")
    run = khepri("supabase", "schema", "--missing", "--db-url", make_conninfo(**params))
    assert run.exit_code == 1
    line = one_line(run)
    assert "hunter2secret" not in line and "password=***" in line
    assert 'role "khepri_nobody" does not exist' in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--db-url", "postgresql://x/y"], "khepri: error: --db-url: only used with --missing"),
        (["--missing"], "khepri: error: --missing: which database? pass --db-url or set "),
        (
            ["--missing", "--db-url", "mysql://u:pw@h/db"],
            "khepri: error: --db-url: 'mysql://u:***@h/db' is not valid; must be a PostgreSQL URL",
        ),
    ],
)
def test_bad_usage_is_exit_2(khepri, args, message):
    run = khepri("supabase", "schema", *args)
    assert run.exit_code == 2
    assert one_line(run).startswith(message)


def test_without_psycopg_it_says_how_to_install_it(khepri, monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)
    run = khepri("supabase", "schema", "--missing", "--db-url", "postgresql://u:pw@h/db")
    assert run.exit_code == 1
    assert one_line(run) == (
        "khepri: error: reading the database needs psycopg, which is not installed: "
        "pip install 'khepri-cli[sync]'"
    )
