"""``khepri checkin`` (and ``respond``) and ``khepri checkins`` (list, show, delete).

The clock is pinned at 2026-11-25T07:30:00Z (conftest), so "today" for the
athlete in Europe/London is 2026-11-25.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import uuid

import pytest

from khepri_cli.cli.state import AppState

TODAY = "2026-11-25"
STAMP = "2026-11-25T07:30:00.000000Z"


def checkin_rows(khepri) -> list[dict]:
    rows = khepri.rows("SELECT * FROM daily_checkins ORDER BY checkin_date")
    for row in rows:
        for column in ("soreness_areas", "equipment_access", "ai_recommendation"):
            if row[column] is not None:
                row[column] = json.loads(row[column])
    return rows


def only_row(khepri) -> dict:
    [row] = checkin_rows(khepri)
    return row


def judged(row: dict) -> dict:
    """Khepri's own part of the day's stored recommendation (its judgement and advice)."""
    return row["ai_recommendation"]["khepri"]


def add_constraint(khepri, **values) -> None:
    """A constraints row straight into the journal (the constraints CLI is tested elsewhere)."""
    [athlete] = khepri.rows("SELECT id FROM athletes")
    row = {
        "id": str(uuid.uuid4()),
        "athlete_id": athlete["id"],
        "constraint_type": "injury",
        "title": "Sore knee",
        "start_date": "2026-11-20",
        "status": "active",
        "created_at": STAMP,
        "updated_at": STAMP,
        **values,
    }
    for column in ("injury_restrictions", "travel_equipment_available"):
        if isinstance(row.get(column), list):
            row[column] = json.dumps(row[column])
    conn = sqlite3.connect(khepri.db_path)
    try:
        with conn:
            columns = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            conn.execute(
                f"INSERT INTO constraints ({columns}) VALUES ({marks})", list(row.values())
            )
    finally:
        conn.close()


def squeezed(text: str) -> str:
    """``text`` with runs of spaces made single, so column padding does not matter."""
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


@pytest.fixture
def terminal(monkeypatch):
    """Pretend stdin is a terminal, so the command may ask (unless --no-input)."""
    monkeypatch.setattr(AppState, "interactive", property(lambda self: not self.no_input))


# -- the check-in with flags ---------------------------------------------------------------


def test_checkin_with_flags_saves_the_day_and_its_assessment(athlete):
    run = athlete.ok(
        "checkin",
        "--sleep-hours",
        "7:30",
        "--sleep-quality",
        "8",
        "--energy",
        "7",
        "--stress",
        "3",
        "--soreness",
        "4",
        "--sore",
        "legs=6",
        "--sore",
        "Back=2",
        "--resting-hr",
        "52",
        "--hrv",
        "64.5",
        "--weight",
        "61.5",
        "--available-minutes",
        "1:30",
        "--equipment",
        "bike trainer, pool",
        "--travel",
        "home",
        "--notes",
        "slept well",
    )
    assert run.stderr == f"Saved check-in for {TODAY}\n"
    row = only_row(athlete)
    assert row["checkin_date"] == TODAY
    assert row["sleep_hours"] == 7.5
    assert (row["sleep_quality"], row["energy_level"], row["stress_level"]) == (8, 7, 3)
    assert row["overall_soreness"] == 4
    assert row["soreness_areas"] == {"legs": 6, "back": 2}
    assert (row["resting_hr"], row["hrv_ms"], row["weight_kg"]) == (52, 64.5, 61.5)
    assert row["available_time_minutes"] == 90
    assert row["equipment_access"] == ["bike_trainer", "pool"]
    assert (row["travel_status"], row["notes"]) == ("home", "slept well")
    assert row["ai_recommendation_generated_at"] == STAMP
    stored = judged(row)
    assert stored["source"] == "khepri-readiness-rubric"
    assert stored["rubric_version"] == 2
    assert stored["generated_at"] == STAMP
    assert stored["readiness"] == "yellow"  # legs 6/10
    assert stored["baseline"]["resting_hr"]["reference_bpm"] == 50.0  # the profile's, no history
    assert stored["advice"]["minutes"] == 45  # easy, within the 90 minutes available
    app = row["ai_recommendation"]
    assert (app["intensityLevel"], app["duration"]) == ("easy", 45)
    # today's equipment (bike trainer, pool) has nothing to run with: a ride
    assert app["workoutSuggestion"] == "Easy 45 min ride: conversational, zones 1–2."


def test_the_panel_shows_light_every_reason_advice_baseline_and_constraints(athlete):
    out = athlete.ok(
        "checkin", "--sleep-hours", "6.5", "--energy", "7", "--stress", "3", "--resting-hr", "52"
    ).stdout
    assert out.splitlines() == [
        f"Readiness for {TODAY}: yellow",
        "Why:",
        "  yellow  6.5 h of sleep",
        "  green   energy 7/10",
        "  green   stress 3/10",
        "  green   resting HR 52 bpm, 2 above your profile's resting HR 50",
        "Normal range:",
        "  HRV normal range forming: 0 of 14 days",
        "  HRV 7-day average needs 3 readings in the last 7 days: 0 so far",
        "  resting HR normal range forming: 0 of 14 days; comparing with your profile's 50 bpm",
        "  resting HR 7-day average needs 3 readings in the last 7 days: 1 so far",
        "Form: no training logged yet",
        "Plan: none for today (make one with 'khepri plans create --goal ID')",
        "Today: Easy 45 min run: conversational, zones 1–2.",
        "Because:",
        "  no plan phase and no form yet: a moderate day",
        "  readiness yellow (6.5 h of sleep): at most easy",
        "Active constraints: none",
    ]


def test_green_day(athlete):
    run = athlete.ok("checkin", "--sleep-hours", "8", "--sleep-quality", "8", "--energy", "8")
    assert f"Readiness for {TODAY}: green" in run.stdout
    assert "  readiness green: all 3 signs green\n" in run.stdout
    assert (
        "Today: Moderate 60 min run: steady aerobic with a little tempo, zones 2–3." in run.stdout
    )


def test_an_active_injury_is_shown_and_makes_the_day_red(athlete):
    add_constraint(
        athlete,
        injury_body_part="left_knee",
        injury_severity="mild",
        injury_restrictions=["running"],
    )
    add_constraint(
        athlete,
        constraint_type="travel",
        title="Work trip",
        start_date="2026-11-24",
        end_date="2026-11-27",
        travel_destination="Berlin",
        travel_equipment_available=["running_shoes"],
    )
    add_constraint(athlete, title="Old ankle", status="resolved")
    add_constraint(athlete, title="Healed wrist", start_date="2026-10-01", end_date="2026-10-20")
    out = athlete.ok("checkin", "--sleep-hours", "8", "--energy", "9", "--stress", "2").stdout
    assert f"Readiness for {TODAY}: red" in out
    assert "red injury: Sore knee (left knee, mild); avoid running" in squeezed(out)
    # the knee forbids running and the trip has only running shoes: no sport is possible
    assert "Today: Recovery 30 min mobility and an easy walk: very easy, zone 1;" in out
    assert "  no bike: travel (Work trip) has running_shoes\n" in out
    assert "  no run: injury restriction 'running'\n" in out
    assert "Active constraints:\n" in out
    assert "  injury  Sore knee (left knee, mild); avoid running; since 2026-11-20, ongoing" in out
    assert (
        "  travel  Work trip in Berlin; equipment: running_shoes; 2026-11-24 to 2026-11-27" in out
    )
    assert "Old ankle" not in out and "Healed wrist" not in out
    assert judged(only_row(athlete))["readiness"] == "red"


def test_an_injury_starting_after_the_day_does_not_count(athlete):
    add_constraint(athlete, start_date="2026-11-26")
    out = athlete.ok("checkin", "--energy", "8").stdout
    assert "green" in out.splitlines()[0]
    assert "Active constraints: none" in out


def test_date_flag_and_the_athletes_time_zone(athlete):
    athlete.ok("checkin", "--date", "yesterday", "--energy", "7")
    athlete.ok("checkin", "--date", "2026-11-01", "--energy", "7")
    assert [r["checkin_date"] for r in checkin_rows(athlete)] == ["2026-11-01", "2026-11-24"]


def test_today_is_the_day_where_the_athlete_lives(athlete):
    athlete.ok("profile", "set", "--timezone", "America/Los_Angeles")  # 23:30 on the 24th
    run = athlete.ok("checkin", "--energy", "7")
    assert run.stderr == "Saved check-in for 2026-11-24\n"
    assert only_row(athlete)["checkin_date"] == "2026-11-24"


# -- a second check-in the same day --------------------------------------------------------


def test_second_checkin_updates_the_day_keeps_the_rest_and_judges_again(athlete):
    athlete.ok(
        "checkin",
        "--sleep-hours",
        "8",
        "--energy",
        "7",
        "--stress",
        "3",
        "--sore",
        "legs=6",
        "--notes",
        "morning",
    )
    first = only_row(athlete)
    assert judged(first)["readiness"] == "yellow"
    run = athlete.ok("checkin", "--energy", "3", "--sore", "back=4", "--notes", "afternoon")
    assert run.stderr == f"Updated check-in for {TODAY}\n"
    second = only_row(athlete)  # still one row
    assert second["id"] == first["id"] and second["created_at"] == first["created_at"]
    assert second["updated_at"] > first["updated_at"]
    assert second["energy_level"] == 3  # replaced
    assert second["notes"] == "afternoon"  # replaced
    assert (second["sleep_hours"], second["stress_level"]) == (8.0, 3)  # kept
    assert second["soreness_areas"] == {"legs": 6, "back": 4}  # merged area by area
    assert judged(second)["readiness"] == "red"  # judged again: energy 3
    reasons = [s["reason"] for s in judged(second)["signs"]]
    assert reasons == [
        "8 h of sleep",
        "energy 3/10",
        "stress 3/10",
        "back soreness 4/10",
        "legs soreness 6/10",
    ]
    assert "Readiness for 2026-11-25: red" in run.stdout


def test_sore_area_zero_clears_it(athlete):
    athlete.ok("checkin", "--sore", "legs=6", "--sore", "neck=3")
    athlete.ok("checkin", "--sore", "legs=0")
    assert only_row(athlete)["soreness_areas"] == {"neck": 3}
    athlete.ok("checkin", "--sore", "neck=0")
    assert only_row(athlete)["soreness_areas"] is None


def test_a_new_injury_changes_the_light_on_the_next_checkin_of_the_day(athlete):
    athlete.ok("checkin", "--energy", "8")
    assert judged(only_row(athlete))["readiness"] == "green"
    add_constraint(athlete)
    athlete.ok("checkin", "--stress", "2")
    assert judged(only_row(athlete))["readiness"] == "red"


def test_pending_change_is_recorded_for_sync(athlete):
    athlete.ok("checkin", "--energy", "8")
    row = only_row(athlete)
    pending = athlete.rows(
        "SELECT op FROM _khepri_pending_changes WHERE table_name = 'daily_checkins' AND row_id = ?",
        (row["id"],),
    )
    assert pending == [{"op": "upsert"}]


# -- baseline ------------------------------------------------------------------------------


def test_while_the_normal_range_forms_it_says_so_and_uses_the_profile(athlete):
    for day, hr, hrv in (("2026-11-20", 44, 70), ("2026-11-22", 46, 60), ("2026-11-24", 45, 65)):
        athlete.ok("checkin", "--date", day, "--resting-hr", str(hr), "--hrv", str(hrv))
    out = athlete.ok("checkin", "--resting-hr", "58", "--hrv", "50").stdout
    assert "yellow resting HR 58 bpm, 8 above your profile's resting HR 50" in squeezed(out)
    assert "HRV" not in out.split("Normal range:")[0]  # not judged before the range exists
    assert "  HRV normal range forming: 3 of 14 days\n" in out
    assert (
        "  HRV 7-day average 61 ms (ln 4.11) from 4 readings, varying 3.5 %\n" in out
    )  # today's too
    assert "  resting HR 7-day average 48.2 bpm from 4 readings\n" in out
    assert (
        "  resting HR normal range forming: 3 of 14 days; comparing with your profile's 50 bpm\n"
    ) in out
    baseline = judged(checkin_rows(athlete)[-1])["baseline"]
    assert baseline["hrv"]["days"] == 3 and baseline["hrv"]["normal_low_ms"] is None
    assert baseline["resting_hr"]["reference_source"] == "your profile's resting HR"


def test_without_a_profile_resting_hr_it_is_not_judged_and_says_why(athlete):
    conn = sqlite3.connect(athlete.db_path)
    with conn:
        conn.execute("UPDATE athletes SET resting_heart_rate = NULL")
    conn.close()
    out = athlete.ok("checkin", "--resting-hr", "70").stdout
    assert "resting HR" not in out.split("Normal range:")[0]  # not judged
    assert (
        "resting HR normal range forming: 0 of 14 days; no profile resting HR to compare with"
        in out
    )


def test_every_query_of_the_checkin_searches_an_index_by_athlete_and_day(athlete):
    athlete.ok("log", "run", "45", "--rpe", "6", "--date", "yesterday")
    goal = json.loads(
        athlete.ok("goals", "add", "race", "Spring race", "--date", "2027-03-01", "--json").stdout
    )
    athlete.ok("plans", "create", "--goal", goal["id"])
    add_constraint(athlete)
    athlete.ok("checkin", "--energy", "7", "--hrv", "60")
    from datetime import date

    from khepri_cli.db.connection import open_journal
    from khepri_cli.db.repo_athletes import get_athlete
    from khepri_cli.services.checkin import check_in

    journal = open_journal(athlete.db_path)
    try:
        me = get_athlete(journal.conn)
        statements = []
        journal.conn.set_trace_callback(statements.append)
        check_in(journal, me, date(2026, 11, 25), {"energy_level": 6})
        journal.conn.set_trace_callback(None)
        reads = [s for s in statements if s.startswith("SELECT") and "athletes" not in s]
        plans = {}
        for sql in reads:
            plan = " ".join(r[-1] for r in journal.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
            plans[sql.split(" FROM ")[1].split()[0]] = plan
        assert set(plans) == {"daily_checkins", "constraints", "activities", "training_plans"}
        for plan in plans.values():
            assert "USING INDEX" in plan and "SCAN" not in plan, plan
        assert "(athlete_id=? AND checkin_date>? AND checkin_date<?)" in plans["daily_checkins"]
        assert "(athlete_id=? AND activity_date>? AND activity_date<?)" in plans["activities"]
    finally:
        journal.close()


def test_active_constraints_are_decoded_rows_of_the_day(athlete):
    from datetime import date

    from khepri_cli.db import repo_constraints

    add_constraint(athlete, injury_restrictions=["running", "jumping"], injury_severity="severe")
    add_constraint(
        athlete,
        constraint_type="availability",
        title="Busy week",
        availability_hours_per_week=4.5,
        end_date="2026-11-30",
    )
    conn = sqlite3.connect(athlete.db_path)
    conn.row_factory = sqlite3.Row
    try:
        [me] = conn.execute("SELECT id FROM athletes").fetchall()
        day = date(2026, 11, 25)
        found = repo_constraints.active_constraints(conn, me["id"], day)
        assert sorted(c.title for c in found) == ["Busy week", "Sore knee"]
        busy, injury = sorted(found, key=lambda c: c.title)
        assert injury.injury_restrictions == ["running", "jumping"]
        assert injury.start_date == date(2026, 11, 20) and injury.end_date is None
        assert busy.availability_hours_per_week == 4.5
        assert busy.end_date == date(2026, 11, 30)
    finally:
        conn.close()


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--energy", "11"], "--energy: '11' is not valid; must be between 1 and 10"),
        (["--energy", "0"], "--energy: '0' is not valid; must be between 1 and 10"),
        (["--energy", "abc"], "--energy: 'abc' is not valid; must be a whole number between 1 and 10"),
        (["--energy", "7.5"], "--energy: '7.5' is not valid; must be a whole number between 1 and 10"),
        (["--sleep-quality", "0"], "--sleep-quality: '0' is not valid; must be between 1 and 10"),
        (["--stress", "-1"], "--stress: '-1' is not valid; must be between 1 and 10"),
        (["--soreness", "12"], "--soreness: '12' is not valid; must be between 1 and 10"),
        (["--sleep-hours", "25"], "--sleep-hours: '25' is not valid; must be between 0 and 24"),
        (["--sleep-hours", "24:30"], "--sleep-hours: '24:30' is not valid; must be between 0 and 24"),
        (["--sleep-hours", "7:75"], "--sleep-hours: '7:75' is not valid; use hours such as 7.5 or hours:minutes such as 7:30"),
        (["--sleep-hours", "lots"], "--sleep-hours: 'lots' is not valid; must be a number"),
        (["--sleep-hours", "nan"], "--sleep-hours: 'nan' is not valid; must be a number"),
        (["--sore", "knee=5"], "--sore: 'knee=5' is not valid; use AREA=N with AREA one of legs, back, shoulders, arms, core, neck"),
        (["--sore", "legs=11"], "--sore: 'legs=11' is not valid; use AREA=N"),
        (["--sore", "legs"], "--sore: 'legs' is not valid; use AREA=N"),
        (["--sore", "legs=bad"], "--sore: 'legs=bad' is not valid; use AREA=N"),
        (["--resting-hr", "5"], "--resting-hr: '5' is not valid; must be between 20 and 250"),
        (["--hrv", "0"], "--hrv: '0' is not valid; must be more than 0 and less than 10000"),
        (["--hrv", "inf"], "--hrv: 'inf' is not valid; must be a number"),
        (["--weight", "-3"], "--weight: '-3' is not valid"),
        (["--weight", "heavy"], "--weight: 'heavy' is not valid"),
        (["--available-minutes", "2000"], "--available-minutes: '2000' is not valid; must be between 0 and 1440"),
        (["--available-minutes", "45.5"], "--available-minutes: '45.5' is not valid; must be a whole number"),
        (["--equipment", " , "], "--equipment: ' , ' is not valid; list what you have"),
        (["--travel", "abroad"], "--travel: 'abroad' is not valid; must be 'home', 'traveling' or 'returning'"),
        (["--date", "2026-02-30", "--energy", "7"], "--date: '2026-02-30' is not valid; that day does not exist"),
        (["--date", "25/11/2026", "--energy", "7"], "--date: '25/11/2026' is not valid; use YYYY-MM-DD, today or yesterday"),
        (["--date", "tomorrow", "--energy", "7"], "--date: 'tomorrow' is not valid; a check-in cannot be for a future day (today is 2026-11-25)"),
    ],
)  # fmt: skip
def test_bad_values_are_refused_and_nothing_changes(athlete, args, message):
    athlete.ok("checkin", "--energy", "8", "--stress", "2")  # an existing day stays as it was
    before = athlete.snapshot()
    run = athlete("checkin", *args)
    assert run.exit_code == 2, run.output
    assert run.stderr.startswith("khepri: error: ")
    assert message in run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.output
    assert run.stdout == ""
    assert athlete.snapshot() == before


def test_a_bad_value_among_good_ones_writes_nothing(athlete):
    run = athlete("checkin", "--energy", "7", "--stress", "3", "--hrv", "-4")
    assert run.exit_code == 2
    assert athlete.rows("SELECT * FROM daily_checkins") == []


def test_without_a_terminal_and_without_flags_is_a_usage_error(athlete):
    before = athlete.snapshot()
    run = athlete("checkin")
    assert run.exit_code == 2
    assert "no check-in values given and no terminal to ask on: pass flags" in run.stderr
    assert run.stderr.count("\n") == 1
    assert athlete.snapshot() == before
    assert athlete("checkin", "--date", "yesterday").exit_code == 2


def test_no_input_never_asks_even_on_a_terminal(athlete, terminal):
    run = athlete("--no-input", "checkin")
    assert run.exit_code == 2 and "pass flags" in run.stderr


def test_checkin_before_init_says_what_to_do(khepri):
    run = khepri("checkin", "--energy", "7")
    assert run.exit_code == 1
    assert "run 'khepri init' first" in run.stderr


def test_checkin_flags_with_a_subcommand_are_refused(athlete):
    run = athlete("checkin", "--energy", "7", "respond", "accepted")
    assert run.exit_code == 2
    assert "check-in values cannot be combined with 'respond'" in run.stderr


# -- interactive ---------------------------------------------------------------------------

ANSWERS_SKIPPING_THE_REST = "\n" * 8


def test_on_a_terminal_without_flags_it_asks_for_each_value(athlete, terminal):
    answers = "7:30\n8\n11\n7\n3\n\nknee=2\nlegs=6, back=3\n" + ANSWERS_SKIPPING_THE_REST
    run = athlete.ok("checkin", input=answers)
    assert "Sleep hours (e.g. 7.5 or 7:30): " in run.stderr  # questions go to stderr
    assert "must be between 1 and 10" in run.stderr  # energy 11, asked again
    assert "use AREA=N with AREA one of legs" in run.stderr  # knee, asked again
    assert f"Saved check-in for {TODAY}" in run.stderr
    row = only_row(athlete)
    assert (row["sleep_hours"], row["sleep_quality"], row["energy_level"]) == (7.5, 8, 7)
    assert row["stress_level"] == 3 and row["overall_soreness"] is None
    assert row["soreness_areas"] == {"legs": 6, "back": 3}
    assert row["resting_hr"] is None and row["notes"] is None
    assert f"Readiness for {TODAY}: yellow" in run.stdout


def test_interactive_second_checkin_offers_the_stored_values(athlete, terminal):
    athlete.ok("checkin", "--sleep-hours", "7.5", "--energy", "7", "--weight", "61.5")
    # Enter keeps sleep 7.5; energy becomes 4; everything else kept.
    run = athlete.ok("checkin", input="\n\n4\n" + "\n" * 10)
    assert "Sleep hours (e.g. 7.5 or 7:30) [7.5]: " in run.stderr
    assert "Weight (kg) [61.5]: " in run.stderr
    assert f"Updated check-in for {TODAY}" in run.stderr
    row = only_row(athlete)
    assert (row["sleep_hours"], row["energy_level"], row["weight_kg"]) == (7.5, 4, 61.5)


def test_interactive_with_nothing_entered_saves_nothing(athlete, terminal):
    before = athlete.snapshot()
    run = athlete.ok("checkin", input="\n" * 13)
    assert f"Nothing entered: no check-in saved for {TODAY}." in run.stderr
    assert athlete.snapshot() == before


def test_interrupting_the_questions_writes_nothing(athlete, terminal):
    before = athlete.snapshot()
    run = athlete("checkin", input="7.5\n8\n")  # input ends: like Ctrl-C / Ctrl-D
    assert run.exit_code == 130
    assert "nothing was written" in run.stderr
    assert athlete.snapshot() == before


def test_flags_on_a_terminal_never_ask(athlete, terminal):
    run = athlete.ok("checkin", "--energy", "7")
    assert "Sleep hours" not in run.stdout


# -- respond -------------------------------------------------------------------------------


def test_respond_records_the_answer(athlete):
    athlete.ok("checkin", "--energy", "7")
    run = athlete.ok("checkin", "respond", "modified", "--notes", "rode easy instead")
    assert run.stderr == f"Recorded your response for {TODAY}: modified\n"
    row = only_row(athlete)
    assert (row["user_response"], row["user_response_notes"]) == ("modified", "rode easy instead")
    athlete.ok("checkin", "respond", "ACCEPTED")
    row = only_row(athlete)
    assert (row["user_response"], row["user_response_notes"]) == ("accepted", None)
    assert judged(row)["readiness"] == "green"  # not re-judged


def test_respond_for_another_day(athlete):
    athlete.ok("checkin", "--date", "yesterday", "--energy", "7")
    athlete.ok("checkin", "respond", "skipped", "--date", "yesterday")
    assert only_row(athlete)["user_response"] == "skipped"


def test_respond_without_a_checkin_that_day(athlete):
    athlete.ok("checkin", "--date", "yesterday", "--energy", "7")
    before = athlete.snapshot()
    run = athlete("checkin", "respond", "accepted")
    assert run.exit_code == 2
    assert f"no check-in on {TODAY}; check in first with 'khepri checkin --date {TODAY}'" in (
        run.stderr
    )
    assert athlete.snapshot() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["maybe"], "response: 'maybe' is not valid; must be one of accepted, modified, skipped, alternative"),
        (["accepted", "--date", "someday"], "--date: 'someday' is not valid"),
    ],
)  # fmt: skip
def test_respond_bad_input(athlete, args, message):
    athlete.ok("checkin", "--energy", "7")
    before = athlete.snapshot()
    run = athlete("checkin", "respond", *args)
    assert run.exit_code == 2 and message in run.stderr
    assert run.stderr.count("\n") == 1
    assert athlete.snapshot() == before


# -- list ----------------------------------------------------------------------------------


@pytest.fixture
def history(athlete):
    """Check-ins on five days, the oldest outside the default 14-day window."""
    for day, energy in (
        ("2026-11-25", "8"),
        ("2026-11-24", "5"),
        ("2026-11-20", "3"),
        ("2026-11-12", "7"),
        ("2026-11-11", "6"),
    ):
        athlete.ok("checkin", "--date", day, "--energy", energy, "--sleep-hours", "7.5")
    athlete.ok("checkin", "respond", "accepted")
    return athlete


def listed_days(run) -> list[str]:
    return [line.split()[0] for line in run.stdout.splitlines()[1:]]


def test_list_shows_the_last_14_days_newest_first(history):
    run = history.ok("checkins")
    lines = run.stdout.splitlines()
    assert lines[0].split() == [
        "date",
        "light",
        "sleep",
        "energy",
        "stress",
        "soreness",
        "RHR",
        "HRV",
        "response",
    ]
    assert lines[1].split() == [
        "2026-11-25",
        "green",
        "7.5",
        "h",
        "8",
        "—",
        "—",
        "—",
        "—",
        "accepted",
    ]
    assert listed_days(run) == ["2026-11-25", "2026-11-24", "2026-11-20", "2026-11-12"]
    assert lines[2].split()[1] == "yellow" and lines[3].split()[1] == "red"
    assert history.ok("checkins", "list").stdout == run.stdout


def test_list_with_a_range_and_a_limit(history):
    assert listed_days(
        history.ok("checkins", "--since", "2026-11-01", "--until", "2026-11-20")
    ) == [
        "2026-11-20",
        "2026-11-12",
        "2026-11-11",
    ]
    assert listed_days(history.ok("checkins", "list", "--limit", "2")) == [
        "2026-11-25",
        "2026-11-24",
    ]
    # --limit alone: the N most recent, however old
    assert len(listed_days(history.ok("checkins", "--limit", "10"))) == 5
    assert listed_days(history.ok("checkins", "--until", "yesterday", "--limit", "1")) == [
        "2026-11-24"
    ]


def test_list_json_is_the_rows(history):
    data = json.loads(history.ok("checkins", "--json").stdout)
    assert [d["checkin_date"] for d in data] == [
        "2026-11-25",
        "2026-11-24",
        "2026-11-20",
        "2026-11-12",
    ]
    assert next(iter(data[0])) == "id" and list(data[0])[-1] == "updated_at"
    assert data[0]["ai_recommendation"]["khepri"]["readiness"] == "green"
    assert data[0]["user_response"] == "accepted"
    assert json.loads(history.ok("checkins", "list", "--since", "2026-01-01", "--until", "2026-01-31", "--json").stdout) == []  # fmt: skip


def test_empty_list_says_so_on_stderr(athlete):
    run = athlete.ok("checkins")
    assert run.stdout == ""
    assert run.stderr == "No check-ins from 2026-11-12 to 2026-11-25.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--limit", "0"], "--limit: '0' is not valid; must be a whole number from 1 to 2147483647"),
        (["--limit", "99999999999999999999999"], "--limit: '99999999999999999999999' is not valid; must be a whole number from 1 to 2147483647"),
        (["--until", "0001-01-01"], "--until: '0001-01-01' is not valid; use a date from 1900-01-01 to 2199-12-31"),
        (["--limit", "ten"], "--limit: 'ten' is not valid"),
        (["--since", "2026-13-01"], "--since: '2026-13-01' is not valid"),
        (["--until", "soon"], "--until: 'soon' is not valid"),
        (["--since", "2026-11-20", "--until", "2026-11-10"], "--since: '2026-11-20' is not valid; must be on or before the --until day 2026-11-10"),
    ],
)  # fmt: skip
def test_list_bad_input(history, args, message):
    run = history("checkins", *args)
    assert run.exit_code == 2 and message in run.stderr
    assert run.stderr.count("\n") == 1 and run.stdout == ""


def test_group_options_before_a_subcommand_are_refused(history):
    run = history("checkins", "--json", "show", "today")
    assert run.exit_code == 2
    assert "put the options after the subcommand" in run.stderr


# -- show ----------------------------------------------------------------------------------


def test_show_one_day_with_its_stored_assessment(history):
    out = history.ok("checkins", "show", "2026-11-20").stdout
    lines = out.splitlines()
    assert lines[0] == "Check-in for 2026-11-20"
    assert "Energy         3/10" in lines
    assert "Sleep          7.5 h" in lines
    assert "Readiness for 2026-11-20: red" in lines
    assert "red energy 3/10" in squeezed(out).splitlines()
    assert lines[-1] == f"Judged at {STAMP} by the Khepri readiness rubric, version 2."


def test_show_does_not_judge_an_old_day_again(history):
    old = {
        "source": "khepri-readiness-rubric",
        "rubric_version": 0,
        "generated_at": "2026-11-20T06:00:00.000000Z",
        "readiness": "green",
        "advice": "Go (as the old rules said).",
        "signs": [{"sign": "energy", "level": "green", "reason": "energy 3/10 was fine then"}],
        "baseline": {},
    }
    conn = sqlite3.connect(history.db_path)
    with conn:
        conn.execute(
            "UPDATE daily_checkins SET ai_recommendation = ? WHERE checkin_date = '2026-11-20'",
            (json.dumps(old),),
        )
    conn.close()
    before = history.snapshot()
    out = history.ok("checkins", "show", "2026-11-20").stdout
    assert "Readiness for 2026-11-20: green" in out
    assert "energy 3/10 was fine then" in out and "Go (as the old rules said)." in out
    assert "version 0" in out
    assert history.snapshot() == before


def test_show_a_day_judged_elsewhere_or_not_at_all(history):
    conn = sqlite3.connect(history.db_path)
    with conn:
        conn.execute(
            'UPDATE daily_checkins SET ai_recommendation = \'{"workout": "easy spin"}\' '
            "WHERE checkin_date = '2026-11-20'"
        )
        conn.execute(
            "UPDATE daily_checkins SET ai_recommendation = NULL WHERE checkin_date = '2026-11-12'"
        )
    conn.close()
    shown = history.ok("checkins", "show", "2026-11-20").stdout
    assert 'Stored recommendation (not from the Khepri rubric): {"workout": "easy spin"}' in shown
    assert "not judged" in history.ok("checkins", "show", "2026-11-12").stdout
    listed = history.ok("checkins").stdout
    assert "2026-11-20  unknown" in listed and "2026-11-12  unknown" in listed


def test_show_json_is_the_row(history):
    data = json.loads(history.ok("checkins", "show", "today", "--json").stdout)
    [row] = history.rows("SELECT id FROM daily_checkins WHERE checkin_date = ?", (TODAY,))
    assert data["id"] == row["id"] and data["energy_level"] == 8
    assert data["ai_recommendation"]["khepri"]["rubric_version"] == 2


def test_show_a_day_without_a_checkin(history):
    run = history("checkins", "show", "2026-11-01")
    assert run.exit_code == 2
    assert "no check-in on 2026-11-01 (list them with 'khepri checkins')" in run.stderr
    run = history("checkins", "show", "2026-11-31")
    assert run.exit_code == 2 and "DATE: '2026-11-31' is not valid" in run.stderr


# -- delete --------------------------------------------------------------------------------


def test_delete_with_yes(history):
    run = history.ok("checkins", "delete", "2026-11-20", "--yes")
    assert run.stderr == "Deleted check-in for 2026-11-20\n"
    days = [r["checkin_date"] for r in history.rows("SELECT checkin_date FROM daily_checkins")]
    assert "2026-11-20" not in days and len(days) == 4


def test_delete_without_a_terminal_needs_yes(history):
    before = history.snapshot()
    run = history("checkins", "delete", "2026-11-20")
    assert run.exit_code == 2
    assert "needs --yes when there is no terminal to ask on" in run.stderr
    assert run.stderr.count("\n") == 1
    assert history.snapshot() == before


def test_delete_asks_on_a_terminal(history, terminal):
    before = history.snapshot()
    run = history.ok("checkins", "delete", "2026-11-20", input="n\n")
    assert "Delete the check-in for 2026-11-20? [y/N]: " in run.stderr
    assert "Kept the check-in for 2026-11-20; nothing deleted." in run.stderr
    assert history.snapshot() == before
    run = history.ok("checkins", "delete", "2026-11-20", input="y\n")
    assert "Deleted check-in for 2026-11-20" in run.stderr
    assert history.rows("SELECT 1 FROM daily_checkins WHERE checkin_date = '2026-11-20'") == []


def test_delete_a_day_without_a_checkin(history):
    before = history.snapshot()
    run = history("checkins", "delete", "2026-11-01", "--yes")
    assert run.exit_code == 2 and "no check-in on 2026-11-01" in run.stderr
    assert history.snapshot() == before


# -- help, output on a terminal, start-up --------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["checkin"],
        ["checkin", "respond"],
        ["checkins"],
        ["checkins", "list"],
        ["checkins", "show"],
        ["checkins", "delete"],
    ],
)
def test_every_command_has_help_with_an_example(khepri, command):
    run = khepri.ok(*command, "--help")
    assert "Example:" in run.stdout
    assert "khepri " + " ".join(command) in run.stdout.replace("\n", " ")


def test_on_a_terminal_the_panel_is_drawn_with_rich(athlete, monkeypatch):
    from khepri_cli.render import checkin as render_checkin
    from khepri_cli.render import console
    from khepri_cli.render import recommendation as render_recommendation

    monkeypatch.setattr(console, "is_terminal", lambda stream=None: True)
    monkeypatch.setattr(render_checkin, "is_terminal", lambda stream=None: True)
    monkeypatch.setattr(render_recommendation, "is_terminal", lambda stream=None: True)
    monkeypatch.setenv("NO_COLOR", "1")
    console.console.cache_clear()
    try:
        add_constraint(athlete, title="Knee [bold]pain")
        out = athlete.ok("checkin", "--energy", "8").stdout
    finally:
        console.console.cache_clear()
    assert "╭" in out and f"Readiness for {TODAY}" in out
    assert "● red" in out and "● green" in out
    assert "injury: Knee [bold]pain" in out  # user text is not read as markup
    assert "Active constraints" in out


def test_the_checkin_path_imports_no_pydantic_rich_or_sqlite_utils(athlete, tmp_path):
    script = (
        "import sys\n"
        "from khepri_cli.cli.main import app\n"
        "try:\n"
        "    app(['checkin', '--energy', '7', '--sleep-hours', '7.5'])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "heavy = ('pydantic', 'rich', 'sqlite_utils', 'psycopg', 'statistics')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "[]"
    assert "Saved check-in" in run.stderr
