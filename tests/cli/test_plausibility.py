"""Values an athlete's tools would question, refused on the command line and in imports alike.

Every refusal is one stderr line, exit 2, naming the flag and what was typed,
and leaves the journal byte for byte as it was.
"""

from __future__ import annotations

import json

import pytest


def refused(khepri, args, *messages):
    before = khepri.snapshot()
    run = khepri(*args)
    assert run.exit_code == 2, run.output
    assert run.stderr.count("\n") == 1, run.stderr
    for message in messages:
        assert message in run.stderr, run.stderr
    assert khepri.snapshot() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-hr", "45"], "--max-hr: '45' is not valid; must be above the resting heart rate 50"),
        (["--resting-hr", "188"], "--resting-hr: '188' is not valid; must be below the max heart rate 188"),
        (["--lthr", "190"], "--lthr: '190' is not valid; must be at most the max heart rate 188"),
        (["--dob", "2026-11-26"], "--dob: '2026-11-26' is not valid; must not be in the future"),
        (["--dob", "1899-12-31"], "--dob: '1899-12-31' is not valid; use a date from 1900-01-01 to 2199-12-31"),
    ],
)  # fmt: skip
def test_profile_values_that_cannot_be_true_are_refused(athlete, args, message):
    refused(athlete, ["profile", "set", *args], message)


def test_heart_rates_changed_together_are_judged_together(athlete):
    athlete.ok("profile", "set", "--max-hr", "200", "--lthr", "195")
    assert athlete.rows("SELECT max_heart_rate, lthr FROM athletes") == [
        {"max_heart_rate": 200, "lthr": 195}
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sleep-hours", "24:01"], "--sleep-hours: '24:01' is not valid; must be between 0 and 24"),
        (["--sleep-hours", "24.04"], "--sleep-hours: '24.04' is not valid; must be between 0 and 24"),
        (["--equipment", "none,bike_trainer"], "'none' means no equipment: give it alone or list what you have"),
        (["--notes", "a\x1b[2Jb"], "--notes: 'a\\x1b[2Jb' is not valid; must not contain control character U+001B"),
        (["--notes", "x" * 10_001], "must be at most 10000 characters long (this is 10001)"),
        (["--date", "0001-01-01", "--energy", "5"], "use a date from 1900-01-01 to 2199-12-31"),
        (["--hrv", "1e308"], "--hrv: '1e308' is not valid; must be more than 0 and less than 10000"),
        (["--sleep-hours", "1e308"], "--sleep-hours: '1e308' is not valid; must be between 0 and 24"),
    ],
)  # fmt: skip
def test_check_in_values_that_cannot_be_true_are_refused(athlete, args, message):
    refused(athlete, ["checkin", "--energy", "6", *args], message)


def test_a_check_in_before_the_date_of_birth_is_refused(athlete):
    athlete.ok("profile", "set", "--dob", "2000-01-01")
    refused(
        athlete,
        ["checkin", "--date", "1999-12-31", "--energy", "6"],
        "--date: '1999-12-31' is not valid; must not be before your date of birth (2000-01-01)",
    )


def test_a_date_of_birth_after_the_first_check_in_is_refused(athlete):
    athlete.ok("checkin", "--date", "2026-11-20", "--energy", "6")
    refused(
        athlete,
        ["profile", "set", "--dob", "2026-11-21"],
        "--dob: '2026-11-21' is not valid; must be on or before your first check-in (2026-11-20)",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["goals", "add", "race", "R", "--date", "2040-01-01"], "--date: '2040-01-01' is not valid; must be no later than ten years from today (2036-11-25)"),
        (["goals", "add", "race", "R", "--date", "0001-01-01"], "--date: '0001-01-01' is not valid; use a date from 1900-01-01 to 2199-12-31"),
        (["constraints", "add", "injury", "K", "--start", "2099-01-01"], "must be no later than ten years from today"),
        (["constraints", "add", "injury", "K", "--end", "9999-12-31"], "use a date from 1900-01-01 to 2199-12-31"),
        (["goals", "add", "race", "Tw\no lines"], "TITLE: 'Tw\\no lines' is not valid; must be one line: line breaks are not allowed here"),
        (["goals", "add", "race", "x" * 201], "must be at most 200 characters long (this is 201)"),
        (["goals", "add", "race", "R\x1b[2J"], "must not contain control character U+001B"),
        (["goals", "add", "fitness", "F", "--target", "1e100"], "--target: '1e100' is not valid; must be more than -100000000 and less than 100000000"),
        (["constraints", "add", "travel", "T", "--equipment", "a\x07b"], "--equipment: 'a\\x07b' is not valid; each item must not contain control character U+0007"),
    ],
)  # fmt: skip
def test_goal_and_constraint_values_out_of_any_sane_window_are_refused(athlete, args, message):
    refused(athlete, args, message)


def test_the_advice_is_headed_today_only_for_today(athlete):
    today = athlete.ok("checkin", "--energy", "7").stdout
    yesterday = athlete.ok("checkin", "--date", "yesterday", "--energy", "7").stdout
    assert "Today: " in today
    assert "Today: " not in yesterday and "Advice for 2026-11-24: " in yesterday
    shown = athlete.ok("checkins", "show", "yesterday").stdout
    assert "Today: " not in shown and "Advice for 2026-11-24: " in shown


def test_an_imported_check_in_in_the_future_is_refused(athlete, tmp_path):
    document = json.loads(athlete.ok("export").stdout)
    athlete_id = document["athletes"][0]["id"]
    document["daily_checkins"] = [
        {
            "id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
            "athlete_id": athlete_id,
            "checkin_date": "2026-12-25",
            "created_at": "2026-11-25T07:30:00Z",
            "updated_at": "2026-11-25T07:30:00Z",
        }
    ]
    path = tmp_path / "future.json"
    path.write_text(json.dumps(document))
    refused(
        athlete,
        ["import", str(path)],
        "daily_checkins[0] (id 1a2b3c4d): checkin_date: '2026-12-25' is not valid; "
        "must not be in the future",
    )


def test_an_imported_control_character_is_refused_naming_the_row_and_column(athlete, tmp_path):
    document = json.loads(athlete.ok("export").stdout)
    document["athletes"][0]["display_name"] = "Ada\x1b]0;owned\x07"
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(document))
    refused(athlete, ["import", str(path)], "display_name: 'Ada\\x1b]0;owned\\x07' is not valid")


def test_a_twenty_megabyte_note_does_not_import(athlete, tmp_path):
    document = json.loads(athlete.ok("export").stdout)
    document["goals"] = [
        {
            "id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
            "athlete_id": document["athletes"][0]["id"],
            "goal_type": "race",
            "title": "Cascais",
            "description": "x" * 20_000_000,
            "created_at": "2026-11-25T07:30:00Z",
            "updated_at": "2026-11-25T07:30:00Z",
        }
    ]
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(document))
    refused(
        athlete,
        ["import", str(path)],
        "description: 'xxxx",
        "must be at most 10000 characters long (this is 20000000)",
    )
