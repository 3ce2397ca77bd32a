"""Time as the journal sees it: UTC timestamps in one fixed format, local days per athlete."""

from __future__ import annotations

from datetime import date

from khepri_cli.schema.kinds import TIMESTAMP_FORMAT, format_timestamp, parse_timestamp, utc_now
from khepri_cli.schema.rules import is_valid_timezone

__all__ = [
    "TIMESTAMP_FORMAT",
    "format_timestamp",
    "is_valid_timezone",
    "now_timestamp",
    "parse_timestamp",
    "today_in",
    "touch_timestamp",
    "utc_now",
]


def now_timestamp() -> str:
    return format_timestamp(utc_now())


def touch_timestamp(previous: str | None) -> str:
    """The ``updated_at`` for a row changing now: now, but always after ``previous``.

    With the clock pinned (KHEPRI_NOW) or two edits in the same microsecond,
    "now" may equal the stored value; one microsecond later keeps the order
    of changes and keeps the table's touch trigger out of it.
    """
    from datetime import timedelta

    now = utc_now()
    if previous:
        try:
            floor = parse_timestamp(previous) + timedelta(microseconds=1)
        except ValueError:
            floor = now
        now = max(now, floor)
    return format_timestamp(now)


def today_in(timezone: str | None) -> date:
    """The calendar day it is now for someone living in ``timezone`` (IANA name)."""
    from zoneinfo import ZoneInfo

    try:
        zone = ZoneInfo(timezone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return utc_now().astimezone(zone).date()
