"""The day's judgement and advice, as stored with it: by Khepri now, by rubric version 1, or by the app.

Everything shown is read from ``ai_recommendation``
(:func:`~khepri_cli.domain.recommendation.read_recommendation`), so an old
day looks the way it was judged. The panel is a list of :class:`Part`
values, drawn in a coloured box on a terminal and as plain lines when piped
(one fact per line, ``Heading: value`` or ``Heading:`` and indented lines).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, NamedTuple

from khepri_cli.domain import recommendation as rec
from khepri_cli.render.console import LIGHT_STYLE, cell, console, is_terminal, one_line, out
from khepri_cli.render.console import light as light_cell
from khepri_cli.schema.rules import number_text

DASH = "—"


class Part(NamedTuple):
    heading: str
    inline: str | None = None  # ``Heading: inline`` on one line
    lines: tuple[str, ...] = ()  # or indented lines under ``Heading:``
    signs: tuple[tuple[str, str], ...] = ()  # (light, reason) lines


def describe_constraint(constraint: Any) -> tuple[str, str]:
    """(kind, one line) for an injury, travel or availability constraint."""
    kind, text = constraint.constraint_type, constraint.title
    if kind == "injury":
        where = (constraint.injury_body_part or "").replace("_", " ")
        detail = [part for part in (where, constraint.injury_severity) if part]
        text += f" ({', '.join(detail)})" if detail else ""
        if constraint.injury_restrictions:
            text += "; avoid " + ", ".join(
                r.replace("_", " ") for r in constraint.injury_restrictions
            )
    elif kind == "travel":
        text += f" in {constraint.travel_destination}" if constraint.travel_destination else ""
        if constraint.travel_equipment_available:
            text += "; equipment: " + ", ".join(constraint.travel_equipment_available)
        if constraint.travel_facilities_available:
            text += "; facilities: " + ", ".join(constraint.travel_facilities_available)
    elif kind == "availability":
        if constraint.availability_hours_per_week is not None:
            text += f"; {number_text(constraint.availability_hours_per_week)} h/week"
        if constraint.availability_days_available:
            text += " on " + ", ".join(constraint.availability_days_available)
    ended = f"; since {constraint.start_date}, ongoing"
    if constraint.end_date is not None:
        ended = f"; {constraint.start_date} to {constraint.end_date}"
    return kind, text + ended


def _form(view: rec.RecommendationView) -> str:
    text = view.load_line or "no training logged yet"
    return text.removeprefix("form: ").removeprefix("form ")


def _plan(view: rec.RecommendationView) -> str:
    if view.plan_line is None:
        return "none for today (make one with 'khepri plans create --goal ID')"
    return f"{view.plan_title}, {view.plan_line}" if view.plan_title else view.plan_line


def _app_today(view: rec.RecommendationView) -> str:
    detail = [part for part in (view.intensity, _minutes(view.duration)) if part]
    return f"{view.advice or DASH}" + (f" ({', '.join(detail)})" if detail else "")


def _minutes(duration: float | None) -> str:
    return "" if duration is None else f"{duration:g} min"


def _app_parts(view: rec.RecommendationView, today_heading: str) -> list[Part]:
    found = [Part("Summary", view.summary or DASH), Part(today_heading, _app_today(view))]
    found += [Part("Notes", view.notes)] if view.notes else []
    if view.is_local_fallback:
        found.append(Part("Made by", "the app's local fallback, without its coach"))
    return found


def _khepri_parts(view: rec.RecommendationView, today_heading: str) -> list[Part]:
    found = [Part("Why", signs=tuple((sign.level, sign.reason) for sign in view.signs))]
    if view.origin == rec.KHEPRI_V1:
        baseline = "; ".join(view.baseline_lines)
        return [*found, Part(today_heading, view.advice or DASH), Part("Baseline", baseline)]
    return [
        *found,
        Part("Normal range", lines=view.baseline_lines),
        Part("Form", _form(view)),
        Part("Plan", _plan(view)),
        Part(today_heading, view.advice or DASH),
        Part("Because", lines=view.reasons),
    ]


def _constraints_part(constraints: list[Any]) -> Part:
    described = [describe_constraint(c) for c in constraints]
    width = max((len(kind) for kind, _ in described), default=0)
    lines = tuple(f"{kind.ljust(width)}  {text}" for kind, text in described)
    return Part("Active constraints", None if lines else "none", lines)


def parts(
    view: rec.RecommendationView, constraints: list[Any] | None, today_heading: str = "Today"
) -> list[Part]:
    """What the panel says, in order, for a Khepri (v2 or v1) or an app recommendation.

    ``today_heading`` heads the advice: "Today" for today, "Advice for DATE" otherwise.
    """
    make = _app_parts if view.origin == rec.APP else _khepri_parts
    found = make(view, today_heading)
    return found if constraints is None else [*found, _constraints_part(constraints)]


def _title(day: date, view: rec.RecommendationView) -> str:
    if view.origin == rec.APP:
        return f"Recommendation for {day} from the Khepri app"
    return f"Readiness for {day}"


def _plain(day: date, view: rec.RecommendationView, found: list[Part]) -> None:
    head = _title(day, view) + ("" if view.origin == rec.APP else f": {view.readiness}")
    lines = [head]
    for part in found:
        if part.inline is not None:
            lines.append(f"{part.heading}: {part.inline}")
            continue
        if not part.lines and not part.signs:
            continue
        lines.append(f"{part.heading}:")
        width = max((len(level) for level, _ in part.signs), default=0)
        lines += [f"  {level.ljust(width)}  {reason}" for level, reason in part.signs]
        lines += [f"  {text}" for text in part.lines]
    out("\n".join(one_line(line) for line in lines))


def _rich(day: date, view: rec.RecommendationView, found: list[Part], heading: str) -> None:
    from rich.panel import Panel

    escape = cell  # controls escaped too, not only markup

    lead = view.advice or view.summary or DASH
    lines = [f"{light_cell(view.readiness)}  {escape(lead)}"]
    for part in found:
        if part.heading == heading and view.origin != rec.APP:
            continue  # the first line says it
        if part.inline is not None:
            lines += ["", f"[bold]{part.heading}[/]  {escape(part.inline)}"]
            continue
        lines += ["", f"[bold]{part.heading}[/]"]
        width = max((len(level) for level, _ in part.signs), default=0)
        lines += [
            f"  {light_cell(level)}{' ' * (width - len(level))}  {escape(reason)}"
            for level, reason in part.signs
        ]
        lines += [f"  {escape(text)}" for text in part.lines]
        if not part.lines and not part.signs:
            lines.append("  [dim]nothing to judge yet[/]")
    style = LIGHT_STYLE.get(view.readiness, "dim")
    box = Panel("\n".join(lines), title=_title(day, view), title_align="left", border_style=style)
    console().print(box, width=min(console().width, 100))


def readiness_panel(
    day: date, recommendation: Any, constraints: list[Any] | None, today: date | None = None
) -> None:
    """The day's light, every reason, the baseline, form, plan and advice, and the constraints.

    The advice is headed "Today" only when ``day`` is ``today``.
    """
    view = rec.read_recommendation(recommendation)
    heading = "Today" if day == today else f"Advice for {day}"
    if view.origin == rec.NONE:
        out("Readiness: not judged (no stored assessment for this day).")
    elif view.origin == rec.OTHER:
        text = json.dumps(recommendation, ensure_ascii=False, sort_keys=True)
        out(one_line(f"Stored recommendation (not from the Khepri rubric): {text}"))
    elif is_terminal():
        _rich(day, view, parts(view, constraints, heading), heading)
    else:
        _plain(day, view, parts(view, constraints, heading))


def judged_line(recommendation: Any, generated_at: str | None) -> str:
    """Who judged the day and when: the Khepri rubric (with its version) or the app."""
    view = rec.read_recommendation(recommendation)
    when = view.generated_at or generated_at or "?"
    if view.origin in (rec.KHEPRI, rec.KHEPRI_V1):
        version = "?" if view.rubric_version is None else view.rubric_version
        return f"Judged at {when} by the Khepri readiness rubric, version {version}."
    if view.origin == rec.APP:
        return f"Written by the Khepri app at {when}; Khepri did not judge this day."
    return ""


def light_of(recommendation: Any) -> str:
    """The day's light as stored (``unknown`` for a day Khepri did not judge)."""
    return rec.read_recommendation(recommendation).readiness
