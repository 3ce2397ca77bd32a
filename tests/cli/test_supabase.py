"""``khepri supabase schema``: the packaged Postgres schema, printed or written to a file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from khepri_cli.sql import initial_schema, whole_schema

ROOT = Path(__file__).resolve().parents[2]


def test_schema_prints_the_packaged_sql(khepri):
    run = khepri.ok("supabase", "schema")
    assert run.stdout == whole_schema()
    migration = ROOT / "khepri_cli" / "sql" / "migrations" / "20260201000000_initial_schema.sql"
    assert run.stdout.startswith(migration.read_text("utf-8")) and initial_schema() in run.stdout
    assert "CREATE TABLE public.athletes" in run.stdout
    assert run.stderr == ""


def test_schema_dash_output_means_stdout(khepri):
    assert khepri.ok("supabase", "schema", "-o", "-").stdout == whole_schema()


def test_schema_writes_a_file_and_says_so(khepri, tmp_path):
    target = tmp_path / "schema.sql"
    run = khepri.ok("supabase", "schema", "--output", str(target))
    assert target.read_text(encoding="utf-8") == whole_schema()
    assert run.stdout == ""
    assert run.stderr == f"Wrote the Khepri schema to {target}\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_schema_refuses_to_overwrite_without_force(khepri, tmp_path):
    target = tmp_path / "schema.sql"
    target.write_text("-- my notes\n", encoding="utf-8")
    run = khepri("supabase", "schema", "-o", str(target))
    assert run.exit_code == 2
    assert run.stderr == (
        f"khepri: error: --output: {target} already exists; add --force to overwrite it\n"
    )
    assert target.read_text(encoding="utf-8") == "-- my notes\n"
    khepri.ok("supabase", "schema", "-o", str(target), "--force")
    assert target.read_text(encoding="utf-8") == whole_schema()


def test_schema_into_a_missing_folder_is_a_usage_error(khepri, tmp_path):
    target = tmp_path / "nowhere" / "schema.sql"
    run = khepri("supabase", "schema", "-o", str(target))
    assert run.exit_code == 2
    assert run.stderr.count("\n") == 1
    assert "--output: the folder" in run.stderr
    assert not target.parent.exists()


def test_schema_never_touches_the_journal(khepri):
    khepri.ok("supabase", "schema")
    assert not khepri.db_path.exists()


def test_help_has_examples(khepri):
    assert "Example:" in khepri.ok("supabase", "--help").stdout
    help_text = khepri.ok("supabase", "schema", "--help").stdout
    assert "Example:" in help_text
    assert "--output" in help_text
    assert "--force" in help_text
    assert "--missing" in help_text
    assert "--db-url" in help_text


def test_the_command_module_imports_no_database_driver():
    code = (
        "import sys, khepri_cli.cli.supabase; "
        "print(sorted(m for m in ('psycopg', 'sqlite_utils', 'rich') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
