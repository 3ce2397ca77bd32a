"""Creating and changing the athlete profile."""

from __future__ import annotations

from datetime import date
from typing import Any

from khepri_cli.db import store
from khepri_cli.db.connection import Journal
from khepri_cli.db.repo_athletes import get_athlete, require_athlete
from khepri_cli.db.repo_checkins import first_checkin_day
from khepri_cli.domain.profile import local_timezone_name
from khepri_cli.errors import InvalidInput
from khepri_cli.schema import Row
from khepri_cli.schema.tables import ATHLETES


def get_profile(journal: Journal) -> Row:
    """The journal's athlete; :class:`~khepri_cli.errors.NoProfile` before one is made."""
    return require_athlete(journal.conn)


def save_profile(journal: Journal, values: dict[str, Any]) -> tuple[Row, bool]:
    """Create the profile, or apply ``values`` to it. Returns (athlete, created).

    A new profile lives in this machine's time zone unless ``values`` says otherwise.
    """
    with journal.transaction() as conn:
        current = get_athlete(conn)
        if current is not None:
            _check_birth_before_checkins(conn, current.id, values.get("date_of_birth"))
        if current is None:
            athlete = store.insert(conn, ATHLETES, {"timezone": local_timezone_name(), **values})
            return athlete, True
        athlete, _changed = store.update_if_changed(conn, current, values)
        return athlete, False


def _check_birth_before_checkins(conn: Any, athlete_id: str, born: date | None) -> None:
    """A date of birth after the first check-in is a typo: refuse it, naming that day."""
    first = first_checkin_day(conn, athlete_id) if born is not None else None
    if first is not None and born is not None and born > first:
        raise InvalidInput(
            "date_of_birth",
            born.isoformat(),
            f"must be on or before your first check-in ({first})",
            column="date_of_birth",
        )


def update_profile(journal: Journal, values: dict[str, Any]) -> Row:
    """Apply ``values`` to an existing profile (``profile set`` needs ``init`` first)."""
    require_athlete(journal.conn)
    return save_profile(journal, values)[0]
