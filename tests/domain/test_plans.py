"""The plan generator against the app's rules for every length, and where a day sits in a plan."""

from __future__ import annotations

import json
from datetime import date, timedelta
from fractions import Fraction
from itertools import pairwise
from math import floor

import pytest

from khepri_cli.domain import plans as p
from khepri_cli.domain.plans_remote import weeks_match_dates

START = date(2026, 12, 1)  # a Tuesday: plan weeks need not be calendar weeks


def expected_split(weeks: int) -> list[tuple[str, int]]:
    """upstream.md's phase rules, written with exact fractions."""

    def pct(share: int) -> int:
        return floor(Fraction(weeks * share, 100))

    if weeks <= 8:
        base, taper = max(2, pct(40)), min(2, pct(20))
        split = [("base", base), ("build", weeks - base - taper), ("taper", taper)]
    else:
        base, peak, taper = max(3, pct(35)), max(2, pct(15)), min(2, pct(15))
        split = [("base", base), ("build", weeks - base - peak - taper), ("peak", peak)]
        split.append(("taper", taper))
    return [(name, n) for name, n in split if n > 0]


WAVE_BY_HAND = {1: 0.85, 2: 0.95, 3: 1.05, 0: 0.70}  # week in phase modulo 4
BASE_VOLUME = {"base": 0.8, "build": 1.0, "peak": 1.1, "taper": 0.5}
FOCUS = {
    "base": "aerobic_endurance",
    "build": "threshold_work",
    "peak": "race_specific",
    "taper": "recovery",
}
SPLIT = {"base": [80, 15, 5], "build": [70, 20, 10], "peak": [60, 25, 15], "taper": [90, 5, 5]}


@pytest.mark.parametrize("weeks", range(4, 53))
def test_every_length_follows_the_rules(weeks):
    plan = p.generate_plan(START, weeks=weeks)
    phases = plan["phases"]
    assert [(ph["name"], ph["end_week"] - ph["start_week"] + 1) for ph in phases] == (
        expected_split(weeks)
    )
    assert phases[0]["start_week"] == 1 and phases[-1]["end_week"] == weeks
    for before, after in pairwise(phases):
        assert after["start_week"] == before["end_week"] + 1
    for phase in phases:
        assert phase["end_week"] >= phase["start_week"]  # no empty phase, build included
        assert phase["focus"] == FOCUS[phase["name"]]
        assert phase["intensity_distribution"] == SPLIT[phase["name"]]
        assert sum(phase["intensity_distribution"]) == 100
        assert phase["description"]
    volumes = plan["weekly_template"]["weekly_volumes"]
    assert [v["week"] for v in volumes] == list(range(1, weeks + 1))
    for phase in phases:
        length = phase["end_week"] - phase["start_week"] + 1
        for i in range(1, length + 1):
            entry = volumes[phase["start_week"] + i - 2]
            assert entry["phase"] == phase["name"]
            base = BASE_VOLUME[phase["name"]]
            if phase["name"] == "taper":
                want = base * (1 - 0.4 * (i - 1) / length)
            else:
                want = base * WAVE_BY_HAND[i % 4]
            assert entry["volume_multiplier"] == pytest.approx(want, abs=0.005 + 1e-9)
    assert plan["duration_weeks"] == weeks
    end = date.fromisoformat(plan["end_date"])
    assert end == START + timedelta(days=7 * weeks - 1)
    assert weeks_match_dates(START, end, weeks)
    assert json.loads(json.dumps(plan)) == plan


def test_a_16_week_plan_by_hand():
    plan = p.generate_plan(START, weeks=16)
    # base max(3, 5.6) = 5, peak max(2, 2.4) = 2, taper min(2, 2.4) = 2, build 16 - 9 = 7
    assert [(ph["name"], ph["start_week"], ph["end_week"]) for ph in plan["phases"]] == [
        ("base", 1, 5),
        ("build", 6, 12),
        ("peak", 13, 14),
        ("taper", 15, 16),
    ]
    assert [v["volume_multiplier"] for v in plan["weekly_template"]["weekly_volumes"]] == [
        *(0.68, 0.76, 0.84, 0.56, 0.68),  # base 0.8: up, up, up, lighter, up again
        *(0.85, 0.95, 1.05, 0.7, 0.85, 0.95, 1.05),  # build 1.0
        *(0.94, 1.04),  # peak 1.1 (1.1 x 0.95 is 1.0449999... in binary, as in the app)
        *(0.5, 0.4),  # taper 0.5, falling by 40 % over 2 weeks
    ]


def test_short_plans_have_no_peak_and_4_weeks_no_taper():
    assert [ph["name"] for ph in p.generate_plan(START, weeks=4)["phases"]] == ["base", "build"]
    assert [ph["name"] for ph in p.generate_plan(START, weeks=8)["phases"]] == [
        "base",
        "build",
        "taper",
    ]
    assert "peak" in [ph["name"] for ph in p.generate_plan(START, weeks=9)["phases"]]


@pytest.mark.parametrize(
    ("days", "weeks"),
    [(1, 4), (27, 4), (34, 4), (35, 5), (69, 9), (70, 10), (364, 52), (500, 52)],
)
def test_length_is_whole_weeks_until_the_goal_clamped(days, weeks):
    assert p.plan_length(START, START + timedelta(days=days)) == weeks


def test_length_without_a_date_is_12_weeks():
    assert p.plan_length(START, None) == 12
    assert p.generate_plan(START)["duration_weeks"] == 12


def test_a_goal_on_or_before_the_start_is_refused():
    with pytest.raises(ValueError, match="not after the plan's start"):
        p.plan_length(START, START)


@pytest.mark.parametrize(("asked", "weeks"), [(2, 4), (4, 4), (30, 30), (60, 52)])
def test_weeks_given_are_clamped(asked, weeks):
    assert p.generate_plan(START, weeks=asked)["duration_weeks"] == weeks


def test_a_plan_for_a_goal():
    goal_day = START + timedelta(days=7 * 10 + 3)
    plan = p.generate_plan(
        goal_day - timedelta(days=73), goal_day, goal_title="Nice 70.3", goal_id="g1"
    )
    assert plan["title"] == "10-week plan: Nice 70.3"
    assert plan["description"] == f"Training plan for Nice 70.3 on {goal_day}"
    assert plan["target_goal_id"] == "g1" and plan["status"] == "active"
    assert date.fromisoformat(plan["end_date"]) < goal_day  # the goal's day comes after the plan
    assert p.generate_plan(START, draft=True, title="Mine")["status"] == "draft"
    assert p.generate_plan(START, title="Mine")["title"] == "Mine"


def test_an_adjustment_entry_has_the_apps_shape():
    assert p.adjustment(START, "knee niggle", "run volume -20 %") == {
        "date": "2026-12-01",
        "reason": "knee niggle",
        "changes": "run volume -20 %",
        "ai_generated": False,
    }


# -- where a day sits ---------------------------------------------------------------------

PLAN = p.generate_plan(START, weeks=16)


@pytest.mark.parametrize(
    ("offset", "week", "phase", "week_in_phase"),
    [
        (0, 1, "base", 1),
        (6, 1, "base", 1),
        (7, 2, "base", 2),
        (35, 6, "build", 1),
        (111, 16, "taper", 2),
    ],
)
def test_position_at_the_edges_of_weeks_and_phases(offset, week, phase, week_in_phase):
    found = p.plan_position(PLAN, START + timedelta(days=offset))
    assert (found.week, found.phase, found.week_in_phase) == (week, phase, week_in_phase)
    assert found.total_weeks == 16


@pytest.mark.parametrize("offset", [-1, 112])
def test_no_position_outside_the_plan(offset):
    assert p.plan_position(PLAN, START + timedelta(days=offset)) is None


def test_the_lighter_week_of_the_wave():
    lighter = [
        week
        for week in range(1, 17)
        if p.plan_position(PLAN, START + timedelta(days=7 * (week - 1))).lighter_week
    ]
    assert lighter == [4, 9]  # base week 4 and build week 4; never a new phase or the taper


def test_position_describes_itself_and_is_json():
    found = p.plan_position(PLAN, START + timedelta(days=7 * 8))
    assert found.describe() == (
        "week 9 of 16, build phase (week 4 of 7): threshold work, volume ×0.70 (lighter week)"
    )
    stored = found.to_dict()
    assert json.loads(json.dumps(stored)) == stored
    assert stored["intensity_distribution"] == [70, 20, 10]


def test_position_in_a_plan_without_phases():
    bare = {**PLAN, "phases": [], "weekly_template": None}
    found = p.plan_position(bare, START)
    assert found.phase is None and found.volume_multiplier is None
    assert found.describe() == "week 1 of 16"


def test_the_active_plan_on_a_day():
    old = {**PLAN, "title": "old"}
    newer = {**PLAN, "title": "newer", "start_date": "2026-12-08", "end_date": "2027-03-29"}
    paused = {**PLAN, "title": "paused", "status": "paused", "start_date": "2026-12-10"}
    assert p.active_plan_on([old, newer, paused], date(2026, 12, 9))["title"] == "newer"
    assert p.active_plan_on([old, newer], date(2026, 12, 5))["title"] == "old"
    assert p.active_plan_on([paused], date(2026, 12, 20)) is None


def test_timeline_marks_today():
    base_last_day = START + timedelta(days=34)
    states = [t.state for t in p.plan_timeline(PLAN, base_last_day)]
    assert states == ["current", "upcoming", "upcoming", "upcoming"]
    next_day = [t.state for t in p.plan_timeline(PLAN, base_last_day + timedelta(days=1))]
    assert next_day == ["done", "current", "upcoming", "upcoming"]
    first = p.plan_timeline(PLAN, START)[0]
    assert (first.first_day, first.last_day) == (START, base_last_day)
    assert first.to_dict()["first_day"] == "2026-12-01"
