"""Training sessions (the ``activities`` table), as a record group.

A session is logged for a day (today unless told otherwise) and listed from
a day on, newest first. Their loads make fitness, fatigue and form
(:mod:`khepri_cli.services.load`).
"""

from __future__ import annotations

from khepri_cli.schema.tables import ACTIVITIES as ACTIVITIES_TABLE
from khepri_cli.services.records import Group, GroupSpec

ACTIVITIES = Group(
    GroupSpec(
        table=ACTIVITIES_TABLE,
        list_order="activity_date DESC, created_at DESC, id",
        new_row_defaults=lambda today: {"activity_date": today},
        dated_by="activity_date",
    )
)
