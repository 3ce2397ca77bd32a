"""What every command does alike: reading leaves no trace, files stay private, global options
go anywhere, and the same mistake gets the same answer whichever way it is made."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from khepri_cli.db.connection import open_journal

READ_COMMANDS = [
    ["profile"],
    ["profile", "show", "--json"],
    ["checkins"],
    ["checkins", "show", "today"],
    ["goals", "list"],
    ["constraints", "list"],
    ["export"],
    ["sync", "status"],
    ["checkin", "--energy", "7"],
    ["goals", "add", "race", "Cascais"],
    ["profile", "set", "--ftp", "250"],
]


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# -- reading has no side effects --------------------------------------------------------------


@pytest.mark.parametrize("command", READ_COMMANDS, ids=" ".join)
def test_a_command_without_a_journal_creates_neither_file_nor_folder(khepri, tmp_path, command):
    typo = tmp_path / "typo" / "dir" / "x.db"
    run = khepri("--db", str(typo), *command)
    assert run.exit_code == 1, run.output
    assert run.stderr == (
        f"khepri: error: no journal at {typo} yet; run 'khepri init' first "
        "(or point --db or KHEPRI_DB at your journal)\n"
    )
    assert not (tmp_path / "typo").exists()


def test_the_default_journal_is_not_created_by_reading_either(khepri):
    assert khepri("goals", "list").exit_code == 1
    assert not khepri.db_path.exists()


# -- privacy ------------------------------------------------------------------------------------


def test_a_new_journal_and_its_wal_files_are_private(khepri):
    old = os.umask(0o022)
    try:
        khepri.ok("init", "--name", "Ada")
        journal = open_journal(khepri.db_path)
        with journal.transaction() as conn:
            conn.execute("UPDATE athletes SET ftp_watts = 250")
        files = [
            khepri.db_path,
            *(khepri.db_path.with_name(khepri.db_path.name + s) for s in ("-wal", "-shm")),
        ]
        assert [mode(path) for path in files] == [0o600, 0o600, 0o600]
        journal.close()
    finally:
        os.umask(old)


def test_a_new_export_file_is_private(athlete, tmp_path):
    old = os.umask(0o022)
    try:
        athlete.ok("export", "-o", str(tmp_path / "backup.json"))
    finally:
        os.umask(old)
    assert mode(tmp_path / "backup.json") == 0o600


def test_an_imported_journal_is_private(athlete, tmp_path):
    athlete.ok("export", "-o", str(tmp_path / "backup.json"))
    restored = tmp_path / "restored.db"
    athlete.ok("--db", str(restored), "import", str(tmp_path / "backup.json"))
    assert mode(restored) == 0o600


# -- init ---------------------------------------------------------------------------------------


def test_init_without_flags_or_terminal_is_a_usage_error_and_creates_nothing(khepri):
    run = khepri("init")
    assert run.exit_code == 2
    assert "no profile values given and no terminal to ask on" in run.stderr
    assert "--no-input" in run.stderr
    assert not khepri.db_path.exists()


@pytest.mark.parametrize("where", ["before", "after"])
def test_init_with_no_input_makes_a_profile_with_the_defaults(khepri, where):
    args = ["--no-input", "init"] if where == "before" else ["init", "--no-input"]
    run = khepri.ok(*args)
    assert "Created the profile" in run.stderr
    assert khepri.rows("SELECT preferred_units FROM athletes") == [{"preferred_units": "metric"}]


# -- global options before or after the command -----------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--db", "{db}", "goals", "list", "--json"],
        ["goals", "--db", "{db}", "list", "--json"],
        ["goals", "list", "--json", "--db", "{db}"],
        ["goals", "list", "--db={db}", "--json"],
    ],
)
def test_db_works_before_or_after_the_command(khepri, tmp_path, args):
    other = tmp_path / "other.db"
    khepri.ok("--db", str(other), "init", "--name", "Bea")
    khepri.ok("--db", str(other), "goals", "add", "race", "Elsewhere")
    run = khepri.ok(*(a.format(db=other) for a in args))
    assert [goal["title"] for goal in json.loads(run.stdout)] == ["Elsewhere"]
    assert not khepri.db_path.exists()


def test_no_input_and_debug_work_after_the_command(athlete):
    run = athlete("checkins", "delete", "today", "--no-input", "--debug")
    assert run.exit_code == 2 and "no check-in on 2026-11-25" in run.stderr


def test_debug_after_the_command_shows_the_traceback(khepri):
    code = (
        "import sys; from khepri_cli.cli import main;"
        "main.KhepriGroup.invoke = lambda self, ctx: 1 / 0;"
        "sys.argv = ['khepri', 'goals', 'list', '--debug']; main.main()"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 1 and "Traceback" in run.stderr and "ZeroDivisionError" in run.stderr


# -- the same mistake, the same answer ------------------------------------------------------------


def test_group_options_before_the_subcommand_are_refused_not_ignored(athlete):
    run = athlete("profile", "--json", "show")
    assert run.exit_code == 2
    assert "put the options after the subcommand: 'khepri profile show --json'" in run.stderr


def test_a_bad_since_is_reported_even_without_a_profile(khepri):
    open_journal(khepri.db_path).close()
    run = khepri("checkins", "--since", "2026-13-45")
    assert run.exit_code == 2
    assert run.stderr.startswith("khepri: error: --since: '2026-13-45' is not valid")


@pytest.mark.parametrize(
    "command",
    [
        ["checkin", "--date", "someday", "--energy", "7"],
        ["checkin", "--energy", "11"],
        ["goals", "add", "race", "Cascais", "--date", "2027-02-30"],
        ["constraints", "add", "injury", "Knee", "--severity", "awful"],
        ["checkins", "show", "0001-01-01"],
    ],
    ids=" ".join,
)
def test_bad_values_are_reported_before_a_missing_profile(khepri, command):
    open_journal(khepri.db_path).close()
    run = khepri(*command)
    assert run.exit_code == 2, run.output
    assert "no athlete profile" not in run.stderr


# -- --json on every command that writes ------------------------------------------------------

WRITES = [
    (["checkin", "--energy", "7", "--json"], "daily_checkins", {"energy_level": 7}),
    (["checkin", "respond", "modified", "--notes", "easy", "--json"], "daily_checkins", {"user_response": "modified"}),
    (["goals", "add", "race", "Cascais", "--json"], "goals", {"title": "Cascais"}),
    (["goals", "edit", "{goal}", "--priority", "A", "--json"], "goals", {"priority": "A"}),
    (["goals", "complete", "{goal}", "--json"], "goals", {"status": "completed"}),
    (["goals", "cancel", "{goal}", "--json"], "goals", {"status": "cancelled"}),
    (["goals", "reopen", "{goal}", "--json"], "goals", {"status": "active"}),
    (["constraints", "add", "injury", "Knee", "--json"], "constraints", {"title": "Knee"}),
    (["constraints", "edit", "{constraint}", "--severity", "mild", "--json"], "constraints", {"injury_severity": "mild"}),
    (["constraints", "resolve", "{constraint}", "--json"], "constraints", {"status": "resolved"}),
    (["constraints", "reopen", "{constraint}", "--json"], "constraints", {"status": "active"}),
    (["profile", "set", "--ftp", "265", "--json"], "athletes", {"ftp_watts": 265}),
    (["init", "--name", "Ada L", "--json"], "athletes", {"display_name": "Ada L"}),
]  # fmt: skip


def test_every_write_command_prints_the_stored_row_with_json(athlete):
    ids = {
        "goal": json.loads(athlete.ok("goals", "add", "race", "R", "--json").stdout)["id"],
        "constraint": json.loads(athlete.ok("constraints", "add", "injury", "K", "--json").stdout)[
            "id"
        ],
    }
    athlete.ok("checkin", "--energy", "5")
    for command, table, expected in WRITES:
        run = athlete.ok(*(part.format(**ids) for part in command))
        printed = json.loads(run.stdout)
        assert printed.items() >= expected.items(), command
        stored = athlete.rows(f"SELECT * FROM {table} WHERE id = ?", (printed["id"],))[0]
        assert stored["updated_at"] == printed["updated_at"], command


# -- file names no file can have --------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["export", "-o", "x" * 300],
        ["export", "-o", "journal.db/inside.json"],
        ["import", "x" * 300],
        ["supabase", "schema", "-o", "~no_such_user_here/schema.sql"],
        ["supabase", "schema", "-o", "y" * 300],
    ],
    ids=lambda command: " ".join(part[:20] for part in command),
)
def test_a_file_name_that_cannot_be_used_is_bad_usage(athlete, command):
    run = athlete(*command)
    assert run.exit_code == 2, run.output
    assert run.stderr.count("\n") == 1 and "unexpected" not in run.stderr


def test_khepri_db_naming_an_unknown_home_is_a_missing_journal(khepri, monkeypatch):
    monkeypatch.setenv("KHEPRI_DB", "~no_such_user_here/khepri.db")
    run = khepri("profile")
    assert run.exit_code == 1 and "no journal at ~no_such_user_here/khepri.db" in run.stderr
