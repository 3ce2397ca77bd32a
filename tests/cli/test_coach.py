"""The morning check-in as a coach, end to end: a month of check-ins and sessions, a plan, today.

The month is made through the commands a new user runs (``checkin``,
``log``, ``goals add``, ``plans create``); the numbers the check-in prints
are recomputed here from the month's values with the standard library, not
with Khepri's code. Old days keep what was stored with them, whatever made it.
"""

from __future__ import annotations

import json
import math
import sqlite3
import statistics
from datetime import date, timedelta

import pytest

from khepri_cli.domain.recommendation import app_can_read

TODAY = date(2026, 11, 25)
MONTH = [TODAY - timedelta(days=n) for n in range(30, 0, -1)]  # 2026-10-26 .. 2026-11-24


def hrv_of(day: date) -> int:
    return 60 + day.toordinal() % 7  # 60..66 ms


def rhr_of(day: date) -> int:
    return 47 + day.toordinal() % 4  # 47..50 bpm


@pytest.fixture
def month(athlete):
    """A month of morning check-ins and sessions, and a 19-week plan for a spring marathon."""
    for day in MONTH:
        athlete.ok(
            "checkin", "--date", day.isoformat(), "--sleep-hours", "7.5", "--energy", "7",
            "--resting-hr", str(rhr_of(day)), "--hrv", str(hrv_of(day)),
        )  # fmt: skip
        sport, minutes = ("run", 45) if day.weekday() % 2 else ("bike", 80)
        athlete.ok(
            "log", sport, str(minutes), "--rpe", str(4 + day.day % 4), "--date", day.isoformat()
        )
    race = athlete.json("goals", "add", "race", "Spring marathon", "--date", "2027-03-21")
    athlete.ok("plans", "create", "--goal", race["id"], "--start", "2026-11-02")
    return athlete


def stored(k, day: date) -> dict:
    [row] = k.rows(
        "SELECT ai_recommendation FROM daily_checkins WHERE checkin_date = ?", (day.isoformat(),)
    )
    return json.loads(row["ai_recommendation"])


def test_the_checkin_tells_the_normal_ranges_form_plan_and_what_to_do(month):
    out = month.ok(
        "checkin", "--sleep-hours", "7.5", "--energy", "7", "--resting-hr", "49", "--hrv", "56",
        "--available-minutes", "60",
    ).stdout  # fmt: skip
    logs = [math.log(hrv_of(day)) for day in MONTH]
    mean, sd = statistics.mean(logs), statistics.stdev(logs)
    low, high = mean - 0.5 * sd, mean + 0.5 * sd
    hrv_range = f"{math.exp(low):.0f}–{math.exp(high):.0f} ms (ln {low:.2f}–{high:.2f})"
    week = [math.log(hrv_of(day)) for day in MONTH[-6:]] + [math.log(56)]
    rhr = [rhr_of(day) for day in MONTH]
    rhr_mean, rhr_sd = statistics.mean(rhr), statistics.stdev(rhr)

    assert (
        f"  yellow  HRV 56 ms (ln {math.log(56):.2f}) today, below your normal range {hrv_range}; "
        f"7-day average {math.exp(statistics.mean(week)):.0f} ms (ln {statistics.mean(week):.2f}), "
        "within it: an acute drop\n"
    ) in out
    assert (
        f"  green   resting HR 49 bpm, {49 - rhr_mean:.1f} above your 60-day mean {rhr_mean:.1f}\n"
        in out
    )
    assert f"  HRV normal {hrv_range}, mean ± 0.5 SD of 30 days in the last 60\n" in out
    assert (
        f"  resting HR normal {rhr_mean - rhr_sd / 2:.1f}–{rhr_mean + rhr_sd / 2:.1f} bpm "
        f"(mean {rhr_mean:.1f}), from 30 days in the last 60\n"
    ) in out
    form = month.json("load")["form"]["text"]  # the same form as khepri load's, as of yesterday
    assert f"Form: {form.removeprefix('form ')}\n" in out
    # 2026-11-25 is day 24 of a 19-week plan from 2026-11-02: the base phase's lighter fourth week
    assert (
        "Plan: 19-week plan: Spring marathon, week 4 of 19, base phase (week 4 of 6): "
        "aerobic endurance, volume ×0.56 (lighter week)\n"
    ) in out
    assert "Today: Easy 25 min ride: conversational, zones 1–2.\n" in out  # the most logged sport
    cv = statistics.stdev(week) / statistics.mean(week) * 100  # the week swings more than usual
    assert f"  yellow  HRV varying {cv:.1f} % over 7 days, usual up to " in out
    because = out.split("Because:\n")[1].splitlines()
    assert because[0] == (
        "  plan week 4 of 19, base phase (week 4 of 6): aerobic endurance, volume ×0.56 "
        "(lighter week): a moderate day"
    )
    assert because[1] == "  lighter week of the wave: one step easier, easy"
    assert because[2].startswith(f"  readiness yellow (HRV 56 ms (ln {math.log(56):.2f}) today")
    assert because[2].endswith(": coping poorly): at most easy")
    assert because[3] == "  plan volume ×0.56: 45 → 25 min"


def test_what_is_stored_is_what_the_app_reads_with_khepris_explanation(month):
    month.ok("checkin", "--energy", "7", "--hrv", "56", "--resting-hr", "49")
    document = stored(month, TODAY)
    assert app_can_read(document)
    assert json.loads(json.dumps(document)) == document
    assert (document["intensityLevel"], document["duration"]) == ("easy", 25)
    assert document["workoutSuggestion"] == "Easy 25 min ride: conversational, zones 1–2."
    assert document["summary"].startswith("Readiness yellow; form ")
    khepri = document["khepri"]
    assert (khepri["rubric_version"], khepri["readiness"]) == (2, "yellow")
    assert (
        khepri["plan"]["title"] == "19-week plan: Spring marathon" and khepri["plan"]["week"] == 4
    )
    assert khepri["load"]["as_of"] == "2026-11-24" and khepri["load"]["history_days"] == 30
    assert khepri["baseline"]["hrv"]["days"] == 30
    assert document["notes"] == "; ".join(r["text"] for r in khepri["advice"]["reasons"])


def test_two_red_signs_make_a_rest_day_the_app_reads_as_recovery(month):
    out = month.ok("checkin", "--energy", "2", "--stress", "9").stdout
    assert "Today: Rest day: no training today; an easy walk or some mobility is fine.\n" in out
    assert "  2 red signs (energy 2/10; stress 9/10): rest\n" in out
    document = stored(month, TODAY)
    assert (document["intensityLevel"], document["duration"]) == ("recovery", 0)
    assert document["khepri"]["advice"]["intensity"] == "rest" and app_can_read(document)


def test_checking_in_today_never_judges_an_old_day_again(month):
    before = {day: stored(month, day) for day in MONTH[-3:]}
    month.ok("checkin", "--energy", "3")
    month.ok("log", "run", "90", "--rpe", "9", "--date", "yesterday")
    assert {day: stored(month, day) for day in MONTH[-3:]} == before


# --- days judged by version 1, and days the app advised ---------------------------------------

V1 = {
    "source": "khepri-readiness-rubric",
    "rubric_version": 1,
    "generated_at": "2026-11-20T06:45:00.000000Z",
    "readiness": "yellow",
    "advice": "Train with care: keep it aerobic and shorter, skip hard intervals, and stop if anything feels off.",
    "signs": [{"sign": "sleep", "level": "yellow", "reason": "6.5 h of sleep"}],
    "baseline": {"resting_hr": 48.0, "resting_hr_source": "median of your last 3 check-ins (28 days)",
                 "hrv_ms": None, "hrv_source": None},
}  # fmt: skip
APP = {
    "summary": "Good recovery overnight",
    "workoutSuggestion": "Endurance ride with 3x8 min tempo",
    "intensityLevel": "moderate",
    "duration": 75,
    "notes": "Keep cadence high",
    "isLocalFallback": True,
}


def store_recommendation(k, day: str, value: dict, stamp: str = "2026-11-21T06:00:00.000000Z"):
    conn = sqlite3.connect(k.db_path)
    with conn:
        conn.execute(
            "UPDATE daily_checkins SET ai_recommendation = ?, ai_recommendation_generated_at = ? "
            "WHERE checkin_date = ?",
            (json.dumps(value), stamp, day),
        )
    conn.close()


def test_a_day_judged_by_version_1_is_shown_as_it_was_judged(month):
    store_recommendation(month, "2026-11-20", V1)
    out = month.ok("checkins", "show", "2026-11-20").stdout
    panel = out.split("\n\n")[1].splitlines()
    assert panel == [
        "Readiness for 2026-11-20: yellow",
        "Why:",
        "  yellow  6.5 h of sleep",
        "Advice for 2026-11-20: Train with care: keep it aerobic and shorter, skip hard intervals, and stop if anything feels off.",
        "Baseline: resting HR 48 bpm, median of your last 3 check-ins (28 days); "
        "HRV: no normal yet (needs 3 check-ins with it in the 28 days before)",
        "Judged at 2026-11-20T06:45:00.000000Z by the Khepri readiness rubric, version 1.",
    ]  # fmt: skip
    assert "2026-11-20  yellow" in month.ok("checkins").stdout


def test_a_recommendation_the_app_wrote_is_shown_as_the_apps(month):
    store_recommendation(month, "2026-11-21", APP)
    out = month.ok("checkins", "show", "2026-11-21").stdout
    assert out.split("\n\n")[1].splitlines() == [
        "Recommendation for 2026-11-21 from the Khepri app",
        "Summary: Good recovery overnight",
        "Advice for 2026-11-21: Endurance ride with 3x8 min tempo (moderate, 75 min)",
        "Notes: Keep cadence high",
        "Made by: the app's local fallback, without its coach",
        "Written by the Khepri app at 2026-11-21T06:00:00.000000Z; Khepri did not judge this day.",
    ]
    assert "2026-11-21  unknown" in month.ok("checkins").stdout  # Khepri has no light for it
    assert month.json("checkins", "show", "2026-11-21")["ai_recommendation"] == APP


def test_on_a_terminal_an_app_recommendation_is_drawn_in_a_panel(month, monkeypatch):
    from khepri_cli.render import checkin, console, recommendation

    store_recommendation(month, "2026-11-21", APP)
    for module in (console, checkin, recommendation):
        monkeypatch.setattr(module, "is_terminal", lambda stream=None: True)
    monkeypatch.setenv("NO_COLOR", "1")
    console.console.cache_clear()
    try:
        out = month.ok("checkins", "show", "2026-11-21").stdout
    finally:
        console.console.cache_clear()
    assert "╭─ Recommendation for 2026-11-21 from the Khepri app" in out
    assert "○ unknown  Endurance ride with 3x8 min tempo" in out
    assert "Advice for 2026-11-21  Endurance ride with 3x8 min tempo (moderate, 75 min)" in out
