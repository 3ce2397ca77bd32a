"""Training plans: made from a goal by the app's generator, then a record group like the others.

``create_plan`` turns a goal into a periodised plan (:mod:`khepri_cli.domain.plans`);
``adjust`` appends to its adjustments log; list, show, edit, the status verbs
and delete are the record group's. The morning check-in reads the active
plan of its day (:func:`khepri_cli.db.repo_plans.plans_covering`).
"""

from __future__ import annotations

from datetime import date

from khepri_cli.db import store
from khepri_cli.db.connection import Journal
from khepri_cli.db.repo_athletes import require_athlete
from khepri_cli.domain.plans import adjustment, generate_plan
from khepri_cli.domain.profile import today_of
from khepri_cli.domain.rows import checked
from khepri_cli.errors import InvalidInput
from khepri_cli.schema import Row
from khepri_cli.schema.tables import GOALS, TRAINING_PLANS
from khepri_cli.services.records import Group, GroupSpec

PLANS = Group(GroupSpec(table=TRAINING_PLANS))


def _plannable(goal: Row, start: date, weeks: int | None) -> None:
    if (goal.status or "active") != "active":
        raise InvalidInput(
            "target_goal_id",
            goal.id[:8],
            f"the goal '{goal.title}' is {goal.status}; plans are made for active goals",
            column="target_goal_id",
        )
    if weeks is None and goal.target_date is not None and goal.target_date <= start:
        raise InvalidInput(
            "start_date",
            start.isoformat(),
            f"must be before the goal's date {goal.target_date} (or give the weeks)",
            column="start_date",
        )


def create_plan(
    journal: Journal,
    goal_prefix: str,
    *,
    start: date | None = None,
    weeks: int | None = None,
    title: str | None = None,
    description: str | None = None,
    draft: bool = False,
) -> Row:
    """A plan for the goal ``goal_prefix`` names, from ``start`` (today) up to its date.

    ``weeks`` (4-52) overrides the length the goal's date gives; a draft is
    kept out of the check-in until it is activated.
    """
    with journal.transaction() as conn:
        athlete = require_athlete(conn)
        goal = store.find(conn, GOALS, goal_prefix)
        start = start or today_of(athlete)
        if weeks is not None:
            checked(TRAINING_PLANS.column("duration_weeks"), weeks)
        _plannable(goal, start, weeks)
        plan = generate_plan(
            start, goal.target_date, weeks=weeks, title=title, goal_title=goal.title,
            goal_id=goal.id, draft=draft,
        )  # fmt: skip
        if description is not None:
            plan["description"] = description
        return store.insert(conn, TRAINING_PLANS, {**plan, "athlete_id": athlete.id})


def adjust(journal: Journal, prefix: str, reason: str, changes: str | None = None) -> Row:
    """Append ``{date, reason, changes, ai_generated: false}`` to the plan's adjustments log."""
    if not reason.strip():
        raise InvalidInput("reason", reason, "must not be empty", column="reason")
    with journal.transaction() as conn:
        plan = store.find(conn, TRAINING_PLANS, prefix)
        today = today_of(require_athlete(conn))
        entry = adjustment(today, reason.strip(), (changes or "").strip() or None)
        return store.update(conn, plan, {"adjustments_log": [*plan.adjustments_log, entry]})
