"""Personal baselines: which days count, hand-computed numbers, a second implementation, properties."""

from __future__ import annotations

import json
import math
import statistics
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khepri_cli.domain import baselines as b
from khepri_cli.domain.baselines import BaselineSettings, personal_baselines

DAY = date(2026, 11, 25)


def days_before(n: int) -> date:
    return DAY - timedelta(days=n)


def series(values_by_offset: dict[int, float]) -> list[tuple[date, float]]:
    """Readings keyed by how many days before DAY they were taken (0 = DAY itself)."""
    return [(days_before(offset), value) for offset, value in values_by_offset.items()]


# -- a hand-computed fixture --------------------------------------------------------------


def test_hrv_normal_range_by_hand():
    # 14 days before DAY alternate ln 4.0 and ln 4.2: mean 4.1, every deviation 0.1,
    # sample SD = sqrt(14 * 0.01 / 13) = 0.103775..., range 4.1 ± 0.051887...
    lns = {offset: 4.0 if offset % 2 else 4.2 for offset in range(1, 15)}
    readings = series({o: math.exp(v) for o, v in lns.items()})
    hrv = b.hrv_baseline(DAY, readings)
    sd = math.sqrt(14 * 0.01 / 13)
    assert hrv.days == 14
    assert hrv.normal.mean == pytest.approx(4.1, abs=1e-12)
    assert hrv.normal.sd == pytest.approx(sd, abs=1e-12)
    assert hrv.normal.low == pytest.approx(4.1 - 0.5 * sd, abs=1e-12)
    assert hrv.normal.high == pytest.approx(4.1 + 0.5 * sd, abs=1e-12)
    # the week is DAY-6..DAY: offsets 1..6 are 4.0, 4.2, 4.0, 4.2, 4.0, 4.2 (no reading on DAY)
    assert hrv.week.readings == 6
    assert hrv.week.mean == pytest.approx(4.1, abs=1e-12)
    week_sd = math.sqrt(6 * 0.01 / 5)
    assert hrv.week.cv_percent == pytest.approx(week_sd / 4.1 * 100, abs=1e-9)
    assert hrv.today_ms is None and hrv.today_ln is None


def test_resting_hr_by_hand():
    readings = series({offset: 48 + (offset % 3) for offset in range(1, 16)})  # 49, 50, 48, ...
    readings.append((DAY, 56))
    rhr = b.resting_hr_baseline(DAY, readings, profile_bpm=45)
    assert rhr.days == 15
    assert rhr.normal.mean == pytest.approx(49.0)
    sd = math.sqrt(10 / 14)  # five each of -1, 0, +1
    assert rhr.normal.sd == pytest.approx(sd)
    assert rhr.reference == (pytest.approx(49.0), "mean of 15 days")
    # week DAY-6..DAY: 56 and offsets 1..6 -> 49, 50, 48, 49, 50, 48
    assert rhr.week.mean == pytest.approx((56 + 49 + 50 + 48 + 49 + 50 + 48) / 7)
    assert rhr.week.cv_percent is None  # only HRV has a variation signal


# -- which days count ---------------------------------------------------------------------


def test_the_normal_range_is_the_60_days_before_the_day_without_the_day_itself():
    inside = {offset: 60.0 for offset in range(1, 61)}  # DAY-1 .. DAY-60
    outside = {0: 10.0, 61: 10.0}  # the day itself and DAY-61 do not count
    hrv = b.hrv_baseline(DAY, series({**inside, **outside}))
    assert hrv.days == 60
    assert hrv.normal.mean == pytest.approx(math.log(60))


def test_the_week_is_the_7_days_ending_with_the_day():
    readings = series({0: 50.0, 6: 50.0, 7: 1000.0, 3: 50.0})
    assert b.resting_hr_baseline(DAY, readings).week == b.Week(3, 50.0)


def test_readings_after_the_day_are_ignored():
    readings = series({1: 50.0, 2: 50.0, 3: 50.0, -1: 90.0})
    assert b.resting_hr_baseline(DAY, readings).week.mean == 50.0


def test_two_readings_for_one_day_are_refused():
    with pytest.raises(ValueError, match="two readings for 2026-11-24"):
        b.resting_hr_baseline(DAY, [(days_before(1), 50), (days_before(1), 51)])


def test_first_day_needed_is_the_start_of_the_normal_window():
    assert b.first_day_needed(DAY) == days_before(60)


# -- not enough data ----------------------------------------------------------------------


@pytest.mark.parametrize(("days", "ready"), [(0, False), (13, False), (14, True), (60, True)])
def test_hrv_normal_range_needs_14_days(days, ready):
    hrv = b.hrv_baseline(DAY, series({o: 50.0 + o % 5 for o in range(1, days + 1)}))
    assert (hrv.normal is not None) is ready
    forming = f"HRV normal range forming: {days} of 14 days"
    assert (forming in hrv.notes) is not ready


@pytest.mark.parametrize(("readings", "ready"), [(0, False), (2, False), (3, True), (7, True)])
def test_the_7_day_average_needs_3_readings(readings, ready):
    hrv = b.hrv_baseline(DAY, series({o: 50.0 + o for o in range(readings)}))
    assert (hrv.week.mean is not None) is ready
    note = f"HRV 7-day average needs 3 readings in the last 7 days: {readings} so far"
    assert (note in hrv.notes) is not ready


def test_forming_resting_hr_falls_back_to_the_profile_and_says_so():
    rhr = b.resting_hr_baseline(DAY, series({o: 50 for o in range(1, 10)}), profile_bpm=46)
    assert rhr.normal is None
    assert rhr.reference == (46.0, "your profile's resting HR")
    assert rhr.notes[0] == (
        "resting HR normal range forming: 9 of 14 days; comparing with your profile's 46 bpm"
    )


def test_without_a_profile_value_nothing_is_made_up():
    rhr = b.resting_hr_baseline(DAY, [(DAY, 55)])
    assert rhr.reference == (None, None)
    assert "no profile resting HR to compare with" in rhr.notes[0]


def test_usual_variation_forms_after_the_range():
    # 14 readings, one every 4 days: the range is ready, but no 7-day window holds the 3
    # readings a CV needs, so there is no usual variation to compare with yet.
    hrv = b.hrv_baseline(DAY, series({o: 50.0 + o % 3 for o in range(1, 56, 4)}))
    assert hrv.days == 14
    assert hrv.normal is not None and hrv.usual_cv is None
    assert "HRV usual day-to-day variation still forming" in hrv.notes


def test_the_width_is_a_setting():
    readings = series({o: 50.0 + o % 4 for o in range(1, 30)})
    narrow = b.hrv_baseline(DAY, readings)
    wide = b.hrv_baseline(DAY, readings, BaselineSettings(width_sd=1.0))
    assert wide.normal.high - wide.normal.low == pytest.approx(
        2 * (narrow.normal.high - narrow.normal.low)
    )


# -- a second, independent implementation over a 90-day series ----------------------------


def ninety_days() -> tuple[list[tuple[date, float]], list[tuple[date, float]]]:
    """A deterministic, gappy 90-day series: some days miss HRV, some miss resting HR."""
    start = DAY - timedelta(days=89)
    hrv, rhr = [], []
    for i in range(90):
        day = start + timedelta(days=i)
        if i % 5 != 3:
            hrv.append((day, 55 + 12 * math.sin(i / 4) + (i % 7)))
        if i % 4 != 1:
            rhr.append((day, 47 + (i * 7919) % 6))
    return hrv, rhr


def reference_baseline(day, readings, log_values):
    """The rules re-implemented from their wording, with the statistics module."""
    values = {d: (math.log(v) if log_values else v) for d, v in readings}
    normal = [v for d, v in values.items() if day - timedelta(days=60) <= d < day]
    week = [v for d, v in values.items() if day - timedelta(days=6) <= d <= day]
    found = {"days": len(normal)}
    if len(normal) >= 14:
        m, s = statistics.mean(normal), statistics.stdev(normal)
        found["normal"] = (m, s, m - 0.5 * s, m + 0.5 * s)
    if len(week) >= 3:
        found["week_mean"] = statistics.mean(week)
        found["week_cv"] = statistics.stdev(week) / statistics.mean(week) * 100
    cvs = []
    for end in (day - timedelta(days=k) for k in range(1, 61)):
        first = max(day - timedelta(days=60), end - timedelta(days=6))
        window = [v for d, v in values.items() if first <= d <= end]
        if len(window) >= 3:
            cvs.append(statistics.stdev(window) / statistics.mean(window) * 100)
    if len(normal) >= 14 and len(cvs) >= 14:
        m, s = statistics.mean(cvs), statistics.stdev(cvs)
        found["usual_cv"] = (m, s, m - 0.5 * s, m + 0.5 * s)
    return found


def assert_close(got, want):
    assert got == want if want is None else got == pytest.approx(want, rel=1e-9)


def test_every_day_of_a_90_day_series_matches_a_second_implementation():
    hrv_readings, rhr_readings = ninety_days()
    for offset in range(90):
        day = DAY - timedelta(days=offset)
        got = personal_baselines(day, hrv_readings, rhr_readings, profile_resting_hr=50)
        for kind, readings, logged in (
            (got.hrv, hrv_readings, True),
            (got.resting_hr, rhr_readings, False),
        ):
            want = reference_baseline(day, readings, logged)
            assert kind.days == want["days"]
            if "normal" in want:
                assert tuple(kind.normal)[1:] == pytest.approx(want["normal"], rel=1e-12)
            else:
                assert kind.normal is None
            assert_close(kind.week.mean, want.get("week_mean"))
        assert_close(
            got.hrv.week.cv_percent, reference_baseline(day, hrv_readings, True).get("week_cv")
        )
        want_cv = reference_baseline(day, hrv_readings, True).get("usual_cv")
        if want_cv is None:
            assert got.hrv.usual_cv is None
        else:
            assert tuple(got.hrv.usual_cv)[1:] == pytest.approx(want_cv, rel=1e-9)


# -- properties ---------------------------------------------------------------------------

readings_strategy = st.dictionaries(
    st.integers(min_value=0, max_value=80),
    st.floats(min_value=15, max_value=150, allow_nan=False),
    max_size=80,
)


@settings(max_examples=60, deadline=None)
@given(readings_strategy, st.randoms(use_true_random=False))
def test_the_order_of_the_readings_does_not_matter(values, rnd):
    readings = series(values)
    shuffled = list(readings)
    rnd.shuffle(shuffled)
    assert personal_baselines(DAY, readings, readings, 50) == personal_baselines(
        DAY, shuffled, shuffled, 50
    )


@settings(max_examples=40, deadline=None)
@given(readings_strategy, st.integers(min_value=0, max_value=80), st.floats(15, 150))
def test_adding_a_day_changes_only_the_days_after_it(values, new_offset, new_value):
    values.pop(new_offset, None)
    before = series(values)
    after = [*before, (days_before(new_offset), new_value)]
    for offset in range(new_offset + 1, 81, 7):  # days before the new reading
        day = days_before(offset)
        assert personal_baselines(day, before, before) == personal_baselines(day, after, after)


# -- what is shown and stored -------------------------------------------------------------


def test_to_dict_is_json_with_ms_bpm_and_ln():
    hrv_readings, rhr_readings = ninety_days()
    found = personal_baselines(DAY, hrv_readings, rhr_readings, 50).to_dict()
    assert json.loads(json.dumps(found)) == found
    hrv = found["hrv"]
    assert hrv["normal_low_ms"] == pytest.approx(math.exp(hrv["normal_low_ln"]), rel=1e-3)
    assert hrv["week_mean_ms"] == pytest.approx(math.exp(hrv["week_mean_ln"]), rel=1e-3)
    assert found["resting_hr"]["reference_source"].startswith("mean of ")
    assert found["settings"]["width_sd"] == 0.5
    assert found["lines"][0].startswith("HRV normal ")


def test_lines_in_plain_words():
    lns = {offset: 4.0 if offset % 2 else 4.2 for offset in range(1, 15)}
    hrv = series({o: math.exp(v) for o, v in lns.items()})
    found = personal_baselines(DAY, hrv, series({1: 50, 2: 51}), profile_resting_hr=48)
    assert found.lines() == [
        "HRV normal 57–64 ms (ln 4.05–4.15), mean ± 0.5 SD of 14 days in the last 60",
        "HRV 7-day average 60 ms (ln 4.10) from 6 readings, varying 2.7 %",
        "HRV usual day-to-day variation still forming",
        "resting HR normal range forming: 2 of 14 days; comparing with your profile's 48 bpm",
        "resting HR 7-day average needs 3 readings in the last 7 days: 2 so far",
    ]


def test_readings_from_checkins_skip_days_without_the_value():
    rows = [
        {"checkin_date": "2026-11-24", "hrv_ms": 61.5, "resting_hr": None},
        {"checkin_date": date(2026, 11, 25), "hrv_ms": None, "resting_hr": 48},
    ]
    assert b.readings_from_checkins(rows) == (
        [(date(2026, 11, 24), 61.5)],
        [(date(2026, 11, 25), 48.0)],
    )


def test_a_non_positive_hrv_is_not_a_reading():
    hrv = b.hrv_baseline(DAY, [(DAY, 0.0), (days_before(1), 50.0)])
    assert hrv.today_ms is None and hrv.today_ln is None and hrv.week.readings == 1
