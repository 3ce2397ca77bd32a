"""Creating and changing the athlete profile."""

from __future__ import annotations

from typing import Any

from khepri_cli.db import records
from khepri_cli.db.connection import Journal
from khepri_cli.db.repo_athletes import get_athlete, require_athlete
from khepri_cli.domain.profile import FLAG_LABELS, local_timezone_name
from khepri_cli.models.athlete import Athlete


def save_profile(journal: Journal, changes: dict[str, Any]) -> tuple[Athlete, bool]:
    """Create the profile, or apply ``changes`` to it. Returns (athlete, created)."""
    with journal.transaction() as conn:
        current = get_athlete(conn)
        if current is None:
            data = {"timezone": local_timezone_name(), **changes}
            athlete = Athlete.create(data, FLAG_LABELS)
            records.insert(conn, athlete)
            return athlete, True
        athlete, _changed = records.update_if_changed(
            conn, current, current.merged(changes, FLAG_LABELS)
        )
        return athlete, False


def update_profile(journal: Journal, changes: dict[str, Any]) -> Athlete:
    """Apply ``changes`` to an existing profile (``profile set`` needs ``init`` first)."""
    require_athlete(journal.conn)
    return save_profile(journal, changes)[0]
