"""The readiness rubric, version 2: HRV and resting HR signs at their edges, and what stays v1."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

import pytest

from khepri_cli.domain import readiness, readiness_v2
from khepri_cli.domain.baselines import (
    Baselines,
    HrvBaseline,
    NormalRange,
    RestingHrBaseline,
    Week,
)
from khepri_cli.domain.readiness import GREEN, RED, UNKNOWN, YELLOW, Injury
from khepri_cli.domain.readiness_v2 import assess_v2, judge_day

DAY = date(2026, 11, 25)
LN_RANGE = NormalRange(30, 4.1, 0.1, 4.05, 4.15)  # 57–63 ms
CV_RANGE = NormalRange(30, 3.0, 1.0, 2.5, 3.5)
RHR_RANGE = NormalRange(30, 48.0, 2.0, 47.0, 49.0)


def hrv_baseline(today_ln=None, week_mean=None, cv=None, normal=LN_RANGE, usual=CV_RANGE):
    today_ms = None if today_ln is None else math.exp(today_ln)
    week = Week(5 if week_mean is not None else 1, week_mean, cv)
    return HrvBaseline(today_ms, 30, normal, week, usual)


def rhr_baseline(today=None, week_mean=None, normal=RHR_RANGE, profile=None):
    return RestingHrBaseline(today, 30, normal, Week(5, week_mean), profile)


def judged(hrv=None, rhr=None, **day):
    hrv = hrv or hrv_baseline()
    rhr = rhr or rhr_baseline()
    day = {"hrv_ms": hrv.today_ms, "resting_hr": rhr.today_bpm, **day}
    return assess_v2(day, Baselines(DAY, hrv, rhr))


def sign(result, name):
    [found] = [s for s in result.signs if s.name == name]
    return found


# -- HRV: acute (today) and chronic (7-day average) ---------------------------------------


@pytest.mark.parametrize(
    ("today_ln", "week_mean", "level"),
    [
        (4.10, 4.10, GREEN),
        (4.05, 4.05, GREEN),  # at the low end is within the range
        (4.0451, 4.0451, GREEN),  # shown as 4.05: judged as shown
        (4.20, 4.20, GREEN),  # above the range is not a warning
        (4.04, 4.10, YELLOW),  # acute only
        (4.10, 4.04, YELLOW),  # chronic only
        (4.04, 4.04, RED),  # both
        (4.04, None, YELLOW),  # only today is known
        (None, 4.04, YELLOW),  # only the week is known
        (None, 4.10, GREEN),
    ],
)
def test_hrv_levels_at_the_edges(today_ln, week_mean, level):
    assert sign(judged(hrv_baseline(today_ln, week_mean)), "hrv").level == level


def test_hrv_reason_names_ms_ln_and_the_range():
    reason = sign(judged(hrv_baseline(math.log(50), math.log(58))), "hrv").reason
    assert reason == (
        "HRV 50 ms (ln 3.91) today, below your normal range 57–63 ms (ln 4.05–4.15); "
        "7-day average 58 ms (ln 4.06), within it: an acute drop"
    )


def test_hrv_chronic_only_reason():
    reason = sign(judged(hrv_baseline(None, 4.0)), "hrv").reason
    assert reason == (
        "HRV 7-day average 55 ms (ln 4.00), below your normal range 57–63 ms (ln 4.05–4.15): "
        "a chronic drop"
    )


def test_hrv_both_low_reason():
    reason = sign(judged(hrv_baseline(4.0, 4.0)), "hrv").reason
    assert reason.endswith(": an acute and a chronic drop")


def test_hrv_is_not_judged_while_the_range_forms():
    hrv = hrv_baseline(3.0, 3.0, cv=9.0, normal=None, usual=None)
    result = judged(hrv)
    assert [s.name for s in result.signs] == []
    assert result.level == UNKNOWN


# -- HRV variation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cv", "week_mean", "level"),
    [
        (3.5, 4.09, GREEN),  # at the usual high end: not raised
        (3.54, 4.09, GREEN),  # shown as 3.5 %: not raised
        (3.6, 4.09, YELLOW),  # raised while under the mean
        (3.6, 4.0951, GREEN),  # shown as ln 4.10, the mean: the average holds
        (3.6, 4.10, GREEN),  # raised, but the average holds at the mean
        (3.6, 4.12, GREEN),
        (1.0, 4.09, GREEN),
    ],
)
def test_hrv_variation_at_the_edges(cv, week_mean, level):
    assert sign(judged(hrv_baseline(None, week_mean, cv)), "hrv_variation").level == level


def test_hrv_variation_reasons():
    poor = sign(judged(hrv_baseline(None, 4.09, 4.2)), "hrv_variation").reason
    assert poor == (
        "HRV varying 4.2 % over 7 days, usual up to 3.5 %, while the 7-day average is under "
        "your mean 60 ms (ln 4.10): coping poorly"
    )
    holding = sign(judged(hrv_baseline(None, 4.12, 4.2)), "hrv_variation").reason
    assert holding.endswith("but the 7-day average holds at or above your mean (ln 4.10)")


def test_no_variation_sign_without_a_usual_variation():
    result = judged(hrv_baseline(None, 4.09, 4.2, usual=None))
    assert [s.name for s in result.signs] == ["hrv"]


# -- resting HR ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "level"),
    [(44, GREEN), (48, GREEN), (53, GREEN), (53.1, YELLOW), (58, YELLOW), (58.1, RED)],
)
def test_resting_hr_today_keeps_the_5_and_10_bpm_bands_against_the_60_day_mean(today, level):
    assert sign(judged(rhr=rhr_baseline(today)), "resting_hr").level == level


@pytest.mark.parametrize(("mean", "level"), [(47.96, GREEN), (47.94, YELLOW)])
def test_the_rise_is_judged_as_shown(mean, level):
    # 53 bpm against a mean shown as 48.0 is "5 above": green; against 47.9, 5.1: yellow
    normal = RHR_RANGE._replace(mean=mean)
    assert sign(judged(rhr=rhr_baseline(53, normal=normal)), "resting_hr").level == level


def test_resting_hr_reasons():
    assert sign(judged(rhr=rhr_baseline(55)), "resting_hr").reason == (
        "resting HR 55 bpm, 7 above your 60-day mean 48"
    )
    assert sign(judged(rhr=rhr_baseline(47)), "resting_hr").reason == (
        "resting HR 47 bpm, at or below your 60-day mean 48"
    )


def test_resting_hr_falls_back_to_the_profile_while_forming():
    result = judged(rhr=rhr_baseline(56, normal=None, profile=50))
    assert sign(result, "resting_hr") == readiness.Sign(
        "resting_hr", YELLOW, "resting HR 56 bpm, 6 above your profile's resting HR 50"
    )
    assert [s.name for s in result.signs] == ["resting_hr"]  # no trend without a range


def test_resting_hr_without_any_normal_is_not_judged():
    assert judged(rhr=rhr_baseline(70, normal=None)).signs == ()


@pytest.mark.parametrize(
    ("week_mean", "level", "where"),
    [
        (49.0, GREEN, "within"),
        (49.04, GREEN, "within"),  # shown as 49.0
        (49.1, YELLOW, "above"),
        (46.0, GREEN, "below"),
    ],
)
def test_resting_hr_trend(week_mean, level, where):
    found = sign(judged(rhr=rhr_baseline(None, week_mean)), "resting_hr_trend")
    assert found.level == level
    assert found.reason == (
        f"resting HR 7-day average {week_mean:.1f} bpm, {where} your normal range 47.0–49.0 bpm"
    )


# -- everything else as in version 1 ------------------------------------------------------


def test_sleep_energy_stress_soreness_and_injuries_are_judged_as_in_v1():
    day = {
        "sleep_hours": 6.9,
        "sleep_quality": 8,
        "energy_level": 3,
        "stress_level": 7,
        "overall_soreness": 5,
        "soreness_areas": {"legs": 8},
    }
    injury = Injury("Sore knee", "left_knee", "mild", ("no_running",))
    v1 = readiness.assess(day, injuries=[injury])
    v2 = assess_v2(
        {**day, "hrv_ms": None, "resting_hr": None},
        Baselines(DAY, hrv_baseline(normal=None), rhr_baseline(normal=None)),
        [injury],
    )
    assert list(v2.signs) == list(v1.signs)
    assert v2.level == v1.level == RED
    assert v2.version == 2 and readiness.RUBRIC_VERSION == 1


def test_any_red_makes_the_day_red_in_v2_too():
    result = judged(hrv_baseline(4.0, 4.0), energy_level=8)
    assert result.level == RED


def test_baselines_without_the_days_own_readings_are_refused():
    hrv = hrv_baseline()
    with pytest.raises(ValueError, match="hrv_ms"):
        assess_v2({"hrv_ms": 61.0}, Baselines(DAY, hrv, rhr_baseline()))


# -- from check-in rows -------------------------------------------------------------------


def history(days=40):
    rows = []
    for offset in range(1, days + 1):
        rows.append(
            {
                "checkin_date": (DAY - timedelta(days=offset)).isoformat(),
                "hrv_ms": 60.0 + (offset % 5) - 2,
                "resting_hr": 48 + (offset % 3) - 1,
            }
        )
    return rows


def test_judge_day_uses_the_history_and_the_new_values_of_the_day():
    stored_today = {"checkin_date": DAY.isoformat(), "hrv_ms": 60.0, "resting_hr": 48}
    day = {"checkin_date": DAY.isoformat(), "hrv_ms": 45.0, "resting_hr": 60, "energy_level": 7}
    result = judge_day(day, [*history(), stored_today], profile_resting_hr=50)
    assert result.baselines.hrv.today_ms == 45.0
    assert result.baselines.resting_hr.today_bpm == 60.0
    assert sign(result, "resting_hr").level == RED
    # 45 ms is far under a steady 58–62 ms history, and pulls the 7-day average under it too
    assert sign(result, "hrv").reason.endswith("an acute and a chronic drop")
    assert result.level == RED


def test_history_start_is_60_days_back():
    assert readiness_v2.history_start(DAY) == DAY - timedelta(days=60)


def test_to_dict_is_json_and_says_its_version():
    day = {"checkin_date": DAY, "hrv_ms": 58.0, "resting_hr": 49, "sleep_hours": 8}
    stored = judge_day(day, history(), 50).to_dict()
    assert json.loads(json.dumps(stored)) == stored
    assert stored["rubric_version"] == 2
    assert stored["source"] == readiness.RUBRIC_SOURCE
    assert stored["readiness"] in (GREEN, YELLOW, RED)
    assert {s["sign"] for s in stored["signs"]} >= {"sleep", "hrv", "resting_hr"}
    assert stored["baseline"]["hrv"]["today_ms"] == 58.0
