"""Showing goals: the list table, one goal's details, and the saved/deleted messages."""

from __future__ import annotations

from datetime import date

from khepri_cli.db.records import short_id
from khepri_cli.domain.units import format_duration
from khepri_cli.models.goal import Goal
from khepri_cli.render import console as con

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
    return "" if value is None else f"{value:g}"


def _progress(metric: str | None, current: float | None, target: float | None) -> str:
    """``ftp 250 → 280``; leaves out whatever is not set."""
    parts = [metric or ""]
    if current is not None:
        parts.append(_number(current))
    if target is not None:
        parts.append(f"→ {_number(target)}")
    return " ".join(p for p in parts if p)


def key_detail(goal: Goal) -> str:
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


def _cell(text: str) -> str:
    """User text as a rich cell: square brackets in a title must not become markup."""
    if not con.is_terminal():
        return text
    from rich.markup import escape

    return escape(text)


def _priority(goal: Goal) -> str:
    priority = goal.priority or "B"
    if not con.is_terminal():
        return priority
    return f"[{PRIORITY_STYLE[priority]}]{priority}[/]"


def goals_table(goals: list[Goal], today: date, *, status: str | None) -> None:
    """The ``goals list`` table; a status column appears when more than active goals show."""
    with_status = status != "active"
    headers = ["ID", "type", "pri", "title", "date", "to go", "detail"]
    if with_status:
        headers.insert(6, "status")
    rows = []
    for goal in goals:
        active = (goal.status or "active") == "active"
        row = [
            short_id(goal.id),
            goal.goal_type,
            _priority(goal),
            _cell(goal.title),
            goal.target_date.isoformat() if goal.target_date else "",
            days_to_go(goal.target_date, today) if active else "",
            _cell(key_detail(goal)),
        ]
        if with_status:
            row.insert(6, goal.status or "active")
        rows.append(row)
    what = f"{status} goals" if status else "goals"
    title = f"Goals ({status})" if status else "Goals (all)"
    con.print_table(
        title,
        headers,
        rows,
        styles={0: "dim"},
        empty=f'No {what} yet; add one with: khepri goals add race "Spring marathon" --date 2027-04-25',
    )


def goal_fields(goal: Goal, today: date) -> list[tuple[str, str]]:
    """(label, value) pairs for ``goals show``: common fields, then the type's own."""
    when = goal.target_date.isoformat() if goal.target_date else "—"
    if goal.target_date and (goal.status or "active") == "active":
        when += f" ({days_to_go(goal.target_date, today)})"
    rows = [
        ("ID", goal.id),
        ("type", goal.goal_type),
        ("title", goal.title),
        ("description", goal.description or "—"),
        ("priority", goal.priority or "B"),
        ("status", goal.status or "active"),
        ("target date", when),
    ]
    if goal.goal_type == "race":
        rows += [
            ("event", goal.race_event_name or "—"),
            ("distance", goal.race_distance or "—"),
            ("location", goal.race_location or "—"),
            ("target time", format_duration(goal.race_target_time_seconds)),
        ]
    elif goal.goal_type == "performance":
        rows += [
            ("metric", goal.perf_metric or "—"),
            ("current", _number(goal.perf_current_value) or "—"),
            ("target", _number(goal.perf_target_value) or "—"),
        ]
    elif goal.goal_type == "fitness":
        rows += [
            ("metric", goal.fitness_metric or "—"),
            ("target", _number(goal.fitness_target_value) or "—"),
        ]
    else:
        rows += [
            ("metric", goal.health_metric or "—"),
            ("current", _number(goal.health_current_value) or "—"),
            ("target", _number(goal.health_target_value) or "—"),
        ]
    rows += [("created", goal.created_at), ("updated", goal.updated_at)]
    return rows


def show_goal(goal: Goal, today: date) -> None:
    markup = {"priority": _priority(goal)} if con.is_terminal() else None
    con.print_fields(f"Goal {short_id(goal.id)}", goal_fields(goal, today), markup=markup)


def _name(goal: Goal) -> str:
    return f"{goal.goal_type} goal {short_id(goal.id)} ({goal.title})"


def added(goal: Goal) -> None:
    con.say(f"Added {_name(goal)}, priority {goal.priority or 'B'}.")


def edited(goal: Goal, changed: bool) -> None:
    con.say(f"Saved {_name(goal)}." if changed else f"No change to {_name(goal)}.")


STATUS_VERB = {"completed": "Completed", "cancelled": "Cancelled", "active": "Reopened"}


def status_changed(goal: Goal, changed: bool) -> None:
    status = goal.status or "active"
    if changed:
        con.say(f"{STATUS_VERB[status]} {_name(goal)}.")
    else:
        con.say(f"The {_name(goal)} is already {status}; nothing changed.")


def deleted(goal: Goal) -> None:
    con.say(f"Deleted {_name(goal)}.")


def kept(goal: Goal) -> None:
    con.say(f"Kept {_name(goal)}; nothing was deleted.")
