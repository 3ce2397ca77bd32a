"""``khepri log`` and ``khepri activities`` (list, show, edit, delete): completed sessions.

The clock is pinned at 2026-11-25T07:30:00Z (conftest); the athlete lives in
Europe/London, so today is 2026-11-25.
"""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

TODAY = "2026-11-25"


def log(k, *args: str) -> dict:
    """Log a session and return its row as ``--json`` prints it."""
    return k.json("log", *args)


def sessions(k) -> list[dict]:
    return k.rows("SELECT * FROM activities ORDER BY activity_date, created_at")


# --- log -------------------------------------------------------------------------------------


def test_log_a_run_today_says_what_was_logged_and_its_load(athlete):
    run = athlete.ok("log", "run", "45m", "--rpe", "6")
    [row] = sessions(athlete)
    assert run.stderr == (
        f"Logged run session {row['id'][:8]} ({TODAY}, 45 min at RPE 6): "
        "load 270 (45 min × RPE 6).\n"
    )
    assert (row["activity_date"], row["sport"], row["duration_minutes"], row["rpe"]) == (
        TODAY,
        "run",
        45,
        6,
    )
    assert row["distance_km"] is None and row["tss"] is None and row["notes"] is None
    fields = dict(line.split(None, 1) for line in run.stdout.splitlines()[1:])
    assert fields["load"] == "270 (45 min × RPE 6)"
    assert fields["duration"] == "45 min" and fields["date"] == TODAY


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("45", 45),
        ("45m", 45),
        ("45 min", 45),
        ("1:30", 90),
        ("1h30m", 90),
        ("1h30", 90),
        ("1.5h", 90),
        ("2h", 120),
        ("1:29:30", 90),  # h:mm:ss to the nearest minute, halves up
        ("1:29:29", 89),
        ("24h", 1440),
    ],
)
def test_durations_people_type(athlete, typed, minutes):
    assert log(athlete, "bike", typed, "--rpe", "5")["duration_minutes"] == minutes


def test_every_option_is_stored_and_a_tss_is_the_load(athlete):
    row = log(
        athlete,
        "Bike",
        "1:30",
        "--rpe",
        "7",
        "--date",
        "yesterday",
        "--distance",
        "42.5",
        "--tss",
        "85",
        "--notes",
        "  hilly loop  ",
    )
    assert row["sport"] == "bike" and row["activity_date"] == "2026-11-24"
    assert (row["distance_km"], row["tss"], row["notes"]) == (42.5, 85.0, "hilly loop")
    shown = athlete.ok("activities", "show", row["id"][:6]).stdout
    assert "load      85 (TSS)" in shown and "distance  42.5 km" in shown


@pytest.mark.parametrize(
    ("typed", "km"),
    [("1500m", 1.5), ("10,5", 10.5), ("6.2mi", 9.978), ("1650yd", 1.509), ("21.1km", 21.1)],
)
def test_distances_say_their_unit_or_take_the_athletes(athlete, typed, km):
    assert log(athlete, "swim", "40", "--rpe", "4", "--distance", typed)["distance_km"] == km


def test_an_imperial_athlete_types_and_reads_miles(athlete):
    athlete.ok("profile", "set", "--units", "imperial")
    row = log(athlete, "run", "50", "--rpe", "5", "--distance", "6.2")
    assert row["distance_km"] == 9.978
    assert "distance  6.20 mi" in athlete.ok("activities", "show", row["id"]).stdout


def test_a_session_belongs_to_the_athletes_day(athlete, monkeypatch):
    monkeypatch.setenv("KHEPRI_NOW", "2026-11-25T23:30:00Z")  # already the 26th in Auckland
    athlete.ok("profile", "set", "--timezone", "Pacific/Auckland")
    assert log(athlete, "run", "30", "--rpe", "3")["activity_date"] == "2026-11-26"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ski", "45", "--rpe", "5"], "SPORT: 'ski' is not valid; use swim, bike, run, strength or other"),
        (["run", "forty", "--rpe", "5"], "DURATION: 'forty' is not valid; use minutes (90 or 45m), h:mm (1:30), h:mm:ss or 1h30m"),
        (["run", "0", "--rpe", "5"], "DURATION: '0' is not valid; must be between 1 and 1440 minutes"),
        (["run", "25h", "--rpe", "5"], "DURATION: '25h' is not valid; must be between 1 and 1440 minutes"),
        (["run", "1:75", "--rpe", "5"], "DURATION: '1:75' is not valid"),
        (["run", "45"], "Missing option '--rpe'"),
        (["run", "45", "--rpe", "11"], "--rpe: '11' is not valid; must be between 1 and 10"),
        (["run", "45", "--rpe", "0"], "--rpe: '0' is not valid; must be between 1 and 10"),
        (["run", "45", "--rpe", "6.5"], "--rpe: '6.5' is not valid; must be a whole number between 1 and 10"),
        (["run", "45", "--rpe", "hard"], "--rpe: 'hard' is not valid; must be a whole number between 1 and 10"),
        (["run", "45", "--rpe", "6", "--date", "tomorrow"], "--date: 'tomorrow' is not valid; must be today or earlier (today is 2026-11-25)"),
        (["run", "45", "--rpe", "6", "--date", "2026-02-30"], "--date: '2026-02-30' is not valid"),
        (["run", "45", "--rpe", "6", "--distance", "far"], "--distance: 'far' is not valid; use a distance such as 10.5"),
        (["run", "45", "--rpe", "6", "--distance", "0"], "--distance: '0' is not valid; must be more than 0 and less than 100000 km"),
        (["run", "45", "--rpe", "6", "--tss", "-5"], "--tss: '-5' is not valid; must be between 0 and 2000"),
        (["run", "45", "--rpe", "6", "--tss", "lots"], "--tss: 'lots' is not valid; must be a number"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_writes_nothing(athlete, args, message):
    athlete.refused("log", *args, message=message)


def test_log_before_init_says_what_to_do(khepri):
    run = khepri("log", "run", "45", "--rpe", "6")
    assert run.exit_code == 1
    assert run.stderr.startswith("khepri: error: no journal at ")
    assert "run 'khepri init' first" in run.stderr and run.stderr.count("\n") == 1


def test_a_logged_session_is_pending_for_sync(athlete):
    row = log(athlete, "run", "45", "--rpe", "6")
    pending = athlete.rows("SELECT table_name, row_id, op FROM _khepri_pending_changes")
    assert {"table_name": "activities", "row_id": row["id"], "op": "upsert"} in pending


# --- activities list -------------------------------------------------------------------------


@pytest.fixture
def logged(athlete):
    """Sessions on four days, one outside the default 28-day window."""
    for day, sport, duration, rpe, extra in (
        ("2026-11-25", "run", "45", "6", []),
        ("2026-11-23", "bike", "1:30", "7", ["--tss", "85"]),
        ("2026-11-10", "swim", "40", "4", ["--distance", "1500m"]),
        ("2026-10-20", "run", "60", "5", []),
    ):
        athlete.ok("log", sport, duration, "--rpe", rpe, "--date", day, *extra)
    return athlete


def test_list_shows_the_last_28_days_newest_first_with_each_load(logged):
    rows = logged.table("activities", "list")
    assert [r["date"] for r in rows] == ["2026-11-25", "2026-11-23", "2026-11-10"]
    assert [r["load"] for r in rows] == ["270 (45 min × RPE 6)", "85 (TSS)", "160 (40 min × RPE 4)"]
    assert rows[1]["duration"] == "1 h 30 min" and rows[1]["sport"] == "bike"


def test_list_filters_by_days_and_sport(logged):
    assert [r["date"] for r in logged.table("activities", "list", "--days", "3")] == [
        "2026-11-25",
        "2026-11-23",
    ]
    runs = logged.table("activities", "list", "--days", "60", "--sport", "RUN")
    assert [r["date"] for r in runs] == ["2026-11-25", "2026-10-20"]


def test_list_json_is_the_rows(logged):
    data = logged.json("activities", "list", "--days", "365")
    assert [d["activity_date"] for d in data] == ["2026-11-25", "2026-11-23", "2026-11-10", "2026-10-20"]  # fmt: skip
    assert list(data[0])[:3] == ["id", "athlete_id", "activity_date"]
    assert data[1]["tss"] == 85.0 and data[2]["distance_km"] == 1.5


def test_an_empty_list_says_how_to_log_one(athlete):
    run = athlete.ok("activities", "list")
    assert run.stdout == ""
    assert run.stderr == "No sessions since 2026-10-29; add one with: khepri log run 45m --rpe 6\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sport", "ski"], "--sport: 'ski' is not valid; use swim, bike, run, strength or other"),
        (["--days", "0"], "Invalid value for '--days'"),
        (["--days", "soon"], "Invalid value for '--days'"),
        (["--status", "active"], "No such option: --status"),
    ],
)
def test_list_bad_input(logged, args, message):
    logged.refused("activities", "list", *args, message=message)


def test_the_load_query_reads_only_the_days_asked_through_the_index(logged):
    from khepri_cli.db.repo_activities import sessions_between

    conn = sqlite3.connect(logged.db_path)
    try:
        statements = []
        conn.set_trace_callback(statements.append)
        [(me,)] = conn.execute("SELECT id FROM athletes").fetchall()
        found = sessions_between(conn, me, date(2026, 11, 10), date(2026, 11, 24))
        conn.set_trace_callback(None)
        assert [(s.day.isoformat(), s.minutes, s.rpe, s.tss, s.sport) for s in found] == [
            ("2026-11-10", 40, 4, None, "swim"),
            ("2026-11-23", 90, 7, 85.0, "bike"),
        ]
        [query] = [s for s in statements if "activities" in s]
        plan = " ".join(r[-1] for r in conn.execute(f"EXPLAIN QUERY PLAN {query}"))
        assert "SEARCH activities USING INDEX idx_activities_athlete_date" in plan, plan
        assert "athlete_id=? AND activity_date>? AND activity_date<?" in plan, plan
    finally:
        conn.close()


# --- show, edit, delete ----------------------------------------------------------------------


def test_show_every_field_and_json(logged):
    [swim] = [r for r in logged.json("activities", "list") if r["sport"] == "swim"]
    out = logged.ok("activities", "show", swim["id"][:8]).stdout
    lines = out.splitlines()
    assert lines[0].split() == ["field", "value"]
    assert [line.split()[0] for line in lines[1:]] == [
        "ID", "date", "sport", "duration", "RPE", "distance", "TSS", "load", "notes", "created", "updated",
    ]  # fmt: skip
    assert "distance  1.5 km" in out and "RPE       4/10" in out
    assert logged.json("activities", "show", swim["id"]) == swim


def test_edit_changes_only_what_is_given_and_clears_with_empty(logged):
    [bike] = [r for r in logged.json("activities", "list") if r["sport"] == "bike"]
    run = logged.ok(
        "activities", "edit", bike["id"][:6], "--duration", "2h", "--tss", "", "--sport", "run"
    )
    assert run.stderr.startswith(f"Saved run session {bike['id'][:8]} (2026-11-23, 2 h at RPE 7)")
    [row] = logged.rows("SELECT * FROM activities WHERE id = ?", (bike["id"],))
    assert (row["sport"], row["duration_minutes"], row["rpe"], row["tss"]) == ("run", 120, 7, None)
    assert "load      840 (120 min × RPE 7)" in run.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "nothing to change: give at least one flag, e.g. --rpe 7"),
        (["--rpe", "12"], "--rpe: '12' is not valid; must be between 1 and 10"),
        (["--date", "tomorrow"], "--date: 'tomorrow' is not valid; must be today or earlier"),
        (["--date", ""], "--date: '' is not valid; use YYYY-MM-DD, today or yesterday"),
        (["--duration", ""], "--duration: '' is not valid"),
        (["--sport", "ski"], "--sport: 'ski' is not valid"),
        (["--clear-date"], "No such option: --clear-date"),
    ],
)
def test_edit_bad_input(logged, args, message):
    [first] = logged.json("activities", "list")[:1]
    logged.refused("activities", "edit", first["id"], *args, message=message)


def test_delete_asks_for_yes_without_a_terminal(logged):
    [first, *_] = logged.json("activities", "list")
    logged.refused(
        "activities",
        "delete",
        first["id"],
        message="deleting needs --yes when there is no terminal to confirm on",
    )
    run = logged.ok("activities", "delete", first["id"][:8], "--yes")
    assert run.stderr == f"Deleted run session {first['id'][:8]} (2026-11-25, 45 min at RPE 6).\n"
    assert len(sessions(logged)) == 3


def test_an_unknown_id_says_where_to_look(logged):
    logged.refused(
        "activities",
        "show",
        "abcdef",
        message="no session with ID 'abcdef' (list them with 'khepri activities list')",
    )
