"""The coach's judgement of one day, from everything the journal knows that morning.

Readiness by rubric version 2 (personal baselines from the check-ins since
:func:`~khepri_cli.domain.readiness_v2.history_start`, and the active
injuries), form from the sessions of the lookback before yesterday's end,
the active plan's week for the day, the day's limits (constraints, minutes
and equipment) and the advice they make, as the document stored in
``ai_recommendation`` (:func:`~khepri_cli.domain.recommendation.build_recommendation`).

Every query names the athlete and a range of days on a ``(athlete_id, day)``
index, so a ten-year journal is judged as fast as a new one.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from typing import Any

from khepri_cli.db.repo_activities import sessions_between
from khepri_cli.db.repo_checkins import vitals_between
from khepri_cli.db.repo_plans import plans_covering
from khepri_cli.domain.advice import advise, usual_sports
from khepri_cli.domain.days import ONE_DAY
from khepri_cli.domain.limits import day_limits
from khepri_cli.domain.load import form_on, lookback_start
from khepri_cli.domain.plans import active_plan_on, plan_position
from khepri_cli.domain.readiness import injuries_on
from khepri_cli.domain.readiness_v2 import history_start, judge_day
from khepri_cli.domain.recommendation import build_recommendation
from khepri_cli.schema import Row

USUAL_SPORTS_DAYS = 28
"""The advice offers first the sports of the sessions logged in the 28 days before the day."""


def recommend(
    conn: sqlite3.Connection,
    athlete: Row,
    day: date,
    values: dict[str, Any],
    constraints: list[Row],
    generated_at: str,
) -> dict[str, Any]:
    """The ``ai_recommendation`` document for ``day``, whose check-in holds ``values``."""
    day_row = {**values, "checkin_date": day}
    history = vitals_between(conn, athlete.id, history_start(day), day)
    readiness = judge_day(
        day_row, history, athlete.resting_heart_rate, injuries_on(day, constraints)
    )
    yesterday = day - ONE_DAY
    sessions = sessions_between(conn, athlete.id, lookback_start(yesterday), yesterday)
    form = form_on(day, sessions)
    plan = active_plan_on(plans_covering(conn, athlete.id, day), day)
    position = plan_position(plan, day) if plan is not None else None
    recent = day - timedelta(days=USUAL_SPORTS_DAYS)
    sports = usual_sports(s.sport for s in sessions if s.day >= recent)
    advice = advise(
        readiness.level,
        readiness.signs,
        form,
        position,
        day_limits(day, constraints, day_row),
        sports,
    )
    title = plan.title if plan is not None else None
    return build_recommendation(readiness, advice, generated_at, form, position, title)
