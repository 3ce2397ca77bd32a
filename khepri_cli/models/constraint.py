"""Constraints: injuries, travel and availability changes that shape training."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator

from khepri_cli.models.common import Day, Dec1, Record, TextList, Title, UUIDText

ConstraintType = Literal["injury", "travel", "availability"]
Severity = Literal["mild", "moderate", "severe"]
ConstraintStatus = Literal["active", "resolved"]
CONSTRAINT_TYPES: tuple[str, ...] = ("injury", "travel", "availability")
SEVERITIES: tuple[str, ...] = ("mild", "moderate", "severe")
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
    table: ClassVar[str] = "constraints"
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
    availability_hours_per_week: Dec1 | None = Field(None, ge=0, le=168)
    availability_days_available: TextList | None = None

    @field_validator("end_date")
    @classmethod
    def _ends_after_start(cls, end, info: ValidationInfo):
        start = info.data.get("start_date")
        if end is not None and start is not None and end < start:
            raise ValueError(f"must be on or after the start date {start}")
        return end
