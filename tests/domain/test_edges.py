"""The declaration's rules at the edges: text, dates, numbers and values that go together.

Each rule is applied by ``domain/rows.py`` to every write, whatever it comes
from (a command, an import file, a sync pull), so testing the rows tests them all.
"""

from __future__ import annotations

from datetime import date

import pytest

from khepri_cli.domain.rows import changed_row, check_value, new_row, whole_row
from khepri_cli.domain.units import (
    parse_duration,
    parse_height,
    parse_number,
    parse_run_pace,
    parse_whole,
)
from khepri_cli.errors import InvalidInput
from khepri_cli.schema import Row
from khepri_cli.schema.tables import ATHLETES, CONSTRAINTS, DAILY_CHECKINS, GOALS, TRAINING_PLANS
from khepri_cli.schema.text import LINE_MAX, LIST_MAX, NOTE_MAX

ATHLETE = "0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d"
GOAL = {"athlete_id": ATHLETE, "goal_type": "race", "title": "Cascais"}


def refusal(table, values) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        new_row(table, values)
    return caught.value


# -- text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "allowed"),
    [
        ("a\x1b[2Jb", "must not contain control character U+001B"),
        ("bell\x07", "must not contain control character U+0007"),
        ("csi\x9b31m", "must not contain control character U+009B"),
        ("del\x7f", "must not contain control character U+007F"),
        ("two\nlines", "must be one line: line breaks are not allowed here"),
        ("tab\there", "must not contain a tab"),
        ("cr\rhere", "must not contain a carriage return"),
        ("x" * (LINE_MAX + 1), f"must be at most {LINE_MAX} characters long (this is 201)"),
    ],
)
def test_a_one_line_text_refuses_control_characters_line_breaks_and_length(title, allowed):
    error = refusal(GOALS, {**GOAL, "title": title})
    assert error.column == "title"
    assert error.allowed == allowed
    assert "\x1b" not in error.message and "\n" not in error.message


def test_a_one_line_text_up_to_the_limit_and_any_script_is_accepted():
    for title in ("x" * LINE_MAX, "Maratón de Sevilla", "東京マラソン", "🏃 10k"):
        assert new_row(GOALS, {**GOAL, "title": title})["title"] == title


@pytest.mark.parametrize("column", ["description"])
def test_notes_keep_line_breaks_but_refuse_other_control_characters(column):
    note = "first line\nsecond line"
    assert new_row(GOALS, {**GOAL, column: note})[column] == note
    assert refusal(GOALS, {**GOAL, column: "a\x1b]0;pwned\x07"}).column == column
    assert refusal(GOALS, {**GOAL, column: "x" * (NOTE_MAX + 1)}).allowed.startswith(
        f"must be at most {NOTE_MAX} characters long"
    )


def test_check_in_notes_and_response_notes_are_multi_line_text():
    day = {"athlete_id": ATHLETE, "checkin_date": "2026-11-20"}
    row = new_row(DAILY_CHECKINS, {**day, "notes": "a\nb", "user_response_notes": "c\nd"})
    assert (row["notes"], row["user_response_notes"]) == ("a\nb", "c\nd")


@pytest.mark.parametrize(
    ("items", "allowed"),
    [
        (["gym", "po\x1bol"], "each item must not contain control character U+001B"),
        (["gym", "po\nol"], "each item must be one line: line breaks are not allowed here"),
        (["x" * (LINE_MAX + 1)], f"each item must be at most {LINE_MAX} characters long"),
        (["gym"] * (LIST_MAX + 1), f"must hold at most {LIST_MAX} items (this has 101)"),
    ],
)
def test_text_lists_hold_one_line_items_and_a_limited_number_of_them(items, allowed):
    values = {
        "athlete_id": ATHLETE,
        "constraint_type": "travel",
        "title": "Lisbon",
        "start_date": "2026-11-20",
        "travel_facilities_available": items,
    }
    error = refusal(CONSTRAINTS, values)
    assert error.column == "travel_facilities_available"
    assert error.allowed.startswith(allowed)


def test_an_imported_row_goes_through_the_same_text_rule():
    row = {**GOAL, "id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "title": "a\x1bb"}
    row |= {"created_at": "2026-11-25T07:30:00Z", "updated_at": "2026-11-25T07:30:00Z"}
    with pytest.raises(InvalidInput) as caught:
        whole_row(GOALS, row)
    assert caught.value.column == "title"


# -- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day", ["0001-01-01", "0001-01-28", "1899-12-31", "2200-01-01", "9999-12-31"]
)
def test_every_date_lies_in_one_window(day):
    for column in (GOALS.column("target_date"), TRAINING_PLANS.column("start_date")):
        with pytest.raises(ValueError, match="must be a date from 1900-01-01 to 2199-12-31"):
            check_value(column, day)


def test_goal_and_constraint_dates_are_at_most_ten_years_ahead():
    # KHEPRI_NOW is 2026-11-25T07:30Z: 21:30 on the 25th where the day is latest.
    assert check_value(GOALS.column("target_date"), "2036-11-25") == date(2036, 11, 25)
    for column in (GOALS.column("target_date"), CONSTRAINTS.column("start_date")):
        with pytest.raises(ValueError) as caught:
            check_value(column, "2036-11-26")
        assert str(caught.value) == "must be no later than ten years from today (2036-11-25)"


@pytest.mark.parametrize(
    ("table", "column"), [(DAILY_CHECKINS, "checkin_date"), (ATHLETES, "date_of_birth")]
)
def test_check_ins_and_birth_dates_are_never_in_the_future(table, column):
    assert check_value(table.column(column), "2026-11-25") == date(2026, 11, 25)
    with pytest.raises(ValueError, match="must not be in the future"):
        check_value(table.column(column), "2026-11-26")


# -- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize("hours", [24.01, 24.04, 24 + 1 / 60, -0.01])
def test_sleep_is_judged_as_given_not_as_rounded(hours):
    with pytest.raises(ValueError, match="must be between 0 and 24"):
        check_value(DAILY_CHECKINS.column("sleep_hours"), hours)


def test_sleep_just_under_the_limit_rounds_to_it():
    assert check_value(DAILY_CHECKINS.column("sleep_hours"), 23.96) == 24.0


@pytest.mark.parametrize("value", [1e308, -1e308, 1e100, 2**80])
def test_huge_numbers_are_refused_by_the_range(value):
    with pytest.raises(ValueError, match="must be"):
        check_value(DAILY_CHECKINS.column("hrv_ms"), value)


# -- values that go together ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "column", "allowed"),
    [
        (
            {"resting_heart_rate": 60, "max_heart_rate": 60},
            "max_heart_rate",
            "must be above the resting heart rate 60",
        ),
        (
            {"resting_heart_rate": 70, "max_heart_rate": 65},
            "max_heart_rate",
            "must be above the resting heart rate 70",
        ),
        ({"lthr": 190, "max_heart_rate": 185}, "max_heart_rate", "must be at least the LTHR 190"),
    ],
)
def test_heart_rates_keep_their_order(values, column, allowed):
    error = refusal(ATHLETES, values)
    assert (error.column, error.allowed) == (column, allowed)


def test_lthr_may_equal_max_hr_and_either_may_be_missing():
    new_row(ATHLETES, {"lthr": 185, "max_heart_rate": 185, "resting_heart_rate": 45})
    new_row(ATHLETES, {"lthr": 200})
    new_row(ATHLETES, {"resting_heart_rate": 200})


def test_the_changed_heart_rate_is_the_one_blamed():
    athlete = Row(
        ATHLETES, new_row(ATHLETES, {"resting_heart_rate": 50, "max_heart_rate": 188, "lthr": 170})
    )
    with pytest.raises(InvalidInput) as caught:
        changed_row(athlete, {"lthr": 190})
    assert (caught.value.column, caught.value.allowed) == (
        "lthr",
        "must be at most the max heart rate 188",
    )
    with pytest.raises(InvalidInput) as caught:
        changed_row(athlete, {"resting_heart_rate": 190})
    assert caught.value.column == "resting_heart_rate"
    assert caught.value.allowed == "must be below the max heart rate 188"


# -- the one number reader ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"), [("7", 7.0), (" 7.5 ", 7.5), ("7,5", 7.5), ("-3", -3.0), ("1e308", 1e308)]
)
def test_typed_numbers_are_read_once_for_every_field(text, value):
    assert parse_number(text, "--hrv") == value


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-Infinity", "1e309", "", "seven", "9" * 33])
def test_text_that_is_no_finite_number_is_refused_naming_the_field(text):
    with pytest.raises(InvalidInput) as caught:
        parse_number(text, "--hrv", "use a number")
    assert caught.value.field == "--hrv"


@pytest.mark.parametrize(
    "text", ["0", "2147483648", "99999999999999999999999", "9" * 5000, "7.0", "٣"]
)
def test_whole_numbers_stay_within_their_bounds(text):
    with pytest.raises(InvalidInput):
        parse_whole(text, "--limit", "must be a whole number from 1 to 2147483647", 1, 2**31 - 1)
    assert parse_whole(" +12 ", "--limit", "", 1, 20) == 12


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (parse_duration, "9" * 5000 + ":00:00"),
        (parse_duration, "9" * 5000 + "h"),
        (lambda text, field: parse_height(text, "imperial", field), "9" * 5000 + "'1"),
        (lambda text, field: parse_run_pace(text, "metric", field), "9" * 5000 + ":00"),
    ],
)
def test_a_thousand_digits_is_refused_not_converted(parse, text):
    with pytest.raises(InvalidInput) as caught:
        parse(text, "--field")
    assert caught.value.field == "--field"
    assert len(caught.value.message) < 300
