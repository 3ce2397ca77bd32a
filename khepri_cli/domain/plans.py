"""Training plans: the periodised plan made from a goal, and where a day sits in it.

The generator follows the Khepri app's plan generator (upstream.md), so a plan
made here looks in the app like one made there:

- length: whole weeks until the goal's date, ``floor(days / 7)``, clamped to
  4–52; 12 weeks without a date. The plan ends on the last day of its last
  week (start + 7 × weeks - 1), so the goal's day comes right after it.
- phases, in order base, build, peak, taper (a phase of 0 weeks is left out):
  up to 8 weeks: base = max(2, ⌊40 %⌋), taper = min(2, ⌊20 %⌋), build the rest;
  longer: base = max(3, ⌊35 %⌋), peak = max(2, ⌊15 %⌋), taper = min(2, ⌊15 %⌋),
  build the rest.
- each phase has a focus and an intensity distribution (% of time in zones
  1–2, 3–4 and 5+): :data:`PHASE_FOCUS`, :data:`PHASE_INTENSITY`.
- weekly volume, as a multiplier of a normal week: each phase starts from its
  base (:data:`PHASE_VOLUME`) and moves in 3-up-1-down waves: the weeks of a
  phase go ×0.85, ×0.95, ×1.05 of the base, then a lighter ×0.70 week, and
  the wave starts again (a new phase restarts it). A taper instead falls by
  40 % of its base over its weeks: week i of n (from 0) is base × (1 - 0.4 i/n).
  Multipliers are rounded to 2 decimals.

The plan is returned in the *local* form of schema.md (a training_plans row):
``phases`` is a list of ``{name, start_week, end_week, focus, description,
intensity_distribution}`` and ``weekly_template`` is
``{"weekly_volumes": [{week, volume_multiplier, phase}, ...]}``;
:mod:`khepri_cli.domain.plans_remote` maps it to the live backend's shape.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, NamedTuple

from khepri_cli.domain.days import as_date

MIN_WEEKS, MAX_WEEKS, DEFAULT_WEEKS = 4, 52, 12
BASE, BUILD, PEAK, TAPER, RECOVERY = "base", "build", "peak", "taper", "recovery"

PHASE_FOCUS = {
    BASE: "aerobic_endurance",
    BUILD: "threshold_work",
    PEAK: "race_specific",
    TAPER: "recovery",
    RECOVERY: "recovery",
}
PHASE_INTENSITY = {
    BASE: (80, 15, 5),
    BUILD: (70, 20, 10),
    PEAK: (60, 25, 15),
    TAPER: (90, 5, 5),
    RECOVERY: (95, 5, 0),
}
PHASE_VOLUME = {BASE: 0.8, BUILD: 1.0, PEAK: 1.1, TAPER: 0.5, RECOVERY: 0.6}
WAVE = (0.85, 0.95, 1.05, 0.70)  # three weeks up, one lighter week
TAPER_DROP = 0.4
PHASE_PURPOSE = {
    BASE: "Aerobic base: mostly easy volume that builds the engine",
    BUILD: "Build: threshold work on top of the base",
    PEAK: "Peak: race-specific sessions at race intensity",
    TAPER: "Taper: volume falls so you arrive fresh",
    RECOVERY: "Recovery: easy movement only",
}


def clamp_weeks(weeks: int) -> int:
    return max(MIN_WEEKS, min(MAX_WEEKS, weeks))


def plan_length(start: date, goal_date: date | None) -> int:
    """Whole weeks from ``start`` to the goal's day, clamped to 4–52; 12 without a date."""
    if goal_date is None:
        return DEFAULT_WEEKS
    if goal_date <= start:
        raise ValueError(f"the goal's date {goal_date} is not after the plan's start {start}")
    return clamp_weeks((goal_date - start).days // 7)


def phase_weeks(total_weeks: int) -> list[tuple[str, int]]:
    """(phase, weeks) in order, phases of 0 weeks left out."""
    if not MIN_WEEKS <= total_weeks <= MAX_WEEKS:
        raise ValueError(f"a plan runs {MIN_WEEKS} to {MAX_WEEKS} weeks, not {total_weeks}")
    if total_weeks <= 8:
        base = max(2, total_weeks * 40 // 100)
        taper = min(2, total_weeks * 20 // 100)
        split = [(BASE, base), (BUILD, total_weeks - base - taper), (TAPER, taper)]
    else:
        base = max(3, total_weeks * 35 // 100)
        peak = max(2, total_weeks * 15 // 100)
        taper = min(2, total_weeks * 15 // 100)
        split = [
            (BASE, base),
            (BUILD, total_weeks - base - peak - taper),
            (PEAK, peak),
            (TAPER, taper),
        ]
    return [(name, weeks) for name, weeks in split if weeks > 0]


def volume_multiplier(phase: str, week_in_phase: int, weeks_in_phase: int) -> float:
    """The multiplier of week ``week_in_phase`` (from 1) of a phase lasting ``weeks_in_phase``."""
    base = PHASE_VOLUME.get(phase, PHASE_VOLUME[BASE])
    index = week_in_phase - 1
    if phase == TAPER:
        return round(base * (1 - (index / weeks_in_phase) * TAPER_DROP), 2)
    return round(base * WAVE[index % len(WAVE)], 2)


def describe_phase(name: str) -> str:
    easy, middle, hard = PHASE_INTENSITY[name]
    return f"{PHASE_PURPOSE[name]} ({easy}/{middle}/{hard} % of the time in zones 1–2, 3–4 and 5+)."


def generate_plan(
    start: date,
    goal_date: date | None = None,
    *,
    weeks: int | None = None,
    title: str | None = None,
    goal_title: str | None = None,
    goal_id: str | None = None,
    draft: bool = False,
) -> dict[str, Any]:
    """A new plan in the local form; ``weeks`` (clamped to 4–52) overrides the goal's date."""
    total = plan_length(start, goal_date) if weeks is None else clamp_weeks(weeks)
    phases, volumes = [], []
    first = 1
    for name, length in phase_weeks(total):
        phases.append(
            {
                "name": name,
                "start_week": first,
                "end_week": first + length - 1,
                "focus": PHASE_FOCUS[name],
                "description": describe_phase(name),
                "intensity_distribution": list(PHASE_INTENSITY[name]),
            }
        )
        for i in range(1, length + 1):
            volumes.append(
                {
                    "week": first + i - 1,
                    "volume_multiplier": volume_multiplier(name, i, length),
                    "phase": name,
                }
            )
        first += length
    if goal_title:
        when = f" on {goal_date.isoformat()}" if goal_date else ""
        named, description = (
            f"{total}-week plan: {goal_title}",
            f"Training plan for {goal_title}{when}",
        )
    else:
        named, description = f"{total}-week plan", f"{total}-week training plan"
    return {
        "title": title or named,
        "description": description,
        "duration_weeks": total,
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=7 * total - 1)).isoformat(),
        "target_goal_id": goal_id,
        "status": "draft" if draft else "active",
        "phases": phases,
        "weekly_template": {"weekly_volumes": volumes},
        "adjustments_log": [],
    }


def adjustment(
    day: date, reason: str, changes: str | None = None, ai_generated: bool = False
) -> dict[str, Any]:
    """One entry of ``adjustments_log``, in the shape the app keeps in ``adaptations``."""
    return {
        "date": day.isoformat(),
        "reason": reason,
        "changes": changes,
        "ai_generated": ai_generated,
    }


# --- where a day sits in a plan ----------------------------------------------------------


def _volumes(plan: dict[str, Any]) -> dict[int, float]:
    template = plan.get("weekly_template")
    entries = template.get("weekly_volumes") if isinstance(template, dict) else None
    return {
        v["week"]: v["volume_multiplier"]
        for v in entries or []
        if isinstance(v, dict) and "week" in v and "volume_multiplier" in v
    }


def _phase_of(plan: dict[str, Any], week: int) -> dict[str, Any] | None:
    for phase in plan.get("phases") or []:
        if isinstance(phase, dict) and phase.get("start_week", 0) <= week <= phase.get(
            "end_week", -1
        ):
            return phase
    return None


class PlanPosition(NamedTuple):
    """Where ``day`` sits in a plan: its week, phase and that week's volume."""

    day: date
    week: int
    total_weeks: int
    phase: str | None
    focus: str | None
    week_in_phase: int | None
    phase_weeks: int | None
    intensity_distribution: tuple[int, ...] | None
    volume_multiplier: float | None
    lighter_week: bool  # the wave's lighter week (volume below the week before, same phase)

    def describe(self) -> str:
        text = f"week {self.week} of {self.total_weeks}"
        if self.phase is not None:
            text += f", {self.phase} phase (week {self.week_in_phase} of {self.phase_weeks})"
        if self.focus:
            text += f": {self.focus.replace('_', ' ')}"
        if self.volume_multiplier is not None:
            text += f", volume ×{self.volume_multiplier:.2f}"
            if self.lighter_week:
                text += " (lighter week)"
        return text

    def to_dict(self) -> dict[str, Any]:
        data = self._asdict()
        data["day"] = self.day.isoformat()
        if self.intensity_distribution is not None:
            data["intensity_distribution"] = list(self.intensity_distribution)
        data["text"] = self.describe()
        return data


def plan_position(plan: dict[str, Any], day: date) -> PlanPosition | None:
    """``day``'s place in ``plan`` (a local-form row); None outside its dates."""
    start, end = as_date(plan["start_date"]), as_date(plan["end_date"])
    if not start <= day <= end:
        return None
    week = (day - start).days // 7 + 1
    phase = _phase_of(plan, week)
    volumes = _volumes(plan)
    volume = volumes.get(week)
    if phase is None:
        return PlanPosition(
            day, week, plan["duration_weeks"], None, None, None, None, None, volume, False
        )
    first = phase["start_week"]
    before = volumes.get(week - 1) if week > first else None
    lighter = (
        phase["name"] != TAPER and volume is not None and before is not None and volume < before
    )
    split = phase.get("intensity_distribution")
    return PlanPosition(
        day,
        week,
        plan["duration_weeks"],
        phase["name"],
        phase.get("focus"),
        week - first + 1,
        phase["end_week"] - first + 1,
        tuple(split) if split else None,
        volume,
        lighter,
    )


def active_plan_on(plans: list[dict[str, Any]], day: date) -> dict[str, Any] | None:
    """The active plan whose dates cover ``day``; the latest-starting one if several do."""
    covering = [
        p
        for p in plans
        if p.get("status") == "active" and as_date(p["start_date"]) <= day <= as_date(p["end_date"])
    ]
    return max(covering, key=lambda p: as_date(p["start_date"]), default=None)


class TimelinePhase(NamedTuple):
    name: str
    focus: str | None
    start_week: int
    end_week: int
    first_day: date
    last_day: date
    state: str  # "done", "current" or "upcoming" relative to the day asked about

    def to_dict(self) -> dict[str, Any]:
        data = self._asdict()
        data.update(first_day=self.first_day.isoformat(), last_day=self.last_day.isoformat())
        return data


def plan_timeline(plan: dict[str, Any], today: date) -> list[TimelinePhase]:
    """The phases with their dates, each marked done, current or upcoming for ``today``."""
    start = as_date(plan["start_date"])
    found = []
    for phase in plan.get("phases") or []:
        first = start + timedelta(days=7 * (phase["start_week"] - 1))
        last = start + timedelta(days=7 * phase["end_week"] - 1)
        state = "done" if last < today else "upcoming" if first > today else "current"
        found.append(
            TimelinePhase(
                phase["name"],
                phase.get("focus"),
                phase["start_week"],
                phase["end_week"],
                first,
                last,
                state,
            )
        )
    return found
