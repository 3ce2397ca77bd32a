"""Goals: race, performance, fitness and health goals in one table."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from khepri_cli.models.common import Day, Dec2, Record, Title, UUIDText

GoalType = Literal["race", "performance", "fitness", "health"]
Priority = Literal["A", "B", "C"]
GoalStatus = Literal["active", "completed", "cancelled"]
GOAL_TYPES: tuple[str, ...] = ("race", "performance", "fitness", "health")
PRIORITIES: tuple[str, ...] = ("A", "B", "C")
GOAL_STATUSES: tuple[str, ...] = ("active", "completed", "cancelled")

_DEC10_2 = {"gt": -100_000_000, "lt": 100_000_000}


class Goal(Record):
    table: ClassVar[str] = "goals"

    athlete_id: UUIDText
    goal_type: GoalType
    title: Title
    description: str | None = None
    target_date: Day | None = None
    priority: Priority | None = "B"
    status: GoalStatus | None = "active"
    race_event_name: str | None = None
    race_distance: str | None = None
    race_location: str | None = None
    race_target_time_seconds: int | None = Field(None, gt=0)
    perf_metric: str | None = None
    perf_current_value: Dec2 | None = Field(None, **_DEC10_2)
    perf_target_value: Dec2 | None = Field(None, **_DEC10_2)
    fitness_metric: str | None = None
    fitness_target_value: Dec2 | None = Field(None, **_DEC10_2)
    health_metric: str | None = None
    health_current_value: Dec2 | None = Field(None, **_DEC10_2)
    health_target_value: Dec2 | None = Field(None, **_DEC10_2)
