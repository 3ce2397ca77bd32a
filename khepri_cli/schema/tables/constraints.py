"""constraints: injuries, travel and availability changes (schema.md)."""

from __future__ import annotations

from khepri_cli.schema import kinds as k
from khepri_cli.schema.model import Column, Table
from khepri_cli.schema.rules import EndNotBeforeStart, OneOf, Range
from khepri_cli.schema.tables.common import (
    WITHIN_TEN_YEARS,
    athlete_id,
    common_head,
    common_tail,
    description,
    title,
)

CONSTRAINT_TYPES: tuple[str, ...] = ("injury", "travel", "availability")

CONSTRAINTS = Table(
    name="constraints",
    noun="constraint",
    order_by="start_date, created_at, id",
    type_column="constraint_type",
    row_rules=(EndNotBeforeStart("start_date", "end_date"),),
    entry=("title", "start_date", "end_date", "description"),
    columns=(
        *common_head(),
        athlete_id(),
        Column(
            "constraint_type", k.TEXT, nullable=False, rule=OneOf(*CONSTRAINT_TYPES), label="type"
        ),
        title("constraint"),
        description("constraint"),
        Column(
            "start_date",
            k.DATE,
            nullable=False,
            rule=WITHIN_TEN_YEARS,
            label="start",
            flag="--start",
            help="First day: YYYY-MM-DD, today or yesterday.",
            form="start_day",
        ),
        Column(
            "end_date",
            k.DATE,
            rule=WITHIN_TEN_YEARS,
            label="end",
            flag="--end",
            help="Last day, YYYY-MM-DD (leave out while it is ongoing).",
            form="day",
        ),
        Column(
            "status", k.TEXT, default="active", rule=OneOf("active", "resolved"), label="status"
        ),
        Column(
            "injury_body_part",
            k.TEXT,
            label="body part",
            flag="--body-part",
            help="where, e.g. left_knee or 'lower back'.",
            form="body_part",
            only_for=("injury",),
        ),
        Column(
            "injury_severity",
            k.TEXT,
            rule=OneOf("mild", "moderate", "severe"),
            label="severity",
            flag="--severity",
            help="mild, moderate or severe.",
            form="pick",
            only_for=("injury",),
        ),
        Column(
            "injury_restrictions",
            k.TEXT_ARRAY,
            label="restrictions",
            flag="--restrict",
            help="an activity to avoid, e.g. running (repeat the flag for more).",
            form="restrictions",
            only_for=("injury",),
        ),
        Column(
            "travel_destination",
            k.TEXT,
            label="destination",
            flag="--destination",
            help="where you are going.",
            form="text",
            only_for=("travel",),
        ),
        Column(
            "travel_equipment_available",
            k.TEXT_ARRAY,
            label="equipment",
            flag="--equipment",
            help="equipment you will have, e.g. running_shoes,swim_goggles.",
            form="list",
            only_for=("travel",),
        ),
        Column(
            "travel_facilities_available",
            k.TEXT_ARRAY,
            label="facilities",
            flag="--facilities",
            help="facilities there, e.g. gym,pool,outdoor_running.",
            form="list",
            only_for=("travel",),
        ),
        Column(
            "availability_hours_per_week",
            k.decimal(4, 1),
            rule=Range(0, 168),
            label="hours per week",
            flag="--hours-per-week",
            help="hours a week you can train, 0-168.",
            form="hours_per_week",
            only_for=("availability",),
        ),
        Column(
            "availability_days_available",
            k.TEXT_ARRAY,
            label="days",
            flag="--days",
            help="days you can train, e.g. monday,wednesday or mon,wed.",
            form="weekdays",
            only_for=("availability",),
        ),
        *common_tail(),
    ),
)
