"""Advice that says what to do today: an intensity, minutes, a sport, and every reason.

The rules, in the order they apply (docs/checkin.md, "What to do today", has the tables):

1. *What the day calls for*: the plan's phase for today (base moderate,
   build and peak hard, taper moderate, recovery easy; the wave's lighter
   week one step easier); without a plan phase, form (high risk easy,
   optimal and neutral moderate, fresh and detraining hard); without either,
   moderate.
2. *Caps*, each lowering the intensity only: the light (green none, yellow
   easy, red recovery, unknown moderate); form in the high-risk band (easy);
   an injury restriction on intensity such as ``no_intervals`` (easy).
3. *Rest*: a red day with 2 or more red signs, a red day in the high-risk
   form band, or a weekday that is not one of the athlete's training days.
4. *Sport*: the first of the athlete's sports that no injury restriction
   forbids and today's equipment allows (low-impact sports first on a
   recovery day); if none is possible, mobility, at recovery intensity.
5. *Minutes*: recovery 30, easy 45, moderate 60, hard 75, scaled by the
   plan's volume multiplier for that week (to the nearest 5), then capped by
   the minutes available today and by the availability constraint's hours
   per week spread over its training days; fewer than 10 minutes is rest.

Every reason names the number or the fact that decided it. The day's limits
come from :func:`khepri_cli.domain.limits.day_limits`, form from
:func:`khepri_cli.domain.load.form_on`, the plan's week from
:func:`khepri_cli.domain.plans.plan_position`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, NamedTuple

from khepri_cli.domain.limits import DayLimits, restriction_word
from khepri_cli.domain.load import BAND_LABELS, DETRAINING, FRESH, HIGH_RISK, NEUTRAL, OPTIMAL, Form
from khepri_cli.domain.load import SETTINGS as LOAD_SETTINGS
from khepri_cli.domain.plans import BASE, BUILD, PEAK, TAPER, PlanPosition
from khepri_cli.domain.plans import RECOVERY as RECOVERY_PHASE
from khepri_cli.domain.readiness import GREEN, RED, UNKNOWN, YELLOW, Sign

REST, RECOVERY, EASY, MODERATE, HARD = "rest", "recovery", "easy", "moderate", "hard"
INTENSITIES = (REST, RECOVERY, EASY, MODERATE, HARD)
APP_INTENSITY = {
    REST: "recovery",
    RECOVERY: "recovery",
    EASY: "easy",
    MODERATE: "moderate",
    HARD: "hard",
}

PHASE_TARGET = {BASE: MODERATE, BUILD: HARD, PEAK: HARD, TAPER: MODERATE, RECOVERY_PHASE: EASY}
FORM_TARGET = {HIGH_RISK: EASY, OPTIMAL: MODERATE, NEUTRAL: MODERATE, FRESH: HARD, DETRAINING: HARD}
LIGHT_CAP = {GREEN: HARD, YELLOW: EASY, RED: RECOVERY, UNKNOWN: MODERATE}
BASE_MINUTES = {RECOVERY: 30, EASY: 45, MODERATE: 60, HARD: 75}
MIN_SESSION_MINUTES = 10
RED_SIGNS_FOR_REST = 2

MOBILITY = "mobility"
DEFAULT_SPORTS = ("run", "bike", "swim")
LOW_IMPACT = ("swim", "bike")
SPORT_WORDS = {
    "run": "run",
    "bike": "ride",
    "swim": "swim",
    "strength": "strength session",
    MOBILITY: "mobility and an easy walk",
}
HOW = {
    RECOVERY: "very easy, zone 1; stop if anything hurts",
    EASY: "conversational, zones 1–2",
    MODERATE: "steady aerobic with a little tempo, zones 2–3",
}
HARD_HOW = {
    "threshold_work": "threshold intervals in zone 4",
    "race_specific": "race-pace efforts",
    "vo2max": "short VO2max intervals in zone 5",
}


class Reason(NamedTuple):
    rule: str
    text: str


class Advice(NamedTuple):
    intensity: str  # one of INTENSITIES
    minutes: int
    sport: str | None  # None on a rest day
    suggestion: str
    summary: str
    reasons: tuple[Reason, ...]

    def app_fields(self) -> dict[str, Any]:
        """The fields the Khepri app reads from ``ai_recommendation`` (rest is recovery, 0 min)."""
        fields: dict[str, Any] = {
            "summary": self.summary,
            "workoutSuggestion": self.suggestion,
            "intensityLevel": APP_INTENSITY[self.intensity],
            "duration": self.minutes,
        }
        if self.reasons:
            fields["notes"] = "; ".join(r.text for r in self.reasons)
        return fields

    def to_dict(self) -> dict[str, Any]:
        data = self._asdict()
        data["reasons"] = [r._asdict() for r in self.reasons]
        return data


def _lower(a: str, b: str) -> str:
    return min(a, b, key=INTENSITIES.index)


def _harder(a: str, b: str) -> bool:
    return INTENSITIES.index(a) > INTENSITIES.index(b)


def _step_down(intensity: str) -> str:
    return INTENSITIES[max(1, INTENSITIES.index(intensity) - 1)]


def _target(form: Form | None, plan: PlanPosition | None) -> tuple[str, list[Reason]]:
    if plan is not None and plan.phase in PHASE_TARGET:
        target = PHASE_TARGET[plan.phase]
        reasons = [Reason("plan", f"plan {plan.describe()}: a {target} day")]
        if plan.lighter_week:
            target = _step_down(target)
            reasons.append(
                Reason("lighter_week", f"lighter week of the wave: one step easier, {target}")
            )
        return target, reasons
    if form is not None and form.band is not None:
        target = FORM_TARGET[form.band]
        text = f"no plan phase today; form {form.percent:+.1f} % ({BAND_LABELS[form.band]}): a {target} day"
        return target, [Reason("form", text)]
    return MODERATE, [Reason("target", "no plan phase and no form yet: a moderate day")]


def _light_reason(level: str, signs: tuple[Sign, ...] | list[Sign], cap: str) -> Reason:
    if level == GREEN:
        return Reason("light", f"readiness green: all {len(signs)} signs green")
    if level == UNKNOWN:
        return Reason("light", f"readiness unknown, nothing judged yet: at most {cap}")
    named = "; ".join(s.reason for s in signs if s.level == level)
    return Reason("light", f"readiness {level}{f' ({named})' if named else ''}: at most {cap}")


def _high_risk(form: Form) -> str:
    return (
        f"form {form.percent:+.1f} % (high risk, below {LOAD_SETTINGS.bands.high_risk_below:g} %)"
    )


def _rest(
    level: str, signs: tuple[Sign, ...] | list[Sign], form: Form | None, limits: DayLimits
) -> Reason | None:
    reds = [s.reason for s in signs if s.level == RED]
    if level == RED and len(reds) >= RED_SIGNS_FOR_REST:
        return Reason("rest", f"{len(reds)} red signs ({'; '.join(reds)}): rest")
    if level == RED and form is not None and form.band == HIGH_RISK:
        return Reason("rest", f"a red day with {_high_risk(form)}: rest")
    if (
        limits.training_days is not None
        and limits.weekday is not None
        and limits.weekday not in limits.training_days
    ):
        days = ", ".join(limits.training_days) or "none"
        return Reason("rest", f"{limits.weekday} is not one of your training days ({days}): rest")
    return None


def usual_sports(
    sports_done: Iterable[str], default: tuple[str, ...] = DEFAULT_SPORTS
) -> tuple[str, ...]:
    """The sports the advice tries, in order: those of ``default`` done most often first, then
    the rest of ``default`` (so an injured runner is still offered a ride or a swim)."""
    counts: dict[str, int] = {}
    for sport in sports_done:
        if sport in default:
            counts[sport] = counts.get(sport, 0) + 1
    done = sorted(counts, key=lambda sport: (-counts[sport], default.index(sport)))
    return (*done, *(sport for sport in default if sport not in counts))


def choose_sport(
    intensity: str, sports: tuple[str, ...], limits: DayLimits
) -> tuple[str, list[Reason]]:
    """The first sport that restrictions and equipment allow; mobility when none does."""
    forbidden = limits.forbidden_sports()
    order = sorted(sports, key=lambda s: s not in LOW_IMPACT) if intensity == RECOVERY else sports
    reasons = []
    for sport in order:
        if sport in forbidden:
            text = f"no {sport}: injury restriction '{forbidden[sport]}'"
            reasons.append(Reason("restriction", text))
        elif not limits.equipment_allows(sport):
            have = ", ".join(sorted(limits.available)) or "nothing"
            reasons.append(Reason("equipment", f"no {sport}: {limits.available_from} has {have}"))
        else:
            return sport, reasons
    return MOBILITY, reasons


def _minutes(
    intensity: str, plan: PlanPosition | None, limits: DayLimits
) -> tuple[int, list[Reason]]:
    minutes = float(BASE_MINUTES[intensity])
    reasons = []
    if plan is not None and plan.volume_multiplier is not None and intensity != RECOVERY:
        scaled = math.floor(minutes * plan.volume_multiplier / 5 + 0.5) * 5
        reasons.append(
            Reason(
                "volume", f"plan volume ×{plan.volume_multiplier:.2f}: {minutes:.0f} → {scaled} min"
            )
        )
        minutes = scaled
    if limits.available_minutes is not None and limits.available_minutes < minutes:
        minutes = limits.available_minutes
        reasons.append(Reason("time", f"{limits.available_minutes:g} minutes available today"))
    if limits.hours_per_week is not None:
        days = len(limits.training_days) if limits.training_days else 7
        per_day = limits.hours_per_week * 60 / days
        if per_day < minutes:
            minutes = per_day
            reasons.append(
                Reason(
                    "availability",
                    f"{limits.hours_per_week:g} h a week over {days} days: {per_day:.0f} min a day",
                )
            )
    return math.floor(minutes), reasons


def _suggestion(
    intensity: str, minutes: int, sport: str, focus: str | None, limits: DayLimits
) -> str:
    if intensity == REST:
        return "Rest day: no training today; an easy walk or some mobility is fine."
    how = (
        HOW.get(intensity)
        or f"{HARD_HOW.get(focus or '', 'intervals in zones 4–5')} after a 15-minute warm-up"
    )
    line = f"{intensity.capitalize()} {minutes} min {SPORT_WORDS.get(sport, sport)}: {how}."
    others = [restriction_word(r).replace("_", " ") for r in limits.other_restrictions()]
    return line + (f" Avoid {', '.join(others)}." if others else "")


def _summary(
    level: str, form: Form | None, plan: PlanPosition | None, intensity: str, minutes: int
) -> str:
    parts = [f"Readiness {level}"]
    if form is not None and form.band is not None:
        parts.append(f"form {form.percent:+.1f} % ({BAND_LABELS[form.band]})")
    if plan is not None and plan.phase is not None:
        parts.append(f"{plan.phase} phase, week {plan.week} of {plan.total_weeks}")
    today = "rest" if intensity == REST else f"{intensity} {minutes} min"
    return f"{'; '.join(parts)}. Today: {today}."


def advise(
    level: str,
    signs: tuple[Sign, ...] | list[Sign] = (),
    form: Form | None = None,
    plan: PlanPosition | None = None,
    limits: DayLimits = DayLimits(),
    sports: tuple[str, ...] = DEFAULT_SPORTS,
) -> Advice:
    """What to do today, from the day's light and signs, form, plan and limits."""
    intensity, reasons = _target(form, plan)
    cap = LIGHT_CAP[level]
    reasons.append(_light_reason(level, signs, cap))
    intensity = _lower(intensity, cap)
    if form is not None and form.band == HIGH_RISK and _harder(intensity, EASY):
        intensity = EASY
        reasons.append(Reason("form", f"{_high_risk(form)}: at most easy"))
    blocked = limits.intensity_restrictions()
    if blocked and _harder(intensity, EASY):
        intensity = EASY
        reasons.append(Reason("restriction", f"injury restriction '{blocked[0]}': at most easy"))
    rest = _rest(level, signs, form, limits)
    sport = None
    if rest is None:
        sport, why = choose_sport(intensity, sports, limits)
        reasons += why
        if sport == MOBILITY and intensity != RECOVERY:
            intensity = RECOVERY
            reasons.append(
                Reason("sport", f"none of {', '.join(sports)} is possible today: mobility")
            )
        minutes, why = _minutes(intensity, plan, limits)
        reasons += why
        if minutes < MIN_SESSION_MINUTES:
            rest = Reason("rest", f"{minutes} minutes is too short for a session: rest")
    if rest is not None:
        intensity, minutes, sport = REST, 0, None
        reasons.append(rest)
    focus = plan.focus if plan is not None else None
    return Advice(
        intensity,
        minutes,
        sport,
        _suggestion(intensity, minutes, sport or MOBILITY, focus, limits),
        _summary(level, form, plan, intensity, minutes),
        tuple(reasons),
    )
