"""training_plans: optional periodised plans (schema.md)."""

from __future__ import annotations

from khepri_cli.schema import kinds as k
from khepri_cli.schema.model import Column, Table
from khepri_cli.schema.rules import EndNotBeforeStart, OneOf, Range
from khepri_cli.schema.tables.common import athlete_id, common_head, common_tail, description, title

PLAN_STATUSES: tuple[str, ...] = ("draft", "active", "paused", "completed", "cancelled")

TRAINING_PLANS = Table(
    name="training_plans",
    noun="training plan",
    order_by="start_date, created_at, id",
    row_rules=(EndNotBeforeStart("start_date", "end_date"),),
    columns=(
        *common_head(),
        athlete_id(),
        title("plan"),
        description("plan"),
        Column(
            "duration_weeks",
            k.INTEGER,
            nullable=False,
            rule=Range(4, 52),
            label="weeks",
            help="How many weeks, 4 to 52 (default: the whole weeks until the goal's date, "
            "12 without one).",
            form="number",
        ),
        Column(
            "start_date",
            k.DATE,
            nullable=False,
            label="start",
            help="The first day of week 1: YYYY-MM-DD, today or tomorrow (default: today).",
            form="day",
        ),
        Column("end_date", k.DATE, nullable=False, label="end", form="day"),
        Column("target_goal_id", k.UUID, references="goals", label="goal"),
        Column("status", k.TEXT, default="active", rule=OneOf(*PLAN_STATUSES), label="status"),
        Column("phases", k.JSON_ARRAY, nullable=False, default=()),
        Column("weekly_template", k.JSON_ANY),
        Column("adjustments_log", k.JSON_ARRAY, nullable=False, default=()),
        *common_tail(),
    ),
)
