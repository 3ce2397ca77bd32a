"""What is particular to showing constraints: the list columns, where each stands today."""

from __future__ import annotations

from datetime import date

from khepri_cli.render.console import cell, short_id
from khepri_cli.render.records import RecordView
from khepri_cli.schema import Row
from khepri_cli.schema.rules import number_text
from khepri_cli.schema.tables import CONSTRAINTS

SEVERITY_STYLE = {"mild": "yellow", "moderate": "bold yellow", "severe": "bold red"}


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def when(constraint: Row, today: date) -> str:
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


def key_detail(constraint: Row) -> str:
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
        parts = ["" if hours is None else f"{number_text(hours)} h/week"]
        days = constraint.availability_days_available
        if days:
            parts.append(", ".join(day[:3] for day in days))
    return " · ".join(p for p in parts if p)


def _end(constraint: Row, today: date | None = None) -> str:
    return constraint.end_date.isoformat() if constraint.end_date else "ongoing"


def _row(constraint: Row, today: date, status: str | None) -> list[str]:
    return [
        short_id(constraint.id),
        constraint.constraint_type,
        cell(constraint.title),
        constraint.start_date.isoformat(),
        _end(constraint),
        when(constraint, today),
        cell(key_detail(constraint)),
    ]


def _severity(constraint: Row) -> str | None:
    severity = constraint.injury_severity
    return f"[{SEVERITY_STYLE[severity]}]{severity}[/]" if severity in SEVERITY_STYLE else None


def _reopened(constraint: Row) -> str:
    if constraint.end_date is None:
        return ""
    return (
        f"; it still ends {constraint.end_date} ('khepri constraints edit "
        f"{short_id(constraint.id)} --clear-end' makes it ongoing)"
    )


VIEW = RecordView(
    table=CONSTRAINTS,
    command="constraints",
    list_headers=lambda status: ["ID", "type", "title", "start", "end", "when", "detail"],
    list_row=_row,
    empty_hint='khepri constraints add injury "Sore knee" --body-part left_knee',
    show_order=("constraint_type", "title", "description", "status", "start_date", "end_date"),
    shown={"end": _end},
    after={"end": ("when", when)},
    markup={"severity": _severity},
    status_detail={"resolved": lambda c: f", ended {c.end_date}", "active": _reopened},
)
