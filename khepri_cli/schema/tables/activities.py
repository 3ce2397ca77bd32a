"""activities: completed training sessions, the load behind fitness, fatigue and form (issue 11).

Not in schema.md's five tables: Khepri added it (``docs/load.md``), with a
migration of its own on both sides. A session belongs to the athlete's day
it was done on; its load is minutes × RPE, or its TSS when it has one.
"""

from __future__ import annotations

from khepri_cli.schema import kinds as k
from khepri_cli.schema.model import Column, Table
from khepri_cli.schema.rules import OneOf, Range
from khepri_cli.schema.tables.common import (
    NOT_IN_THE_FUTURE,
    SCORE,
    athlete_id,
    common_head,
    common_tail,
)

SPORTS: tuple[str, ...] = ("swim", "bike", "run", "strength", "other")

ACTIVITIES = Table(
    name="activities",
    noun="session",
    order_by="activity_date, created_at, id",
    type_column="sport",
    entry=("activity_date", "sport", "duration_minutes", "rpe", "distance_km", "tss", "notes"),
    columns=(
        *common_head(),
        athlete_id(),
        Column(
            "activity_date",
            k.DATE,
            nullable=False,
            label="date",
            flag="--date",
            rule=NOT_IN_THE_FUTURE,
            help="The day of the session: YYYY-MM-DD, today or yesterday (default: today).",
            form="past_day",
        ),
        Column(
            "sport",
            k.TEXT,
            nullable=False,
            rule=OneOf(*SPORTS),
            label="sport",
            flag="--sport",
            help="swim, bike, run, strength or other.",
            form="pick",
        ),
        Column(
            "duration_minutes",
            k.INTEGER,
            nullable=False,
            rule=Range(1, 1440, unit="minutes"),
            label="duration",
            flag="--duration",
            help="How long: minutes (90 or 45m), h:mm (1:30) or 1h30m.",
            form="session_minutes",
        ),
        Column(
            "rpe",
            k.INTEGER,
            nullable=False,
            rule=SCORE,
            label="RPE",
            flag="--rpe",
            help="How hard the whole session felt, 1 (very easy) to 10 (maximal).",
            form="score",
        ),
        Column(
            "distance_km",
            k.decimal(8, 3),
            rule=Range(0, 100_000, open_low=True, open_high=True, unit="km"),
            label="distance",
            flag="--distance",
            help="Distance in your units (km, or mi when imperial); a km, m, mi or yd "
            "suffix overrides, e.g. 10.5 or 1500m.",
            form="distance",
        ),
        Column(
            "tss",
            k.decimal(6, 1),
            rule=Range(0, 2000),
            label="TSS",
            flag="--tss",
            help="Training Stress Score from your device; it is the session's load "
            "instead of minutes × RPE.",
            form="number",
        ),
        Column(
            "notes",
            k.NOTE,
            label="notes",
            flag="--notes",
            help="Anything about the session.",
            form="text",
        ),
        *common_tail(),
    ),
)
