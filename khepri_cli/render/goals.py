"""What is particular to showing goals: the list columns, days to go, coloured priorities."""

from __future__ import annotations

from datetime import date

from khepri_cli.domain.units import format_duration
from khepri_cli.render import console as con
from khepri_cli.render.console import cell, short_id
from khepri_cli.render.records import RecordView
from khepri_cli.schema import Row
from khepri_cli.schema.rules import number_text
from khepri_cli.schema.tables import GOALS

PRIORITY_STYLE = {"A": "bold red", "B": "bold yellow", "C": "cyan"}


def days_to_go(target: date | None, today: date) -> str:
    """``today``, ``12 days`` or ``3 days ago`` (empty when there is no date)."""
    if target is None:
        return ""
    delta = (target - today).days
    if delta == 0:
        return "today"
    count = f"{abs(delta)} day{'' if abs(delta) == 1 else 's'}"
    return count if delta > 0 else f"{count} ago"


def _number(value: float | None) -> str:
    return "" if value is None else number_text(value)


def _progress(metric: str | None, current: float | None, target: float | None) -> str:
    """``ftp 250 → 280``; leaves out whatever is not set."""
    parts = [metric or ""]
    if current is not None:
        parts.append(_number(current))
    if target is not None:
        parts.append(f"→ {_number(target)}")
    return " ".join(p for p in parts if p)


def key_detail(goal: Row) -> str:
    """The one-line summary of a goal's own fields, for the list table."""
    if goal.goal_type == "race":
        parts = [goal.race_distance or ""]
        if goal.race_target_time_seconds:
            parts.append(f"target {format_duration(goal.race_target_time_seconds)}")
        return " · ".join(p for p in parts if p)
    if goal.goal_type == "performance":
        return _progress(goal.perf_metric, goal.perf_current_value, goal.perf_target_value)
    if goal.goal_type == "fitness":
        return _progress(goal.fitness_metric, None, goal.fitness_target_value)
    return _progress(goal.health_metric, goal.health_current_value, goal.health_target_value)


def _priority(goal: Row) -> str:
    priority = goal.priority or "B"
    if not con.is_terminal():
        return priority
    return f"[{PRIORITY_STYLE[priority]}]{priority}[/]"


def _headers(status: str | None) -> list[str]:
    headers = ["ID", "type", "pri", "title", "date", "to go", "detail"]
    if status != "active":
        headers.insert(6, "status")
    return headers


def _row(goal: Row, today: date, status: str | None) -> list[str]:
    active = (goal.status or "active") == "active"
    cells = [
        short_id(goal.id),
        goal.goal_type,
        _priority(goal),
        cell(goal.title),
        goal.target_date.isoformat() if goal.target_date else "",
        days_to_go(goal.target_date, today) if active else "",
        cell(key_detail(goal)),
    ]
    if status != "active":
        cells.insert(6, goal.status or "active")
    return cells


def _target_date(goal: Row, today: date) -> str:
    if goal.target_date is None:
        return "—"
    when = goal.target_date.isoformat()
    if (goal.status or "active") == "active":
        when += f" ({days_to_go(goal.target_date, today)})"
    return when


VIEW = RecordView(
    table=GOALS,
    command="goals",
    list_headers=_headers,
    list_row=_row,
    empty_hint='khepri goals add race "Spring marathon" --date 2027-04-25',
    show_order=("goal_type", "title", "description", "priority", "status", "target_date"),
    shown={"target date": _target_date},
    markup={"priority": _priority},
    added_detail=lambda goal: f", priority {goal.priority or 'B'}",
)
