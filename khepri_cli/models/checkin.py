"""The morning check-in: one row per athlete per day."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import field_validator

from khepri_cli.domain.rules import CHOICES, SORENESS_AREAS  # noqa: F401 (re-exported)
from khepri_cli.models.common import (
    Day,
    Dec1,
    Dec2,
    Record,
    TextList,
    Timestamp,
    UUIDText,
    bounded,
    choice,
)

T = "daily_checkins"
TravelStatus = choice(T, "travel_status")
UserResponse = choice(T, "user_response")
TRAVEL_STATUSES: tuple[str, ...] = CHOICES[T]["travel_status"]
USER_RESPONSES: tuple[str, ...] = CHOICES[T]["user_response"]


class DailyCheckin(Record):
    table: ClassVar[str] = T
    json_columns: ClassVar[frozenset[str]] = frozenset(
        {"soreness_areas", "equipment_access", "ai_recommendation"}
    )

    athlete_id: UUIDText
    checkin_date: Day
    sleep_quality: int | None = bounded(T, "sleep_quality")
    sleep_hours: Dec1 | None = bounded(T, "sleep_hours")
    energy_level: int | None = bounded(T, "energy_level")
    stress_level: int | None = bounded(T, "stress_level")
    overall_soreness: int | None = bounded(T, "overall_soreness")
    soreness_areas: dict[str, Any] | None = None
    resting_hr: int | None = bounded(T, "resting_hr")
    hrv_ms: Dec1 | None = bounded(T, "hrv_ms")
    weight_kg: Dec2 | None = bounded(T, "weight_kg")
    available_time_minutes: int | None = bounded(T, "available_time_minutes")
    equipment_access: TextList | None = None
    travel_status: TravelStatus | None = None
    notes: str | None = None
    ai_recommendation: dict[str, Any] | None = None
    ai_recommendation_generated_at: Timestamp | None = None
    user_response: UserResponse | None = None
    user_response_notes: str | None = None

    @field_validator("soreness_areas")
    @classmethod
    def _area_scores(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        for area, score in value.items():
            if not area.strip():
                raise ValueError("soreness areas need a name, e.g. legs=6")
            if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 10:
                raise ValueError(f"soreness of {area!r} must be a whole number from 1 to 10")
        return value
