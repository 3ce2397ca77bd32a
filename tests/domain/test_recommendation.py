"""The stored ai_recommendation: what the app can read, the new document, and reading any shape."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khepri_cli.domain import readiness
from khepri_cli.domain import recommendation as rec
from khepri_cli.domain.advice import advise
from khepri_cli.domain.limits import DayLimits
from khepri_cli.domain.load import (
    DETRAINING,
    FRESH,
    HIGH_RISK,
    NEUTRAL,
    OPTIMAL,
    Form,
    Session,
    form_on,
)
from khepri_cli.domain.plans import PlanPosition, generate_plan, plan_position
from khepri_cli.domain.readiness import Sign
from khepri_cli.domain.readiness_v2 import judge_day

DAY = date(2026, 11, 25)
STAMP = "2026-11-25T07:30:00.000000Z"
APP_MINIMAL = {
    "summary": "Fresh today",
    "workoutSuggestion": "Quality session",
    "intensityLevel": "hard",
    "duration": 75,
}


# -- what the app can read ----------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        APP_MINIMAL,
        {**APP_MINIMAL, "duration": 0},
        {**APP_MINIMAL, "duration": 42.5},
        {**APP_MINIMAL, "intensityLevel": "recovery"},
        {**APP_MINIMAL, "notes": "knee"},
        {**APP_MINIMAL, "isLocalFallback": True},
        {**APP_MINIMAL, "isLocalFallback": False, "notes": ""},
        {**APP_MINIMAL, "khepri": {"anything": 1}, "extra": None},
    ],
)
def test_the_app_reads(value):
    assert rec.app_can_read(value)


def without(key):
    return {k: v for k, v in APP_MINIMAL.items() if k != key}


@pytest.mark.parametrize(
    "value",
    [
        None,
        [],
        "advice",
        {},
        without("summary"),
        without("workoutSuggestion"),
        without("intensityLevel"),
        without("duration"),
        {**APP_MINIMAL, "summary": None},
        {**APP_MINIMAL, "summary": 3},
        {**APP_MINIMAL, "workoutSuggestion": ["run"]},
        {**APP_MINIMAL, "intensityLevel": "rest"},
        {**APP_MINIMAL, "intensityLevel": "Hard"},
        {**APP_MINIMAL, "intensityLevel": ["hard"]},
        {**APP_MINIMAL, "duration": -1},
        {**APP_MINIMAL, "duration": -0.5},
        {**APP_MINIMAL, "duration": "45"},
        {**APP_MINIMAL, "duration": True},
        {**APP_MINIMAL, "duration": None},
        {**APP_MINIMAL, "duration": float("nan")},
        {**APP_MINIMAL, "duration": float("inf")},
        {**APP_MINIMAL, "notes": None},
        {**APP_MINIMAL, "notes": 1},
        {**APP_MINIMAL, "isLocalFallback": "yes"},
        {**APP_MINIMAL, "isLocalFallback": None},
    ],
)
def test_the_app_shows_no_recommendation_for(value):
    assert not rec.app_can_read(value)


# -- the new document ---------------------------------------------------------------------


def a_judged_day():
    history = [
        {
            "checkin_date": (DAY - timedelta(days=i)).isoformat(),
            "hrv_ms": 60.0 + i % 5,
            "resting_hr": 48 + i % 3,
        }
        for i in range(1, 40)
    ]
    day = {"checkin_date": DAY.isoformat(), "hrv_ms": 52.0, "resting_hr": 50, "energy_level": 7}
    judged = judge_day(day, history, profile_resting_hr=48)
    form = form_on(DAY, [Session(DAY - timedelta(days=i), 50, rpe=5) for i in range(1, 40)])
    plan = generate_plan(DAY - timedelta(days=30), weeks=12)
    position = plan_position(plan, DAY)
    advice = advise(judged.level, judged.signs, form, position, DayLimits(available_minutes=40))
    return judged, advice, form, position


def test_the_new_document_is_read_by_the_app_and_explains_itself():
    judged, advice, form, position = a_judged_day()
    stored = rec.build_recommendation(judged, advice, STAMP, form, position, "12-week plan")
    assert json.loads(json.dumps(stored)) == stored
    assert rec.app_can_read(stored)
    assert set(stored) == {
        "summary",
        "workoutSuggestion",
        "intensityLevel",
        "duration",
        "notes",
        "khepri",
    }
    ours = stored["khepri"]
    assert set(ours) == {
        "source",
        "rubric_version",
        "generated_at",
        "readiness",
        "signs",
        "baseline",
        "load",
        "plan",
        "advice",
    }
    assert (ours["source"], ours["rubric_version"], ours["generated_at"]) == (
        readiness.RUBRIC_SOURCE,
        2,
        STAMP,
    )
    assert ours["readiness"] == judged.level
    assert ours["load"]["form_percent"] == form.percent
    assert ours["plan"]["title"] == "12-week plan" and ours["plan"]["week"] == position.week
    assert ours["advice"]["minutes"] == stored["duration"] == advice.minutes


def test_a_rest_day_is_still_read_by_the_app():
    judged, _, form, _ = a_judged_day()
    rest = advise(judged.level, judged.signs, form, None, DayLimits(available_minutes=0))
    stored = rec.build_recommendation(judged, rest, STAMP, form)
    assert rec.app_can_read(stored)
    assert (stored["intensityLevel"], stored["duration"]) == ("recovery", 0)
    assert stored["khepri"]["advice"]["intensity"] == "rest"
    assert stored["khepri"]["plan"] is None


# -- reading any shape --------------------------------------------------------------------


def test_reading_the_new_document():
    judged, advice, form, position = a_judged_day()
    stored = rec.build_recommendation(judged, advice, STAMP, form, position, "Spring block")
    view = rec.read_recommendation(stored)
    assert view.origin == rec.KHEPRI
    assert (view.readiness, view.rubric_version, view.generated_at) == (judged.level, 2, STAMP)
    assert view.signs == judged.signs
    assert view.advice == advice.suggestion and view.summary == advice.summary
    assert view.intensity == advice.intensity and view.duration == advice.minutes
    assert view.reasons == tuple(r.text for r in advice.reasons)
    assert view.baseline_lines == tuple(judged.baselines.lines())
    assert view.load_line == form.describe()
    assert view.plan_line == position.describe() and view.plan_title == "Spring block"
    assert view.app_readable


def test_reading_a_version_1_assessment():
    base = readiness.Baseline(48.5, "median of your last 4 check-ins (28 days)", None, None)
    stored = readiness.assess({"energy_level": 5, "resting_hr": 50}, base).to_recommendation(STAMP)
    view = rec.read_recommendation(stored)
    assert view.origin == rec.KHEPRI_V1
    assert (view.readiness, view.rubric_version, view.generated_at) == ("yellow", 1, STAMP)
    assert [s.reason for s in view.signs] == [
        "energy 5/10",
        "resting HR 50 bpm, 1.5 above your normal 48.5",
    ]
    assert view.advice == readiness.ADVICE["yellow"]
    assert view.baseline_lines == (
        "resting HR 48.5 bpm, median of your last 4 check-ins (28 days)",
        "HRV: no normal yet (needs 3 check-ins with it in the 28 days before)",
    )
    assert not view.app_readable


NO_RHR = (
    "resting HR: no normal yet (needs 3 check-ins with it in the 28 days before, "
    "or set 'khepri profile set --resting-hr')"
)
NO_HRV = "HRV: no normal yet (needs 3 check-ins with it in the 28 days before)"


@pytest.mark.parametrize(
    ("baseline", "lines"),
    [
        (
            {
                "resting_hr": 48.5,
                "resting_hr_source": "median of your last 4 check-ins (28 days)",
                "hrv_ms": 65.0,
                "hrv_source": "median of your last 4 check-ins (28 days)",
            },
            (
                "resting HR 48.5 bpm, median of your last 4 check-ins (28 days)",
                "HRV 65 ms, median of your last 4 check-ins (28 days)",
            ),
        ),
        ({"resting_hr": None, "hrv_ms": None}, (NO_RHR, NO_HRV)),
        (
            {"resting_hr": 50.0, "hrv_ms": 61.5},
            ("resting HR 50 bpm, source unknown", "HRV 61.5 ms, source unknown"),
        ),
        ({}, (NO_RHR, NO_HRV)),
        ("not an object", (NO_RHR, NO_HRV)),
    ],
)
def test_version_1_baseline_in_the_words_the_check_in_showed(baseline, lines):
    assert rec.legacy_baseline_lines(baseline) == lines


def test_reading_what_the_app_wrote():
    view = rec.read_recommendation({**APP_MINIMAL, "notes": "fresh legs", "isLocalFallback": True})
    assert view.origin == rec.APP and view.readiness == "unknown"
    assert (view.summary, view.advice, view.intensity, view.duration) == (
        "Fresh today",
        "Quality session",
        "hard",
        75,
    )
    assert view.notes == "fresh legs" and view.is_local_fallback is True and view.app_readable


@pytest.mark.parametrize("value", [{"foo": 1}, [1, 2], "text", {**APP_MINIMAL, "duration": -5}])
def test_anything_else_is_shown_as_stored(value):
    view = rec.read_recommendation(value)
    assert (view.origin, view.readiness, view.raw) == (rec.OTHER, "unknown", value)


def test_no_recommendation():
    assert rec.read_recommendation(None) == rec.RecommendationView(rec.NONE, "unknown")


@pytest.mark.parametrize(
    "khepri",
    [
        {},
        {"readiness": 3, "signs": "all green", "advice": [], "baseline": {"lines": [1, "x"]}},
        {"signs": [{"level": None}, "x"], "advice": {"reasons": [{"text": 5}, "y"]}, "load": 1},
    ],
)
def test_odd_content_under_our_key_is_read_without_failing(khepri):
    view = rec.read_recommendation({"khepri": khepri})
    assert view.origin == rec.KHEPRI and view.readiness == "unknown"
    assert all(isinstance(line, str) for line in view.baseline_lines + view.reasons)


# -- whatever the day, what we store is read by the app -----------------------------------

signs_strategy = st.lists(
    st.builds(
        Sign,
        st.sampled_from(["sleep", "energy", "hrv", "injury"]),
        st.sampled_from(["green", "yellow", "red"]),
        st.text(max_size=20),
    ),
    max_size=5,
)
forms = st.one_of(
    st.none(),
    st.builds(
        lambda band, percent: Form(DAY, 50.0, 55.0, -5.0, percent, band, 30),
        st.sampled_from([None, HIGH_RISK, OPTIMAL, NEUTRAL, FRESH, DETRAINING]),
        st.floats(-80, 80),
    ),
)
positions = st.one_of(
    st.none(),
    st.builds(
        PlanPosition,
        st.just(DAY),
        st.integers(1, 52),
        st.integers(4, 52),
        st.sampled_from([None, "base", "build", "peak", "taper", "recovery", "other"]),
        st.sampled_from([None, "threshold_work", "race_specific", "vo2max"]),
        st.integers(1, 25),
        st.integers(1, 25),
        st.none(),
        st.one_of(st.none(), st.floats(0, 2)),
        st.booleans(),
    ),
)
limits_strategy = st.builds(
    DayLimits,
    st.sampled_from([None, "monday", "sunday"]),
    st.one_of(st.none(), st.integers(0, 300)),
    st.lists(st.sampled_from(["no_running", "cycling", "no_intervals", "jumping"])).map(tuple),
    st.one_of(st.none(), st.frozensets(st.sampled_from(["pool", "gym", "running_shoes"]))),
    st.just("today's equipment"),
    st.one_of(st.none(), st.lists(st.sampled_from(["monday", "friday"])).map(tuple)),
    st.one_of(st.none(), st.floats(0, 20)),
)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["green", "yellow", "red", "unknown"]),
    signs_strategy,
    forms,
    positions,
    limits_strategy,
)
def test_every_advice_we_store_is_read_by_the_app(level, signs, form, position, limits):
    judged, *_ = a_judged_day()
    advice = advise(level, signs, form, position, limits)
    stored = rec.build_recommendation(judged, advice, STAMP, form, position)
    assert rec.app_can_read(stored)
    assert json.loads(json.dumps(stored)) == stored
    assert rec.read_recommendation(stored).duration == advice.minutes >= 0
