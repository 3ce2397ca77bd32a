"""The athlete profile: one per journal (and per Supabase Auth user once synced)."""

from __future__ import annotations

from datetime import date, time
from typing import ClassVar

from pydantic import field_validator

from khepri_cli.domain.clock import is_valid_timezone, today_in
from khepri_cli.models.common import Day, Dec2, Flag, Record, UUIDText, bounded, choice

T = "athletes"
Units = choice(T, "preferred_units")


class Athlete(Record):
    table: ClassVar[str] = T
    bool_columns: ClassVar[frozenset[str]] = frozenset({"intervals_icu_connected"})

    auth_user_id: UUIDText | None = None
    display_name: str | None = None
    date_of_birth: Day | None = None
    weight_kg: Dec2 | None = bounded(T, "weight_kg")
    height_cm: Dec2 | None = bounded(T, "height_cm")
    ftp_watts: int | None = bounded(T, "ftp_watts")
    running_threshold_pace_sec_per_km: int | None = bounded(T, "running_threshold_pace_sec_per_km")
    css_sec_per_100m: int | None = bounded(T, "css_sec_per_100m")
    resting_heart_rate: int | None = bounded(T, "resting_heart_rate")
    max_heart_rate: int | None = bounded(T, "max_heart_rate")
    lthr: int | None = bounded(T, "lthr")
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

    def today(self) -> date:
        """The calendar day it is now where the athlete lives."""
        return today_in(self.timezone)
