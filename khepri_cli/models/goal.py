"""Goals: race, performance, fitness and health goals in one table."""

from __future__ import annotations

from typing import ClassVar

from khepri_cli.domain.rules import CHOICES
from khepri_cli.models.common import Day, Dec2, Record, Title, UUIDText, bounded, choice

T = "goals"
GoalType = choice(T, "goal_type")
Priority = choice(T, "priority")
GoalStatus = choice(T, "status")
GOAL_TYPES: tuple[str, ...] = CHOICES[T]["goal_type"]
PRIORITIES: tuple[str, ...] = CHOICES[T]["priority"]
GOAL_STATUSES: tuple[str, ...] = CHOICES[T]["status"]


class Goal(Record):
    table: ClassVar[str] = T

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
    race_target_time_seconds: int | None = bounded(T, "race_target_time_seconds")
    perf_metric: str | None = None
    perf_current_value: Dec2 | None = bounded(T, "perf_current_value")
    perf_target_value: Dec2 | None = bounded(T, "perf_target_value")
    fitness_metric: str | None = None
    fitness_target_value: Dec2 | None = bounded(T, "fitness_target_value")
    health_metric: str | None = None
    health_current_value: Dec2 | None = bounded(T, "health_current_value")
    health_target_value: Dec2 | None = bounded(T, "health_target_value")
