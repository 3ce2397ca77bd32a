"""Human forms of paces, durations, weights and dates, and their canonical storage.

Storage is always metric and in seconds (schema.md): running pace in s/km,
swim pace (CSS) in s/100 m, weights in kg. What people type and read follows
their ``preferred_units``. Every parser raises :class:`InvalidInput` naming
the field, the value and the accepted form.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from khepri_cli.errors import InvalidInput
from khepri_cli.schema.kinds import EARLIEST_DATE, INT_MAX, INT_MIN, LATEST_DATE
from khepri_cli.schema.rules import number_text

KM_PER_MILE = 1.609344
M_PER_YARD = 0.9144
KG_PER_LB = 0.45359237

METRIC = "metric"
IMPERIAL = "imperial"
UNIT_SYSTEMS = (METRIC, IMPERIAL)

_CLOCK = re.compile(r"^(?:(\d{1,6}):)?(\d{1,2}):(\d{2})$")
"""``h:mm:ss`` or ``mm:ss``. Every run of digits read as a number is bounded (here, in the
duration and height forms, and in :func:`parse_whole`): a thousand digits is a paste gone
wrong, and Python refuses to convert more than 4300."""
_PACE_SUFFIX = re.compile(r"\s*/\s*(km|mi|mile|100m|100yd)\s*$", re.IGNORECASE)


def _clock_seconds(text: str, field: str, allowed: str) -> int:
    match = _CLOCK.match(text.strip())
    if not match:
        raise InvalidInput(field, text, allowed)
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    if seconds >= 60 or (match.group(1) is not None and minutes >= 60):
        raise InvalidInput(field, text, allowed)
    return hours * 3600 + minutes * 60 + seconds


def _mmss(total: float) -> str:
    total = round(total)
    return f"{total // 60}:{total % 60:02d}"


def parse_run_pace(text: str, units: str = METRIC, field: str = "threshold pace") -> int:
    """``4:30`` (per km, or per mile when imperial; ``/km`` or ``/mi`` overrides) -> s/km."""
    allowed = "use minutes:seconds per km (or per mile when imperial), e.g. 4:30 or 7:15/mi"
    unit = "mi" if units == IMPERIAL else "km"
    suffix = _PACE_SUFFIX.search(text)
    body = text
    if suffix:
        unit = suffix.group(1).lower()
        body = text[: suffix.start()]
        if unit not in ("km", "mi", "mile"):
            raise InvalidInput(field, text, allowed)
    if body.count(":") != 1:
        raise InvalidInput(field, text, allowed)
    seconds = _clock_seconds(body, field, allowed)
    if unit in ("mi", "mile"):
        seconds = round(seconds / KM_PER_MILE)
    if not 60 <= seconds <= 1800:
        rule = "a running pace must be between 1:00 and 30:00 per km"
        if unit in ("mi", "mile"):
            rule += f" (about {_mmss(60 * KM_PER_MILE)} to {_mmss(1800 * KM_PER_MILE)} per mile)"
        raise InvalidInput(field, text, rule)
    return seconds


def format_run_pace(sec_per_km: int | None, units: str = METRIC) -> str:
    if sec_per_km is None:
        return "—"
    if units == IMPERIAL:
        return f"{_mmss(sec_per_km * KM_PER_MILE)}/mi"
    return f"{_mmss(sec_per_km)}/km"


def parse_swim_pace(text: str, units: str = METRIC, field: str = "CSS") -> int:
    """``1:35`` per 100 m (or per 100 yd when imperial) -> s/100 m."""
    allowed = "use minutes:seconds per 100 m (per 100 yd when imperial), e.g. 1:35"
    unit = "100yd" if units == IMPERIAL else "100m"
    suffix = _PACE_SUFFIX.search(text)
    body = text
    if suffix:
        unit = suffix.group(1).lower()
        body = text[: suffix.start()]
        if unit not in ("100m", "100yd"):
            raise InvalidInput(field, text, allowed)
    if body.count(":") != 1:
        raise InvalidInput(field, text, allowed)
    seconds = _clock_seconds(body, field, allowed)
    if unit == "100yd":
        seconds = round(seconds / M_PER_YARD)
    if not 30 <= seconds <= 600:
        rule = "a swim pace must be between 0:30 and 10:00 per 100 m"
        if unit == "100yd":
            rule += f" (about {_mmss(30 * M_PER_YARD)} to {_mmss(600 * M_PER_YARD)} per 100 yd)"
        raise InvalidInput(field, text, rule)
    return seconds


def format_swim_pace(sec_per_100m: int | None, units: str = METRIC) -> str:
    if sec_per_100m is None:
        return "—"
    if units == IMPERIAL:
        return f"{_mmss(sec_per_100m * M_PER_YARD)}/100yd"
    return f"{_mmss(sec_per_100m)}/100m"


def parse_duration(text: str, field: str = "duration") -> int:
    """``5:45:00``, ``45:00`` or ``2h30m`` -> seconds (must be more than zero)."""
    allowed = "use h:mm:ss or mm:ss, e.g. 5:45:00"
    raw = text.strip().lower()
    match = re.fullmatch(r"(?:(\d{1,6})h)?\s*(?:(\d{1,6})m(?:in)?)?\s*(?:(\d{1,6})s)?", raw)
    if raw and match and any(match.groups()):
        h, m, s = (int(g) if g else 0 for g in match.groups())
        seconds = h * 3600 + m * 60 + s
    else:
        seconds = _clock_seconds(raw, field, allowed)
    if seconds <= 0:
        raise InvalidInput(field, text, "a duration must be longer than zero")
    return seconds


def format_duration(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


NUMBER_TEXT_MAX = 32
"""The longest text read as a number: more is a paste gone wrong, not a value."""


_SESSION_FORMS = (
    (re.compile(r"(\d+)\s*(?:m|min|mins)?"), lambda g: int(g[0])),
    (re.compile(r"(\d+(?:\.\d+)?)\s*h"), lambda g: int(float(g[0]) * 60 + 0.5)),
    (re.compile(r"(\d+)\s*h\s*([0-5]?\d)\s*(?:m|min|mins)?"), lambda g: int(g[0]) * 60 + int(g[1])),
    (re.compile(r"(\d+):([0-5]\d)"), lambda g: int(g[0]) * 60 + int(g[1])),
    (
        re.compile(r"(\d+):([0-5]\d):([0-5]\d)"),
        lambda g: int(g[0]) * 60 + int(g[1]) + (int(g[2]) + 30) // 60,
    ),
)


def parse_session_minutes(text: str, field: str = "duration") -> int:
    """How long a session lasted, in whole minutes.

    ``90`` and ``45m`` are minutes, ``1:30`` is hours:minutes (as a watch
    shows a long ride), ``1:29:40`` hours:minutes:seconds (rounded to the
    nearest minute, halves up), ``1h30m``, ``1h30`` and ``1.5h`` hours and minutes.
    """
    raw = str(text).strip().lower()
    allowed = "use minutes (90 or 45m), h:mm (1:30), h:mm:ss or 1h30m"
    if len(raw) > NUMBER_TEXT_MAX:
        raise InvalidInput(field, text, allowed)
    for pattern, minutes in _SESSION_FORMS:
        match = pattern.fullmatch(raw)
        if match:
            return minutes(match.groups())
    raise InvalidInput(field, text, allowed)


def format_minutes(minutes: int | None) -> str:
    """``45 min``, ``1 h 30 min``, ``2 h``."""
    if minutes is None:
        return "—"
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


_DISTANCE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(km|m|mi|mile|miles|yd)?")
_KM_PER = {"km": 1.0, "m": 0.001, "mi": KM_PER_MILE, "mile": KM_PER_MILE, "miles": KM_PER_MILE}


def parse_distance(text: str, units: str = METRIC, field: str = "distance") -> float:
    """``10.5`` in km (mi when imperial); ``1500m``, ``6.2mi``, ``1650yd`` say their unit -> km."""
    raw = str(text).strip().lower()
    match = _DISTANCE.fullmatch(raw) if len(raw) <= NUMBER_TEXT_MAX else None
    if not match:
        raise InvalidInput(
            field, text, "use a distance such as 10.5 (km, or mi when imperial), 1500m or 6.2mi"
        )
    value = float(match.group(1).replace(",", "."))
    unit = match.group(2) or ("mi" if units == IMPERIAL else "km")
    if unit == "yd":
        return value * M_PER_YARD / 1000
    return value * _KM_PER[unit]


def format_distance(km: float | None, units: str = METRIC) -> str:
    if km is None:
        return "—"
    if units == IMPERIAL:
        return f"{km / KM_PER_MILE:.2f} mi"
    return f"{km:g} km"


def parse_number(text: str, field: str, allowed: str = "use a number, e.g. 72.5") -> float:
    """The one reader of typed numbers: ``7``, ``7.5``, ``7,5`` (NaN and infinities refused).

    The range is the column's rule to judge; a number too large for any
    range (``1e308``) is still a number here, and the rule refuses it.
    """
    raw = str(text).strip().replace(",", ".")
    if len(raw) > NUMBER_TEXT_MAX:
        raise InvalidInput(field, text, allowed)
    try:
        value = float(raw)
    except ValueError:
        raise InvalidInput(field, text, allowed) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidInput(field, text, allowed)
    return value


def parse_whole(
    text: str, field: str, allowed: str, low: int = INT_MIN, high: int = INT_MAX
) -> int:
    """A typed whole number (digits, an optional sign) from ``low`` to ``high``."""
    raw = str(text).strip()
    if not re.fullmatch(r"[+-]?\d{1,18}", raw, re.ASCII):
        raise InvalidInput(field, text, allowed)
    value = int(raw)
    if not low <= value <= high:
        raise InvalidInput(field, text, allowed)
    return value


def parse_weight(text: str, units: str = METRIC, field: str = "weight") -> float:
    """``72.5`` in the athlete's units (``kg``/``lb`` suffix overrides) -> kg, 2 decimals."""
    raw = str(text).strip().lower()
    unit = "lb" if units == IMPERIAL else "kg"
    for suffix, name in (("kg", "kg"), ("lbs", "lb"), ("lb", "lb")):
        if raw.endswith(suffix):
            raw, unit = raw[: -len(suffix)].strip(), name
            break
    allowed = "use a number in kg or lb, e.g. 72.5 or 160lb"
    try:
        value = parse_number(raw, field, allowed)
    except InvalidInput:
        raise InvalidInput(field, text, allowed) from None
    kg = value * KG_PER_LB if unit == "lb" else value
    if not 20 <= kg <= 400:
        raise InvalidInput(field, text, "a body weight must be between 20 and 400 kg (44–880 lb)")
    return two_decimals(kg)


def two_decimals(value: float) -> float:
    """Round half away from zero to 2 decimals, as Postgres stores a DECIMAL(p, 2).

    ``round(61.555, 2)`` gives 61.55 (the float is 61.55499...); the decimal
    the person typed is what counts, so this gives 61.56.
    """
    from khepri_cli.schema.kinds import round_half_up

    return round_half_up(value, 2)


def format_weight(kg: float | None, units: str = METRIC) -> str:
    if kg is None:
        return "—"
    if units == IMPERIAL:
        return f"{kg / KG_PER_LB:.1f} lb"
    return f"{kg:.1f} kg"


def parse_height(text: str, units: str = METRIC, field: str = "height") -> float:
    """``178`` cm, or ``5'10"`` / ``70in`` when imperial -> cm, 2 decimals."""
    allowed = "use a number of cm (e.g. 178), inches (70in) or feet and inches (5'10\")"
    raw = str(text).strip().lower()
    feet = re.fullmatch(r"(\d{1,3})\s*'\s*(\d{1,3}(?:\.\d{1,6})?)?\s*(?:\"|'')?", raw)
    if feet:
        cm = (int(feet.group(1)) * 12 + float(feet.group(2) or 0)) * 2.54
    elif raw.endswith(("in", "cm")):
        try:
            value = parse_number(raw[:-2], field, allowed)
        except InvalidInput:
            raise InvalidInput(field, text, allowed) from None
        cm = value * 2.54 if raw.endswith("in") else value
    else:
        value = parse_number(raw, field, allowed)
        cm = value * 2.54 if units == IMPERIAL else value
    if not 50 <= cm <= 272:
        raise InvalidInput(field, text, "a height must be between 50 and 272 cm")
    return two_decimals(cm)


def format_height(cm: float | None, units: str = METRIC) -> str:
    if cm is None:
        return "—"
    if units == IMPERIAL:
        inches = round(cm / 2.54)
        return f"{inches // 12}'{inches % 12}\""
    return f"{number_text(cm)} cm"


def parse_date(text: str, today: date, field: str = "date") -> date:
    """``YYYY-MM-DD``, ``today`` or ``yesterday`` (``today`` is the athlete's local day)."""
    raw = str(text).strip().lower()
    if raw == "today":
        return today
    if raw == "yesterday":
        return today - timedelta(days=1)
    if raw == "tomorrow":
        return today + timedelta(days=1)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise InvalidInput(field, text, "use YYYY-MM-DD, today or yesterday")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            field, text, "that day does not exist in the calendar; use a real YYYY-MM-DD date"
        ) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise InvalidInput(field, text, f"use a date from {EARLIEST_DATE} to {LATEST_DATE}")
    return day


def parse_list(text: str) -> list[str]:
    """``a, b,c`` -> ``["a", "b", "c"]``; spaces inside an item become underscores."""
    items = [item.strip().lower().replace(" ", "_") for item in str(text).split(",")]
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen
