"""The morning check-in: one row per athlete per day."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from khepri_cli.models.common import Day, Dec1, Dec2, Record, TextList, Timestamp, UUIDText

TravelStatus = Literal["home", "traveling", "returning"]
UserResponse = Literal["accepted", "modified", "skipped", "alternative"]
TRAVEL_STATUSES: tuple[str, ...] = ("home", "traveling", "returning")
USER_RESPONSES: tuple[str, ...] = ("accepted", "modified", "skipped", "alternative")
SORENESS_AREAS: tuple[str, ...] = ("legs", "back", "shoulders", "arms", "core", "neck")


class DailyCheckin(Record):
    table: ClassVar[str] = "daily_checkins"
    json_columns: ClassVar[frozenset[str]] = frozenset(
        {"soreness_areas", "equipment_access", "ai_recommendation"}
    )

    athlete_id: UUIDText
    checkin_date: Day
    sleep_quality: int | None = Field(None, ge=1, le=10)
    sleep_hours: Dec1 | None = Field(None, ge=0, le=24)
    energy_level: int | None = Field(None, ge=1, le=10)
    stress_level: int | None = Field(None, ge=1, le=10)
    overall_soreness: int | None = Field(None, ge=1, le=10)
    soreness_areas: dict[str, Any] | None = None
    resting_hr: int | None = Field(None, ge=20, le=250)
    hrv_ms: Dec1 | None = Field(None, gt=0, lt=10000)
    weight_kg: Dec2 | None = Field(None, gt=0, lt=1000)
    available_time_minutes: int | None = Field(None, ge=0, le=1440)
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
