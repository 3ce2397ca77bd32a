"""The readiness rubric: every threshold at its edges, how signs combine, baselines, injuries."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from khepri_cli.domain import readiness as r
from khepri_cli.domain.readiness import GREEN, RED, UNKNOWN, YELLOW, Baseline, Injury, assess


def level_of(**day) -> str:
    return assess(day).level


# -- each sign at the edges of the table in schema.md -------------------------------------


@pytest.mark.parametrize(
    ("hours", "level"),
    [(9, GREEN), (7, GREEN), (6.9, YELLOW), (5, YELLOW), (4.9, RED), (0, RED)],
)
def test_sleep_hours(hours, level):
    assert level_of(sleep_hours=hours) == level


@pytest.mark.parametrize(
    ("quality", "level"),
    [(10, GREEN), (7, GREEN), (6, YELLOW), (5, YELLOW), (4, RED), (1, RED)],
)
def test_sleep_quality(quality, level):
    assert level_of(sleep_quality=quality) == level


@pytest.mark.parametrize(
    ("energy", "level"),
    [(10, GREEN), (6, GREEN), (5, YELLOW), (4, YELLOW), (3, RED), (1, RED)],
)
def test_energy(energy, level):
    assert level_of(energy_level=energy) == level


@pytest.mark.parametrize(
    ("stress", "level"),
    [(1, GREEN), (5, GREEN), (6, YELLOW), (7, YELLOW), (8, RED), (10, RED)],
)
def test_stress(stress, level):
    assert level_of(stress_level=stress) == level


@pytest.mark.parametrize(
    ("soreness", "level"),
    [(1, GREEN), (5, GREEN), (6, YELLOW), (7, YELLOW), (8, RED), (10, RED)],
)
def test_overall_soreness(soreness, level):
    assert level_of(overall_soreness=soreness) == level


@pytest.mark.parametrize(("score", "level"), [(5, GREEN), (6, YELLOW), (7, YELLOW), (8, RED)])
def test_each_sore_area_is_judged_like_overall_soreness(score, level):
    result = assess({"soreness_areas": {"legs": score}})
    assert result.level == level
    assert [s.reason for s in result.signs] == [f"legs soreness {score}/10"]


@pytest.mark.parametrize(
    ("resting_hr", "normal", "level"),
    [
        (45, 50, GREEN),  # below normal
        (50, 50, GREEN),
        (55, 50, GREEN),  # +5
        (55, 49.9, YELLOW),  # +5.1
        (60, 50, YELLOW),  # +10
        (60, 49.9, RED),  # +10.1
        (61, 50, RED),  # +11
    ],
)
def test_resting_hr_against_the_athletes_normal(resting_hr, normal, level):
    result = assess({"resting_hr": resting_hr}, Baseline(resting_hr=normal))
    assert result.level == level


@pytest.mark.parametrize(
    ("hrv", "normal", "level"),
    [
        (70, 60, GREEN),  # above normal
        (54, 60, GREEN),  # exactly 10 % below
        (90, 100, GREEN),
        (89.9, 100, YELLOW),  # just over 10 %
        (53.9, 60, YELLOW),
        (80, 100, YELLOW),  # exactly 20 % below
        (48, 60, YELLOW),
        (79.9, 100, RED),  # just over 20 %
        (47.9, 60, RED),
    ],
)
def test_hrv_against_the_athletes_normal(hrv, normal, level):
    result = assess({"hrv_ms": hrv}, Baseline(hrv_ms=normal))
    assert result.level == level


def test_resting_hr_and_hrv_are_not_judged_without_a_normal():
    result = assess({"resting_hr": 80, "hrv_ms": 20})
    assert result.level == UNKNOWN and result.signs == []


def test_reasons_say_how_far_from_normal():
    result = assess({"resting_hr": 57, "hrv_ms": 45}, Baseline(resting_hr=50, hrv_ms=60))
    reasons = [s.reason for s in result.signs]
    assert reasons == [
        "resting HR 57 bpm, 7 above your normal 50",
        "HRV 45 ms, 25% below your normal 60",
    ]


# -- combining signs ----------------------------------------------------------------------


def test_all_green_is_green():
    day = {"sleep_hours": 8, "sleep_quality": 8, "energy_level": 8, "stress_level": 2}
    assert level_of(**day) == GREEN


def test_any_yellow_without_red_is_yellow():
    day = {"sleep_hours": 8, "sleep_quality": 8, "energy_level": 5, "stress_level": 2}
    assert level_of(**day) == YELLOW


def test_any_red_is_red_even_among_greens_and_yellows():
    day = {"sleep_hours": 8, "sleep_quality": 6, "energy_level": 8, "stress_level": 9}
    result = assess(day)
    assert result.level == RED
    assert [s.level for s in result.signs] == [YELLOW, GREEN, GREEN, RED]


def test_nothing_to_judge_is_unknown_with_its_own_advice():
    result = assess({"weight_kg": 70, "notes": "travel day"})
    assert result.level == UNKNOWN
    assert "Not enough information" in result.advice


def test_an_active_injury_makes_the_day_red_with_its_details():
    injury = Injury("Sore knee", "left_knee", "mild", ("running", "hill_repeats"))
    result = assess({"energy_level": 9, "sleep_hours": 8}, injuries=[injury])
    assert result.level == RED
    assert result.signs[-1].reason == (
        "injury: Sore knee (left knee, mild); avoid running, hill repeats"
    )
    assert "respect any injury restrictions" in result.advice


def test_thresholds_are_data():
    strict = r.Rubric(energy=r.HigherIsBetter(green=8, yellow=6))
    assert assess({"energy_level": 7}, rubric=strict).level == YELLOW
    assert assess({"energy_level": 7}).level == GREEN


# -- baseline -----------------------------------------------------------------------------


def test_baseline_is_the_median_of_enough_recent_checkins():
    base = r.baseline_from([44, 46, 45, 60], [70, 60, 65], profile_resting_hr=50)
    assert base.resting_hr == 45.5
    assert base.resting_hr_source == "median of your last 4 check-ins (28 days)"
    assert base.hrv_ms == 65
    assert base.hrv_source == "median of your last 3 check-ins (28 days)"


def test_too_few_recent_values_fall_back_to_the_profile_resting_hr():
    base = r.baseline_from([44, 46], [70, 60], profile_resting_hr=50)
    assert base.resting_hr == 50 and base.resting_hr_source == "your profile's resting HR"
    assert base.hrv_ms is None and base.hrv_source is None  # HRV has no profile fallback


def test_no_baseline_at_all():
    assert r.baseline_from([], [], None) == Baseline()


@pytest.mark.parametrize(
    ("values", "middle"), [([3], 3), ([5, 1, 3], 3), ([4, 1, 3, 2], 2.5), ([2.5, 2.5], 2.5)]
)
def test_median(values, middle):
    assert r.median(values) == middle


# -- what is stored -----------------------------------------------------------------------


def test_recommendation_stores_version_source_time_signs_and_baseline():
    base = Baseline(50.0, "your profile's resting HR", None, None)
    stored = assess({"energy_level": 5, "resting_hr": 52}, base).to_recommendation(
        "2026-11-25T07:30:00.000000Z"
    )
    assert stored == {
        "source": "khepri-readiness-rubric",
        "rubric_version": r.RUBRIC_VERSION,
        "generated_at": "2026-11-25T07:30:00.000000Z",
        "readiness": YELLOW,
        "advice": r.ADVICE[YELLOW],
        "signs": [
            {"sign": "energy", "level": YELLOW, "reason": "energy 5/10"},
            {
                "sign": "resting_hr",
                "level": GREEN,
                "reason": "resting HR 52 bpm, 2 above your normal 50",
            },
        ],
        "baseline": {
            "resting_hr": 50.0,
            "resting_hr_source": "your profile's resting HR",
            "hrv_ms": None,
            "hrv_source": None,
        },
    }
    assert r.RUBRIC_VERSION == 1


# -- injuries from constraints ------------------------------------------------------------


def constraint(**values):
    data = {
        "constraint_type": "injury",
        "status": "active",
        "title": "Sore knee",
        "start_date": date(2026, 11, 20),
        "end_date": None,
        "injury_body_part": "left_knee",
        "injury_severity": "mild",
        "injury_restrictions": ["running"],
        **values,
    }
    return SimpleNamespace(**data)


def test_injuries_on_keeps_only_active_injuries_covering_the_day():
    day = date(2026, 11, 25)
    found = r.injuries_on(
        day,
        [
            constraint(),
            constraint(title="resolved", status="resolved"),
            constraint(title="travel", constraint_type="travel"),
            constraint(title="later", start_date=date(2026, 11, 26)),
            constraint(title="over", end_date=date(2026, 11, 24)),
            constraint(title="ends today", end_date=day),
        ],
    )
    assert [i.title for i in found] == ["Sore knee", "ends today"]
    assert found[0] == Injury("Sore knee", "left_knee", "mild", ("running",))
