"""What is particular to showing training plans: where today sits, the timeline, adjustments.

``plans show`` follows the field table with the phases on a timeline, one
line each, a mark per week (``■`` done, ``●`` today, ``□`` to come) and
the adjustments log. The same lines are printed on a terminal and piped.
"""

from __future__ import annotations

from datetime import date

from khepri_cli.domain.plans import plan_position, plan_timeline
from khepri_cli.render import console as con
from khepri_cli.render.console import cell, short_id
from khepri_cli.render.records import RecordView, name
from khepri_cli.schema import Row
from khepri_cli.schema.tables import TRAINING_PLANS

TIMELINE_WIDTH = 26
"""The most marks a phase's line has; a longer plan puts two weeks in each mark."""
DONE, TODAY, TO_COME, OTHER = "■", "●", "□", "·"


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def where_today(plan: Row, today: date) -> str:
    """``week 8 of 20, build phase (week 1 of 8): ...``, or when the plan starts or ended."""
    if today < plan.start_date:
        return f"starts in {_days((plan.start_date - today).days)}"
    if today > plan.end_date:
        return f"ended {_days((today - plan.end_date).days)} ago"
    position = plan_position(plan, today)
    return position.describe() if position else ""


def _marks(plan: Row, first: int, last: int, today: date) -> str:
    """One mark per week of the plan (or per two weeks when long), this phase's weeks filled."""
    total = plan.duration_weeks
    per_mark = -(-total // TIMELINE_WIDTH)
    current = (today - plan.start_date).days // 7 + 1 if plan.start_date <= today else 0
    marks = []
    for week in range(1, total + 1, per_mark):
        weeks = range(week, week + per_mark)
        if not any(first <= w <= last for w in weeks):
            marks.append(OTHER)
        elif current in weeks:
            marks.append(TODAY)
        else:
            marks.append(DONE if week + per_mark - 1 < current else TO_COME)
    return "".join(marks)


def timeline_lines(plan: Row, today: date) -> list[str]:
    """The phases, one line each: name, weeks, dates, marks and done/now/to come."""
    phases = plan_timeline(plan, today)
    if not phases:
        return ["Timeline: the plan has no phases."]
    width = max(len(p.name) for p in phases)
    state = {"done": "done", "current": "now", "upcoming": ""}
    lines = [f"Timeline (today {today}: {where_today(plan, today)})"]
    for phase in phases:
        weeks = f"wk {phase.start_week}–{phase.end_week}"
        marks = _marks(plan, phase.start_week, phase.end_week, today)
        lines.append(
            f"  {phase.name:<{width}}  {weeks:<8}  {phase.first_day} – {phase.last_day}  "
            f"{marks}  {state[phase.state]}".rstrip()
        )
    return lines


def adjustment_lines(plan: Row) -> list[str]:
    lines = []
    for entry in plan.adjustments_log or []:
        if isinstance(entry, dict):
            changes = f" (changes: {entry['changes']})" if entry.get("changes") else ""
            lines.append(f"  {entry.get('date', '?')}  {entry.get('reason', '')}{changes}")
    return ["Adjustments", *lines] if lines else ["Adjustments: none"]


def show_timeline(plan: Row, today: date) -> None:
    con.out()
    con.out("\n".join([*timeline_lines(plan, today), "", *adjustment_lines(plan)]))


def _now(plan: Row, today: date) -> str:
    """``week 8 of 19, build``: where today sits, short enough for the list."""
    position = plan_position(plan, today) if plan.start_date <= today <= plan.end_date else None
    if position is None:
        return where_today(plan, today)
    return ", ".join(
        p for p in (f"week {position.week} of {position.total_weeks}", position.phase) if p
    )


def adjusted(plan: Row) -> None:
    entry = (plan.adjustments_log or [{}])[-1]
    con.say(f"Adjusted {name(VIEW, plan)}: {entry.get('reason', '')}.")


def _row(plan: Row, today: date, status: str | None) -> list[str]:
    cells = [
        short_id(plan.id),
        cell(plan.title),
        plan.start_date.isoformat(),
        plan.end_date.isoformat(),
        str(plan.duration_weeks),
        _now(plan, today) if (plan.status or "active") == "active" else "",
    ]
    if status != "active":
        cells.insert(1, plan.status or "active")
    return cells


def _headers(status: str | None) -> list[str]:
    headers = ["ID", "title", "start", "end", "weeks", "today"]
    if status != "active":
        headers.insert(1, "status")
    return headers


VIEW = RecordView(
    table=TRAINING_PLANS,
    command="plans",
    list_headers=_headers,
    list_row=_row,
    empty_hint="khepri plans create --goal ID (see 'khepri goals list')",
    show_order=(
        "title",
        "description",
        "status",
        "duration_weeks",
        "start_date",
        "end_date",
        "target_goal_id",
    ),
    shown={"goal": lambda plan, today: short_id(plan.target_goal_id or "") or "—"},
    after={"end": ("today", where_today)},
    added_detail=lambda plan: f", {plan.duration_weeks} weeks from {plan.start_date}",
    extra=show_timeline,
    status_detail={"paused": lambda plan: "; the check-in ignores it until 'plans activate'"},
)
