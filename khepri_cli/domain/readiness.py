"""The readiness rubric of the Khepri coach: a traffic light for the day, and why.

The thresholds are data (:data:`RUBRIC`), versioned by :data:`RUBRIC_VERSION`
and stored with every assessment, so a later change to the rules never
re-judges an old day silently: a stored assessment says which rules made it.
Any red sign makes the day red; otherwise any yellow sign makes it yellow.

Pure: no I/O, no typer/rich/sqlite; the caller passes in the day's values,
the athlete's normal (baseline) and the active injuries. The value types are
NamedTuples rather than dataclasses: every morning check-in imports this
module, and building eight frozen dataclasses costs more than the rest of it.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from khepri_cli.schema.rules import number_text

RUBRIC_SOURCE = "khepri-readiness-rubric"
RUBRIC_VERSION = 1

GREEN, YELLOW, RED, UNKNOWN = "green", "yellow", "red", "unknown"
_RANK = {GREEN: 0, YELLOW: 1, RED: 2}


class HigherIsBetter(NamedTuple):
    """Green at or above ``green``, yellow at or above ``yellow``, red below it."""

    green: float
    yellow: float

    def level(self, value: float) -> str:
        if value >= self.green:
            return GREEN
        return YELLOW if value >= self.yellow else RED


class LowerIsBetter(NamedTuple):
    """Green below ``yellow``, yellow from ``yellow``, red from ``red``."""

    yellow: float
    red: float

    def level(self, value: float) -> str:
        if value >= self.red:
            return RED
        return YELLOW if value >= self.yellow else GREEN


class RiseAboveNormal(NamedTuple):
    """Green up to ``yellow_over`` above normal, yellow up to ``red_over``, red beyond."""

    yellow_over: float
    red_over: float

    def level(self, rise: float) -> str:
        if rise > self.red_over:
            return RED
        return YELLOW if rise > self.yellow_over else GREEN


class Rubric(NamedTuple):
    sleep_quality: HigherIsBetter = HigherIsBetter(green=7, yellow=5)
    sleep_hours: HigherIsBetter = HigherIsBetter(green=7, yellow=5)
    energy: HigherIsBetter = HigherIsBetter(green=6, yellow=4)
    stress: LowerIsBetter = LowerIsBetter(yellow=6, red=8)
    soreness: LowerIsBetter = LowerIsBetter(yellow=6, red=8)
    resting_hr_bpm_above_normal: RiseAboveNormal = RiseAboveNormal(yellow_over=5, red_over=10)
    hrv_percent_below_normal: RiseAboveNormal = RiseAboveNormal(yellow_over=10, red_over=20)
    injury_level: str = RED
    baseline_days: int = 28
    baseline_min_checkins: int = 3


RUBRIC = Rubric()

ADVICE = {
    GREEN: "Ready to train: go ahead with today's plan, quality sessions included.",
    YELLOW: (
        "Train with care: keep it aerobic and shorter, skip hard intervals, "
        "and stop if anything feels off."
    ),
    RED: (
        "Recover today: rest, or at most an easy 20–40 minutes; "
        "no intensity, and respect any injury restrictions."
    ),
    UNKNOWN: "Not enough information to judge: add sleep, energy, stress or soreness.",
}


class Baseline(NamedTuple):
    """The athlete's normal, from their own recent check-ins or, failing that, the profile."""

    resting_hr: float | None = None
    resting_hr_source: str | None = None
    hrv_ms: float | None = None
    hrv_source: str | None = None


class Injury(NamedTuple):
    title: str
    body_part: str | None = None
    severity: str | None = None
    restrictions: tuple[str, ...] = ()


class Sign(NamedTuple):
    name: str
    level: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """As stored in ``ai_recommendation``."""
        return {"sign": self.name, "level": self.level, "reason": self.reason}


class Assessment(NamedTuple):
    level: str
    signs: tuple[Sign, ...] | list[Sign] = ()
    baseline: Baseline = Baseline()

    @property
    def advice(self) -> str:
        return ADVICE[self.level]

    def to_recommendation(self, generated_at: str) -> dict[str, Any]:
        """The JSON stored in ``daily_checkins.ai_recommendation``."""
        return {
            "source": RUBRIC_SOURCE,
            "rubric_version": RUBRIC_VERSION,
            "generated_at": generated_at,
            "readiness": self.level,
            "advice": self.advice,
            "signs": [s.to_dict() for s in self.signs],
            "baseline": {
                "resting_hr": self.baseline.resting_hr,
                "resting_hr_source": self.baseline.resting_hr_source,
                "hrv_ms": self.baseline.hrv_ms,
                "hrv_source": self.baseline.hrv_source,
            },
        }


def median(values: list[float]) -> float:
    """The middle value (mean of the two middle ones for an even count).

    Written out rather than imported: ``statistics`` pulls in fractions, decimal
    and random, a cost every morning check-in would pay for one function.
    """
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def baseline_from(
    recent_resting_hr: list[float],
    recent_hrv: list[float],
    profile_resting_hr: int | None,
    rubric: Rubric = RUBRIC,
) -> Baseline:
    """Median of recent values when there are enough of them; profile resting HR otherwise."""
    days = rubric.baseline_days
    rhr = source = None
    if len(recent_resting_hr) >= rubric.baseline_min_checkins:
        rhr = round(median(recent_resting_hr), 1)
        source = f"median of your last {len(recent_resting_hr)} check-ins ({days} days)"
    elif profile_resting_hr is not None:
        rhr, source = float(profile_resting_hr), "your profile's resting HR"
    hrv = hrv_source = None
    if len(recent_hrv) >= rubric.baseline_min_checkins:
        hrv = round(median(recent_hrv), 1)
        hrv_source = f"median of your last {len(recent_hrv)} check-ins ({days} days)"
    return Baseline(rhr, source, hrv, hrv_source)


def _num(value: float) -> str:
    return number_text(value)


def subjective_signs(day: dict[str, Any], rubric: Rubric = RUBRIC) -> list[Sign]:
    """Sleep, energy, stress and soreness signs: the same in every rubric version."""
    signs: list[Sign] = []
    quality, hours = day.get("sleep_quality"), day.get("sleep_hours")
    if quality is not None:
        level = rubric.sleep_quality.level(quality)
        signs.append(Sign("sleep", level, f"sleep quality {quality}/10"))
    if hours is not None:
        level = rubric.sleep_hours.level(hours)
        signs.append(Sign("sleep", level, f"{_num(hours)} h of sleep"))

    energy = day.get("energy_level")
    if energy is not None:
        signs.append(Sign("energy", rubric.energy.level(energy), f"energy {energy}/10"))

    stress = day.get("stress_level")
    if stress is not None:
        signs.append(Sign("stress", rubric.stress.level(stress), f"stress {stress}/10"))

    soreness = day.get("overall_soreness")
    if soreness is not None:
        level = rubric.soreness.level(soreness)
        signs.append(Sign("soreness", level, f"overall soreness {soreness}/10"))
    for area, score in sorted((day.get("soreness_areas") or {}).items()):
        level = rubric.soreness.level(score)
        signs.append(Sign("soreness", level, f"{area.replace('_', ' ')} soreness {score}/10"))
    return signs


def injury_signs(
    injuries: list[Injury] | tuple[Injury, ...], rubric: Rubric = RUBRIC
) -> list[Sign]:
    """One sign per active injury, naming it and the activities to avoid."""
    signs = []
    for injury in injuries:
        where = (injury.body_part or "").replace("_", " ")
        detail = ", ".join(part for part in (where, injury.severity) if part)
        reason = f"injury: {injury.title}" + (f" ({detail})" if detail else "")
        if injury.restrictions:
            reason += "; avoid " + ", ".join(r.replace("_", " ") for r in injury.restrictions)
        signs.append(Sign("injury", rubric.injury_level, reason))
    return signs


def worst_level(signs: list[Sign] | tuple[Sign, ...]) -> str:
    """The day's light: any red sign makes it red, else any yellow; nothing judged is unknown."""
    if not signs:
        return UNKNOWN
    return max(signs, key=lambda s: _RANK[s.level]).level


def assess(
    day: dict[str, Any],
    baseline: Baseline = Baseline(),
    injuries: list[Injury] | tuple[Injury, ...] = (),
    rubric: Rubric = RUBRIC,
) -> Assessment:
    """Judge one day. ``day`` holds daily_checkins columns; missing values are not judged."""
    signs = subjective_signs(day, rubric)

    rhr = day.get("resting_hr")
    if rhr is not None and baseline.resting_hr is not None:
        rise = rhr - baseline.resting_hr
        level = rubric.resting_hr_bpm_above_normal.level(rise)
        if rise > 0:
            reason = f"resting HR {rhr} bpm, {_num(round(rise, 1))} above your normal {_num(baseline.resting_hr)}"
        else:
            reason = f"resting HR {rhr} bpm, at or below your normal {_num(baseline.resting_hr)}"
        signs.append(Sign("resting_hr", level, reason))

    hrv = day.get("hrv_ms")
    if hrv is not None and baseline.hrv_ms:
        drop = (baseline.hrv_ms - hrv) / baseline.hrv_ms * 100
        level = rubric.hrv_percent_below_normal.level(round(drop, 6))
        if drop > 0:
            reason = f"HRV {_num(hrv)} ms, {drop:.0f}% below your normal {_num(baseline.hrv_ms)}"
        else:
            reason = f"HRV {_num(hrv)} ms, at or above your normal {_num(baseline.hrv_ms)}"
        signs.append(Sign("hrv", level, reason))

    signs += injury_signs(injuries, rubric)
    return Assessment(worst_level(signs), signs, baseline)


def is_active_on(constraint: Any, day: date) -> bool:
    """An active constraint whose dates cover ``day`` (no end date means ongoing)."""
    if constraint.status != "active" or constraint.start_date > day:
        return False
    return constraint.end_date is None or constraint.end_date >= day


def injuries_on(day: date, constraints: list[Any]) -> list[Injury]:
    """Active injury constraints that cover ``day`` (models of the constraints table)."""
    found = []
    for c in constraints:
        if c.constraint_type != "injury" or not is_active_on(c, day):
            continue
        found.append(
            Injury(
                c.title, c.injury_body_part, c.injury_severity, tuple(c.injury_restrictions or ())
            )
        )
    return found
