"""The morning check-in: save the day's values, judge the day and advise, in one transaction.

``khepri checkin`` must start fast: this module and what it imports are plain
Python over the schema declaration (no models, no rich), and every query it
runs names the athlete and a range of days on a ``(athlete_id, day)`` index
(the judgement itself is :func:`khepri_cli.services.coach.recommend`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, NamedTuple

from khepri_cli.db import repo_checkins as repo
from khepri_cli.db import store
from khepri_cli.db.connection import Journal
from khepri_cli.db.repo_constraints import active_constraints
from khepri_cli.domain import units as u
from khepri_cli.domain.clock import now_timestamp
from khepri_cli.errors import InvalidInput, NotFound
from khepri_cli.schema import Column, Row
from khepri_cli.schema.kinds import INT_MAX
from khepri_cli.schema.tables import DAILY_CHECKINS

CHECKIN_COLUMNS: tuple[Column, ...] = tuple(DAILY_CHECKINS.column(n) for n in DAILY_CHECKINS.entry)
"""The values of a morning check-in, in the order they are asked for."""

DEFAULT_LIST_DAYS = 14
"""``khepri checkins`` without a range shows this many days, ending today."""


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
    row: Row  # the day's check-in as stored
    constraints: list[Row]  # the constraints active that day
    created: bool


def _merge_areas(stored: dict[str, Any] | None, given: dict[str, int]) -> dict[str, Any] | None:
    """Sore areas merged area by area; a score of 0 clears that area."""
    areas = {**(stored or {}), **given}
    areas = {area: score for area, score in areas.items() if score != 0}
    return areas or None


def check_in(journal: Journal, athlete: Row, day: date, values: dict[str, Any]) -> CheckinResult:
    """Save the day's check-in with its judgement and advice, in one transaction.

    A second check-in for the same day updates that day's row: the values
    given replace the stored ones, the others are kept (sore areas are
    merged area by area), and the merged day is judged again. No other day
    is ever judged again: each keeps the document stored with it.
    """
    from khepri_cli.services.coach import recommend  # judging a day: not for listing days

    _check_born_by(athlete, day)
    with journal.transaction() as conn:
        existing = repo.checkin_on(conn, athlete.id, day)
        changes = dict(values)
        if "soreness_areas" in changes:
            stored = existing.soreness_areas if existing else None
            changes["soreness_areas"] = _merge_areas(stored, changes["soreness_areas"])
        day_values = {**(existing or {}), **changes}
        constraints = active_constraints(conn, athlete.id, day)
        stamp = now_timestamp()
        document = recommend(conn, athlete, day, day_values, constraints, stamp)
        changes["ai_recommendation"] = document
        changes["ai_recommendation_generated_at"] = stamp
        if existing is None:
            values = {"athlete_id": athlete.id, "checkin_date": day, **changes}
            row = store.insert(conn, DAILY_CHECKINS, values)
        else:
            row = store.update(conn, existing, changes)
    return CheckinResult(row, constraints, created=existing is None)


def _check_born_by(athlete: Row, day: date) -> None:
    """A check-in before the athlete's date of birth is a typo in one of the two."""
    born = athlete.date_of_birth
    if born is not None and day < born:
        raise InvalidInput(
            "checkin_date",
            day.isoformat(),
            f"must not be before your date of birth ({born})",
            column="checkin_date",
        )


def respond(journal: Journal, athlete_id: str, day: date, response: str, notes: str | None) -> Row:
    """Record the athlete's answer to the day's advice; it replaces an earlier answer and notes."""
    with journal.transaction() as conn:
        checkin = repo.checkin_on(conn, athlete_id, day)
        if checkin is None:
            raise NotFound(
                f"no check-in on {day}; check in first with 'khepri checkin --date {day}'"
            )
        changes = {"user_response": response, "user_response_notes": (notes or "").strip() or None}
        return store.update(conn, checkin, changes)


def require_checkin(journal: Journal, athlete_id: str, day: date) -> Row:
    checkin = repo.checkin_on(journal.conn, athlete_id, day)
    if checkin is None:
        raise NotFound(f"no check-in on {day}", table=DAILY_CHECKINS.name)
    return checkin


def delete_checkin(journal: Journal, athlete_id: str, day: date) -> None:
    with journal.transaction() as conn:
        checkin = repo.checkin_on(conn, athlete_id, day)
        if checkin is None:
            raise NotFound(f"no check-in on {day}", table=DAILY_CHECKINS.name)
        store.delete(conn, DAILY_CHECKINS, checkin.id)


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
        allowed = f"must be a whole number from 1 to {INT_MAX}"
        count = u.parse_whole(limit, "--limit", allowed, 1, INT_MAX)
    if since is not None:
        start = u.parse_date(since, today, "--since")
        if start > end:
            raise InvalidInput("--since", since, f"must be on or before the --until day {end}")
    elif count is not None:
        start = None
    else:
        start = end - timedelta(days=DEFAULT_LIST_DAYS - 1)
    return ListRange(start, end, count)


def recent_checkins(journal: Journal, athlete_id: str, days: ListRange) -> list[Row]:
    return repo.list_checkins(
        journal.conn, athlete_id, since=days.since, until=days.until, limit=days.limit
    )
