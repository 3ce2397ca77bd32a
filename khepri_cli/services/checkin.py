"""The morning check-in: read what the athlete typed, save the day, judge its readiness.

One table (:data:`CHECKIN_FIELDS`) drives both the flags and the interactive
prompts, so they accept exactly the same values. Every value is checked by
the contract's rules (:mod:`khepri_cli.domain.rules`, the same rules the
``DailyCheckin`` model and the table's CHECKs carry), with the flag's name in
the message, before anything is written.

``khepri checkin`` must start fast, so this module imports no pydantic model
at the top: the check-in itself works on plain rows (``db/repo_checkins``);
respond, show, list and delete import the models inside their functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from khepri_cli.db import repo_checkins as repo
from khepri_cli.db.connection import Journal
from khepri_cli.db.repo_constraints import ConstraintView, active_constraints
from khepri_cli.domain import readiness
from khepri_cli.domain import units as u
from khepri_cli.domain.clock import now_timestamp
from khepri_cli.domain.rules import CHOICES, SORENESS_AREAS, check_value
from khepri_cli.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from khepri_cli.models.checkin import DailyCheckin

TABLE = "daily_checkins"
USER_RESPONSES: tuple[str, ...] = CHOICES[TABLE]["user_response"]

LABELS: dict[str, str] = {
    "checkin_date": "--date",
    "sleep_hours": "--sleep-hours",
    "sleep_quality": "--sleep-quality",
    "energy_level": "--energy",
    "stress_level": "--stress",
    "overall_soreness": "--soreness",
    "soreness_areas": "--sore",
    "resting_hr": "--resting-hr",
    "hrv_ms": "--hrv",
    "weight_kg": "--weight",
    "available_time_minutes": "--available-minutes",
    "equipment_access": "--equipment",
    "travel_status": "--travel",
    "notes": "--notes",
    "user_response": "response",
    "user_response_notes": "--notes",
}
"""daily_checkins column -> what the user typed, so messages name the flag."""

DEFAULT_LIST_DAYS = 14
"""``khepri checkins`` without a range shows this many days, ending today."""


def _checked(column: str, value: Any, typed: str) -> Any:
    """``value`` in canonical form by the column's rule; the error shows what was typed."""
    try:
        return check_value(TABLE, column, value)
    except ValueError as exc:
        raise InvalidInput(LABELS[column], typed, str(exc)) from None


def _number(text: str) -> float | str:
    """The number in ``text`` (``7``, ``7.5``, ``7,5``), or the text itself for the rule to refuse."""
    try:
        value = float(str(text).strip().replace(",", "."))
    except ValueError:
        return text
    if value != value or value in (float("inf"), float("-inf")):
        return text
    return value


def _numeric(column: str) -> Callable[[str, str], Any]:
    return lambda text, _units: _checked(column, _number(text), text)


_HOURS_MINUTES = re.compile(r"(\d{1,2}):([0-5]\d)")


def _sleep_hours(text: str, _units: str) -> float:
    raw = text.strip()
    if ":" in raw:
        match = _HOURS_MINUTES.fullmatch(raw)
        if not match:
            raise InvalidInput(
                "--sleep-hours", text, "use hours such as 7.5 or hours:minutes such as 7:30"
            )
        return _checked("sleep_hours", int(match[1]) + int(match[2]) / 60, text)
    return _checked("sleep_hours", _number(raw), text)


def _minutes(text: str, _units: str) -> int:
    match = _HOURS_MINUTES.fullmatch(text.strip())
    if match:
        return _checked("available_time_minutes", int(match[1]) * 60 + int(match[2]), text)
    return _checked("available_time_minutes", _number(text), text)


def _weight(text: str, units: str) -> float:
    return _checked("weight_kg", u.parse_weight(text, units, "--weight"), text)


def _equipment(text: str, _units: str) -> list[str]:
    items = u.parse_list(text)
    if items == ["none"]:
        return []
    if not items:
        raise InvalidInput(
            "--equipment", text, "list what you have, separated by commas, e.g. bike_trainer,pool"
        )
    return items


def _travel(text: str, _units: str) -> str:
    return _checked("travel_status", text.strip().lower(), text)


def _notes(text: str, _units: str) -> str | None:
    return text.strip() or None


SORE_ALLOWED = (
    f"use AREA=N with AREA one of {', '.join(SORENESS_AREAS)} and N a whole number "
    "from 1 to 10 (0 clears the area), e.g. legs=6"
)


def parse_sore(text: str, _units: str = u.METRIC) -> dict[str, int]:
    """``legs=6, back=3`` -> ``{"legs": 6, "back": 3}``; a score of 0 means "clear this area"."""
    areas: dict[str, int] = {}
    items = [item.strip() for item in str(text).split(",") if item.strip()]
    if not items:
        raise InvalidInput("--sore", text, SORE_ALLOWED)
    for item in items:
        area, sep, score = item.partition("=")
        area = area.strip().lower()
        if not sep or area not in SORENESS_AREAS:
            raise InvalidInput("--sore", item, SORE_ALLOWED)
        try:
            value = int(score.strip())
        except ValueError:
            raise InvalidInput("--sore", item, SORE_ALLOWED) from None
        if not 0 <= value <= 10:
            raise InvalidInput("--sore", item, SORE_ALLOWED)
        areas[area] = value
    return areas


def _typed_number(value: Any, _units: str) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _typed_weight(kg: float, units: str) -> str:
    return f"{round(kg / u.KG_PER_LB, 1):g}" if units == u.IMPERIAL else f"{kg:g}"


def _typed_sore(areas: dict[str, int], _units: str) -> str:
    return ", ".join(f"{area}={score}" for area, score in areas.items())


def _typed_list(items: list[str], _units: str) -> str:
    return ",".join(items) if items else "none"


class CheckinField(NamedTuple):
    """One value of the check-in: its column, flag, prompt and how it is read and re-typed."""

    column: str
    prompt: str
    parse: Callable[[str, str], Any]
    typed: Callable[[Any, str], str] = _typed_number

    @property
    def flag(self) -> str:
        return LABELS[self.column]


CHECKIN_FIELDS: tuple[CheckinField, ...] = (
    CheckinField("sleep_hours", "Sleep hours (e.g. 7.5 or 7:30)", _sleep_hours),
    CheckinField("sleep_quality", "Sleep quality (1-10)", _numeric("sleep_quality")),
    CheckinField("energy_level", "Energy (1-10)", _numeric("energy_level")),
    CheckinField("stress_level", "Stress (1-10)", _numeric("stress_level")),
    CheckinField("overall_soreness", "Overall soreness (1-10)", _numeric("overall_soreness")),
    CheckinField(
        "soreness_areas",
        f"Sore areas, AREA=N ({', '.join(SORENESS_AREAS)}; e.g. legs=6, back=3)",
        parse_sore,
        _typed_sore,
    ),
    CheckinField("resting_hr", "Resting HR (bpm)", _numeric("resting_hr")),
    CheckinField("hrv_ms", "HRV (ms)", _numeric("hrv_ms")),
    CheckinField("weight_kg", "Weight", _weight, _typed_weight),
    CheckinField("available_time_minutes", "Minutes available to train", _minutes),
    CheckinField(
        "equipment_access",
        "Equipment (comma-separated, e.g. bike_trainer,pool; 'none')",
        _equipment,
        _typed_list,
    ),
    CheckinField("travel_status", "Travel (home, traveling, returning)", _travel, str),
    CheckinField("notes", "Notes", _notes, str),
)
FIELD_BY_COLUMN = {f.column: f for f in CHECKIN_FIELDS}


def prompt_label(field: CheckinField, units: str) -> str:
    if field.column == "weight_kg":
        return f"Weight ({'lb' if units == u.IMPERIAL else 'kg'})"
    return field.prompt


def parse_checkin_flags(
    given: dict[str, str], sore: list[str] | None, units: str
) -> dict[str, Any]:
    """Flag texts keyed by column (plus the repeated ``--sore`` values) -> column values."""
    values: dict[str, Any] = {}
    for field in CHECKIN_FIELDS:
        if field.column in given:
            values[field.column] = field.parse(given[field.column], units)
    if sore:
        areas: dict[str, int] = {}
        for text in sore:
            areas.update(parse_sore(text))
        values["soreness_areas"] = areas
    return values


def checkin_day(text: str | None, today: date) -> date:
    """The day a check-in is for: ``--date`` (YYYY-MM-DD, today, yesterday) or today."""
    if text is None:
        return today
    day = u.parse_date(text, today, "--date")
    if day > today:
        raise InvalidInput(
            "--date", text, f"a check-in cannot be for a future day (today is {today})"
        )
    return day


class CheckinResult(NamedTuple):
    row: dict[str, Any]  # the day's check-in as stored: plain column values, JSON decoded
    constraints: list[ConstraintView]
    created: bool


def _merge_areas(stored: dict[str, Any] | None, given: dict[str, int]) -> dict[str, Any] | None:
    areas = {**(stored or {}), **given}
    areas = {area: score for area, score in areas.items() if score != 0}
    return areas or None


def check_in(
    journal: Journal, athlete: repo.CheckinAthlete, day: date, values: dict[str, Any]
) -> CheckinResult:
    """Save the day's check-in and its readiness, in one transaction.

    ``values`` come from :func:`parse_checkin_flags` or the prompts, already
    checked. A second check-in for the same day updates that day's row: the
    values given replace the stored ones, the others are kept (sore areas
    are merged area by area), and the merged day is judged again.
    """
    with journal.transaction() as conn:
        existing = repo.checkin_row(conn, athlete.id, day)
        changes = dict(values)
        if "soreness_areas" in changes:
            stored = existing.get("soreness_areas") if existing else None
            changes["soreness_areas"] = _merge_areas(stored, changes["soreness_areas"])
        if existing is None:
            row = {"athlete_id": athlete.id, "checkin_date": day.isoformat(), **changes}
        else:
            row = {**existing, **changes}

        constraints = active_constraints(conn, athlete.id, day)
        rubric = readiness.RUBRIC
        recent_hr, recent_hrv = repo.recent_vitals(conn, athlete.id, day, rubric.baseline_days)
        baseline = readiness.baseline_from(recent_hr, recent_hrv, athlete.resting_heart_rate)
        injuries = readiness.injuries_on(day, constraints)
        assessment = readiness.assess(row, baseline, injuries)
        stamp = now_timestamp()
        row["ai_recommendation"] = assessment.to_recommendation(stamp)
        row["ai_recommendation_generated_at"] = stamp
        save = repo.insert_row if existing is None else repo.update_row
        row = save(conn, row)
    return CheckinResult(row, constraints, created=existing is None)


def parse_response(text: str) -> str:
    value = text.strip().lower()
    if value not in USER_RESPONSES:
        raise InvalidInput("response", text, f"must be one of {', '.join(USER_RESPONSES)}")
    return value


def respond(
    journal: Journal, athlete_id: str, day: date, response: str, notes: str | None
) -> DailyCheckin:
    """Record the athlete's answer to the day's advice; it replaces an earlier answer and notes."""
    from khepri_cli.db import records

    with journal.transaction() as conn:
        checkin = repo.get_checkin(conn, athlete_id, day)
        if checkin is None:
            raise NotFound(
                f"no check-in on {day}; check in first with 'khepri checkin --date {day}'"
            )
        changes = {"user_response": response, "user_response_notes": (notes or "").strip() or None}
        return records.update(conn, checkin.merged(changes, LABELS))


def _not_found(day: date) -> NotFound:
    return NotFound(f"no check-in on {day} (list them with 'khepri checkins')")


def require_checkin(journal: Journal, athlete_id: str, day: date) -> DailyCheckin:
    checkin = repo.get_checkin(journal.conn, athlete_id, day)
    if checkin is None:
        raise _not_found(day)
    return checkin


def delete_checkin(journal: Journal, athlete_id: str, day: date) -> None:
    from khepri_cli.db import records

    with journal.transaction() as conn:
        checkin = repo.get_checkin(conn, athlete_id, day)
        if checkin is None:
            raise _not_found(day)
        records.delete(conn, "daily_checkins", checkin.id)


class ListRange(NamedTuple):
    since: date | None
    until: date
    limit: int | None


def list_range(since: str | None, until: str | None, limit: str | None, today: date) -> ListRange:
    """The days ``khepri checkins`` shows: the last 14 ending today unless told otherwise.

    ``--limit`` without ``--since`` means "the N most recent", however old.
    """
    end = u.parse_date(until, today, "--until") if until is not None else today
    count = None
    if limit is not None:
        try:
            count = int(limit.strip())
        except ValueError:
            count = 0
        if count < 1:
            raise InvalidInput("--limit", limit, "must be a whole number of at least 1")
    if since is not None:
        start = u.parse_date(since, today, "--since")
        if start > end:
            raise InvalidInput("--since", since, f"must be on or before the --until day {end}")
    elif count is not None:
        start = None
    else:
        start = end - timedelta(days=DEFAULT_LIST_DAYS - 1)
    return ListRange(start, end, count)


def recent_checkins(journal: Journal, athlete_id: str, days: ListRange) -> list[DailyCheckin]:
    return repo.list_checkins(
        journal.conn, athlete_id, since=days.since, until=days.until, limit=days.limit
    )
