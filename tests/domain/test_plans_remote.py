"""Plans between the local form and the live backend's shape: there and back without loss."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khepri_cli.domain import plans_remote as pr
from khepri_cli.domain.plans import generate_plan

START = date(2026, 12, 1)


def app_made_row(weeks: int = 12) -> dict:
    """A plan as the app stores it: its periodization, no description, null template."""
    ours = pr.to_remote(generate_plan(START, weeks=weeks))
    for phase in ours["periodization"]["phases"]:
        del phase["description"]
    return {
        "id": "b0c1d2e3-0000-4000-8000-000000000001",
        "athlete_id": "a0c1d2e3-0000-4000-8000-000000000001",
        "name": f"{weeks}-Week Plan: Spring Marathon",
        "description": "Training plan targeting Spring Marathon",
        "start_date": START.isoformat(),
        "end_date": (START + timedelta(days=7 * weeks - 1)).isoformat(),
        "total_weeks": weeks,
        "status": "active",
        "goal_id": None,
        "periodization": ours["periodization"],
        "weekly_template": None,
        "adaptations": [
            {"date": "2026-12-10", "reason": "fatigue", "changes": "-10 %", "ai_generated": True}
        ],
    }


# -- columns ------------------------------------------------------------------------------


def test_the_renamed_columns():
    plan = {**generate_plan(START, weeks=8, goal_id="g1"), "id": "p1", "athlete_id": "a1"}
    remote = pr.to_remote(plan)
    assert set(remote) == {
        "id",
        "athlete_id",
        "name",
        "description",
        "total_weeks",
        "start_date",
        "end_date",
        "goal_id",
        "status",
        "periodization",
        "weekly_template",
        "adaptations",
    }
    assert remote["name"] == plan["title"] and remote["goal_id"] == "g1"
    assert remote["total_weeks"] == remote["periodization"]["total_weeks"] == 8


def test_the_periodization_is_the_apps_object():
    remote = pr.to_remote(generate_plan(START, weeks=8))
    periodization = remote["periodization"]
    assert isinstance(periodization, dict)
    assert periodization["phases"][0] == {
        "phase": "base",
        "weeks": 3,
        "focus": "aerobic_endurance",
        "intensity_distribution": [80, 15, 5],
        "description": periodization["phases"][0]["description"],
    }
    assert periodization["weekly_volumes"][0] == {
        "week": 1,
        "volume_multiplier": 0.68,
        "phase": "base",
    }
    assert remote["weekly_template"] is None  # nothing but the volumes: they live in periodization


# -- there and back -----------------------------------------------------------------------


@pytest.mark.parametrize("weeks", range(4, 53))
def test_every_generated_plan_goes_there_and_back(weeks):
    plan = generate_plan(START, weeks=weeks)
    assert pr.from_remote(pr.to_remote(plan)) == plan


@pytest.mark.parametrize("weeks", [4, 9, 12, 52])
def test_an_app_made_plan_comes_here_and_goes_back_unchanged(weeks):
    row = app_made_row(weeks)
    local = pr.from_remote(row)
    assert local["title"] == row["name"] and local["duration_weeks"] == weeks
    assert local["phases"][0]["description"] is None
    assert local["weekly_template"]["weekly_volumes"] == row["periodization"]["weekly_volumes"]
    assert local["adjustments_log"] == row["adaptations"]
    assert pr.to_remote(local) == row


def phase_lists():
    def build(draw_lengths):
        phases, week = [], 1
        for name, gap, length, described, extra in draw_lengths:
            week += gap
            phase = {
                "name": name,
                "start_week": week,
                "end_week": week + length - 1,
                "focus": "threshold_work",
                "description": "a phase" if described else None,
                "intensity_distribution": [70, 20, 10],
            }
            if extra:
                phase["coach_note"] = "kept"
            phases.append(phase)
            week += length
        return phases

    item = st.tuples(
        st.sampled_from(["base", "build", "peak", "taper", "recovery"]),
        st.integers(0, 2),
        st.integers(1, 6),
        st.booleans(),
        st.booleans(),
    )
    return st.lists(item, max_size=6).map(build)


templates = st.one_of(
    st.none(),
    st.builds(
        lambda volumes, days: {**days, "weekly_volumes": volumes},
        st.lists(
            st.fixed_dictionaries(
                {
                    "week": st.integers(1, 52),
                    "volume_multiplier": st.floats(0.1, 2, allow_nan=False),
                    "phase": st.sampled_from(["base", "build"]),
                }
            ),
            min_size=1,
            max_size=5,
        ),
        st.dictionaries(
            st.sampled_from(["monday", "tuesday", "sunday"]),
            st.fixed_dictionaries({"type": st.sampled_from(["rest", "workout"])}),
        ),
    ),
    st.dictionaries(st.sampled_from(["monday", "friday"]), st.just({"type": "rest"}), min_size=1),
)


@settings(max_examples=150, deadline=None)
@given(
    phase_lists(),
    templates,
    st.sampled_from(["active", "completed", "cancelled"]),
    st.lists(
        st.fixed_dictionaries(
            {
                "date": st.just("2026-12-02"),
                "reason": st.text(max_size=10),
                "changes": st.none(),
                "ai_generated": st.booleans(),
            }
        ),
        max_size=3,
    ),
)
def test_any_canonical_local_plan_goes_there_and_back(phases, template, status, log):
    plan = {
        **generate_plan(START, weeks=12),
        "phases": phases,
        "weekly_template": template,
        "status": status,
        "adjustments_log": log,
    }
    assert pr.from_remote(pr.to_remote(plan)) == plan


def test_a_remote_still_holding_the_seeds_array_is_taken_as_it_is():
    seed_phases = [
        {"name": "Base", "start_week": 1, "end_week": 4, "focus": "aerobic", "description": None}
    ]
    local = pr.from_remote({**app_made_row(), "periodization": seed_phases})
    assert local["phases"] == seed_phases


def test_a_template_that_is_not_an_object_cannot_take_the_volumes():
    with pytest.raises(ValueError, match="weekly_template"):
        pr.from_remote({**app_made_row(), "weekly_template": ["monday"]})


# -- statuses and weeks -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "remote"),
    [
        ("active", "active"),
        ("completed", "completed"),
        ("cancelled", "cancelled"),
        ("paused", "active"),
        ("draft", None),
        (None, "active"),
    ],
)
def test_statuses_the_live_backend_accepts(local, remote):
    assert pr.remote_status(local) == remote


def test_a_remote_between_steps_6_and_8_still_takes_paused():
    assert pr.remote_status("paused", ("active", "completed", "paused", "cancelled")) == "paused"
    assert pr.remote_status("draft", ("active", "completed", "paused", "cancelled")) is None


def test_every_local_status_is_a_seed_status():
    assert set(pr.LOCAL_STATUSES) >= set(pr.REMOTE_STATUSES)


def test_a_draft_is_not_pushed():
    with pytest.raises(ValueError, match="draft plan stays local"):
        pr.to_remote(generate_plan(START, draft=True))


def test_a_paused_plan_is_pushed_active():
    assert pr.to_remote({**generate_plan(START), "status": "paused"})["status"] == "active"


@pytest.mark.parametrize(
    ("days", "weeks", "ok"),
    [
        (27, 3, True),  # ceil(27 / 7) = 4
        (27, 4, True),
        (27, 5, True),
        (27, 2, False),
        (27, 6, False),
        (28, 5, True),  # ceil(28 / 7) = 4
        (29, 6, True),  # ceil(29 / 7) = 5
        (0, 1, True),
        (-1, 1, False),  # end before start
    ],
)
def test_the_live_weeks_rule(days, weeks, ok):
    assert pr.weeks_match_dates(START, START + timedelta(days=days), weeks) is ok


def test_dates_the_remote_would_refuse_are_refused_here():
    plan = {**generate_plan(START, weeks=12), "end_date": "2027-06-30"}
    with pytest.raises(ValueError, match="12 weeks do not fit"):
        pr.to_remote(plan)
