"""How people type and read column values: the forms the declaration names.

Each column of the schema that a command sets names a *form* (``weight``,
``run_pace``, ``score``...). A form turns the text a person typed into the
column's value (metric units, seconds, lists) and shows a stored value the
way that person reads it (their units, ``4:30/km``). The value a form returns
is then checked by the column's rules like any other write; a form refuses
only text it cannot read, naming ``field`` (the flag typed) and the text.

Pure and standard library only: the morning check-in reads its values here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

from khepri_cli.domain import units as u
from khepri_cli.domain.clock import utc_now
from khepri_cli.domain.rows import check_value
from khepri_cli.errors import InvalidInput
from khepri_cli.schema import Column
from khepri_cli.schema.rules import OneOf, Range, or_list
from khepri_cli.schema.tables import SORENESS_AREAS

DASH = "—"

WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)

_DAY_NAMES: dict[str, str] = {
    **{day: day for day in WEEKDAYS},
    **{day[:3]: day for day in WEEKDAYS},
    "tues": "tuesday",
    "weds": "wednesday",
    "thur": "thursday",
    "thurs": "thursday",
}
"""Weekday names people type (``mon``, ``thurs``, ``friday``) -> the stored full name."""


class Typing(NamedTuple):
    """What reading a typed value depends on: the athlete's units and today's date."""

    units: str = u.METRIC
    today: date | None = None


class Form(NamedTuple):
    parse: Callable[[str, str, Column, Typing], Any]  # (text, field, column, typing) -> value
    show: Callable[[Any, str], str]  # (value, units) -> text a person reads
    typed: Callable[[Any, str], str] | None = None  # the text that would type it again
    whole: bool = True  # parses a whole value (False: a change to merge, like sore areas)


# -- reading -------------------------------------------------------------------------


def _text(text: str, field: str, column: Column, typing: Typing) -> str | None:
    return text.strip() or None


def _raw(text: str, field: str, column: Column, typing: Typing) -> str:
    return text  # the column's rule strips and judges it, quoting what was typed


def _name(text: str, field: str, column: Column, typing: Typing) -> str:
    value = text.strip()
    if not value:
        raise InvalidInput(field, text, "must not be empty")
    return value


def _lower_choice(message: Callable[[tuple[str, ...]], str]) -> Callable[..., str]:
    def parse(text: str, field: str, column: Column, typing: Typing) -> str:
        value = text.strip().lower()
        choices = column.rule.choices if isinstance(column.rule, OneOf) else ()
        if choices and value not in choices:
            raise InvalidInput(field, text, message(choices))
        return value

    return parse


def _priority(text: str, field: str, column: Column, typing: Typing) -> str:
    value = text.strip().upper()
    if value not in ("A", "B", "C"):
        raise InvalidInput(field, text, "use A, B or C (A marks the season's main goal)")
    return value


def _day(text: str, field: str, column: Column, typing: Typing) -> date:
    return u.parse_date(text, typing.today or utc_now().date(), field)


def _start_day(text: str, field: str, column: Column, typing: Typing) -> date:
    if not text.strip():
        raise InvalidInput(field, text, "use YYYY-MM-DD, today or yesterday")
    return _day(text, field, column, typing)


def _birth_date(text: str, field: str, column: Column, typing: Typing) -> date:
    today = typing.today or utc_now().date()
    day = u.parse_date(text, today, field)
    if not date(1900, 1, 1) <= day <= today:
        raise InvalidInput(field, text, "must be a date between 1900-01-01 and today")
    return day


def _whole(text: str, field: str, column: Column, typing: Typing) -> int:
    unit = column.rule.unit if isinstance(column.rule, Range) else None
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidInput(field, text, f"use a whole number of {unit}") from None


def _number_or_text(text: str) -> float | str:
    """The number in ``text`` (``7``, ``7.5``, ``7,5``), or the text itself when there is none."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return text
    if value != value or value in (float("inf"), float("-inf")):
        return text
    return value


def _measure(text: str, field: str, column: Column, typing: Typing) -> float:
    """A number for a column with a range; text that is no number is refused with the range."""
    value = _number_or_text(text)
    if isinstance(value, float):
        return value
    rule = column.rule if isinstance(column.rule, Range) else None
    if column.kind.name == "integer":
        allowed = f"must be a whole number {rule.span()}" if rule else "must be a whole number"
    else:
        allowed = f"must be a number; {rule.describe()}" if rule else "must be a number"
    raise InvalidInput(field, text, allowed)


_HOURS_MINUTES = re.compile(r"(\d{1,2}):([0-5]\d)")


def _sleep_hours(text: str, field: str, column: Column, typing: Typing) -> float:
    raw = text.strip()
    if ":" in raw:
        match = _HOURS_MINUTES.fullmatch(raw)
        if not match:
            raise InvalidInput(field, text, "use hours such as 7.5 or hours:minutes such as 7:30")
        return int(match[1]) + int(match[2]) / 60
    return _measure(text, field, column, typing)


def _minutes(text: str, field: str, column: Column, typing: Typing) -> float:
    match = _HOURS_MINUTES.fullmatch(text.strip())
    if match:
        return int(match[1]) * 60 + int(match[2])
    return _measure(text, field, column, typing)


def _weight(text: str, field: str, column: Column, typing: Typing) -> float:
    return u.parse_weight(text, typing.units, field)


def _height(text: str, field: str, column: Column, typing: Typing) -> float:
    return u.parse_height(text, typing.units, field)


def _run_pace(text: str, field: str, column: Column, typing: Typing) -> int:
    return u.parse_run_pace(text, typing.units, field)


def _swim_pace(text: str, field: str, column: Column, typing: Typing) -> int:
    return u.parse_swim_pace(text, typing.units, field)


def _duration(text: str, field: str, column: Column, typing: Typing) -> int:
    return u.parse_duration(text, field)


def _goal_number(text: str, field: str, column: Column, typing: Typing) -> float:
    return u.parse_number(text, field, "use a number, e.g. 265 or 72.5")


def _hours_per_week(text: str, field: str, column: Column, typing: Typing) -> float:
    allowed = "use a number of hours between 0 and 168, e.g. 8 or 7.5"
    hours = u.parse_number(text, field, allowed)
    if not 0 <= hours <= 168:
        raise InvalidInput(field, text, allowed)
    return hours


def _clock_time(text: str, field: str, column: Column, typing: Typing) -> str:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text.strip())
    if (
        not match
        or int(match.group(1)) > 23
        or int(match.group(2)) > 59
        or int(match.group(3) or 0) > 59
    ):
        raise InvalidInput(field, text, "use a 24-hour time HH:MM, e.g. 06:30")
    return f"{int(match.group(1)):02d}:{match.group(2)}:{match.group(3) or '00'}"


def _snake(text: str, field: str, column: Column, typing: Typing) -> str | None:
    return "_".join(text.strip().lower().replace("-", " ").split()) or None


def _metric(text: str, field: str, column: Column, typing: Typing) -> str | None:
    return "_".join(text.strip().lower().split()) or None


def _list(text: str, field: str, column: Column, typing: Typing) -> list[str] | None:
    return u.parse_list(text) or None


def _equipment(text: str, field: str, column: Column, typing: Typing) -> list[str]:
    items = u.parse_list(text)
    if items == ["none"]:
        return []
    if not items:
        raise InvalidInput(
            field, text, "list what you have, separated by commas, e.g. bike_trainer,pool"
        )
    return items


def _restrictions(texts: list[str], field: str, column: Column, typing: Typing) -> Any:
    """Repeatable, and each may hold a comma list: ``--restrict running --restrict jump,swim``."""
    items = [item for text in texts for item in u.parse_list(text)]
    return list(dict.fromkeys(items)) or None


def parse_weekdays(text: str, field: str = "--days") -> list[str]:
    """``mon, Wednesday,fri`` -> ``["monday", "wednesday", "friday"]`` (week order, no repeats)."""
    days = set()
    for item in u.parse_list(text):
        day = _DAY_NAMES.get(item.rstrip("."))
        if day is None:
            raise InvalidInput(
                field,
                text,
                f"{item!r} is not a weekday; use names like monday,wednesday or mon,wed",
            )
        days.add(day)
    return [day for day in WEEKDAYS if day in days]


def _weekdays(text: str, field: str, column: Column, typing: Typing) -> list[str] | None:
    return parse_weekdays(text, field) or None


SORE_ALLOWED = (
    f"use AREA=N with AREA one of {', '.join(SORENESS_AREAS)} and N a whole number "
    "from 1 to 10 (0 clears the area), e.g. legs=6"
)


def parse_sore(text: str, field: str = "--sore") -> dict[str, int]:
    """``legs=6, back=3`` -> ``{"legs": 6, "back": 3}``; a score of 0 means "clear this area"."""
    areas: dict[str, int] = {}
    items = [item.strip() for item in str(text).split(",") if item.strip()]
    if not items:
        raise InvalidInput(field, text, SORE_ALLOWED)
    for item in items:
        area, sep, score = item.partition("=")
        area = area.strip().lower()
        if not sep or area not in SORENESS_AREAS:
            raise InvalidInput(field, item, SORE_ALLOWED)
        try:
            value = int(score.strip())
        except ValueError:
            raise InvalidInput(field, item, SORE_ALLOWED) from None
        if not 0 <= value <= 10:
            raise InvalidInput(field, item, SORE_ALLOWED)
        areas[area] = value
    return areas


def _sore_areas(texts: list[str] | str, field: str, column: Column, typing: Typing) -> Any:
    """Repeatable ``AREA=N`` texts -> one map of changes (0 means clear that area)."""
    areas: dict[str, int] = {}
    for text in [texts] if isinstance(texts, str) else texts:
        areas.update(parse_sore(text, field))
    return areas


# -- showing -------------------------------------------------------------------------


def _plain(value: Any, units: str) -> str:
    return DASH if value is None else str(value)


def _number(value: Any, units: str) -> str:
    if value is None:
        return DASH
    return f"{value:g}" if isinstance(value, float) else str(value)


def _suffixed(suffix: str) -> Callable[[Any, str], str]:
    return lambda value, units: DASH if value is None else f"{_number(value, units)}{suffix}"


def _joined(value: Any, units: str) -> str:
    return ", ".join(value) if value else DASH


def _typed_weight(kg: float, units: str) -> str:
    return f"{round(kg / u.KG_PER_LB, 1):g}" if units == u.IMPERIAL else f"{kg:g}"


def _typed_list(items: list[str], units: str) -> str:
    return ",".join(items) if items else "none"


def _typed_sore(areas: dict[str, int], units: str) -> str:
    return ", ".join(f"{area}={score}" for area, score in areas.items())


def _shown_sore(areas: Any, units: str) -> str:
    return ", ".join(f"{a} {s}/10" for a, s in (areas or {}).items()) or DASH


def _shown_equipment(items: Any, units: str) -> str:
    return DASH if items is None else ", ".join(items) or "none"


def _date_shown(value: Any, units: str) -> str:
    return DASH if value is None else value.isoformat()


FORMS: dict[str, Form] = {
    "text": Form(_text, _plain, _plain),
    "title": Form(_raw, _plain),
    "name": Form(_name, _plain),
    "units": Form(_lower_choice(lambda c: f"must be {or_list(c)}"), _plain),
    "timezone": Form(lambda t, f, c, ty: t.strip(), _plain),
    "choice": Form(lambda t, f, c, ty: t.strip().lower(), _plain, _plain),
    "pick": Form(_lower_choice(lambda c: f"use {or_list(c)}"), _plain),
    "one_of": Form(_lower_choice(lambda c: f"must be one of {', '.join(c)}"), _plain),
    "priority": Form(_priority, _plain),
    "day": Form(_day, _date_shown),
    "start_day": Form(_start_day, _date_shown),
    "birth_date": Form(_birth_date, _date_shown),
    "watts": Form(_whole, _suffixed(" W")),
    "bpm": Form(_whole, _suffixed(" bpm")),
    "score": Form(_measure, _suffixed("/10"), _number),
    "pulse": Form(_measure, _suffixed(" bpm"), _number),
    "hrv": Form(_measure, _suffixed(" ms"), _number),
    "sleep_hours": Form(_sleep_hours, _suffixed(" h"), _number),
    "minutes": Form(_minutes, _suffixed(" min"), _number),
    "weight": Form(_weight, lambda v, un: u.format_weight(v, un), _typed_weight),
    "height": Form(_height, lambda v, un: u.format_height(v, un)),
    "run_pace": Form(_run_pace, lambda v, un: u.format_run_pace(v, un)),
    "swim_pace": Form(_swim_pace, lambda v, un: u.format_swim_pace(v, un)),
    "clock_time": Form(_clock_time, lambda v, un: DASH if v is None else str(v)[:5]),
    "duration": Form(_duration, lambda v, un: u.format_duration(v)),
    "goal_number": Form(_goal_number, _number),
    "hours_per_week": Form(_hours_per_week, _number),
    "metric": Form(_metric, _plain),
    "body_part": Form(_snake, _plain),
    "list": Form(_list, _joined),
    "restrictions": Form(_restrictions, _joined),
    "weekdays": Form(_weekdays, _joined),
    "equipment": Form(_equipment, _shown_equipment, _typed_list),
    "sore_areas": Form(_sore_areas, _shown_sore, _typed_sore, whole=False),
}

REPEATABLE = frozenset({"restrictions", "sore_areas"})
"""Forms whose flag may be given more than once (each text adds to the value)."""


def form_of(column: Column) -> Form:
    return FORMS[column.form or "text"]


def read(column: Column, text: Any, typing: Typing, field: str | None = None) -> Any:
    """What ``text`` (or the list of texts of a repeatable flag) typed for ``column`` means."""
    return form_of(column).parse(text, field or column.flag or column.name, column, typing)


def read_checked(column: Column, text: Any, typing: Typing, field: str | None = None) -> Any:
    """:func:`read`, then the column's rules: a value the journal would refuse is refused now.

    The error names ``field`` and shows what was typed, so a prompt can ask again.
    """
    field = field or column.flag or column.name
    value = read(column, text, typing, field)
    if not form_of(column).whole:
        return value
    try:
        return check_value(column, value)
    except ValueError as exc:
        shown = ", ".join(text) if isinstance(text, list) else text
        raise InvalidInput(field, shown, str(exc)) from None


def show(column: Column, value: Any, units: str = u.METRIC) -> str:
    """A stored value the way a person reads it (in their units)."""
    return form_of(column).show(value, units)


def typed(column: Column, value: Any, units: str = u.METRIC) -> str:
    """The text that, typed again at a prompt, gives ``value`` back."""
    form = form_of(column)
    return (form.typed or form.show)(value, units)
