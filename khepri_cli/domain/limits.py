"""What limits a training day: time, training days, injury restrictions and equipment.

Read from the constraints active on the day and the day's check-in. Injury
restrictions are stored as the app writes them (``no_running``) or as
``khepri constraints add --restrict running`` does (``running``); both mean
the same here. A restriction naming a sport forbids that sport; one naming
intensity (``no_intervals``) keeps the day easy; any other (``hill_repeats``)
is passed on to the athlete as something to avoid.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, NamedTuple

from khepri_cli.domain.days import WEEKDAYS
from khepri_cli.domain.readiness import is_active_on

RESTRICTED_SPORT = {
    "running": "run",
    "run": "run",
    "jogging": "run",
    "cycling": "bike",
    "bike": "bike",
    "biking": "bike",
    "riding": "bike",
    "swimming": "swim",
    "swim": "swim",
    "strength": "strength",
    "weights": "strength",
    "lifting": "strength",
}
RESTRICTED_INTENSITY = frozenset({"intensity", "high_intensity", "intervals", "speedwork"})
SPORT_NEEDS = {  # any one of these in the day's equipment or facilities; others need nothing
    "run": frozenset({"running_shoes", "treadmill", "outdoor_running", "track"}),
    "bike": frozenset({"bike", "road_bike", "bike_trainer", "indoor_bike", "spin_bike", "gym"}),
    "swim": frozenset({"pool", "open_water"}),
}


class DayLimits(NamedTuple):
    """What limits today: time, training days, injury restrictions and equipment."""

    weekday: str | None = None  # "monday" ... "sunday"
    available_minutes: float | None = None
    restrictions: tuple[str, ...] = ()
    available: frozenset[str] | None = None  # equipment and facilities; None: not limited
    available_from: str | None = None  # where that list comes from, for the reasons
    training_days: tuple[str, ...] | None = None
    hours_per_week: float | None = None

    def equipment_allows(self, sport: str) -> bool:
        """Nothing is limited, the sport needs nothing, or one thing it needs is at hand."""
        needs = SPORT_NEEDS.get(sport)
        return self.available is None or not needs or bool(needs & self.available)

    def forbidden_sports(self) -> dict[str, str]:
        """Sport -> the restriction that forbids it."""
        found = {}
        for text in self.restrictions:
            sport = RESTRICTED_SPORT.get(restriction_word(text))
            if sport is not None:
                found.setdefault(sport, text)
        return found

    def intensity_restrictions(self) -> list[str]:
        return [t for t in self.restrictions if restriction_word(t) in RESTRICTED_INTENSITY]

    def other_restrictions(self) -> list[str]:
        """Restrictions that name neither a sport nor intensity (hill repeats, jumping...)."""
        known = RESTRICTED_SPORT.keys() | RESTRICTED_INTENSITY
        return [t for t in self.restrictions if restriction_word(t) not in known]


def restriction_word(text: str) -> str:
    """``no_running``, ``Running``, ``no running`` -> ``running``: the activity restricted."""
    word = text.strip().lower().replace(" ", "_").replace("-", "_")
    return word.removeprefix("no_")


def day_limits(
    day: date, constraints: Iterable[Any], checkin: dict[str, Any] | None = None
) -> DayLimits:
    """The limits of ``day`` from the constraints active on it and the day's check-in.

    The check-in's ``equipment_access``, when given, is the whole list for the
    day; otherwise active travel constraints say what is at hand (equipment
    and facilities); otherwise nothing is limited. Several availability
    constraints combine to the strictest: the fewest hours, the days all allow.
    """
    checkin = checkin or {}
    restrictions: list[str] = []
    travel: set[str] = set()
    trips: list[str] = []
    hours, days = None, None
    for c in constraints:
        if not is_active_on(c, day):
            continue
        if c.constraint_type == "injury":
            restrictions += [r for r in c.injury_restrictions or () if r not in restrictions]
        elif c.constraint_type == "travel":
            travel |= set(c.travel_equipment_available or ()) | set(
                c.travel_facilities_available or ()
            )
            trips.append(c.title)
        elif c.constraint_type == "availability":
            if c.availability_hours_per_week is not None:
                hours = (
                    min(hours, c.availability_hours_per_week)
                    if hours is not None
                    else c.availability_hours_per_week
                )
            if c.availability_days_available:
                given = tuple(c.availability_days_available)
                days = given if days is None else tuple(d for d in days if d in given)
    available, source = None, None
    if checkin.get("equipment_access") is not None:
        available, source = frozenset(checkin["equipment_access"]), "today's equipment"
    elif trips:
        available, source = frozenset(travel), f"travel ({', '.join(trips)})"
    return DayLimits(
        WEEKDAYS[day.weekday()],  # not strftime: its names follow the locale
        checkin.get("available_time_minutes"),
        tuple(restrictions),
        available,
        source,
        days,
        hours,
    )
