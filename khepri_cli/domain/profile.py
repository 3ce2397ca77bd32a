"""The athlete profile's fields as people type and read them.

One table (:data:`PROFILE_FIELDS`) drives the flags of ``init``/``profile set``,
the interactive prompts and the profile view, so the three never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from khepri_cli.domain import units as u
from khepri_cli.errors import InvalidInput


def _whole(field: str, low: int, high: int, what: str) -> Callable[[str, str], int]:
    def parse(text: str, _units: str) -> int:
        try:
            value = int(str(text).strip())
        except ValueError:
            raise InvalidInput(field, text, f"use a whole number of {what}") from None
        if not low <= value <= high:
            raise InvalidInput(field, text, f"must be between {low} and {high} {what}")
        return value

    return parse


def _dob(text: str, _units: str) -> date:
    day = u.parse_date(text, date.today(), "--dob")
    if not date(1900, 1, 1) <= day <= date.today():
        raise InvalidInput("--dob", text, "must be a date between 1900-01-01 and today")
    return day


def _units(text: str, _units: str) -> str:
    value = str(text).strip().lower()
    if value not in u.UNIT_SYSTEMS:
        raise InvalidInput("--units", text, "must be metric or imperial")
    return value


def _timezone(text: str, _units: str) -> str:
    from khepri_cli.domain.clock import is_valid_timezone

    value = str(text).strip()
    if not is_valid_timezone(value):
        raise InvalidInput(
            "--timezone", text, "must be an IANA time zone name, e.g. Europe/London or UTC"
        )
    return value


def _checkin_time(text: str, _units: str) -> str:
    import re

    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", str(text).strip())
    if (
        not match
        or int(match.group(1)) > 23
        or int(match.group(2)) > 59
        or int(match.group(3) or 0) > 59
    ):
        raise InvalidInput("--checkin-time", text, "use a 24-hour time HH:MM, e.g. 06:30")
    return f"{int(match.group(1)):02d}:{match.group(2)}:{match.group(3) or '00'}"


def _name(text: str, _units: str) -> str:
    value = str(text).strip()
    if not value:
        raise InvalidInput("--name", text, "must not be empty")
    return value


@dataclass(frozen=True)
class ProfileField:
    column: str
    flag: str
    label: str
    parse: Callable[[str, str], Any]
    show: Callable[[Any, str], str]
    help: str


def _plain(value: Any, _units: str) -> str:
    return "—" if value is None else str(value)


def _with(suffix: str) -> Callable[[Any, str], str]:
    return lambda value, _units: "—" if value is None else f"{value} {suffix}"


PROFILE_FIELDS: tuple[ProfileField, ...] = (
    ProfileField(
        "display_name", "--name", "Name", _name, _plain, "Your name, e.g. 'Ada Lovelace'."
    ),
    ProfileField("preferred_units", "--units", "Units", _units, _plain, "metric or imperial."),
    ProfileField(
        "timezone",
        "--timezone",
        "Time zone",
        _timezone,
        _plain,
        "IANA time zone for your days, e.g. Europe/London.",
    ),
    ProfileField(
        "date_of_birth", "--dob", "Date of birth", _dob, _plain, "YYYY-MM-DD, e.g. 1990-04-12."
    ),
    ProfileField(
        "weight_kg",
        "--weight",
        "Weight",
        lambda t, un: u.parse_weight(t, un, "--weight"),
        lambda v, un: u.format_weight(v, un),
        "Body weight in your units (kg or lb), e.g. 70.5.",
    ),
    ProfileField(
        "height_cm",
        "--height",
        "Height",
        lambda t, un: u.parse_height(t, un, "--height"),
        lambda v, un: u.format_height(v, un),
        "Height in cm (or 5'10\" when imperial).",
    ),
    ProfileField(
        "ftp_watts",
        "--ftp",
        "FTP",
        _whole("--ftp", 1, 2500, "watts"),
        _with("W"),
        "Functional threshold power in watts, e.g. 250.",
    ),
    ProfileField(
        "running_threshold_pace_sec_per_km",
        "--threshold-pace",
        "Threshold pace",
        lambda t, un: u.parse_run_pace(t, un, "--threshold-pace"),
        lambda v, un: u.format_run_pace(v, un),
        "Running threshold pace per km (per mile when imperial), e.g. 4:30.",
    ),
    ProfileField(
        "css_sec_per_100m",
        "--css",
        "CSS",
        lambda t, un: u.parse_swim_pace(t, un, "--css"),
        lambda v, un: u.format_swim_pace(v, un),
        "Critical swim speed per 100 m (per 100 yd when imperial), e.g. 1:35.",
    ),
    ProfileField(
        "resting_heart_rate",
        "--resting-hr",
        "Resting HR",
        _whole("--resting-hr", 20, 250, "bpm"),
        _with("bpm"),
        "Resting heart rate in bpm, e.g. 48.",
    ),
    ProfileField(
        "max_heart_rate",
        "--max-hr",
        "Max HR",
        _whole("--max-hr", 20, 250, "bpm"),
        _with("bpm"),
        "Maximum heart rate in bpm, e.g. 188.",
    ),
    ProfileField(
        "lthr",
        "--lthr",
        "LTHR",
        _whole("--lthr", 20, 250, "bpm"),
        _with("bpm"),
        "Lactate threshold heart rate in bpm, e.g. 168.",
    ),
    ProfileField(
        "daily_checkin_time",
        "--checkin-time",
        "Check-in time",
        _checkin_time,
        lambda v, _un: "—" if v is None else str(v)[:5],
        "When you check in each day, HH:MM.",
    ),
)

FIELD_BY_COLUMN = {f.column: f for f in PROFILE_FIELDS}
FLAG_LABELS = {f.column: f.flag for f in PROFILE_FIELDS}


def parse_profile_flags(given: dict[str, str | None], current_units: str) -> dict[str, Any]:
    """Flag texts keyed by column -> canonical column values.

    Units are read first, so ``--units imperial --weight 160`` means 160 lb.
    """
    changes: dict[str, Any] = {}
    if given.get("preferred_units") is not None:
        changes["preferred_units"] = _units(given["preferred_units"], current_units)
    units = changes.get("preferred_units", current_units)
    for field in PROFILE_FIELDS:
        text = given.get(field.column)
        if text is None or field.column in changes:
            continue
        changes[field.column] = field.parse(text, units)
    return changes


def profile_view(athlete: Any) -> list[tuple[str, str]]:
    """(label, value in the athlete's units) for every profile field."""
    units = athlete.units
    return [(f.label, f.show(getattr(athlete, f.column), units)) for f in PROFILE_FIELDS]


def local_timezone_name() -> str:
    """This machine's IANA time zone if it can be told, else UTC (a default for new profiles)."""
    import os

    from khepri_cli.domain.clock import is_valid_timezone

    candidate = os.environ.get("TZ", "").lstrip(":")
    if candidate and is_valid_timezone(candidate):
        return candidate
    try:
        target = os.path.realpath("/etc/localtime")
        marker = "zoneinfo/"
        if marker in target:
            name = target.split(marker, 1)[1]
            if is_valid_timezone(name):
                return name
    except OSError:
        pass
    return "UTC"
