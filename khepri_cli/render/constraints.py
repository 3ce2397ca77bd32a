"""Showing constraints: the list table, one constraint's details, and messages."""

from __future__ import annotations

from datetime import date

from khepri_cli.db.records import short_id
from khepri_cli.models.constraint import Constraint
from khepri_cli.render import console as con

SEVERITY_STYLE = {"mild": "yellow", "moderate": "bold yellow", "severe": "bold red"}


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def when(constraint: Constraint, today: date) -> str:
    """Where the constraint stands today: ``now``, ``starts in 3 days``, ``ended 2 days ago``."""
    if (constraint.status or "active") == "resolved":
        return "resolved"
    if constraint.start_date > today:
        return f"starts in {_days((constraint.start_date - today).days)}"
    if constraint.end_date is not None and constraint.end_date < today:
        return f"ended {_days((today - constraint.end_date).days)} ago"
    if constraint.end_date is None:
        return "now, ongoing"
    left = (constraint.end_date - today).days
    return "now, ends today" if left == 0 else f"now, {_days(left)} left"


def _join(items: list[str] | None) -> str:
    return ", ".join(items or [])


def key_detail(constraint: Constraint) -> str:
    """The one-line summary of a constraint's own fields, for the list table."""
    if constraint.constraint_type == "injury":
        parts = [constraint.injury_body_part or "", constraint.injury_severity or ""]
        if constraint.injury_restrictions:
            parts.append(f"no {_join(constraint.injury_restrictions)}")
    elif constraint.constraint_type == "travel":
        parts = [constraint.travel_destination or ""]
        have = (constraint.travel_equipment_available or []) + (
            constraint.travel_facilities_available or []
        )
        if have:
            parts.append(f"has {_join(have)}")
    else:
        hours = constraint.availability_hours_per_week
        parts = ["" if hours is None else f"{hours:g} h/week"]
        days = constraint.availability_days_available
        if days:
            parts.append(", ".join(day[:3] for day in days))
    return " · ".join(p for p in parts if p)


def _cell(text: str) -> str:
    """User text as a rich cell: square brackets in a title must not become markup."""
    if not con.is_terminal():
        return text
    from rich.markup import escape

    return escape(text)


def constraints_table(
    constraints: list[Constraint], today: date, *, include_resolved: bool
) -> None:
    headers = ["ID", "type", "title", "start", "end", "when", "detail"]
    rows = [
        [
            short_id(c.id),
            c.constraint_type,
            _cell(c.title),
            c.start_date.isoformat(),
            c.end_date.isoformat() if c.end_date else "ongoing",
            when(c, today),
            _cell(key_detail(c)),
        ]
        for c in constraints
    ]
    what = "constraints" if include_resolved else "active constraints"
    con.print_table(
        "Constraints (all)" if include_resolved else "Constraints (active)",
        headers,
        rows,
        styles={0: "dim"},
        empty=f'No {what}; add one with: khepri constraints add injury "Sore knee" --body-part left_knee',
    )


def constraint_fields(constraint: Constraint, today: date) -> list[tuple[str, str]]:
    """(label, value) pairs for ``constraints show``: common fields, then the type's own."""
    c = constraint
    rows = [
        ("ID", c.id),
        ("type", c.constraint_type),
        ("title", c.title),
        ("description", c.description or "—"),
        ("status", c.status or "active"),
        ("start", c.start_date.isoformat()),
        ("end", c.end_date.isoformat() if c.end_date else "ongoing"),
        ("when", when(c, today)),
    ]
    if c.constraint_type == "injury":
        rows += [
            ("body part", c.injury_body_part or "—"),
            ("severity", c.injury_severity or "—"),
            ("restrictions", _join(c.injury_restrictions) or "—"),
        ]
    elif c.constraint_type == "travel":
        rows += [
            ("destination", c.travel_destination or "—"),
            ("equipment", _join(c.travel_equipment_available) or "—"),
            ("facilities", _join(c.travel_facilities_available) or "—"),
        ]
    else:
        hours = c.availability_hours_per_week
        rows += [
            ("hours per week", "—" if hours is None else f"{hours:g}"),
            ("days", _join(c.availability_days_available) or "—"),
        ]
    rows += [("created", c.created_at), ("updated", c.updated_at)]
    return rows


def show_constraint(constraint: Constraint, today: date) -> None:
    rows = constraint_fields(constraint, today)
    severity = dict(rows).get("severity")
    markup = None
    if con.is_terminal() and severity in SEVERITY_STYLE:
        markup = {"severity": f"[{SEVERITY_STYLE[severity]}]{severity}[/]"}
    con.print_fields(f"Constraint {short_id(constraint.id)}", rows, markup=markup)


def _name(constraint: Constraint) -> str:
    return f"{constraint.constraint_type} constraint {short_id(constraint.id)} ({constraint.title})"


def added(constraint: Constraint) -> None:
    con.say(f"Added {_name(constraint)}.")


def edited(constraint: Constraint, changed: bool) -> None:
    con.say(f"Saved {_name(constraint)}." if changed else f"No change to {_name(constraint)}.")


def resolved(constraint: Constraint, changed: bool) -> None:
    if changed:
        con.say(f"Resolved {_name(constraint)}, ended {constraint.end_date}.")
    else:
        con.say(f"The {_name(constraint)} is already resolved; nothing changed.")


def reopened(constraint: Constraint, changed: bool) -> None:
    if not changed:
        con.say(f"The {_name(constraint)} is already active; nothing changed.")
    elif constraint.end_date is not None:
        con.say(
            f"Reopened {_name(constraint)}; it still ends {constraint.end_date} "
            f"('khepri constraints edit {short_id(constraint.id)} --clear-end' makes it ongoing)."
        )
    else:
        con.say(f"Reopened {_name(constraint)}.")


def deleted(constraint: Constraint) -> None:
    con.say(f"Deleted {_name(constraint)}.")


def kept(constraint: Constraint) -> None:
    con.say(f"Kept {_name(constraint)}; nothing was deleted.")
