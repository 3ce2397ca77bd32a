"""``khepri goals``: add, list, show, edit, complete, cancel, reopen, delete."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys

import pytest

from khepri_cli.cli.state import AppState
from khepri_cli.schema.tables import GOALS


def add(k, *args: str) -> dict:
    """Add a goal and return its row as ``--json`` prints it."""
    return json.loads(k.ok("goals", "add", *args, "--json").stdout)


def sql(k, statement: str, params: tuple = ()) -> None:
    conn = sqlite3.connect(k.db_path)
    try:
        with conn:
            conn.execute(statement, params)
    finally:
        conn.close()


def refused(k, args: list[str], fragment: str, code: int = 2):
    """Run a command that must fail: one stderr line, nothing on stdout, journal unchanged."""
    before = k.snapshot()
    run = k(*args)
    assert run.exit_code == code, run.output
    assert fragment in run.stderr, run.stderr
    assert run.stderr.startswith("khepri: error: ")
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.output
    assert run.stdout == ""
    assert k.snapshot() == before
    return run


def table(stdout: str) -> list[dict[str, str]]:
    """A plain (piped) table as dicts keyed by header, cut at the header's column starts."""
    header, *lines = stdout.rstrip("\n").splitlines()
    starts = [m.start() for m in re.finditer(r"\S+(?: \S+)*", header)]
    names = [header[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)]
    return [
        {n: line[a:b].strip() for n, a, b in zip(names, starts, [*starts[1:], None], strict=True)}
        for line in lines
    ]


# --- add ---------------------------------------------------------------------------------


def test_add_race_goal_fills_the_race_columns(athlete):
    run = athlete.ok(
        "goals",
        "add",
        "race",
        "Cascais 70.3",
        "--date",
        "2027-10-03",
        "--priority",
        "a",
        "--event",
        "Ironman 70.3 Cascais",
        "--distance",
        "70.3",
        "--location",
        "Cascais, Portugal",
        "--target-time",
        "5:15:00",
        "--description",
        "Season opener",
    )
    assert "Added race goal" in run.stderr and "priority A" in run.stderr
    assert "Cascais 70.3" in run.stdout and "312 days" in run.stdout
    [row] = athlete.rows("SELECT * FROM goals")
    assert row["goal_type"] == "race"
    assert row["title"] == "Cascais 70.3"
    assert row["target_date"] == "2027-10-03"
    assert row["priority"] == "A"
    assert row["status"] == "active"
    assert row["race_event_name"] == "Ironman 70.3 Cascais"
    assert row["race_distance"] == "70.3"
    assert row["race_location"] == "Cascais, Portugal"
    assert row["race_target_time_seconds"] == 5 * 3600 + 15 * 60
    assert row["description"] == "Season opener"
    assert row["athlete_id"] == athlete.rows("SELECT id FROM athletes")[0]["id"]


@pytest.mark.parametrize(
    ("goal_type", "flags", "expected"),
    [
        (
            "performance",
            ["--metric", "FTP", "--current", "250", "--target", "280.5"],
            {"perf_metric": "ftp", "perf_current_value": 250.0, "perf_target_value": 280.5},
        ),
        (
            "fitness",
            ["--metric", "weekly volume km", "--target", "60"],
            {"fitness_metric": "weekly_volume_km", "fitness_target_value": 60.0},
        ),
        (
            "health",
            ["--metric", "weight_kg", "--current", "72,4", "--target", "68"],
            {
                "health_metric": "weight_kg",
                "health_current_value": 72.4,
                "health_target_value": 68.0,
            },
        ),
    ],
)
def test_add_maps_each_types_flags_to_its_columns(athlete, goal_type, flags, expected):
    row = add(athlete, goal_type, "A goal", *flags)
    for column, value in expected.items():
        assert row[column] == value
    others = [
        c
        for c in list(GOALS.column_names)
        if c.startswith(("race_", "perf_", "fitness_", "health_"))
    ]
    assert all(row[c] is None for c in others if c not in expected)


def test_add_defaults_to_priority_b_without_a_date(athlete):
    row = add(athlete, "fitness", "Consistency")
    assert row["priority"] == "B" and row["target_date"] is None and row["status"] == "active"


@pytest.mark.parametrize(
    ("text", "day"),
    [("today", "2026-11-25"), ("tomorrow", "2026-11-26"), ("2027-04-25", "2027-04-25")],
)
def test_add_reads_dates_in_the_athletes_calendar(athlete, text, day):
    assert add(athlete, "race", "Marathon", "--date", text)["target_date"] == day


def test_add_json_prints_the_full_row_in_schema_order(athlete):
    run = athlete.ok("goals", "add", "race", "Marathon", "--json")
    data = json.loads(run.stdout)
    assert list(data) == list(GOALS.column_names)
    assert "Added race goal" in run.stderr


def test_add_goal_type_is_case_insensitive(athlete):
    assert add(athlete, "Race", "Marathon")["goal_type"] == "race"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            ["sprint", "x"],
            "goal type: 'sprint' is not valid; use race, performance, fitness or health",
        ),
        (["race", "x", "--priority", "D"], "--priority: 'D' is not valid; use A, B or C"),
        (
            ["race", "x", "--date", "2026-02-30"],
            "--date: '2026-02-30' is not valid; that day does not exist",
        ),
        (["race", "x", "--date", "next week"], "--date: 'next week' is not valid; use YYYY-MM-DD"),
        (
            ["race", "x", "--target-time", "fast"],
            "--target-time: 'fast' is not valid; use h:mm:ss",
        ),
        (["race", "x", "--target-time", "0:00"], "--target-time: '0:00' is not valid"),
        (
            ["performance", "x", "--current", "lots"],
            "--current: 'lots' is not valid; use a number",
        ),
        (
            ["health", "x", "--target", "1e12"],
            "--target: '1e12' is not valid; must be more than -100000000 and less than 100000000",
        ),
        (["race", "   "], "TITLE: '   ' is not valid; must not be empty"),
        (["fitness", "x", "--event", "Cascais"], "--event applies to race goals only"),
        (["health", "x", "--distance", "10k"], "--distance applies to race goals only"),
        (["race", "x", "--metric", "ftp"], "--metric applies to performance, fitness and health"),
        (
            ["fitness", "x", "--current", "40"],
            "--current applies to performance and health goals only, not to fitness goals",
        ),
        (["race", "x", "--target", "3"], "--target applies to performance, fitness and health"),
    ],
)
def test_add_refuses_bad_input_and_writes_nothing(athlete, args, fragment):
    refused(athlete, ["goals", "add", *args], fragment)


def test_add_needs_a_profile(khepri):
    run = khepri("goals", "add", "race", "Marathon")
    assert run.exit_code == 1
    assert "run 'khepri init' first" in run.stderr
    assert run.stderr.count("\n") == 1


def test_add_without_a_title_is_a_usage_error(athlete):
    refused(athlete, ["goals", "add", "race"], "Missing argument 'TITLE'")


# --- list --------------------------------------------------------------------------------


def test_list_sorts_by_priority_then_date_with_undated_last(athlete):
    add(athlete, "race", "C soon", "--priority", "C", "--date", "2026-11-26")
    add(athlete, "fitness", "B undated")
    add(athlete, "race", "B in 12 days", "--date", "2026-12-07")
    add(athlete, "race", "A far", "--priority", "A", "--date", "2027-10-03")
    add(athlete, "health", "B past", "--date", "2026-11-22")
    add(athlete, "race", "B today", "--date", "today")
    rows = table(athlete.ok("goals", "list").stdout)
    assert [row["title"] for row in rows] == [
        "A far",
        "B past",
        "B today",
        "B in 12 days",
        "B undated",
        "C soon",
    ]
    to_go = {row["title"]: row["to go"] for row in rows}
    assert to_go["B undated"] == ""
    assert to_go["A far"] == "312 days"
    assert to_go["B past"] == "3 days ago"
    assert to_go["B today"] == "today"
    assert to_go["B in 12 days"] == "12 days"
    assert to_go["C soon"] == "1 day"


def test_list_shows_short_ids_and_each_types_key_detail(athlete):
    race = add(
        athlete,
        "race",
        "Cascais",
        "--distance",
        "70.3",
        "--target-time",
        "5:15:00",
        "--priority",
        "A",
    )
    add(athlete, "performance", "FTP", "--metric", "ftp", "--current", "250", "--target", "280")
    add(athlete, "fitness", "Volume", "--metric", "weekly_volume_km", "--target", "60")
    add(athlete, "health", "Weight", "--metric", "weight_kg", "--current", "72", "--target", "68")
    stdout = athlete.ok("goals", "list").stdout
    first = stdout.splitlines()[1]
    assert first.startswith(race["id"][:8] + "  ") and race["id"] not in stdout
    assert "70.3 · target 5:15:00" in stdout
    assert "ftp 250 → 280" in stdout
    assert "weekly_volume_km → 60" in stdout
    assert "weight_kg 72 → 68" in stdout


def test_days_to_go_count_from_the_athletes_own_today(athlete, monkeypatch):
    add(athlete, "race", "Race", "--date", "2026-11-26")
    monkeypatch.setenv("KHEPRI_NOW", "2026-11-25T12:00:00Z")
    assert table(athlete.ok("goals", "list").stdout)[0]["to go"] == "1 day"
    athlete.ok("profile", "set", "--timezone", "Pacific/Auckland")  # already 26 Nov there
    assert table(athlete.ok("goals", "list").stdout)[0]["to go"] == "today"


def test_list_shows_active_goals_unless_asked(athlete):
    done = add(athlete, "race", "Done")
    dropped = add(athlete, "race", "Dropped")
    add(athlete, "race", "Open")
    athlete.ok("goals", "complete", done["id"][:6])
    athlete.ok("goals", "cancel", dropped["id"][:6])
    assert [row["title"] for row in table(athlete.ok("goals", "list").stdout)] == ["Open"]
    assert "status" not in athlete.ok("goals", "list").stdout.splitlines()[0]
    everything = table(athlete.ok("goals", "list", "--status", "all").stdout)
    assert {row["title"]: row["status"] for row in everything} == {
        "Done": "completed",
        "Dropped": "cancelled",
        "Open": "active",
    }
    completed = table(athlete.ok("goals", "list", "--status", "completed").stdout)
    assert [row["title"] for row in completed] == ["Done"]


def test_list_filters_by_type(athlete):
    add(athlete, "race", "Marathon")
    add(athlete, "health", "Weight")
    data = json.loads(athlete.ok("goals", "list", "--type", "health", "--json").stdout)
    assert [g["title"] for g in data] == ["Weight"]


def test_list_json_is_a_list_of_full_rows(athlete):
    add(athlete, "race", "Marathon", "--priority", "A")
    add(athlete, "fitness", "Volume")
    data = json.loads(athlete.ok("goals", "list", "--json").stdout)
    assert [g["title"] for g in data] == ["Marathon", "Volume"]
    assert all(list(g) == list(GOALS.column_names) for g in data)


def test_list_when_empty(athlete):
    assert json.loads(athlete.ok("goals", "list", "--json").stdout) == []
    run = athlete.ok("goals", "list")
    assert run.stdout == "" and "No active goals yet" in run.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            ["--status", "done"],
            "--status: 'done' is not valid; use active, completed, cancelled or all",
        ),
        (
            ["--type", "swim"],
            "--type: 'swim' is not valid; use race, performance, fitness or health",
        ),
    ],
)
def test_list_refuses_bad_filters(athlete, args, fragment):
    refused(athlete, ["goals", "list", *args], fragment)


def test_list_on_a_terminal_draws_titles_literally(athlete, monkeypatch):
    add(athlete, "fitness", "[Base] block", "--metric", "weekly_volume_km", "--target", "60")
    monkeypatch.setattr("khepri_cli.render.console.is_terminal", lambda stream=None: True)
    stdout = athlete.ok("goals", "list").stdout
    assert "Goals (active)" in stdout and "[Base] block" in stdout


# --- show --------------------------------------------------------------------------------


def test_show_by_id_prefix(athlete):
    goal = add(athlete, "race", "Marathon", "--distance", "marathon", "--date", "2026-12-07")
    stdout = athlete.ok("goals", "show", goal["id"][:4]).stdout
    assert goal["id"] in stdout
    assert "2026-12-07 (12 days)" in stdout
    assert "marathon" in stdout


def test_show_json_is_the_row(athlete):
    goal = add(athlete, "health", "Weight", "--metric", "weight_kg", "--target", "68")
    data = json.loads(athlete.ok("goals", "show", goal["id"].upper()[:8], "--json").stdout)
    assert data == goal


@pytest.mark.parametrize("command", ["show", "edit", "complete", "cancel", "reopen", "delete"])
def test_unknown_id(athlete, command):
    add(athlete, "race", "Marathon")
    extra = ["--title", "x"] if command == "edit" else ["--yes"] if command == "delete" else []
    refused(athlete, ["goals", command, "ffffffff", *extra], "no goal with ID 'ffffffff'")


def test_an_id_must_be_hexadecimal(athlete):
    refused(athlete, ["goals", "show", "xyz"], "IDs are hexadecimal")


def _two_goals_sharing_a_prefix(k) -> tuple[str, str]:
    first = add(k, "race", "First")
    second = add(k, "race", "Second")
    ids = ("abcd1234-0000-4000-8000-000000000001", "abcd1234-0000-4000-8000-000000000002")
    sql(k, "UPDATE goals SET id = ? WHERE id = ?", (ids[0], first["id"]))
    sql(k, "UPDATE goals SET id = ? WHERE id = ?", (ids[1], second["id"]))
    return ids


@pytest.mark.parametrize("command", ["show", "edit", "complete", "delete"])
def test_ambiguous_id_prefix(athlete, command):
    ids = _two_goals_sharing_a_prefix(athlete)
    extra = ["--title", "x"] if command == "edit" else ["--yes"] if command == "delete" else []
    refused(athlete, ["goals", command, "abcd", *extra], "ID 'abcd' matches several goals")
    assert (
        json.loads(athlete.ok("goals", "show", ids[1][:-1] + "2", "--json").stdout)["title"]
        == "Second"
    )
    assert json.loads(athlete.ok("goals", "show", ids[0], "--json").stdout)["title"] == "First"


# --- edit --------------------------------------------------------------------------------


def test_edit_changes_only_the_given_fields_and_moves_updated_at(athlete, monkeypatch):
    goal = add(athlete, "race", "Marathon", "--date", "2027-04-25", "--location", "London")
    monkeypatch.setenv("KHEPRI_NOW", "2026-11-26T08:00:00Z")
    run = athlete.ok(
        "goals",
        "edit",
        goal["id"][:8],
        "--target-time",
        "2:59:59",
        "--priority",
        "A",
        "--title",
        "London Marathon",
    )
    assert "Saved race goal" in run.stderr
    [row] = athlete.rows("SELECT * FROM goals")
    assert row["race_target_time_seconds"] == 2 * 3600 + 59 * 60 + 59
    assert row["priority"] == "A" and row["title"] == "London Marathon"
    assert row["race_location"] == "London" and row["target_date"] == "2027-04-25"
    assert row["created_at"] == goal["created_at"]
    assert row["updated_at"] == "2026-11-26T08:00:00.000000Z" != goal["updated_at"]


def test_edit_clears_the_date_and_empty_values(athlete):
    goal = add(athlete, "race", "Marathon", "--date", "2027-04-25", "--location", "London")
    athlete.ok("goals", "edit", goal["id"], "--clear-date", "--location", "")
    [row] = athlete.rows("SELECT target_date, race_location FROM goals")
    assert row == {"target_date": None, "race_location": None}


def test_edit_without_changes_keeps_updated_at(athlete, monkeypatch):
    goal = add(athlete, "race", "Marathon", "--priority", "A")
    monkeypatch.setenv("KHEPRI_NOW", "2026-11-26T08:00:00Z")
    run = athlete.ok("goals", "edit", goal["id"], "--priority", "a")
    assert "No change" in run.stderr
    assert athlete.rows("SELECT updated_at FROM goals")[0]["updated_at"] == goal["updated_at"]


def test_edit_json_prints_the_new_row(athlete):
    goal = add(athlete, "performance", "FTP", "--metric", "ftp", "--target", "280")
    data = json.loads(athlete.ok("goals", "edit", goal["id"], "--current", "255", "--json").stdout)
    assert data["perf_current_value"] == 255.0 and data["perf_target_value"] == 280.0


@pytest.mark.parametrize(
    ("flags", "fragment"),
    [
        (["--event", "Cascais"], "--event applies to race goals only, not to fitness goals"),
        (["--priority", "Z"], "--priority: 'Z' is not valid"),
        (["--priority", ""], "--priority: '' is not valid"),
        (["--date", "2026-02-30"], "--date: '2026-02-30' is not valid"),
        (["--title", " "], "--title: ' ' is not valid; must not be empty"),
        (["--target", "sixty"], "--target: 'sixty' is not valid"),
        ([], "nothing to change"),
        (["--date", "today", "--clear-date"], "--date and --clear-date cannot be used together"),
    ],
)
def test_edit_refuses_bad_input_and_writes_nothing(athlete, flags, fragment):
    goal = add(athlete, "fitness", "Volume", "--metric", "weekly_volume_km", "--target", "60")
    refused(athlete, ["goals", "edit", goal["id"][:8], *flags], fragment)


# --- complete, cancel, reopen ------------------------------------------------------------


def test_complete_cancel_and_reopen_set_the_status(athlete, monkeypatch):
    goal = add(athlete, "race", "Marathon")
    monkeypatch.setenv("KHEPRI_NOW", "2026-11-26T08:00:00Z")
    run = athlete.ok("goals", "complete", goal["id"][:5])
    assert "Completed race goal" in run.stderr and run.stdout == ""
    row = athlete.rows("SELECT status, updated_at FROM goals")[0]
    assert row == {"status": "completed", "updated_at": "2026-11-26T08:00:00.000000Z"}
    athlete.ok("goals", "cancel", goal["id"][:5])
    assert athlete.rows("SELECT status FROM goals")[0]["status"] == "cancelled"
    assert "Reopened" in athlete.ok("goals", "reopen", goal["id"][:5]).stderr
    assert athlete.rows("SELECT status FROM goals")[0]["status"] == "active"


def test_completing_twice_changes_nothing(athlete, monkeypatch):
    goal = add(athlete, "race", "Marathon")
    athlete.ok("goals", "complete", goal["id"])
    before = athlete.snapshot()
    monkeypatch.setenv("KHEPRI_NOW", "2026-11-27T08:00:00Z")
    run = athlete.ok("goals", "complete", goal["id"])
    assert "already completed; nothing changed" in run.stderr
    assert athlete.snapshot() == before


# --- delete ------------------------------------------------------------------------------


def test_delete_with_yes(athlete):
    goal = add(athlete, "race", "Marathon")
    run = athlete.ok("goals", "delete", goal["id"][:8], "--yes")
    assert "Deleted race goal" in run.stderr
    assert athlete.rows("SELECT * FROM goals") == []


def test_delete_without_a_terminal_needs_yes(athlete):
    goal = add(athlete, "race", "Marathon")
    refused(athlete, ["goals", "delete", goal["id"]], "deleting needs --yes")


@pytest.mark.parametrize(("answer", "left"), [("y\n", 0), ("n\n", 1), ("\n", 1)])
def test_delete_asks_on_a_terminal(athlete, monkeypatch, answer, left):
    goal = add(athlete, "race", "Marathon")
    monkeypatch.setattr(AppState, "interactive", property(lambda self: True))
    run = athlete.ok("goals", "delete", goal["id"], input=answer)
    assert "Delete race goal" in run.stderr  # the question goes to stderr
    assert run.stdout == ""  # questions never mix into the results
    assert len(athlete.rows("SELECT * FROM goals")) == left
    assert ("Deleted" if left == 0 else "nothing was deleted") in run.stderr


# --- help and start-up cost --------------------------------------------------------------


@pytest.mark.parametrize(
    "command", ["add", "list", "show", "edit", "complete", "cancel", "reopen", "delete"]
)
def test_every_command_has_help_with_an_example(khepri, command):
    run = khepri.ok("goals", command, "--help")
    assert "Example:" in run.stdout


def test_the_goals_module_imports_lightly():
    code = (
        "import sys, khepri_cli.cli.goals; "
        "heavy = [m for m in ('pydantic', 'sqlite_utils', 'khepri_cli.services.goals', "
        "'khepri_cli.db.repo_goals', 'khepri_cli.render.goals') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
