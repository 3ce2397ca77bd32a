"""``khepri init`` and ``khepri profile``."""

from __future__ import annotations

import json

import pytest


def test_init_with_flags_creates_the_profile(khepri):
    run = khepri.ok(
        "init",
        "--name",
        "Ada",
        "--ftp",
        "250",
        "--threshold-pace",
        "4:30",
        "--css",
        "1:35",
        "--weight",
        "61.5",
        "--height",
        "168",
        "--resting-hr",
        "48",
        "--max-hr",
        "190",
        "--lthr",
        "172",
        "--timezone",
        "Europe/London",
        "--checkin-time",
        "06:30",
        "--dob",
        "1990-04-12",
    )
    assert "Created the profile for Ada" in run.stderr
    [row] = khepri.rows("SELECT * FROM athletes")
    assert row["display_name"] == "Ada"
    assert row["ftp_watts"] == 250
    assert row["running_threshold_pace_sec_per_km"] == 270
    assert row["css_sec_per_100m"] == 95
    assert row["weight_kg"] == 61.5
    assert row["height_cm"] == 168.0
    assert row["timezone"] == "Europe/London"
    assert row["daily_checkin_time"] == "06:30:00"
    assert row["date_of_birth"] == "1990-04-12"
    assert row["preferred_units"] == "metric"


def test_init_again_updates_instead_of_adding_a_second_profile(athlete):
    athlete.ok("init", "--ftp", "265")
    rows = athlete.rows("SELECT display_name, ftp_watts FROM athletes")
    assert rows == [{"display_name": "Ada", "ftp_watts": 265}]


def test_imperial_units_read_and_show_in_miles_and_pounds(khepri):
    khepri.ok("init", "--units", "imperial", "--threshold-pace", "7:15", "--weight", "150")
    [row] = khepri.rows("SELECT * FROM athletes")
    assert row["running_threshold_pace_sec_per_km"] == 270  # 7:15/mi is 4:30/km
    assert row["weight_kg"] == pytest.approx(68.04)
    shown = khepri.ok("profile").stdout
    assert "7:15/mi" in shown and "150.0 lb" in shown


def test_profile_json_is_the_row(athlete):
    data = json.loads(athlete.ok("profile", "--json").stdout)
    assert data["ftp_watts"] == 250
    assert data["intervals_icu_connected"] is False
    assert next(iter(data)) == "id" and list(data)[-1] == "updated_at"


def test_profile_set_changes_only_what_is_given(athlete):
    athlete.ok("profile", "set", "--weight", "70.25")
    [row] = athlete.rows("SELECT * FROM athletes")
    assert row["weight_kg"] == 70.25 and row["ftp_watts"] == 250


def test_profile_set_moves_updated_at(athlete):
    before = athlete.rows("SELECT updated_at FROM athletes")[0]["updated_at"]
    athlete.ok("profile", "set", "--ftp", "260")
    after = athlete.rows("SELECT updated_at FROM athletes")[0]["updated_at"]
    assert after != before


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--ftp", "3000", "--ftp: '3000' is not valid; must be between 1 and 2500 watts"),
        ("--ftp", "fast", "--ftp: 'fast' is not valid; use a whole number of watts"),
        ("--threshold-pace", "4:75", "--threshold-pace: '4:75' is not valid"),
        ("--css", "abc", "--css: 'abc' is not valid"),
        ("--resting-hr", "5", "--resting-hr: '5' is not valid; must be between 20 and 250 bpm"),
        ("--units", "furlongs", "--units: 'furlongs' is not valid; must be metric or imperial"),
        ("--timezone", "Mars/Base", "--timezone: 'Mars/Base' is not valid"),
        ("--dob", "1990-02-30", "--dob: '1990-02-30' is not valid"),
        ("--checkin-time", "25:00", "--checkin-time: '25:00' is not valid"),
        ("--weight", "-3", "--weight: '-3' is not valid"),
    ],
)
def test_bad_profile_values_are_refused_and_nothing_changes(athlete, flag, value, message):
    before = athlete.snapshot()
    run = athlete("profile", "set", flag, value)
    assert run.exit_code == 2, run.output
    assert message in run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.output
    assert athlete.snapshot() == before


def test_profile_before_init_says_what_to_do(khepri):
    run = khepri("profile")
    assert run.exit_code == 1
    assert "run 'khepri init' first" in run.stderr


def test_profile_set_without_flags_is_a_usage_error(athlete):
    run = athlete("profile", "set")
    assert run.exit_code == 2
    assert "nothing to change" in run.stderr
