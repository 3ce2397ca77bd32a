"""Training plans: optional periodised plans with phases and a weekly template."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, ValidationInfo, field_validator

from khepri_cli.models.common import Day, Record, Title, UUIDText, bounded, choice

T = "training_plans"
PlanStatus = choice(T, "status")


class TrainingPlan(Record):
    table: ClassVar[str] = T
    json_columns: ClassVar[frozenset[str]] = frozenset(
        {"phases", "weekly_template", "adjustments_log"}
    )

    athlete_id: UUIDText
    title: Title
    description: str | None = None
    duration_weeks: int = bounded(T, "duration_weeks", default=...)
    start_date: Day
    end_date: Day
    target_goal_id: UUIDText | None = None
    status: PlanStatus | None = "active"
    phases: list[Any] = Field(default_factory=list)
    weekly_template: Any = None
    adjustments_log: list[Any] = Field(default_factory=list)

    @field_validator("end_date")
    @classmethod
    def _ends_after_start(cls, end, info: ValidationInfo):
        start = info.data.get("start_date")
        if end is not None and start is not None and end < start:
            raise ValueError(f"must be on or after the start date {start}")
        return end
