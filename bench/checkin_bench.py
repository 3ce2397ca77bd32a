"""How fast does the journal answer? Whole-process timings against a baseline from the same run.

Times, as a user would run them:
  * ``python -c "import typer"``                      the baseline (Python + our CLI framework)
  * ``khepri checkin --sleep-hours 7.5 ...``          on an empty journal and on a 10-year one
  * ``khepri goals list``                              on the 10-year journal
  * ``khepri load``                                    on the 10-year journal

The 10-year journal has a check-in and a session for every day and a plan
covering today, so the check-in judges with full baselines, form and a plan.
Runs are interleaved (A B C D, A B C D, ...) so drift on a noisy machine hits
every command alike, and the medians are compared as ratios. Goals from the
issues: a check-in with flags within 2x the baseline, and the same on a
10-year journal as on an empty one; ``khepri load`` on 10 years within the
budget of ``goals list``.

    python bench/checkin_bench.py [--runs 15] [--years 10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

CHECKIN_FLAGS = [
    "checkin", "--sleep-hours", "7.5", "--sleep-quality", "8", "--energy", "7",
    "--stress", "3", "--soreness", "4", "--resting-hr", "49", "--hrv", "68",
]  # fmt: skip


def khepri_executable() -> list[str]:
    script = Path(sys.executable).with_name("khepri")
    if script.exists():
        return [str(script)]
    found = shutil.which("khepri")
    if found:
        return [found]
    return [sys.executable, "-m", "khepri_cli"]


SPORTS = ("run", "bike", "swim", "run", "strength", "bike", "run")


def session_of(athlete_id: str, day: date, offset: int) -> dict[str, object]:
    """One session a day: the sport by weekday, 30-120 minutes, RPE 3-8, a TSS on rides."""
    sport = SPORTS[day.weekday()]
    return {
        "athlete_id": athlete_id,
        "activity_date": day,
        "sport": sport,
        "duration_minutes": 30 + offset % 91,
        "rpe": 3 + offset % 6,
        "tss": 40.0 + offset % 60 if sport == "bike" else None,
    }


def build_journal(path: Path, years: int) -> int:
    """A profile, goals, ``years`` of daily check-ins and sessions, and a plan covering today."""
    from khepri_cli.db import store
    from khepri_cli.db.connection import open_journal
    from khepri_cli.domain.plans import generate_plan
    from khepri_cli.domain.readiness import assess
    from khepri_cli.schema.tables import ACTIVITIES, ATHLETES, DAILY_CHECKINS, GOALS, TRAINING_PLANS

    journal = open_journal(path)
    athlete_values = {"display_name": "Bench", "resting_heart_rate": 50}
    days = years * 365
    today = date(2026, 11, 25)
    with journal.transaction() as conn:
        athlete = store.insert(conn, ATHLETES, athlete_values)
        for index, kind in enumerate(("race", "performance", "fitness", "health")):
            store.insert(
                conn,
                GOALS,
                {
                    "athlete_id": athlete.id,
                    "goal_type": kind,
                    "title": f"{kind} goal",
                    "target_date": today + timedelta(days=30 * (index + 1)),
                },
            )
        for offset in range(days, 0, -1):
            values = {
                "athlete_id": athlete.id,
                "checkin_date": today - timedelta(days=offset),
                "sleep_hours": 6 + (offset % 5) * 0.5,
                "sleep_quality": 4 + offset % 6,
                "energy_level": 3 + offset % 7,
                "stress_level": 1 + offset % 9,
                "overall_soreness": 1 + offset % 8,
                "resting_hr": 46 + offset % 9,
                "hrv_ms": 55 + offset % 20,
                "notes": "steady aerobic day",
            }
            stamp = "2026-01-01T06:00:00.000000Z"
            values["ai_recommendation"] = assess(values).to_recommendation(stamp)
            values["ai_recommendation_generated_at"] = stamp
            store.insert(conn, DAILY_CHECKINS, values)
            store.insert(
                conn, ACTIVITIES, session_of(athlete.id, today - timedelta(days=offset), offset)
            )
        if years:
            plan = generate_plan(today - timedelta(days=30), today + timedelta(days=60))
            store.insert(conn, TRAINING_PLANS, {**plan, "athlete_id": athlete.id})
    journal.close()
    return days


CHECKIN_DAYS_AT_MOST = 40_000
"""Days a journal can hold check-ins on: every day from 1900-01-01 up to today, at most (the
date rule), so a bigger journal holds its other rows as sessions."""


def build_rows(path: Path, rows: int) -> tuple[int, int]:
    """A journal of ``rows`` rows: daily check-ins back from today (up to 40,000 days), then
    sessions on those days for the rest; (check-ins, sessions). Written set-wise, as fast as
    SQLite can, since only the export and import of the result are timed."""
    from khepri_cli.db import store
    from khepri_cli.db.connection import open_journal
    from khepri_cli.schema.tables import ACTIVITIES, ATHLETES, DAILY_CHECKINS

    checkins = min(rows, CHECKIN_DAYS_AT_MOST)
    today = date(2026, 11, 25)
    journal = open_journal(path)
    with journal.transaction() as conn:
        athlete = store.insert(conn, ATHLETES, {"display_name": "Bench", "resting_heart_rate": 50})
        for offset in range(checkins):
            day = today - timedelta(days=offset)
            store.insert(
                conn,
                DAILY_CHECKINS,
                {
                    "athlete_id": athlete.id,
                    "checkin_date": day,
                    "sleep_hours": 6 + (offset % 5) * 0.5,
                    "energy_level": 3 + offset % 7,
                    "resting_hr": 46 + offset % 9,
                    "hrv_ms": 55 + offset % 20,
                    "soreness_areas": {"legs": 1 + offset % 10},
                    "equipment_access": ["pool"],
                    "notes": "steady aerobic day",
                },
            )
        for index in range(rows - checkins):
            day = today - timedelta(days=index % checkins)
            store.insert(conn, ACTIVITIES, session_of(athlete.id, day, index))
    journal.close()
    return checkins, rows - checkins


def time_once(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each command")
    parser.add_argument("--years", type=int, default=10, help="years of daily check-ins")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="khepri-bench-"))
    empty, full = workdir / "empty.db", workdir / "ten-years.db"
    build_journal(empty, 0)
    started = time.perf_counter()
    rows = build_journal(full, args.years)
    print(
        f"built a journal of {rows} check-ins and {rows} sessions "
        f"in {time.perf_counter() - started:.1f} s"
    )

    khepri = khepri_executable()
    # Bytecode caching as users have it: typer's .pyc files come with its
    # install, so ours must be allowed to be written and reused too.
    base_env = {**os.environ, "KHEPRI_NOW": "2026-11-25T07:30:00Z", "NO_COLOR": "1"}
    base_env.pop("PYTHONDONTWRITEBYTECODE", None)
    commands = {
        "import typer (baseline)": ([sys.executable, "-c", "import typer"], base_env),
        "checkin, empty journal": (khepri + CHECKIN_FLAGS, {**base_env, "KHEPRI_DB": str(empty)}),
        f"checkin, {args.years}-year journal": (
            khepri + CHECKIN_FLAGS,
            {**base_env, "KHEPRI_DB": str(full)},
        ),
        f"goals list, {args.years}-year journal": (
            [*khepri, "goals", "list"],
            {**base_env, "KHEPRI_DB": str(full)},
        ),
        f"load, {args.years}-year journal": (
            [*khepri, "load"],
            {**base_env, "KHEPRI_DB": str(full)},
        ),
    }
    for command, env in commands.values():  # warm-up: caches, .pyc files, first migration
        time_once(command, env)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, (command, env) in commands.items():
            samples[name].append(time_once(command, env))

    medians = {name: statistics.median(values) for name, values in samples.items()}
    baseline = medians["import typer (baseline)"]
    print(f"\n{'command':<32} {'median':>9} {'min':>9} {'max':>9} {'× typer':>8}")
    for name, values in samples.items():
        print(
            f"{name:<32} {medians[name] * 1000:>7.1f}ms {min(values) * 1000:>7.1f}ms "
            f"{max(values) * 1000:>7.1f}ms {medians[name] / baseline:>7.2f}×"
        )
    full_checkin = medians[f"checkin, {args.years}-year journal"]
    empty_checkin = medians["checkin, empty journal"]
    ratio = full_checkin / baseline
    growth = full_checkin / empty_checkin
    print(
        f"\ngoal: check-in within 2× import typer      -> {ratio:.2f}× "
        f"{'met' if ratio <= 2 else 'NOT met'}"
    )
    print(
        f"goal: {args.years}-year journal as fast as empty -> {growth:.2f}× "
        f"{'met' if growth <= 1.10 else 'NOT met'} (within 10%)"
    )
    load = medians[f"load, {args.years}-year journal"]
    goals = medians[f"goals list, {args.years}-year journal"]
    print(
        f"goal: load on {args.years} years within goals list -> {load / goals:.2f}× "
        f"{'met' if load <= goals * 1.10 else 'NOT met'} (within 10%)"
    )
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
