"""``khepri plans``: create from a goal, list, show with its timeline, edit, statuses, adjust.

Today is 2026-11-25 (conftest). The generator's rules are tested in
tests/domain/test_plans.py; here, that the commands follow them end to end.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from khepri_cli.domain.plans import phase_weeks

TODAY = date(2026, 11, 25)


def goal(k, kind: str = "race", title: str = "Seville Marathon", *args: str) -> str:
    """Add a goal; its ID."""
    return k.json("goals", "add", kind, title, *args)["id"]


def create(k, *args: str) -> dict:
    return k.json("plans", "create", *args)


@pytest.fixture
def seville(athlete):
    """A race goal on 2027-02-22 and a plan for it that started on 2026-10-07 (week 8 today)."""
    goal_id = goal(athlete, "race", "Seville Marathon", "--date", "2027-02-22")
    plan = create(athlete, "--goal", goal_id[:6], "--start", "2026-10-07")
    return athlete, goal_id, plan


@pytest.mark.parametrize(
    ("days_to_goal", "weeks"),
    [(28, 4), (30, 4), (35, 5), (56, 8), (63, 9), (70, 10), (84, 12), (140, 20), (364, 52), (400, 52)],
)  # fmt: skip
def test_a_race_goal_becomes_a_plan_of_the_whole_weeks_to_its_day(athlete, days_to_goal, weeks):
    race_day = TODAY + timedelta(days=days_to_goal)
    goal_id = goal(athlete, "race", "Spring race", "--date", race_day.isoformat())
    plan = create(athlete, "--goal", goal_id)
    assert plan["duration_weeks"] == weeks
    assert plan["start_date"] == TODAY.isoformat()
    assert plan["end_date"] == (TODAY + timedelta(days=7 * weeks - 1)).isoformat()
    assert plan["end_date"] < race_day.isoformat()
    assert plan["target_goal_id"] == goal_id and plan["status"] == "active"
    assert plan["title"] == f"{weeks}-week plan: Spring race"
    assert plan["description"] == f"Training plan for Spring race on {race_day}"
    assert [(p["name"], p["end_week"] - p["start_week"] + 1) for p in plan["phases"]] == (
        phase_weeks(weeks)
    )
    volumes = plan["weekly_template"]["weekly_volumes"]
    assert [v["week"] for v in volumes] == list(range(1, weeks + 1))
    assert plan["adjustments_log"] == []


def test_the_message_and_the_show_table(athlete):
    goal_id = goal(athlete, "race", "Seville Marathon", "--date", "2027-02-22")
    run = athlete.ok("plans", "create", "--goal", goal_id[:5], "--start", "2026-10-07")
    [plan] = athlete.rows("SELECT id FROM training_plans")
    assert run.stderr == (
        f"Created training plan {plan['id'][:8]} (19-week plan: Seville Marathon), "
        "19 weeks from 2026-10-07.\n"
    )
    fields = dict(line.split(None, 1) for line in run.stdout.split("\n\n")[0].splitlines()[1:])
    assert fields["weeks"] == "19" and fields["goal"] == goal_id[:8]
    assert fields["today"] == (
        "week 8 of 19, build phase (week 2 of 9): threshold work, volume ×0.95"
    )


def test_a_goal_without_a_date_gets_12_weeks_and_the_options_are_kept(athlete):
    goal_id = goal(athlete, "fitness", "Run more", "--metric", "weekly_volume_km")
    plan = create(
        athlete, "--goal", goal_id, "--start", "tomorrow", "--title", "Winter base",
        "--description", "Easy miles", "--draft",
    )  # fmt: skip
    assert plan["duration_weeks"] == 12 and plan["start_date"] == "2026-11-26"
    assert (plan["title"], plan["description"], plan["status"]) == (
        "Winter base",
        "Easy miles",
        "draft",
    )


def test_weeks_overrides_the_goals_date(athlete):
    goal_id = goal(athlete, "race", "Seville Marathon", "--date", "2027-02-22")
    assert create(athlete, "--goal", goal_id, "--weeks", "6")["duration_weeks"] == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--goal", "abcdef"], "no goal with ID 'abcdef' (list them with 'khepri goals list')"),
        (["--weeks", "3"], "--weeks: '3' is not valid; must be between 4 and 52"),
        (["--weeks", "53"], "--weeks: '53' is not valid; must be between 4 and 52"),
        (["--weeks", "six"], "--weeks: 'six' is not valid; must be a whole number between 4 and 52"),
        (["--start", "2027-02-22"], "--start: '2027-02-22' is not valid; must be before the goal's date 2027-02-22 (or give the weeks)"),
        (["--start", "soon"], "--start: 'soon' is not valid; use YYYY-MM-DD"),
        (["--title", " "], "--title: ' ' is not valid; must not be empty"),
        ([], "Missing option '--goal'"),
    ],
)  # fmt: skip
def test_bad_input_creates_nothing(athlete, args, message):
    goal_id = goal(athlete, "race", "Seville Marathon", "--date", "2027-02-22")
    if args[:1] != ["--goal"] and args:
        args = ["--goal", goal_id, *args]
    athlete.refused("plans", "create", *args, message=message)


def test_a_goal_that_is_done_gets_no_plan(athlete):
    goal_id = goal(athlete, "race", "Old race", "--date", "2027-02-22")
    athlete.ok("goals", "complete", goal_id)
    athlete.refused(
        "plans", "create", "--goal", goal_id,
        message="--goal: '" + goal_id + "' is not valid; the goal 'Old race' is completed; "
        "plans are made for active goals",
    )  # fmt: skip


# --- list and show ---------------------------------------------------------------------------


def test_list_shows_where_today_sits(seville):
    k, _goal, plan = seville
    [row] = k.table("plans", "list")
    assert row["ID"] == plan["id"][:8] and row["weeks"] == "19"
    assert row["today"] == "week 8 of 19, build"
    assert k.json("plans", "list") == [plan]
    create(k, "--goal", _goal, "--draft", "--weeks", "4")
    assert [r["status"] for r in k.table("plans", "list", "--all")] == ["active", "draft"]
    assert len(k.table("plans", "list", "--status", "draft")) == 1


def test_show_draws_the_phases_on_a_timeline_with_today_marked(seville):
    k, _goal, plan = seville
    out = k.ok("plans", "show", plan["id"][:6]).stdout
    timeline = out.split("\n\n")[1].splitlines()
    assert timeline == [
        "Timeline (today 2026-11-25: week 8 of 19, build phase (week 2 of 9): threshold work, volume ×0.95)",
        "  base   wk 1–6    2026-10-07 – 2026-11-17  ■■■■■■·············  done",
        "  build  wk 7–15   2026-11-18 – 2027-01-19  ······■●□□□□□□□····  now",
        "  peak   wk 16–17  2027-01-20 – 2027-02-02  ···············□□··",
        "  taper  wk 18–19  2027-02-03 – 2027-02-16  ·················□□",
    ]  # fmt: skip
    assert out.rstrip().endswith("Adjustments: none")
    assert k.json("plans", "show", plan["id"]) == plan


def test_a_52_week_plan_marks_two_weeks_at_a_time(athlete):
    goal_id = goal(athlete, "race", "Next year", "--date", "2027-12-31")
    plan = create(athlete, "--goal", goal_id)
    out = athlete.ok("plans", "show", plan["id"]).stdout
    [base] = [line for line in out.splitlines() if line.startswith("  base")]
    assert base.endswith("●□□□□□□□□·················  now")  # 18 weeks of 52 in 9 marks
    assert "(today 2026-11-25: week 1 of 52, base phase (week 1 of 18)" in out


def test_a_plan_yet_to_start_or_over_says_so(athlete):
    goal_id = goal(athlete, "race", "Spring race", "--date", "2027-06-01")
    future = create(athlete, "--goal", goal_id, "--start", "2026-12-01")
    assert athlete.table("plans", "list")[0]["today"] == "starts in 6 days"
    assert (
        "(today 2026-11-25: starts in 6 days)" in athlete.ok("plans", "show", future["id"]).stdout
    )


# --- statuses, edit, adjust, delete -------------------------------------------------------


def test_status_verbs(seville):
    k, _goal, plan = seville
    short = plan["id"][:8]
    name = f"training plan {short} (19-week plan: Seville Marathon)"
    assert k.ok("plans", "pause", short).stderr == (
        f"Paused {name}; the check-in ignores it until 'plans activate'.\n"
    )
    assert (
        k.ok("plans", "pause", short).stderr == f"The {name} is already paused; nothing changed.\n"
    )
    assert k.ok("plans", "activate", short).stderr == f"Activated {name}.\n"
    assert k.ok("plans", "complete", short).stderr == f"Completed {name}.\n"
    assert k.ok("plans", "cancel", short).stderr == f"Cancelled {name}.\n"
    assert k.rows("SELECT status FROM training_plans") == [{"status": "cancelled"}]


def test_edit_renames_but_never_moves_the_dates(seville):
    k, _goal, plan = seville
    edited = k.json("plans", "edit", plan["id"], "--title", "Seville block")
    assert edited["title"] == "Seville block" and edited["start_date"] == plan["start_date"]
    k.refused("plans", "edit", plan["id"], message="nothing to change: give at least one flag, e.g. --title 'Seville block'")  # fmt: skip
    k.refused(
        "plans", "edit", plan["id"], "--start", "2026-12-01", message="No such option: --start"
    )


def test_adjust_appends_to_the_log(seville):
    k, _goal, plan = seville
    run = k.ok(
        "plans", "adjust", plan["id"][:6], "--reason", "knee niggle", "--changes", "two easy weeks"
    )
    assert run.stderr == (
        f"Adjusted training plan {plan['id'][:8]} (19-week plan: Seville Marathon): knee niggle.\n"
    )
    assert "  2026-11-25  knee niggle (changes: two easy weeks)" in run.stdout
    again = k.json("plans", "adjust", plan["id"], "--reason", "  back on track ")
    assert again["adjustments_log"] == [
        {"date": "2026-11-25", "reason": "knee niggle", "changes": "two easy weeks", "ai_generated": False},
        {"date": "2026-11-25", "reason": "back on track", "changes": None, "ai_generated": False},
    ]  # fmt: skip
    stored = json.loads(k.rows("SELECT adjustments_log FROM training_plans")[0]["adjustments_log"])
    assert stored == again["adjustments_log"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--reason", "  "], "--reason: '  ' is not valid; must not be empty"),
        ([], "Missing option '--reason'"),
    ],
)
def test_adjust_bad_input(seville, args, message):
    k, _goal, plan = seville
    k.refused("plans", "adjust", plan["id"], *args, message=message)


def test_delete_and_an_unknown_plan(seville):
    k, _goal, plan = seville
    k.refused("plans", "show", "abcd", message="no training plan with ID 'abcd' (list them with 'khepri plans list')")  # fmt: skip
    k.ok("plans", "delete", plan["id"], "--yes")
    assert k.rows("SELECT * FROM training_plans") == []
