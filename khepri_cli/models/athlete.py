"""The athlete profile: one per journal (and per Supabase Auth user once synced)."""

from __future__ import annotations

from datetime import time
from typing import ClassVar, Literal

from pydantic import Field, field_validator

from khepri_cli.domain.clock import is_valid_timezone
from khepri_cli.models.common import Day, Dec2, Flag, Record, UUIDText

Units = Literal["metric", "imperial"]


class Athlete(Record):
    table: ClassVar[str] = "athletes"
    bool_columns: ClassVar[frozenset[str]] = frozenset({"intervals_icu_connected"})

    auth_user_id: UUIDText | None = None
    display_name: str | None = None
    date_of_birth: Day | None = None
    weight_kg: Dec2 | None = Field(None, gt=0, lt=1000)
    height_cm: Dec2 | None = Field(None, gt=0, lt=1000)
    ftp_watts: int | None = Field(None, ge=1, le=2500)
    running_threshold_pace_sec_per_km: int | None = Field(None, ge=60, le=1800)
    css_sec_per_100m: int | None = Field(None, ge=30, le=600)
    resting_heart_rate: int | None = Field(None, ge=20, le=250)
    max_heart_rate: int | None = Field(None, ge=20, le=250)
    lthr: int | None = Field(None, ge=20, le=250)
    preferred_units: Units | None = "metric"
    timezone: str | None = "UTC"
    daily_checkin_time: time | None = time(7, 0)
    intervals_icu_athlete_id: str | None = None
    intervals_icu_connected: Flag | None = False

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is not None and not is_valid_timezone(value):
            raise ValueError("must be an IANA time zone name, e.g. Europe/London or UTC")
        return value

    @field_validator("daily_checkin_time", mode="before")
    @classmethod
    def _whole_seconds(cls, value):
        if isinstance(value, str) and value.count(":") == 1:
            value += ":00"
        return value

    @field_validator("daily_checkin_time")
    @classmethod
    def _drop_fraction(cls, value: time | None) -> time | None:
        return None if value is None else value.replace(microsecond=0, tzinfo=None)

    @property
    def units(self) -> str:
        return self.preferred_units or "metric"
