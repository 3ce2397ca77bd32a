"""The value rules of the data contract, as data: ranges and allowed values per column.

This is the one Python home of the rules in schema.md. The pydantic models
take their bounds and allowed values from here, and :func:`check_values`
applies the same rules without pydantic, for the one path where start-up
time is the product: the morning check-in (importing pydantic and building
the models costs about twice as much as importing typer). The SQL CHECKs
of the SQLite migrations and the Postgres schema are frozen text; tests
prove they agree with these rules value for value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from khepri_cli.errors import InvalidInput


@dataclass(frozen=True)
class Bounds:
    """A numeric range; ``open_low``/``open_high`` exclude the end itself."""

    low: float
    high: float
    open_low: bool = False
    open_high: bool = False

    def admits(self, value: float) -> bool:
        above = value > self.low if self.open_low else value >= self.low
        below = value < self.high if self.open_high else value <= self.high
        return above and below

    def pydantic_kwargs(self) -> dict[str, float]:
        return {
            ("gt" if self.open_low else "ge"): self.low,
            ("lt" if self.open_high else "le"): self.high,
        }

    def describe(self) -> str:
        if self.open_low and self.open_high:
            return f"must be more than {self.low:g} and less than {self.high:g}"
        return f"must be between {self.low:g} and {self.high:g}"


HEART_RATE = Bounds(20, 250)
SCORE = Bounds(1, 10)
DECIMAL_10_2 = Bounds(-100_000_000, 100_000_000, open_low=True, open_high=True)
BODY_WEIGHT_KG = Bounds(0, 1000, open_low=True, open_high=True)

BOUNDS: dict[str, dict[str, Bounds]] = {
    "athletes": {
        "weight_kg": BODY_WEIGHT_KG,
        "height_cm": Bounds(0, 1000, open_low=True, open_high=True),
        "ftp_watts": Bounds(1, 2500),
        "running_threshold_pace_sec_per_km": Bounds(60, 1800),
        "css_sec_per_100m": Bounds(30, 600),
        "resting_heart_rate": HEART_RATE,
        "max_heart_rate": HEART_RATE,
        "lthr": HEART_RATE,
    },
    "goals": {
        "race_target_time_seconds": Bounds(0, 2**31 - 1, open_low=True),
        "perf_current_value": DECIMAL_10_2,
        "perf_target_value": DECIMAL_10_2,
        "fitness_target_value": DECIMAL_10_2,
        "health_current_value": DECIMAL_10_2,
        "health_target_value": DECIMAL_10_2,
    },
    "constraints": {
        "availability_hours_per_week": Bounds(0, 168),
    },
    "daily_checkins": {
        "sleep_quality": SCORE,
        "sleep_hours": Bounds(0, 24),
        "energy_level": SCORE,
        "stress_level": SCORE,
        "overall_soreness": SCORE,
        "resting_hr": HEART_RATE,
        "hrv_ms": Bounds(0, 10000, open_low=True, open_high=True),
        "weight_kg": BODY_WEIGHT_KG,
        "available_time_minutes": Bounds(0, 1440),
    },
    "training_plans": {
        "duration_weeks": Bounds(4, 52),
    },
}

CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    "athletes": {"preferred_units": ("metric", "imperial")},
    "goals": {
        "goal_type": ("race", "performance", "fitness", "health"),
        "priority": ("A", "B", "C"),
        "status": ("active", "completed", "cancelled"),
    },
    "constraints": {
        "constraint_type": ("injury", "travel", "availability"),
        "status": ("active", "resolved"),
        "injury_severity": ("mild", "moderate", "severe"),
    },
    "daily_checkins": {
        "travel_status": ("home", "traveling", "returning"),
        "user_response": ("accepted", "modified", "skipped", "alternative"),
    },
    "training_plans": {
        "status": ("draft", "active", "paused", "completed", "cancelled"),
    },
}

SCALE: dict[str, dict[str, int]] = {
    "athletes": {"weight_kg": 2, "height_cm": 2},
    "goals": {
        "perf_current_value": 2,
        "perf_target_value": 2,
        "fitness_target_value": 2,
        "health_current_value": 2,
        "health_target_value": 2,
    },
    "constraints": {"availability_hours_per_week": 1},
    "daily_checkins": {"sleep_hours": 1, "hrv_ms": 1, "weight_kg": 2},
    "training_plans": {},
}

INTEGER_COLUMNS: dict[str, frozenset[str]] = {
    "athletes": frozenset(
        {
            "ftp_watts",
            "running_threshold_pace_sec_per_km",
            "css_sec_per_100m",
            "resting_heart_rate",
            "max_heart_rate",
            "lthr",
        }
    ),
    "goals": frozenset({"race_target_time_seconds"}),
    "constraints": frozenset(),
    "daily_checkins": frozenset(
        {
            "sleep_quality",
            "energy_level",
            "stress_level",
            "overall_soreness",
            "resting_hr",
            "available_time_minutes",
        }
    ),
    "training_plans": frozenset({"duration_weeks"}),
}

SORENESS_AREAS: tuple[str, ...] = ("legs", "back", "shoulders", "arms", "core", "neck")


def round_half_up(value: float, digits: int) -> float:
    """Round as Postgres rounds into DECIMAL(p, digits): half away from zero."""
    from decimal import ROUND_HALF_UP, Decimal

    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP))


def check_value(table: str, column: str, value: Any) -> Any:
    """``value`` in canonical form, or ValueError saying what is allowed.

    Covers the numeric and allowed-value rules; types beyond numbers and
    choices (dates, JSON shapes) are the caller's parsers' job.
    """
    if value is None:
        return None
    choices = CHOICES.get(table, {}).get(column)
    if choices is not None:
        if value not in choices:
            raise ValueError("must be " + _one_of(choices))
        return value
    bounds = BOUNDS.get(table, {}).get(column)
    if column in INTEGER_COLUMNS.get(table, ()):
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise ValueError(_whole_number(bounds))
    elif bounds is not None:
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise ValueError(f"must be a number; {bounds.describe()}")
        digits = SCALE.get(table, {}).get(column)
        value = round_half_up(float(value), digits) if digits is not None else float(value)
    if bounds is not None and not bounds.admits(value):
        raise ValueError(bounds.describe())
    return value


def check_values(table: str, values: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """Every value checked; the first bad one raises InvalidInput named by its label."""
    checked = {}
    for column, value in values.items():
        try:
            checked[column] = check_value(table, column, value)
        except ValueError as exc:
            raise InvalidInput(labels.get(column, column), value, str(exc)) from None
    return checked


def or_list(items: tuple[str, ...] | list[str], word: str = "or") -> str:
    """``a, b or c``: a list of choices as a sentence names them."""
    items = list(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1] if len(items) > 1 else items[0]


def _one_of(choices: tuple[str, ...]) -> str:
    return or_list([f"'{c}'" for c in choices])


def _whole_number(bounds: Bounds | None) -> str:
    if bounds is None:
        return "must be a whole number"
    return f"must be a whole number {bounds.describe().removeprefix('must be ')}"
