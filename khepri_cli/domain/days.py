"""Journal days as the coach reads them: a ``date``, or the stored ``YYYY-MM-DD`` text."""

from __future__ import annotations

from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


def as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
