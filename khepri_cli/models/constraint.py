"""Constraints: injuries, travel and availability changes that shape training."""

from __future__ import annotations

from typing import ClassVar

from pydantic import ValidationInfo, field_validator

from khepri_cli.domain.rules import CHOICES
from khepri_cli.models.common import Day, Dec1, Record, TextList, Title, UUIDText, bounded, choice

T = "constraints"
ConstraintType = choice(T, "constraint_type")
Severity = choice(T, "injury_severity")
ConstraintStatus = choice(T, "status")
CONSTRAINT_TYPES: tuple[str, ...] = CHOICES[T]["constraint_type"]
SEVERITIES: tuple[str, ...] = CHOICES[T]["injury_severity"]
WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)


class Constraint(Record):
    table: ClassVar[str] = T
    json_columns: ClassVar[frozenset[str]] = frozenset(
        {
            "injury_restrictions",
            "travel_equipment_available",
            "travel_facilities_available",
            "availability_days_available",
        }
    )

    athlete_id: UUIDText
    constraint_type: ConstraintType
    title: Title
    description: str | None = None
    start_date: Day
    end_date: Day | None = None
    status: ConstraintStatus | None = "active"
    injury_body_part: str | None = None
    injury_severity: Severity | None = None
    injury_restrictions: TextList | None = None
    travel_destination: str | None = None
    travel_equipment_available: TextList | None = None
    travel_facilities_available: TextList | None = None
    availability_hours_per_week: Dec1 | None = bounded(T, "availability_hours_per_week")
    availability_days_available: TextList | None = None

    @field_validator("end_date")
    @classmethod
    def _ends_after_start(cls, end, info: ValidationInfo):
        start = info.data.get("start_date")
        if end is not None and start is not None and end < start:
            raise ValueError(f"must be on or after the start date {start}")
        return end
