"""Goals: adding, listing, editing, closing and deleting them.

The command line hands over the flags the user typed (``{"--event": "Cascais"}``);
this module checks that each flag belongs to the goal's type, parses it into
its column, validates the whole row and writes it in one transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from khepri_cli.db import records, repo_goals
from khepri_cli.db.connection import Journal
from khepri_cli.domain import units as u
from khepri_cli.domain.rules import or_list
from khepri_cli.errors import InvalidInput, UsageProblem
from khepri_cli.models.athlete import Athlete
from khepri_cli.models.goal import GOAL_STATUSES, GOAL_TYPES, PRIORITIES, Goal

TYPE_FLAGS: dict[str, dict[str, str]] = {
    "race": {
        "--event": "race_event_name",
        "--distance": "race_distance",
        "--location": "race_location",
        "--target-time": "race_target_time_seconds",
    },
    "performance": {
        "--metric": "perf_metric",
        "--current": "perf_current_value",
        "--target": "perf_target_value",
    },
    "fitness": {"--metric": "fitness_metric", "--target": "fitness_target_value"},
    "health": {
        "--metric": "health_metric",
        "--current": "health_current_value",
        "--target": "health_target_value",
    },
}
"""Each goal type's own flags and the columns they fill."""

COMMON_FLAGS: dict[str, str] = {
    "TITLE": "title",
    "--title": "title",
    "--description": "description",
    "--date": "target_date",
    "--priority": "priority",
}

LABELS: dict[str, str] = {
    "goal_type": "TYPE",
    "title": "--title",
    "description": "--description",
    "target_date": "--date",
    "priority": "--priority",
    "status": "status",
    **{column: flag for flags in TYPE_FLAGS.values() for flag, column in flags.items()},
}
"""Column -> the flag that sets it, so validation errors name what the user typed."""

STATUS_FILTERS = (*GOAL_STATUSES, "all")


def parse_goal_type(text: str) -> str:
    value = str(text).strip().lower()
    if value not in GOAL_TYPES:
        raise InvalidInput("goal type", text, f"use {or_list(GOAL_TYPES)}")
    return value


def parse_status_filter(text: str) -> str | None:
    """``--status`` of ``goals list``: a status, or ``all`` (None: no filter)."""
    value = str(text).strip().lower()
    if value not in STATUS_FILTERS:
        raise InvalidInput("--status", text, f"use {or_list(STATUS_FILTERS)}")
    return None if value == "all" else value


def parse_type_filter(text: str | None) -> str | None:
    if text is None:
        return None
    value = str(text).strip().lower()
    if value not in GOAL_TYPES:
        raise InvalidInput("--type", text, f"use {or_list(GOAL_TYPES)}")
    return value


def _types_with(flag: str) -> str:
    return or_list([t for t, flags in TYPE_FLAGS.items() if flag in flags], "and")


def _text(text: str) -> str | None:
    return text.strip() or None


def _metric(text: str) -> str | None:
    return "_".join(text.strip().lower().split()) or None


def _priority(text: str) -> str:
    value = text.strip().upper()
    if value not in PRIORITIES:
        raise InvalidInput("--priority", text, "use A, B or C (A marks the season's main goal)")
    return value


def _value(flag: str, text: str, today: date) -> Any:
    """One flag's text -> its column value; an empty text clears an optional column."""
    if flag in ("TITLE", "--title"):
        return text  # the model strips it and refuses a blank title, quoting what was typed
    if not text.strip():
        return None
    if flag == "--date":
        return u.parse_date(text, today, "--date").isoformat()
    if flag == "--priority":
        return _priority(text)
    if flag == "--metric":
        return _metric(text)
    if flag == "--target-time":
        return u.parse_duration(text, "--target-time")
    if flag in ("--current", "--target"):
        return u.parse_number(text, flag, "use a number, e.g. 265 or 72.5")
    return _text(text)


def parse_goal_flags(goal_type: str, given: dict[str, str], today: date) -> dict[str, Any]:
    """The flags the user typed for a ``goal_type`` goal -> column values.

    A flag of another goal type is refused by name: ``--event`` on a fitness
    goal is a mistake, not something to drop silently.
    """
    own = TYPE_FLAGS[goal_type]
    for flag in given:
        if flag not in COMMON_FLAGS and flag not in own:
            raise UsageProblem(
                f"{flag} applies to {_types_with(flag)} goals only, not to {goal_type} goals"
            )
    changes: dict[str, Any] = {}
    for flag, text in given.items():
        column = COMMON_FLAGS.get(flag) or own[flag]
        changes[column] = _value(flag, text, today)
    return changes


def _labels(title_label: str) -> dict[str, str]:
    return {**LABELS, "title": title_label}


def add_goal(journal: Journal, athlete: Athlete, type_text: str, given: dict[str, str]) -> Goal:
    """A new goal from ``TYPE``, ``TITLE`` and flags; validated before anything is written."""
    goal_type = parse_goal_type(type_text)
    changes = parse_goal_flags(goal_type, given, athlete.today())
    data = {"athlete_id": athlete.id, "goal_type": goal_type, **changes}
    if data.get("priority") is None:
        data["priority"] = "B"
    goal = Goal.create(data, _labels("TITLE"))
    with journal.transaction() as conn:
        records.insert(conn, goal)
    return goal


def find_goal(journal: Journal, prefix: str) -> Goal:
    return repo_goals.get_goal(journal.conn, prefix)


def list_goals(
    journal: Journal, athlete: Athlete, status_text: str = "active", type_text: str | None = None
) -> list[Goal]:
    status = parse_status_filter(status_text)
    goal_type = parse_type_filter(type_text)
    return repo_goals.list_goals(journal.conn, athlete.id, status=status, goal_type=goal_type)


def edit_goal(
    journal: Journal,
    athlete: Athlete,
    prefix: str,
    given: dict[str, str],
    *,
    clear_date: bool = False,
) -> tuple[Goal, bool]:
    """Apply the flags to the goal ``prefix`` names. Returns (goal, whether it changed)."""
    if clear_date and "--date" in given:
        raise UsageProblem("--date and --clear-date cannot be used together")
    if not given and not clear_date:
        raise UsageProblem("nothing to change: give at least one flag, e.g. --date 2027-06-14")
    today = athlete.today()
    with journal.transaction() as conn:
        current = repo_goals.get_goal(conn, prefix)
        changes = parse_goal_flags(current.goal_type, given, today)
        if clear_date:
            changes["target_date"] = None
        if "priority" in changes and changes["priority"] is None:
            raise InvalidInput("--priority", given["--priority"], "use A, B or C")
        goal = current.merged(changes, _labels("--title"))
        return records.update_if_changed(conn, current, goal)


def set_status(journal: Journal, prefix: str, status: str) -> tuple[Goal, bool]:
    """Mark a goal completed, cancelled or active again. Returns (goal, whether it changed)."""
    with journal.transaction() as conn:
        current = repo_goals.get_goal(conn, prefix)
        if (current.status or "active") == status:
            return current, False
        return records.update(conn, current.merged({"status": status}, LABELS)), True


def delete_goal(journal: Journal, goal: Goal) -> None:
    """Delete a goal found with :func:`find_goal` (training plans aimed at it keep their row)."""
    with journal.transaction() as conn:
        records.delete(conn, Goal.table, goal.id)
