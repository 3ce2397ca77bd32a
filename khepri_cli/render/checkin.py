"""Showing check-ins: one day in full, the list of recent days, and the messages.

The day's judgement and advice are drawn by :mod:`khepri_cli.render.recommendation`
from what is stored with the day, so an old day looks the way it was judged,
even after the rubric changes. rich is imported only when drawing on a terminal.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from khepri_cli.domain import forms
from khepri_cli.render.console import (
    cell,
    console,
    is_terminal,
    out,
    print_fields,
    print_table,
    say,
)
from khepri_cli.render.console import light as light_cell
from khepri_cli.render.recommendation import judged_line, light_of, readiness_panel
from khepri_cli.schema.rules import number_text
from khepri_cli.schema.tables import DAILY_CHECKINS

DASH = "—"


def saved(day: date, created: bool) -> None:
    say(f"Saved check-in for {day}" if created else f"Updated check-in for {day}")


def responded(day: date, response: str) -> None:
    say(f"Recorded your response for {day}: {response}")


def deleted(day: date) -> None:
    say(f"Deleted check-in for {day}")


def kept(day: date) -> None:
    say(f"Kept the check-in for {day}; nothing deleted.")


# --- one day in full ---------------------------------------------------------------------


def _num(value: Any, suffix: str = "") -> str:
    if value is None:
        return DASH
    return f"{number_text(value)}{suffix}"


def day_values(checkin: Any, units: str) -> list[tuple[str, str]]:
    """(label, value) for everything the athlete entered that day, in the order asked."""
    rows = [
        (column.label or column.name, forms.show(column, checkin.get(column.name), units))
        for column in (DAILY_CHECKINS.column(name) for name in DAILY_CHECKINS.entry)
    ]
    return [*rows, ("Response", _response(checkin))]


def _response(checkin: Any) -> str:
    if checkin.user_response is None:
        return DASH
    if checkin.user_response_notes:
        return f"{checkin.user_response} ({checkin.user_response_notes})"
    return checkin.user_response


def show_checkin(checkin: Any, units: str) -> None:
    """One day: the values entered, then the assessment stored that day (never re-judged)."""
    title = f"Check-in for {checkin.checkin_date}"
    if not is_terminal():
        out(title)
    print_fields(title, day_values(checkin, units))
    if not is_terminal():
        out()
    readiness_panel(checkin.checkin_date, checkin.ai_recommendation, None)
    judged = judged_line(checkin.ai_recommendation, checkin.ai_recommendation_generated_at)
    if judged and is_terminal():
        console().print(f"[dim]{cell(judged)}[/]")
    elif judged:
        out(judged)


# --- the list ----------------------------------------------------------------------------


def _sleep_cell(checkin: Any) -> str:
    parts = []
    if checkin.sleep_hours is not None:
        parts.append(f"{number_text(checkin.sleep_hours)} h")
    if checkin.sleep_quality is not None:
        parts.append(f"q{checkin.sleep_quality}")
    return " ".join(parts) or DASH


def checkins_table(checkins: list[Any], since: date | None, until: date) -> None:
    headers = ["date", "light", "sleep", "energy", "stress", "soreness", "RHR", "HRV", "response"]
    rows = [
        [
            str(c.checkin_date),
            light_cell(light_of(c.ai_recommendation)),
            _sleep_cell(c),
            _num(c.energy_level),
            _num(c.stress_level),
            _num(c.overall_soreness),
            _num(c.resting_hr),
            _num(c.hrv_ms),
            c.user_response or DASH,
        ]
        for c in checkins
    ]
    span = f"from {since} to {until}" if since is not None else f"up to {until}"
    print_table(
        f"Check-ins {span}", headers, rows, names=(8,), whole=(1,), empty=f"No check-ins {span}."
    )
