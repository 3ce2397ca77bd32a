"""Showing check-ins: the readiness panel, one day in full, and the list of recent days.

Everything shown about readiness is read from the assessment stored with the
day (``ai_recommendation``), so an old day looks the way it was judged, even
after the rubric changes. rich is imported only when drawing on a terminal.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from khepri_cli.domain import forms
from khepri_cli.render.console import (
    LIGHT_STYLE,
    console,
    is_terminal,
    out,
    print_fields,
    print_table,
    say,
)
from khepri_cli.render.console import light as light_cell
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


# --- what a stored assessment says -------------------------------------------------------


def _level(recommendation: Any) -> str | None:
    if isinstance(recommendation, dict) and isinstance(recommendation.get("readiness"), str):
        return recommendation["readiness"]
    return None


def _reasons(recommendation: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for sign in recommendation.get("signs") or []:
        if isinstance(sign, dict):
            found.append((str(sign.get("level", "unknown")), str(sign.get("reason", ""))))
    return found


def baseline_lines(recommendation: dict[str, Any]) -> list[str]:
    """The athlete's normal the day was compared with, and where it came from."""
    from khepri_cli.domain.readiness import RUBRIC  # the rubric: not for a list of days

    base = recommendation.get("baseline") or {}
    need = (
        f"needs {RUBRIC.baseline_min_checkins} check-ins with it in the "
        f"{RUBRIC.baseline_days} days before"
    )
    if base.get("resting_hr") is not None:
        source = base.get("resting_hr_source") or "source unknown"
        rhr = f"resting HR {base['resting_hr']:g} bpm, {source}"
    else:
        rhr = f"resting HR: no normal yet ({need}, or set 'khepri profile set --resting-hr')"
    if base.get("hrv_ms") is not None:
        source = base.get("hrv_source") or "source unknown"
        hrv = f"HRV {base['hrv_ms']:g} ms, {source}"
    else:
        hrv = f"HRV: no normal yet ({need})"
    return [rhr, hrv]


def describe_constraint(constraint: Any) -> tuple[str, str]:
    """(kind, one line) for an injury, travel or availability constraint."""
    kind = constraint.constraint_type
    text = constraint.title
    if kind == "injury":
        detail = [
            part
            for part in (
                (constraint.injury_body_part or "").replace("_", " "),
                constraint.injury_severity,
            )
            if part
        ]
        if detail:
            text += f" ({', '.join(detail)})"
        if constraint.injury_restrictions:
            text += "; avoid " + ", ".join(
                r.replace("_", " ") for r in constraint.injury_restrictions
            )
    elif kind == "travel":
        if constraint.travel_destination:
            text += f" in {constraint.travel_destination}"
        if constraint.travel_equipment_available:
            text += "; equipment: " + ", ".join(constraint.travel_equipment_available)
        if constraint.travel_facilities_available:
            text += "; facilities: " + ", ".join(constraint.travel_facilities_available)
    elif kind == "availability":
        if constraint.availability_hours_per_week is not None:
            text += f"; {constraint.availability_hours_per_week:g} h/week"
        if constraint.availability_days_available:
            text += " on " + ", ".join(constraint.availability_days_available)
    if constraint.end_date is None:
        text += f"; since {constraint.start_date}, ongoing"
    else:
        text += f"; {constraint.start_date} to {constraint.end_date}"
    return kind, text


# --- the readiness panel -----------------------------------------------------------------


def readiness_panel(day: date, recommendation: Any, constraints: list[Any] | None) -> None:
    """The day's light, every reason, the advice, the baseline and (optionally) constraints."""
    if _level(recommendation) is None:
        _foreign_recommendation(recommendation)
        return
    if is_terminal():
        _rich_panel(day, recommendation, constraints)
        return
    level = recommendation["readiness"]
    lines = [f"Readiness for {day}: {level}"]
    reasons = _reasons(recommendation)
    if reasons:
        lines.append("Why:")
        width = max(len(lvl) for lvl, _ in reasons)
        lines += [f"  {lvl.ljust(width)}  {reason}" for lvl, reason in reasons]
    lines.append(f"Today: {recommendation.get('advice') or DASH}")
    rhr, hrv = baseline_lines(recommendation)
    lines.append(f"Baseline: {rhr}; {hrv}")
    if constraints is not None:
        if constraints:
            lines.append("Active constraints:")
            described = [describe_constraint(c) for c in constraints]
            width = max(len(kind) for kind, _ in described)
            lines += [f"  {kind.ljust(width)}  {text}" for kind, text in described]
        else:
            lines.append("Active constraints: none")
    out("\n".join(lines))


def _rich_panel(day: date, recommendation: dict[str, Any], constraints: list[Any] | None) -> None:
    from rich.markup import escape
    from rich.panel import Panel

    level = recommendation["readiness"]
    lines = [
        f"{light_cell(level)}  {escape(recommendation.get('advice') or DASH)}",
        "",
        "[bold]Why[/]",
    ]
    reasons = _reasons(recommendation)
    width = max((len(lvl) for lvl, _ in reasons), default=0)
    lines += [
        f"  {light_cell(lvl)}{' ' * (width - len(lvl))}  {escape(reason)}"
        for lvl, reason in reasons
    ] or ["  [dim]nothing to judge yet[/]"]
    lines += ["", "[bold]Baseline[/]"]
    lines += [f"  {escape(text)}" for text in baseline_lines(recommendation)]
    if constraints is not None:
        lines += ["", "[bold]Active constraints[/]"]
        described = [describe_constraint(c) for c in constraints]
        lines += [f"  [cyan]{kind}[/]  {escape(text)}" for kind, text in described] or [
            "  [dim]none[/]"
        ]
    console().print(
        Panel(
            "\n".join(lines),
            title=f"Readiness for {day}",
            title_align="left",
            border_style=LIGHT_STYLE.get(level, "dim"),
            expand=False,
        )
    )


def _foreign_recommendation(recommendation: Any) -> None:
    if recommendation is None:
        out("Readiness: not judged (no stored assessment for this day).")
        return
    text = json.dumps(recommendation, ensure_ascii=False, sort_keys=True)
    out(f"Stored recommendation (not from the Khepri rubric): {text}")


# --- one day in full ---------------------------------------------------------------------


def _num(value: Any, suffix: str = "") -> str:
    if value is None:
        return DASH
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{shown}{suffix}"


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


def _judged_line(checkin: Any) -> str:
    recommendation = checkin.ai_recommendation
    if _level(recommendation) is None:
        return ""
    version = recommendation.get("rubric_version", "?")
    when = recommendation.get("generated_at") or checkin.ai_recommendation_generated_at or "?"
    return f"Judged at {when} by the Khepri readiness rubric, version {version}."


def show_checkin(checkin: Any, units: str) -> None:
    """One day: the values entered, then the assessment stored that day (never re-judged)."""
    title = f"Check-in for {checkin.checkin_date}"
    if not is_terminal():
        out(title)
    print_fields(title, day_values(checkin, units))
    if not is_terminal():
        out()
    readiness_panel(checkin.checkin_date, checkin.ai_recommendation, None)
    judged = _judged_line(checkin)
    if judged and is_terminal():
        from rich.markup import escape

        console().print(f"[dim]{escape(judged)}[/]")
    elif judged:
        out(judged)


# --- the list ----------------------------------------------------------------------------


def _sleep_cell(checkin: Any) -> str:
    parts = []
    if checkin.sleep_hours is not None:
        parts.append(f"{checkin.sleep_hours:g} h")
    if checkin.sleep_quality is not None:
        parts.append(f"q{checkin.sleep_quality}")
    return " ".join(parts) or DASH


def checkins_table(checkins: list[Any], since: date | None, until: date) -> None:
    headers = ["date", "light", "sleep", "energy", "stress", "soreness", "RHR", "HRV", "response"]
    rows = [
        [
            str(c.checkin_date),
            light_cell(_level(c.ai_recommendation)),
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
    print_table(f"Check-ins {span}", headers, rows, empty=f"No check-ins {span}.")
