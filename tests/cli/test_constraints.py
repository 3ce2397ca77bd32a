"""``khepri constraints``: add, list, show, edit, resolve, reopen, delete."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from datetime import date

import pytest

from khepri_cli.cli.state import AppState
from khepri_cli.db.connection import open_journal
from khepri_cli.db.repo_constraints import active_constraints
from khepri_cli.schema.tables import CONSTRAINTS


def add(k, *args: str) -> dict:
    """Add a constraint and return its row as ``--json`` prints it."""
    return json.loads(k.ok("constraints", "add", *args, "--json").stdout)


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
    ends = [*starts[1:], None]
    names = [header[a:b].strip() for a, b in zip(starts, ends, strict=True)]
    return [
        {n: line[a:b].strip() for n, a, b in zip(names, starts, ends, strict=True)}
        for line in lines
    ]


# --- add ---------------------------------------------------------------------------------


def test_add_injury_normalises_the_body_part_and_collects_restrictions(athlete):
    run = athlete.ok(
        "constraints",
        "add",
        "injury",
        "Runner's knee",
        "--body-part",
        "Left Knee",
        "--severity",
        "Moderate",
        "--restrict",
        "running",
        "--restrict",
        "jumping, hill repeats",
        "--description",
        "Physio on Friday",
    )
    assert "Added injury constraint" in run.stderr
    assert "left_knee" in run.stdout
    [row] = athlete.rows("SELECT * FROM constraints")
    assert row["constraint_type"] == "injury"
    assert row["title"] == "Runner's knee"
    assert row["injury_body_part"] == "left_knee"
    assert row["injury_severity"] == "moderate"
    assert json.loads(row["injury_restrictions"]) == ["running", "jumping", "hill_repeats"]
    assert row["description"] == "Physio on Friday"
    assert row["start_date"] == "2026-11-25"  # the athlete's today
    assert row["end_date"] is None and row["status"] == "active"


def test_add_travel_stores_lists(athlete):
    row = add(
        athlete,
        "travel",
        "Lisbon trip",
        "--destination",
        "Lisbon",
        "--equipment",
        "running shoes, swim_goggles",
        "--facilities",
        "gym,pool,gym",
        "--start",
        "2026-12-01",
        "--end",
        "2026-12-05",
    )
    assert row["travel_destination"] == "Lisbon"
    assert row["travel_equipment_available"] == ["running_shoes", "swim_goggles"]
    assert row["travel_facilities_available"] == ["gym", "pool"]
    assert (row["start_date"], row["end_date"]) == ("2026-12-01", "2026-12-05")
    [stored] = athlete.rows("SELECT travel_facilities_available FROM constraints")
    assert json.loads(stored["travel_facilities_available"]) == ["gym", "pool"]


def test_add_availability_reads_weekday_abbreviations_in_week_order(athlete):
    row = add(
        athlete,
        "availability",
        "Busy month",
        "--hours-per-week",
        "7.5",
        "--days",
        "fri,Mon,wed,mon",
    )
    assert row["availability_hours_per_week"] == 7.5
    assert row["availability_days_available"] == ["monday", "wednesday", "friday"]


@pytest.mark.parametrize("hours", ["0", "168"])
def test_hours_per_week_bounds_are_allowed(athlete, hours):
    assert add(athlete, "availability", "x", "--hours-per-week", hours)[
        "availability_hours_per_week"
    ] == float(hours)


def test_add_start_words_are_the_athletes_days(athlete):
    row = add(athlete, "injury", "Tweak", "--start", "yesterday", "--end", "tomorrow")
    assert (row["start_date"], row["end_date"]) == ("2026-11-24", "2026-11-26")


def test_add_json_prints_the_full_row_in_schema_order(athlete):
    data = json.loads(athlete.ok("constraints", "add", "travel", "Trip", "--json").stdout)
    assert list(data) == list(CONSTRAINTS.column_names)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            ["holiday", "x"],
            "constraint type: 'holiday' is not valid; use injury, travel or availability",
        ),
        (
            ["injury", "x", "--severity", "awful"],
            "--severity: 'awful' is not valid; use mild, moderate or severe",
        ),
        (
            ["availability", "x", "--days", "mon,funday"],
            "--days: 'mon,funday' is not valid; 'funday' is not a weekday",
        ),
        (
            ["availability", "x", "--hours-per-week", "-3"],
            "--hours-per-week: '-3' is not valid; use a number of hours between 0 and 168",
        ),
        (
            ["availability", "x", "--hours-per-week", "169"],
            "--hours-per-week: '169' is not valid",
        ),
        (
            ["availability", "x", "--hours-per-week", "lots"],
            "--hours-per-week: 'lots' is not valid",
        ),
        (
            ["travel", "x", "--start", "2026-12-05", "--end", "2026-12-01"],
            "--end: '2026-12-01' is not valid; must be on or after the start date 2026-12-05",
        ),
        (
            ["travel", "x", "--end", "yesterday"],
            "--end: 'yesterday' is not valid; must be on or after the start date 2026-11-25",
        ),
        (
            ["travel", "x", "--start", "2026-02-30"],
            "--start: '2026-02-30' is not valid; that day does not exist",
        ),
        (["travel", "x", "--end", "soon"], "--end: 'soon' is not valid; use YYYY-MM-DD"),
        (["injury", " "], "TITLE: ' ' is not valid; must not be empty"),
        (
            ["injury", "x", "--days", "mon"],
            "--days applies to availability constraints only, not to injury constraints",
        ),
        (
            ["availability", "x", "--severity", "mild"],
            "--severity applies to injury constraints only",
        ),
        (
            ["injury", "x", "--destination", "Rome"],
            "--destination applies to travel constraints only",
        ),
        (["travel", "x", "--restrict", "running"], "--restrict applies to injury constraints only"),
        (
            ["travel", "x", "--hours-per-week", "4"],
            "--hours-per-week applies to availability constraints only",
        ),
    ],
)
def test_add_refuses_bad_input_and_writes_nothing(athlete, args, fragment):
    refused(athlete, ["constraints", "add", *args], fragment)


def test_add_needs_a_profile(khepri):
    run = khepri("constraints", "add", "injury", "Knee")
    assert run.exit_code == 1
    assert "run 'khepri init' first" in run.stderr


# --- list --------------------------------------------------------------------------------


def test_list_shows_active_constraints_oldest_first_with_where_they_stand(athlete):
    add(athlete, "travel", "Lisbon", "--start", "2026-12-01", "--end", "2026-12-05")
    add(athlete, "injury", "Knee", "--start", "2026-11-20", "--body-part", "left knee")
    add(athlete, "availability", "Busy", "--end", "2026-12-20", "--hours-per-week", "6")
    add(athlete, "travel", "Past", "--start", "2026-11-01", "--end", "2026-11-23")
    rows = table(athlete.ok("constraints", "list").stdout)
    assert [r["title"] for r in rows] == ["Past", "Knee", "Busy", "Lisbon"]
    assert {r["title"]: r["when"] for r in rows} == {
        "Past": "ended 2 days ago",
        "Knee": "now, ongoing",
        "Busy": "now, 25 days left",
        "Lisbon": "starts in 6 days",
    }
    assert rows[1]["end"] == "ongoing" and rows[1]["detail"] == "left_knee"
    assert rows[2]["detail"] == "6 h/week"


def test_list_hides_resolved_unless_all(athlete):
    knee = add(athlete, "injury", "Knee")
    add(athlete, "travel", "Trip")
    athlete.ok("constraints", "resolve", knee["id"][:6])
    assert [r["title"] for r in table(athlete.ok("constraints", "list").stdout)] == ["Trip"]
    everything = table(athlete.ok("constraints", "list", "--all").stdout)
    assert {r["title"]: r["when"] for r in everything} == {
        "Knee": "resolved",
        "Trip": "now, ongoing",
    }


def test_list_filters_by_type_and_prints_json_rows(athlete):
    add(athlete, "injury", "Knee", "--restrict", "running")
    add(athlete, "travel", "Trip")
    data = json.loads(athlete.ok("constraints", "list", "--type", "injury", "--json").stdout)
    assert [c["title"] for c in data] == ["Knee"]
    assert list(data[0]) == list(CONSTRAINTS.column_names)
    assert data[0]["injury_restrictions"] == ["running"]


def test_list_shows_each_types_key_detail(athlete):
    add(
        athlete,
        "injury",
        "Knee",
        "--body-part",
        "left_knee",
        "--severity",
        "mild",
        "--restrict",
        "running",
    )
    add(athlete, "travel", "Trip", "--destination", "Rome", "--facilities", "pool")
    add(athlete, "availability", "Busy", "--hours-per-week", "6", "--days", "mon,thu")
    details = {r["title"]: r["detail"] for r in table(athlete.ok("constraints", "list").stdout)}
    assert details == {
        "Knee": "left_knee · mild · no running",
        "Trip": "Rome · has pool",
        "Busy": "6 h/week · mon, thu",
    }


def test_list_when_empty(athlete):
    assert json.loads(athlete.ok("constraints", "list", "--json").stdout) == []
    run = athlete.ok("constraints", "list")
    assert run.stdout == "" and "No active constraints" in run.stderr


def test_list_refuses_an_unknown_type(athlete):
    refused(
        athlete,
        ["constraints", "list", "--type", "illness"],
        "--type: 'illness' is not valid; use injury, travel or availability",
    )


def test_list_on_a_terminal_draws_titles_literally(athlete, monkeypatch):
    add(athlete, "injury", "[old] knee")
    monkeypatch.setattr("khepri_cli.render.console.is_terminal", lambda stream=None: True)
    stdout = athlete.ok("constraints", "list").stdout
    assert "Constraints (active)" in stdout and "[old] knee" in stdout


# --- show --------------------------------------------------------------------------------


def test_show_by_prefix_and_as_json(athlete):
    trip = add(athlete, "travel", "Trip", "--destination", "Rome", "--equipment", "running_shoes")
    stdout = athlete.ok("constraints", "show", trip["id"][:5]).stdout
    assert trip["id"] in stdout and "Rome" in stdout and "running_shoes" in stdout
    assert json.loads(athlete.ok("constraints", "show", trip["id"][:5], "--json").stdout) == trip


@pytest.mark.parametrize("command", ["show", "edit", "resolve", "reopen", "delete"])
def test_unknown_id(athlete, command):
    add(athlete, "injury", "Knee")
    extra = ["--title", "x"] if command == "edit" else ["--yes"] if command == "delete" else []
    refused(
        athlete, ["constraints", command, "ffffffff", *extra], "no constraint with ID 'ffffffff'"
    )


@pytest.mark.parametrize("command", ["show", "edit", "resolve", "delete"])
def test_ambiguous_id_prefix(athlete, command):
    first = add(athlete, "injury", "First")
    second = add(athlete, "injury", "Second")
    ids = ("abcd1234-0000-4000-8000-000000000001", "abcd1234-0000-4000-8000-000000000002")
    sql(athlete, "UPDATE constraints SET id = ? WHERE id = ?", (ids[0], first["id"]))
    sql(athlete, "UPDATE constraints SET id = ? WHERE id = ?", (ids[1], second["id"]))
    extra = ["--title", "x"] if command == "edit" else ["--yes"] if command == "delete" else []
    refused(
        athlete,
        ["constraints", command, "abcd1234", *extra],
        "ID 'abcd1234' matches several constraints",
    )
    shown = json.loads(athlete.ok("constraints", "show", ids[1], "--json").stdout)
    assert shown["title"] == "Second"


# --- edit --------------------------------------------------------------------------------


def test_edit_changes_only_the_given_fields_and_moves_updated_at(athlete, monkeypatch):
    knee = add(athlete, "injury", "Knee", "--severity", "severe", "--restrict", "running")
    monkeypatch.setenv("KHEPRI_NOW", "2026-11-27T09:00:00Z")
    run = athlete.ok(
        "constraints",
        "edit",
        knee["id"][:8],
        "--severity",
        "mild",
        "--restrict",
        "intervals",
        "--end",
        "2026-12-20",
    )
    assert "Saved injury constraint" in run.stderr
    [row] = athlete.rows("SELECT * FROM constraints")
    assert row["injury_severity"] == "mild"
    assert json.loads(row["injury_restrictions"]) == ["intervals"]
    assert row["end_date"] == "2026-12-20" and row["start_date"] == "2026-11-25"
    assert row["created_at"] == knee["created_at"]
    assert row["updated_at"] == "2026-11-27T09:00:00.000000Z" != knee["updated_at"]


def test_edit_clears_the_end_and_empty_values(athlete):
    trip = add(athlete, "travel", "Trip", "--end", "2026-12-01", "--facilities", "gym")
    athlete.ok("constraints", "edit", trip["id"], "--clear-end", "--facilities", "")
    [row] = athlete.rows("SELECT end_date, travel_facilities_available FROM constraints")
    assert row == {"end_date": None, "travel_facilities_available": None}


def test_edit_without_changes_keeps_updated_at(athlete, monkeypatch):
    knee = add(athlete, "injury", "Knee", "--severity", "mild")
    monkeypatch.setenv("KHEPRI_NOW", "2026-11-27T09:00:00Z")
    assert "No change" in athlete.ok("constraints", "edit", knee["id"], "--severity", "MILD").stderr
    assert athlete.rows("SELECT updated_at FROM constraints")[0]["updated_at"] == knee["updated_at"]


@pytest.mark.parametrize(
    ("flags", "fragment"),
    [
        (
            ["--start", "2026-12-10"],
            "--start: '2026-12-10' is not valid; must be on or before the end date 2026-12-05",
        ),
        (
            ["--end", "2026-11-01"],
            "--end: '2026-11-01' is not valid; must be on or after the start date 2026-12-01",
        ),
        (["--start", ""], "--start: '' is not valid"),
        (["--days", "mon"], "--days applies to availability constraints only"),
        (["--title", ""], "--title: '' is not valid; must not be empty"),
        ([], "nothing to change"),
        (["--end", "today", "--clear-end"], "--end and --clear-end cannot be used together"),
    ],
)
def test_edit_refuses_bad_input_and_writes_nothing(athlete, flags, fragment):
    trip = add(athlete, "travel", "Trip", "--start", "2026-12-01", "--end", "2026-12-05")
    refused(athlete, ["constraints", "edit", trip["id"][:8], *flags], fragment)


def test_edit_can_move_both_dates_at_once(athlete):
    trip = add(athlete, "travel", "Trip", "--start", "2026-12-01", "--end", "2026-12-05")
    athlete.ok("constraints", "edit", trip["id"], "--start", "2027-01-10", "--end", "2027-01-12")
    [row] = athlete.rows("SELECT start_date, end_date FROM constraints")
    assert row == {"start_date": "2027-01-10", "end_date": "2027-01-12"}


# --- resolve and reopen ------------------------------------------------------------------


def test_resolve_ends_an_ongoing_constraint_today(athlete, db_path):
    knee = add(athlete, "injury", "Knee", "--start", "2026-11-01")
    run = athlete.ok("constraints", "resolve", knee["id"][:6])
    assert "Resolved injury constraint" in run.stderr and "2026-11-25" in run.stderr
    [row] = athlete.rows("SELECT status, end_date FROM constraints")
    assert row == {"status": "resolved", "end_date": "2026-11-25"}
    journal = open_journal(db_path)
    try:
        assert active_constraints(journal.conn, knee["athlete_id"], date(2026, 11, 25)) == []
    finally:
        journal.close()


def test_resolve_keeps_an_end_date_already_set(athlete):
    trip = add(athlete, "travel", "Trip", "--end", "2026-12-05")
    athlete.ok("constraints", "resolve", trip["id"])
    assert athlete.rows("SELECT end_date FROM constraints")[0]["end_date"] == "2026-12-05"


def test_resolving_a_future_constraint_ends_it_on_its_start(athlete):
    trip = add(athlete, "travel", "Trip", "--start", "2026-12-10")
    athlete.ok("constraints", "resolve", trip["id"])
    [row] = athlete.rows("SELECT start_date, end_date FROM constraints")
    assert row == {"start_date": "2026-12-10", "end_date": "2026-12-10"}


def test_resolving_twice_changes_nothing(athlete, monkeypatch):
    knee = add(athlete, "injury", "Knee")
    athlete.ok("constraints", "resolve", knee["id"])
    before = athlete.snapshot()
    monkeypatch.setenv("KHEPRI_NOW", "2026-11-28T09:00:00Z")
    assert "already resolved" in athlete.ok("constraints", "resolve", knee["id"]).stderr
    assert athlete.snapshot() == before


def test_reopen_makes_it_active_again(athlete):
    knee = add(athlete, "injury", "Knee")
    athlete.ok("constraints", "resolve", knee["id"])
    run = athlete.ok("constraints", "reopen", knee["id"])
    assert "Reopened" in run.stderr and "--clear-end" in run.stderr
    assert athlete.rows("SELECT status FROM constraints")[0]["status"] == "active"
    assert "already active" in athlete.ok("constraints", "reopen", knee["id"]).stderr


# --- delete ------------------------------------------------------------------------------


def test_delete_with_yes(athlete):
    knee = add(athlete, "injury", "Knee")
    run = athlete.ok("constraints", "delete", knee["id"][:8], "-y")
    assert "Deleted injury constraint" in run.stderr
    assert athlete.rows("SELECT * FROM constraints") == []


def test_delete_without_a_terminal_needs_yes(athlete):
    knee = add(athlete, "injury", "Knee")
    refused(athlete, ["constraints", "delete", knee["id"]], "deleting needs --yes")


@pytest.mark.parametrize(("answer", "left"), [("y\n", 0), ("n\n", 1)])
def test_delete_asks_on_a_terminal(athlete, monkeypatch, answer, left):
    knee = add(athlete, "injury", "Knee")
    monkeypatch.setattr(AppState, "interactive", property(lambda self: True))
    run = athlete.ok("constraints", "delete", knee["id"], input=answer)
    assert "Delete injury constraint" in run.stderr
    assert len(athlete.rows("SELECT * FROM constraints")) == left


# --- help and start-up cost --------------------------------------------------------------


@pytest.mark.parametrize("command", ["add", "list", "show", "edit", "resolve", "reopen", "delete"])
def test_every_command_has_help_with_an_example(khepri, command):
    assert "Example:" in khepri.ok("constraints", command, "--help").stdout


def test_the_constraints_module_imports_lightly():
    code = (
        "import sys, khepri_cli.cli.constraints; "
        "heavy = [m for m in ('pydantic', 'sqlite_utils', 'khepri_cli.services.constraints', "
        "'khepri_cli.db.repo_constraints', 'khepri_cli.render.constraints') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
