"""Time as the journal sees it: UTC timestamps in one fixed format, local days per athlete."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
"""The one timestamp format stored in the journal: ISO 8601, UTC, microseconds."""


def utc_now() -> datetime:
    """Now, in UTC. ``KHEPRI_NOW`` (ISO 8601) pins it, for reproducible demos and tests."""
    pinned = os.environ.get("KHEPRI_NOW")
    if pinned:
        moment = datetime.fromisoformat(pinned.replace("Z", "+00:00"))
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    return datetime.now(UTC)


def format_timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


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


def parse_timestamp(text: str) -> datetime:
    """Any ISO 8601 timestamp with an offset (``Z`` allowed) -> aware UTC datetime."""
    moment = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00").replace(" ", "T"))
    if moment.tzinfo is None:
        raise ValueError("timestamp needs a time zone, e.g. 2026-11-25T06:30:00Z")
    return moment.astimezone(UTC)


def today_in(timezone: str | None) -> date:
    """The calendar day it is now for someone living in ``timezone`` (IANA name)."""
    from zoneinfo import ZoneInfo

    try:
        zone = ZoneInfo(timezone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return utc_now().astimezone(zone).date()


def is_valid_timezone(name: str) -> bool:
    from zoneinfo import ZoneInfo

    if not name or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        return False
    return True
