"""What people type for paces, durations, weights, heights, dates and lists, and how it is shown."""

from __future__ import annotations

from datetime import date

import pytest

from khepri_cli.domain import units as u
from khepri_cli.errors import USAGE, InvalidInput

METRIC, IMPERIAL = u.METRIC, u.IMPERIAL
TODAY = date(2026, 11, 25)


def refused(parse, text, *args, field: str, allowed: str) -> InvalidInput:
    """``parse`` refuses ``text`` with one message naming ``field``, the text and what is allowed."""
    with pytest.raises(InvalidInput) as caught:
        parse(text, *args, field=field)
    error = caught.value
    assert error.exit_code == USAGE
    assert error.field == field
    assert error.value == text
    assert error.message.startswith(f"{field}: {text!r} is not valid; ")
    assert allowed in error.message
    assert "\n" not in error.message
    return error


# -- running pace (stored as seconds per km) -------------------------------------------

PACE_FORM = "use minutes:seconds per km (or per mile when imperial), e.g. 4:30"
PACE_RANGE = "a running pace must be between 1:00 and 30:00 per km"


@pytest.mark.parametrize(
    ("text", "units", "seconds"),
    [
        ("4:30", METRIC, 270),
        ("04:30", METRIC, 270),
        (" 4:30 ", METRIC, 270),
        ("4:30/km", METRIC, 270),
        ("4:30 /KM", METRIC, 270),
        ("7:15/mi", METRIC, 270),  # a suffix beats the athlete's units
        ("7:15 / mile", METRIC, 270),
        ("7:15", IMPERIAL, 270),
        ("4:30/km", IMPERIAL, 270),
        ("1:00", METRIC, 60),
        ("30:00", METRIC, 1800),
        ("8:00/mi", METRIC, 298),  # 480 s per mile = 298.26 s per km
    ],
)
def test_run_pace_is_read(text, units, seconds):
    assert u.parse_run_pace(text, units) == seconds


@pytest.mark.parametrize(
    ("text", "units", "allowed"),
    [
        ("4:75", METRIC, PACE_FORM),
        ("430", METRIC, PACE_FORM),
        ("4.30", METRIC, PACE_FORM),
        ("4:5", METRIC, PACE_FORM),
        ("1:00:00", METRIC, PACE_FORM),
        ("-4:30", METRIC, PACE_FORM),
        ("fast", METRIC, PACE_FORM),
        ("", METRIC, PACE_FORM),
        ("4:30/100m", METRIC, PACE_FORM),
        ("4:30/yd", METRIC, PACE_FORM),
        ("0:30", METRIC, PACE_RANGE),
        ("0:59", METRIC, PACE_RANGE),
        ("30:01", METRIC, PACE_RANGE),
        ("0:50", IMPERIAL, f"{PACE_RANGE} (about 1:37 to 48:17 per mile)"),
        ("59:00/mi", METRIC, "per mile"),
    ],
)
def test_bad_run_paces_are_refused(text, units, allowed):
    refused(u.parse_run_pace, text, units, field="--threshold-pace", allowed=allowed)


def test_run_pace_names_a_default_field():
    with pytest.raises(InvalidInput, match=r"^threshold pace: "):
        u.parse_run_pace("4:75")


@pytest.mark.parametrize("units", [METRIC, IMPERIAL])
def test_every_run_pace_survives_being_shown_and_typed_again(units):
    for seconds in range(60, 1801):
        shown = u.format_run_pace(seconds, units)
        assert u.parse_run_pace(shown, units) == seconds, shown
        assert u.parse_run_pace(shown.split("/")[0], units) == seconds, shown


def test_run_pace_is_shown_in_the_athletes_units():
    assert u.format_run_pace(270) == "4:30/km"
    assert u.format_run_pace(270, IMPERIAL) == "7:15/mi"
    assert u.format_run_pace(3600 // 10) == "6:00/km"
    assert u.format_run_pace(None) == "—"


# -- swim pace (stored as seconds per 100 m) ---------------------------------------------

SWIM_FORM = "use minutes:seconds per 100 m (per 100 yd when imperial), e.g. 1:35"
SWIM_RANGE = "a swim pace must be between 0:30 and 10:00 per 100 m"


@pytest.mark.parametrize(
    ("text", "units", "seconds"),
    [
        ("1:35", METRIC, 95),
        ("1:35/100m", METRIC, 95),
        ("1:35/100m", IMPERIAL, 95),
        ("1:27", IMPERIAL, 95),  # 87 s per 100 yd = 95.1 s per 100 m
        ("1:27/100yd", METRIC, 95),
        ("0:30", METRIC, 30),
        ("10:00", METRIC, 600),
    ],
)
def test_swim_pace_is_read(text, units, seconds):
    assert u.parse_swim_pace(text, units) == seconds


@pytest.mark.parametrize(
    ("text", "units", "allowed"),
    [
        ("1:75", METRIC, SWIM_FORM),
        ("135", METRIC, SWIM_FORM),
        ("1:35/km", METRIC, SWIM_FORM),
        ("1:35/mi", METRIC, SWIM_FORM),
        ("", METRIC, SWIM_FORM),
        ("0:20", METRIC, SWIM_RANGE),
        ("10:01", METRIC, SWIM_RANGE),
        ("0:20", IMPERIAL, f"{SWIM_RANGE} (about 0:27 to 9:09 per 100 yd)"),
    ],
)
def test_bad_swim_paces_are_refused(text, units, allowed):
    refused(u.parse_swim_pace, text, units, field="--css", allowed=allowed)


def test_swim_paces_survive_being_shown_and_typed_again():
    for seconds in range(30, 601):
        assert u.parse_swim_pace(u.format_swim_pace(seconds), METRIC) == seconds
        # whole seconds per 100 yd cannot name every whole second per 100 m: within 1 s,
        # and showing it again gives exactly the same text
        shown = u.format_swim_pace(seconds, IMPERIAL)
        again = u.parse_swim_pace(shown, IMPERIAL)
        assert abs(again - seconds) <= 1, shown
        assert u.format_swim_pace(again, IMPERIAL) == shown


def test_swim_pace_is_shown_in_the_athletes_units():
    assert u.format_swim_pace(95) == "1:35/100m"
    assert u.format_swim_pace(95, IMPERIAL) == "1:27/100yd"
    assert u.format_swim_pace(None, IMPERIAL) == "—"


# -- durations -----------------------------------------------------------------------------

DURATION_FORM = "use h:mm:ss or mm:ss, e.g. 5:45:00"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("5:45:00", 20700),
        ("45:00", 2700),
        ("0:01", 1),
        ("75:00", 4500),
        ("10:05:09", 36309),
        ("2h30m", 9000),
        ("2h 30m", 9000),
        ("2H30M", 9000),
        ("90m", 5400),
        ("90min", 5400),
        ("1h", 3600),
        ("45s", 45),
        ("1h2m3s", 3723),
    ],
)
def test_durations_are_read(text, seconds):
    assert u.parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("abc", DURATION_FORM),
        ("", DURATION_FORM),
        ("2h30", DURATION_FORM),
        ("1:75:00", DURATION_FORM),
        ("1:00:60", DURATION_FORM),
        ("45", DURATION_FORM),
        ("-5:00", DURATION_FORM),
        ("5:45:00:00", DURATION_FORM),
        ("0:00", "a duration must be longer than zero"),
        ("0:00:00", "a duration must be longer than zero"),
        ("0h0m", "a duration must be longer than zero"),
    ],
)
def test_bad_durations_are_refused(text, allowed):
    refused(u.parse_duration, text, field="--target-time", allowed=allowed)


def test_durations_survive_being_shown_and_typed_again():
    for seconds in [*range(1, 4000), 20700, 36309, 86399, 360000]:
        assert u.parse_duration(u.format_duration(seconds)) == seconds


def test_durations_are_shown_as_a_clock():
    assert u.format_duration(20700) == "5:45:00"
    assert u.format_duration(2700) == "45:00"
    assert u.format_duration(5) == "0:05"
    assert u.format_duration(None) == "—"


# -- weight (stored in kg, 2 decimals) ----------------------------------------------------

WEIGHT_FORM = "use a number in kg or lb, e.g. 72.5 or 160lb"
WEIGHT_RANGE = "a body weight must be between 20 and 400 kg (44–880 lb)"


@pytest.mark.parametrize(
    ("text", "units", "kg"),
    [
        ("72.5", METRIC, 72.5),
        ("72,5", METRIC, 72.5),
        ("72.5kg", METRIC, 72.5),
        ("72.5 KG", IMPERIAL, 72.5),
        ("160lb", METRIC, 72.57),
        ("160 lbs", METRIC, 72.57),
        ("160", IMPERIAL, 72.57),
        ("20", METRIC, 20.0),
        ("400", METRIC, 400.0),
        ("61.555", METRIC, 61.56),  # two decimals, like DECIMAL(5,2)
    ],
)
def test_weights_are_read(text, units, kg):
    assert u.parse_weight(text, units) == kg


@pytest.mark.parametrize(
    ("text", "units", "allowed"),
    [
        ("abc", METRIC, WEIGHT_FORM),
        ("", METRIC, WEIGHT_FORM),
        ("nan", METRIC, WEIGHT_FORM),
        ("inf", METRIC, WEIGHT_FORM),
        ("72.5 stone", METRIC, WEIGHT_FORM),
        ("lb", METRIC, WEIGHT_FORM),
        ("19.9", METRIC, WEIGHT_RANGE),
        ("401", METRIC, WEIGHT_RANGE),
        ("-70", METRIC, WEIGHT_RANGE),
        ("0", METRIC, WEIGHT_RANGE),
        ("40", IMPERIAL, WEIGHT_RANGE),  # 40 lb
        ("900lb", METRIC, WEIGHT_RANGE),
    ],
)
def test_bad_weights_are_refused(text, units, allowed):
    refused(u.parse_weight, text, units, field="--weight", allowed=allowed)


def test_weights_survive_being_shown_and_typed_again():
    for tenths in range(200, 4001):
        kg = tenths / 10
        assert u.parse_weight(u.format_weight(kg)) == kg
        # one decimal of a pound is finer than a hundredth of a kilo... almost
        assert abs(u.parse_weight(u.format_weight(kg, IMPERIAL), IMPERIAL) - kg) <= 0.03


def test_weights_are_shown_in_the_athletes_units():
    assert u.format_weight(72.5) == "72.5 kg"
    assert u.format_weight(72.57, IMPERIAL) == "160.0 lb"
    assert u.format_weight(None) == "—"


# -- height (stored in cm, 2 decimals) ------------------------------------------------------

HEIGHT_FORM = "use a number of cm (e.g. 178), inches (70in) or feet and inches (5'10\")"
HEIGHT_RANGE = "a height must be between 50 and 272 cm"


@pytest.mark.parametrize(
    ("text", "units", "cm"),
    [
        ("178", METRIC, 178.0),
        ("178.5cm", IMPERIAL, 178.5),
        ("178 CM", METRIC, 178.0),
        ("70in", METRIC, 177.8),
        ("70", IMPERIAL, 177.8),
        ("5'10\"", METRIC, 177.8),
        ("5'10", METRIC, 177.8),
        ("5' 10''", METRIC, 177.8),
        ("6'", METRIC, 182.88),
        ("50", METRIC, 50.0),
        ("272", METRIC, 272.0),
    ],
)
def test_heights_are_read(text, units, cm):
    assert u.parse_height(text, units) == cm


@pytest.mark.parametrize(
    ("text", "units", "allowed"),
    [
        ("tall", METRIC, HEIGHT_FORM),
        ("", METRIC, HEIGHT_FORM),
        ("5 ft 10 in", METRIC, HEIGHT_FORM),
        ("cm", METRIC, HEIGHT_FORM),
        ("abcin", METRIC, HEIGHT_FORM),
        ("49", METRIC, HEIGHT_RANGE),
        ("300", METRIC, HEIGHT_RANGE),
        ("19in", METRIC, HEIGHT_RANGE),
        ("9'", METRIC, HEIGHT_RANGE),
        ("178", IMPERIAL, HEIGHT_RANGE),  # 178 inches
    ],
)
def test_bad_heights_are_refused(text, units, allowed):
    refused(u.parse_height, text, units, field="--height", allowed=allowed)


def test_heights_survive_being_shown_and_typed_again():
    for cm in (150.0, 168.5, 177.8, 190.25):
        assert u.parse_height(u.format_height(cm)) == cm
    for inches in range(20, 108):
        shown = u.format_height(inches * 2.54, IMPERIAL)
        assert u.parse_height(shown, IMPERIAL) == round(inches * 2.54, 2), shown


def test_heights_are_shown_in_the_athletes_units():
    assert u.format_height(177.8) == "177.8 cm"
    assert u.format_height(177.8, IMPERIAL) == "5'10\""
    assert u.format_height(None) == "—"


# -- dates ---------------------------------------------------------------------------------

DATE_FORM = "use YYYY-MM-DD, today or yesterday"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("today", TODAY),
        ("Today", TODAY),
        (" yesterday ", date(2026, 11, 24)),
        ("tomorrow", date(2026, 11, 26)),
        ("2026-11-25", TODAY),
        ("2028-02-29", date(2028, 2, 29)),
    ],
)
def test_dates_are_read(text, day):
    assert u.parse_date(text, TODAY) == day


def test_today_and_yesterday_follow_the_day_given():
    new_year = date(2027, 1, 1)
    assert u.parse_date("yesterday", new_year) == date(2026, 12, 31)
    assert u.parse_date("today", new_year) == new_year
    assert u.parse_date("yesterday", date(2028, 3, 1)) == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("2026-2-3", DATE_FORM),
        ("25/11/2026", DATE_FORM),
        ("2026/11/25", DATE_FORM),
        ("20261125", DATE_FORM),
        ("2026-11-25T07:00", DATE_FORM),
        ("last week", DATE_FORM),
        ("", DATE_FORM),
        ("2026-02-30", "that day does not exist in the calendar; use a real YYYY-MM-DD date"),
        ("2027-02-29", "that day does not exist in the calendar"),
        ("2026-13-01", "that day does not exist in the calendar"),
        ("2026-11-31", "that day does not exist in the calendar"),
    ],
)
def test_bad_dates_are_refused(text, allowed):
    refused(u.parse_date, text, TODAY, field="--date", allowed=allowed)


# -- lists ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("pool, gym,outdoor_running", ["pool", "gym", "outdoor_running"]),
        ("Running Shoes, swim goggles", ["running_shoes", "swim_goggles"]),
        ("monday,monday,Wednesday", ["monday", "wednesday"]),
        ("treadmill", ["treadmill"]),
        (" , ,", []),
        ("", []),
    ],
)
def test_lists_are_read(text, items):
    assert u.parse_list(text) == items
