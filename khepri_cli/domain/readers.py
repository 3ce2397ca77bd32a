"""Reading what people type: the parse half of the forms (:mod:`khepri_cli.domain.forms`).

Each reader turns the text typed for a column into the column's value, or
refuses text it cannot read with an :class:`InvalidInput` naming ``field``
(the flag typed) and the text. The column's rules are applied afterwards, by
:func:`khepri_cli.domain.forms.read_checked`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from khepri_cli.domain import units as u
from khepri_cli.domain.clock import utc_now
from khepri_cli.domain.days import WEEKDAYS
from khepri_cli.errors import InvalidInput
from khepri_cli.schema import Column
from khepri_cli.schema.rules import OneOf, Range
from khepri_cli.schema.tables import SORENESS_AREAS

if TYPE_CHECKING:
    from khepri_cli.domain.forms import Typing

_DAY_NAMES: dict[str, str] = {
    **{day: day for day in WEEKDAYS},
    **{day[:3]: day for day in WEEKDAYS},
    "tues": "tuesday",
    "weds": "wednesday",
    "thur": "thursday",
    "thurs": "thursday",
}
"""Weekday names people type (``mon``, ``thurs``, ``friday``) -> the stored full name."""


def read_text(text: str, field: str, column: Column, typing: Typing) -> str | None:
    return text.strip() or None


def read_raw(text: str, field: str, column: Column, typing: Typing) -> str:
    return text  # the column's rule strips and judges it, quoting what was typed


def read_name(text: str, field: str, column: Column, typing: Typing) -> str:
    value = text.strip()
    if not value:
        raise InvalidInput(field, text, "must not be empty")
    return value


def lowercase_choice(message: Callable[[tuple[str, ...]], str]) -> Callable[..., str]:
    def parse(text: str, field: str, column: Column, typing: Typing) -> str:
        value = text.strip().lower()
        choices = column.rule.choices if isinstance(column.rule, OneOf) else ()
        if choices and value not in choices:
            raise InvalidInput(field, text, message(choices))
        return value

    return parse


def read_priority(text: str, field: str, column: Column, typing: Typing) -> str:
    value = text.strip().upper()
    if value not in ("A", "B", "C"):
        raise InvalidInput(field, text, "use A, B or C (A marks the season's main goal)")
    return value


def read_day(text: str, field: str, column: Column, typing: Typing) -> date:
    return u.parse_date(text, typing.today or utc_now().date(), field)


def read_start_day(text: str, field: str, column: Column, typing: Typing) -> date:
    if not text.strip():
        raise InvalidInput(field, text, "use YYYY-MM-DD, today or yesterday")
    return read_day(text, field, column, typing)


def read_past_day(text: str, field: str, column: Column, typing: Typing) -> date:
    """A day that has happened: YYYY-MM-DD, today or yesterday, never after today."""
    today = typing.today or utc_now().date()
    day = read_start_day(text, field, column, typing)
    if day > today:
        raise InvalidInput(field, text, f"must be today or earlier (today is {today})")
    return day


def read_whole(text: str, field: str, column: Column, typing: Typing) -> int:
    unit = column.rule.unit if isinstance(column.rule, Range) else None
    return u.parse_whole(text, field, f"use a whole number of {unit}")


def number_or_text(text: str) -> float | str:
    """The number in ``text`` (``7``, ``7.5``, ``7,5``), or the text itself when there is none."""
    try:
        return u.parse_number(text, "")
    except InvalidInput:
        return text


def read_measure(text: str, field: str, column: Column, typing: Typing) -> float:
    """A number for a column with a range; text that is no number is refused with the range."""
    value = number_or_text(text)
    if isinstance(value, float):
        return value
    rule = column.rule if isinstance(column.rule, Range) else None
    if column.kind.name == "integer":
        allowed = f"must be a whole number {rule.span()}" if rule else "must be a whole number"
    else:
        allowed = f"must be a number; {rule.describe()}" if rule else "must be a number"
    raise InvalidInput(field, text, allowed)


_HOURS_MINUTES = re.compile(r"(\d{1,2}):([0-5]\d)")


def read_sleep_hours(text: str, field: str, column: Column, typing: Typing) -> float:
    raw = text.strip()
    if ":" in raw:
        match = _HOURS_MINUTES.fullmatch(raw)
        if not match:
            raise InvalidInput(field, text, "use hours such as 7.5 or hours:minutes such as 7:30")
        return int(match[1]) + int(match[2]) / 60
    return read_measure(text, field, column, typing)


def read_minutes(text: str, field: str, column: Column, typing: Typing) -> float:
    match = _HOURS_MINUTES.fullmatch(text.strip())
    if match:
        return int(match[1]) * 60 + int(match[2])
    return read_measure(text, field, column, typing)


def read_weight(text: str, field: str, column: Column, typing: Typing) -> float:
    return u.parse_weight(text, typing.units, field)


def read_height(text: str, field: str, column: Column, typing: Typing) -> float:
    return u.parse_height(text, typing.units, field)


def read_run_pace(text: str, field: str, column: Column, typing: Typing) -> int:
    return u.parse_run_pace(text, typing.units, field)


def read_swim_pace(text: str, field: str, column: Column, typing: Typing) -> int:
    return u.parse_swim_pace(text, typing.units, field)


def read_duration(text: str, field: str, column: Column, typing: Typing) -> int:
    return u.parse_duration(text, field)


def read_session_minutes(text: str, field: str, column: Column, typing: Typing) -> int:
    return u.parse_session_minutes(text, field)


def read_distance(text: str, field: str, column: Column, typing: Typing) -> float:
    return u.parse_distance(text, typing.units, field)


def read_goal_number(text: str, field: str, column: Column, typing: Typing) -> float:
    return u.parse_number(text, field, "use a number, e.g. 265 or 72.5")


def read_hours_per_week(text: str, field: str, column: Column, typing: Typing) -> float:
    allowed = "use a number of hours between 0 and 168, e.g. 8 or 7.5"
    hours = u.parse_number(text, field, allowed)
    if not 0 <= hours <= 168:
        raise InvalidInput(field, text, allowed)
    return hours


def read_clock_time(text: str, field: str, column: Column, typing: Typing) -> str:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text.strip())
    if (
        not match
        or int(match.group(1)) > 23
        or int(match.group(2)) > 59
        or int(match.group(3) or 0) > 59
    ):
        raise InvalidInput(field, text, "use a 24-hour time HH:MM, e.g. 06:30")
    return f"{int(match.group(1)):02d}:{match.group(2)}:{match.group(3) or '00'}"


def read_snake(text: str, field: str, column: Column, typing: Typing) -> str | None:
    return "_".join(text.strip().lower().replace("-", " ").split()) or None


def read_metric(text: str, field: str, column: Column, typing: Typing) -> str | None:
    return "_".join(text.strip().lower().split()) or None


def read_list(text: str, field: str, column: Column, typing: Typing) -> list[str] | None:
    return u.parse_list(text) or None


def read_equipment(text: str, field: str, column: Column, typing: Typing) -> list[str]:
    items = u.parse_list(text)
    if items == ["none"]:
        return []
    if "none" in items:
        raise InvalidInput(
            field, text, "'none' means no equipment: give it alone or list what you have"
        )
    if not items:
        raise InvalidInput(
            field, text, "list what you have, separated by commas, e.g. bike_trainer,pool"
        )
    return items


def read_restrictions(texts: list[str], field: str, column: Column, typing: Typing) -> Any:
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


def read_weekdays(text: str, field: str, column: Column, typing: Typing) -> list[str] | None:
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
            areas[area] = u.parse_whole(score, field, SORE_ALLOWED, 0, 10)
        except InvalidInput:
            raise InvalidInput(field, item, SORE_ALLOWED) from None
    return areas


def read_sore_areas(texts: list[str] | str, field: str, column: Column, typing: Typing) -> Any:
    """Repeatable ``AREA=N`` texts -> one map of changes (0 means clear that area)."""
    areas: dict[str, int] = {}
    for text in [texts] if isinstance(texts, str) else texts:
        areas.update(parse_sore(text, field))
    return areas
