"""Start-up cost: everyday commands never import the sync, HTTP, migration or test-only libraries.

Each check runs ``khepri`` in a fresh interpreter, exactly as the console
script does, against an up-to-date journal, then reports which heavy modules
ended up in ``sys.modules``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

NEVER_ON_EVERYDAY_PATHS = ("psycopg", "sqlite_utils", "hypothesis", "httpx")
WATCHED = (*NEVER_ON_EVERYDAY_PATHS, "rich", "pydantic", "httpx")

RUN_KHEPRI = """
import json, sys
from khepri_cli.cli.main import main
watched = json.loads(sys.argv[2])
sys.argv = ["khepri", *json.loads(sys.argv[1])]
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code
print("STARTUP " + json.dumps({"code": code, "loaded": [m for m in watched if m in sys.modules]}),
      file=sys.stderr)
"""


def loaded_by(*args: str) -> tuple[int, set[str]]:
    """Run ``khepri *args`` in a new interpreter with stdout piped; (exit code, heavy modules)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("KHEPRI_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-c", RUN_KHEPRI, json.dumps(args), json.dumps(WATCHED)],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    [line] = [ln for ln in done.stderr.splitlines() if ln.startswith("STARTUP ")]
    report = json.loads(line.removeprefix("STARTUP "))
    return report["code"], set(report["loaded"])


def test_importing_the_cli_is_light():
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, json; import khepri_cli.cli.main; "
            f"print(json.dumps([m for m in {list(WATCHED)!r} if m in sys.modules]))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == []


@pytest.mark.parametrize(
    "args",
    [
        ("profile",),
        ("profile", "--json"),
        ("profile", "set", "--ftp", "260"),
        ("checkin", "--sleep-hours", "7.5", "--energy", "7", "--stress", "3"),
        ("checkins", "list"),
        ("goals", "list"),
        ("constraints", "list"),
        ("log", "run", "45m", "--rpe", "6"),
        ("activities", "list"),
        ("load",),
        ("plans", "list"),
    ],
    ids=" ".join,
)
def test_everyday_commands_do_not_import_sync_migration_or_test_libraries(athlete, args):
    code, loaded = loaded_by(*args)
    assert code == 0
    assert loaded.isdisjoint(NEVER_ON_EVERYDAY_PATHS), loaded
    assert "rich" not in loaded  # piped output is plain text; rich is for terminals


def test_the_morning_checkin_does_not_even_load_pydantic(athlete):
    code, loaded = loaded_by("checkin", "--sleep-hours", "7", "--energy", "6", "--stress", "4")
    assert code == 0
    assert loaded == set(), loaded


@pytest.mark.parametrize(
    "args", [("config",), ("config", "--json"), ("login", "--help")], ids=" ".join
)
def test_config_and_help_do_not_load_the_http_client(athlete, monkeypatch, args):
    monkeypatch.setenv("SUPABASE_URL", "https://abcd.supabase.co")
    monkeypatch.setenv("SUPABASE_PUBLISHABLE_KEY", "sb_publishable_abcdefgh")
    code, loaded = loaded_by(*args)
    assert code == 0
    assert loaded.isdisjoint(NEVER_ON_EVERYDAY_PATHS), loaded


def test_the_api_way_in_loads_httpx_and_only_it(athlete, monkeypatch):
    """``khepri whoami`` (not logged in: it fails before any request) is on the API path."""
    monkeypatch.setenv("SUPABASE_URL", "https://abcd.supabase.co")
    monkeypatch.setenv("SUPABASE_PUBLISHABLE_KEY", "sb_publishable_abcdefgh")
    code, loaded = loaded_by("whoami")
    assert code == 1
    assert "httpx" in loaded
    assert loaded.isdisjoint({"psycopg", "pydantic", "sqlite_utils"}), loaded


def test_the_check_can_see_a_heavy_import(athlete):
    """An old journal has to be migrated, which does load sqlite-utils: the probe works."""
    import sqlite3

    conn = sqlite3.connect(athlete.db_path)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name != 'm001_create_journal_tables'")
    conn.execute("DROP TABLE activities")  # m005's, with its indexes and triggers
    conn.execute("DROP TABLE _khepri_pending_changes")
    conn.execute("DROP TABLE _khepri_sync_state")
    conn.execute("DROP TABLE _khepri_sync_base")
    conn.execute("DROP TABLE _khepri_sync_conflicts")
    for trigger in [
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    ]:
        if "_pending_" in trigger or "_real_calendar_" in trigger:
            conn.execute(f"DROP TRIGGER {trigger}")
    conn.commit()
    conn.close()
    code, loaded = loaded_by("profile")
    assert code == 0
    assert "sqlite_utils" in loaded
