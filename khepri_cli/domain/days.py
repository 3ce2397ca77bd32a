"""Journal days as the coach reads them: a ``date``, or the stored ``YYYY-MM-DD`` text."""

from __future__ import annotations

from datetime import date, timedelta

ONE_DAY = timedelta(days=1)

WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
"""Weekday names as stored (availability days) and judged, Monday first; never the locale's."""


def as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
