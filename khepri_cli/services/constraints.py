"""Constraints: injuries, travel and availability changes that shape training.

Like goals, each constraint type has its own flags; a flag of another type is
refused by name. Dates are the athlete's local days.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from khepri_cli.db import records, repo_constraints
from khepri_cli.db.connection import Journal
from khepri_cli.domain import units as u
from khepri_cli.domain.rules import or_list
from khepri_cli.errors import InvalidInput, UsageProblem
from khepri_cli.models.athlete import Athlete
from khepri_cli.models.constraint import CONSTRAINT_TYPES, SEVERITIES, WEEKDAYS, Constraint

TYPE_FLAGS: dict[str, dict[str, str]] = {
    "injury": {
        "--body-part": "injury_body_part",
        "--severity": "injury_severity",
        "--restrict": "injury_restrictions",
    },
    "travel": {
        "--destination": "travel_destination",
        "--equipment": "travel_equipment_available",
        "--facilities": "travel_facilities_available",
    },
    "availability": {
        "--hours-per-week": "availability_hours_per_week",
        "--days": "availability_days_available",
    },
}
"""Each constraint type's own flags and the columns they fill."""

COMMON_FLAGS: dict[str, str] = {
    "TITLE": "title",
    "--title": "title",
    "--description": "description",
    "--start": "start_date",
    "--end": "end_date",
}

LABELS: dict[str, str] = {
    "constraint_type": "TYPE",
    "title": "--title",
    "description": "--description",
    "start_date": "--start",
    "end_date": "--end",
    "status": "status",
    **{column: flag for flags in TYPE_FLAGS.values() for flag, column in flags.items()},
}
"""Column -> the flag that sets it, so validation errors name what the user typed."""

_DAY_NAMES: dict[str, str] = {
    **{day: day for day in WEEKDAYS},
    **{day[:3]: day for day in WEEKDAYS},
    "tues": "tuesday",
    "weds": "wednesday",
    "thur": "thursday",
    "thurs": "thursday",
}
"""Weekday names people type (``mon``, ``thurs``, ``friday``) -> the stored full name."""


def parse_constraint_type(text: str, field: str = "constraint type") -> str:
    value = str(text).strip().lower()
    if value not in CONSTRAINT_TYPES:
        raise InvalidInput(field, text, f"use {or_list(CONSTRAINT_TYPES)}")
    return value


def parse_weekdays(text: str) -> list[str]:
    """``mon, Wednesday,fri`` -> ``["monday", "wednesday", "friday"]`` (week order, no repeats)."""
    days = set()
    for item in u.parse_list(text):
        day = _DAY_NAMES.get(item.rstrip("."))
        if day is None:
            raise InvalidInput(
                "--days",
                text,
                f"{item!r} is not a weekday; use names like monday,wednesday or mon,wed",
            )
        days.add(day)
    return [day for day in WEEKDAYS if day in days]


def _hours(text: str) -> float:
    allowed = "use a number of hours between 0 and 168, e.g. 8 or 7.5"
    hours = u.parse_number(text, "--hours-per-week", allowed)
    if not 0 <= hours <= 168:
        raise InvalidInput("--hours-per-week", text, allowed)
    return hours


def _severity(text: str) -> str:
    value = text.strip().lower()
    if value not in SEVERITIES:
        raise InvalidInput("--severity", text, f"use {or_list(SEVERITIES)}")
    return value


def _body_part(text: str) -> str | None:
    return "_".join(text.strip().lower().replace("-", " ").split()) or None


def _types_with(flag: str) -> str:
    return or_list([t for t, flags in TYPE_FLAGS.items() if flag in flags], "and")


def _value(flag: str, raw: str | list[str], today: date) -> Any:
    """One flag's text -> its column value; an empty text clears an optional column."""
    if flag == "--restrict":  # repeatable, and each may hold a comma list
        items = [item for text in raw for item in u.parse_list(text)]
        return list(dict.fromkeys(items)) or None
    text = str(raw)
    if flag in ("TITLE", "--title"):
        return text  # the model strips it and refuses a blank title, quoting what was typed
    if not text.strip():
        if flag == "--start":
            raise InvalidInput("--start", text, "use YYYY-MM-DD, today or yesterday")
        return None
    if flag in ("--start", "--end"):
        return u.parse_date(text, today, flag)
    if flag == "--severity":
        return _severity(text)
    if flag == "--body-part":
        return _body_part(text)
    if flag in ("--equipment", "--facilities"):
        return u.parse_list(text) or None
    if flag == "--hours-per-week":
        return _hours(text)
    if flag == "--days":
        return parse_weekdays(text) or None
    return text.strip() or None


def parse_constraint_flags(
    constraint_type: str, given: dict[str, Any], today: date
) -> dict[str, Any]:
    """The flags the user typed for a ``constraint_type`` constraint -> column values."""
    own = TYPE_FLAGS[constraint_type]
    for flag in given:
        if flag not in COMMON_FLAGS and flag not in own:
            raise UsageProblem(
                f"{flag} applies to {_types_with(flag)} constraints only, "
                f"not to {constraint_type} constraints"
            )
    changes: dict[str, Any] = {}
    for flag, raw in given.items():
        column = COMMON_FLAGS.get(flag) or own[flag]
        changes[column] = _value(flag, raw, today)
    return changes


def _check_period(start: date, end: date | None, given: dict[str, Any]) -> None:
    """End on or after start, blaming the flag the user typed (``--end`` unless only --start)."""
    if end is None or end >= start:
        return
    if "--end" in given:
        raise InvalidInput("--end", given["--end"], f"must be on or after the start date {start}")
    raise InvalidInput("--start", given["--start"], f"must be on or before the end date {end}")


def _labels(title_label: str) -> dict[str, str]:
    return {**LABELS, "title": title_label}


def add_constraint(
    journal: Journal, athlete: Athlete, type_text: str, given: dict[str, Any]
) -> Constraint:
    """A new constraint; it starts today unless --start says otherwise."""
    constraint_type = parse_constraint_type(type_text)
    today = athlete.today()
    changes = parse_constraint_flags(constraint_type, given, today)
    changes.setdefault("start_date", today)
    _check_period(changes["start_date"], changes.get("end_date"), given)
    data = {"athlete_id": athlete.id, "constraint_type": constraint_type, **changes}
    constraint = Constraint.create(data, _labels("TITLE"))
    with journal.transaction() as conn:
        records.insert(conn, constraint)
    return constraint


def find_constraint(journal: Journal, prefix: str) -> Constraint:
    return repo_constraints.get_constraint(journal.conn, prefix)


def list_constraints(
    journal: Journal, athlete: Athlete, *, include_resolved: bool, type_text: str | None
) -> list[Constraint]:
    constraint_type = None if type_text is None else parse_constraint_type(type_text, "--type")
    return repo_constraints.list_constraints(
        journal.conn, athlete.id, include_resolved=include_resolved, constraint_type=constraint_type
    )


def edit_constraint(
    journal: Journal,
    athlete: Athlete,
    prefix: str,
    given: dict[str, Any],
    *,
    clear_end: bool = False,
) -> tuple[Constraint, bool]:
    """Apply the flags to the constraint ``prefix`` names. Returns (constraint, changed)."""
    if clear_end and "--end" in given:
        raise UsageProblem("--end and --clear-end cannot be used together")
    if not given and not clear_end:
        raise UsageProblem("nothing to change: give at least one flag, e.g. --end 2026-12-20")
    today = athlete.today()
    with journal.transaction() as conn:
        current = repo_constraints.get_constraint(conn, prefix)
        changes = parse_constraint_flags(current.constraint_type, given, today)
        if clear_end:
            changes["end_date"] = None
        start = changes.get("start_date", current.start_date)
        end = changes.get("end_date", current.end_date)
        _check_period(start, end, given)
        constraint = current.merged(changes, _labels("--title"))
        return records.update_if_changed(conn, current, constraint)


def resolve_constraint(journal: Journal, athlete: Athlete, prefix: str) -> tuple[Constraint, bool]:
    """Mark a constraint resolved; an open-ended one ends today. Returns (constraint, changed)."""
    today = athlete.today()
    with journal.transaction() as conn:
        current = repo_constraints.get_constraint(conn, prefix)
        if current.status == "resolved":
            return current, False
        changes: dict[str, Any] = {"status": "resolved"}
        if current.end_date is None:
            changes["end_date"] = max(today, current.start_date)
        return records.update(conn, current.merged(changes, LABELS)), True


def reopen_constraint(journal: Journal, prefix: str) -> tuple[Constraint, bool]:
    """Make a resolved constraint active again (its end date stays as it is)."""
    with journal.transaction() as conn:
        current = repo_constraints.get_constraint(conn, prefix)
        if (current.status or "active") == "active":
            return current, False
        return records.update(conn, current.merged({"status": "active"}, LABELS)), True


def delete_constraint(journal: Journal, constraint: Constraint) -> None:
    with journal.transaction() as conn:
        records.delete(conn, Constraint.table, constraint.id)
