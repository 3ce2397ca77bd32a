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

from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

from khepri_cli.domain import units as u
from khepri_cli.domain.readers import (
    lowercase_choice,
    read_clock_time,
    read_day,
    read_distance,
    read_duration,
    read_equipment,
    read_goal_number,
    read_height,
    read_hours_per_week,
    read_list,
    read_measure,
    read_metric,
    read_minutes,
    read_name,
    read_past_day,
    read_priority,
    read_raw,
    read_restrictions,
    read_run_pace,
    read_session_minutes,
    read_sleep_hours,
    read_snake,
    read_sore_areas,
    read_start_day,
    read_swim_pace,
    read_text,
    read_weekdays,
    read_weight,
    read_whole,
)
from khepri_cli.domain.rows import check_value
from khepri_cli.errors import InvalidInput
from khepri_cli.schema import Column
from khepri_cli.schema.rules import number_text, or_list

DASH = "—"


class Typing(NamedTuple):
    """What reading a typed value depends on: the athlete's units and today's date."""

    units: str = u.METRIC
    today: date | None = None


class Form(NamedTuple):
    parse: Callable[[str, str, Column, Typing], Any]  # (text, field, column, typing) -> value
    show: Callable[[Any, str], str]  # (value, units) -> text a person reads
    typed: Callable[[Any, str], str] | None = None  # the text that would type it again
    whole: bool = True  # parses a whole value (False: a change to merge, like sore areas)


# -- showing -------------------------------------------------------------------------


def _plain(value: Any, units: str) -> str:
    return DASH if value is None else str(value)


def _number(value: Any, units: str) -> str:
    if value is None:
        return DASH
    return number_text(value)


def _suffixed(suffix: str) -> Callable[[Any, str], str]:
    return lambda value, units: DASH if value is None else f"{_number(value, units)}{suffix}"


def _joined(value: Any, units: str) -> str:
    return ", ".join(value) if value else DASH


def _typed_weight(kg: float, units: str) -> str:
    return number_text(round(kg / u.KG_PER_LB, 1) if units == u.IMPERIAL else kg)


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
    "text": Form(read_text, _plain, _plain),
    "title": Form(read_raw, _plain),
    "name": Form(read_name, _plain),
    "units": Form(lowercase_choice(lambda c: f"must be {or_list(c)}"), _plain),
    "timezone": Form(lambda t, f, c, ty: t.strip(), _plain),
    "choice": Form(lambda t, f, c, ty: t.strip().lower(), _plain, _plain),
    "pick": Form(lowercase_choice(lambda c: f"use {or_list(c)}"), _plain),
    "one_of": Form(lowercase_choice(lambda c: f"must be one of {', '.join(c)}"), _plain),
    "priority": Form(read_priority, _plain),
    "day": Form(read_day, _date_shown),
    "start_day": Form(read_start_day, _date_shown),
    "birth_date": Form(read_day, _date_shown),
    "past_day": Form(read_past_day, _date_shown),
    "watts": Form(read_whole, _suffixed(" W")),
    "bpm": Form(read_whole, _suffixed(" bpm")),
    "score": Form(read_measure, _suffixed("/10"), _number),
    "pulse": Form(read_measure, _suffixed(" bpm"), _number),
    "hrv": Form(read_measure, _suffixed(" ms"), _number),
    "sleep_hours": Form(read_sleep_hours, _suffixed(" h"), _number),
    "minutes": Form(read_minutes, _suffixed(" min"), _number),
    "weight": Form(read_weight, lambda v, un: u.format_weight(v, un), _typed_weight),
    "height": Form(read_height, lambda v, un: u.format_height(v, un)),
    "run_pace": Form(read_run_pace, lambda v, un: u.format_run_pace(v, un)),
    "swim_pace": Form(read_swim_pace, lambda v, un: u.format_swim_pace(v, un)),
    "clock_time": Form(read_clock_time, lambda v, un: DASH if v is None else str(v)[:5]),
    "duration": Form(read_duration, lambda v, un: u.format_duration(v)),
    "session_minutes": Form(read_session_minutes, lambda v, un: u.format_minutes(v), _number),
    "distance": Form(read_distance, lambda v, un: u.format_distance(v, un)),
    "number": Form(read_measure, _number, _number),
    "goal_number": Form(read_goal_number, _number),
    "hours_per_week": Form(read_hours_per_week, _number),
    "metric": Form(read_metric, _plain),
    "body_part": Form(read_snake, _plain),
    "list": Form(read_list, _joined),
    "restrictions": Form(read_restrictions, _joined),
    "weekdays": Form(read_weekdays, _joined),
    "equipment": Form(read_equipment, _shown_equipment, _typed_list),
    "sore_areas": Form(read_sore_areas, _shown_sore, _typed_sore, whole=False),
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
