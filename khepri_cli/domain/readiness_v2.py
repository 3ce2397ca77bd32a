"""The readiness rubric, version 2: HRV and resting HR against the athlete's normal range.

Sleep, energy, stress, soreness and injuries are judged exactly as in
version 1 (:mod:`khepri_cli.domain.readiness`, schema.md's table). What
changes is the normal that HRV and resting HR are compared with: a personal
range from the last 60 days (:mod:`khepri_cli.domain.baselines`) instead of
a 28-day median.

- ``hrv``: today's ln(rMSSD) (acute) and the 7-day average (chronic) against
  the normal range. Both below: red; one below: yellow; otherwise green.
- ``hrv_variation``: the 7-day CV above the athlete's usual CV while the
  7-day average is under the normal mean (swinging more while trending down:
  coping poorly) is yellow; otherwise green.
- ``resting_hr``: today's value against the 60-day mean (or, while that is
  forming, the profile's resting HR), with version 1's bands: up to 5 bpm
  above green, up to 10 yellow, beyond red.
- ``resting_hr_trend``: the 7-day average above the normal range is yellow.

Below means strictly under the range's low end, above strictly over its high
end. Every comparison is made on the numbers as the reason shows them (ln to
2 decimals, bpm and % to 1), so a reason never contradicts its light.
A stored assessment says its version, so days judged by version 1 keep
their judgement: nothing here re-judges them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, NamedTuple

from khepri_cli.domain.baselines import (
    SETTINGS,
    Baselines,
    BaselineSettings,
    describe_bpm_range,
    describe_hrv_range,
    first_day_needed,
    ms,
    personal_baselines,
    readings_from_checkins,
    rounded,
)
from khepri_cli.domain.days import as_date
from khepri_cli.domain.readiness import (
    GREEN,
    RED,
    RUBRIC,
    RUBRIC_SOURCE,
    YELLOW,
    Injury,
    Rubric,
    Sign,
    injury_signs,
    subjective_signs,
    worst_level,
)

RUBRIC_VERSION = 2


class RubricV2(NamedTuple):
    v1: Rubric = RUBRIC  # sleep, energy, stress, soreness, injury and resting HR bands, as in v1
    baselines: BaselineSettings = SETTINGS
    hrv_acute_or_chronic: str = YELLOW
    hrv_acute_and_chronic: str = RED
    hrv_coping_poorly: str = YELLOW
    resting_hr_week_above_range: str = YELLOW


RUBRIC_V2 = RubricV2()


class Readiness(NamedTuple):
    """A day judged by version 2: the light, every sign with its reason, the baselines used."""

    level: str
    signs: tuple[Sign, ...]
    baselines: Baselines
    version: int = RUBRIC_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": RUBRIC_SOURCE,
            "rubric_version": self.version,
            "readiness": self.level,
            "signs": [s.to_dict() for s in self.signs],
            "baseline": self.baselines.to_dict(),
        }


def _where(value: float, low: float, high: float, digits: int) -> str:
    """Below, within or above ``low``–``high``, all three as shown (rounded to ``digits``)."""
    value, low, high = round(value, digits), round(low, digits), round(high, digits)
    if value < low:
        return "below"
    return "above" if value > high else "within"


def hrv_signs(baselines: Baselines, rubric: RubricV2 = RUBRIC_V2) -> list[Sign]:
    """``hrv`` (acute and chronic) and ``hrv_variation``, once the normal range is there."""
    hrv = baselines.hrv
    normal = hrv.normal
    if normal is None or (hrv.today_ms is None and hrv.week.mean is None):
        return []
    range_text = f"your normal range {describe_hrv_range(normal)}"
    parts, dropped = [], []
    if hrv.today_ms is not None:
        where = _where(hrv.today_ln, normal.low, normal.high, 2)
        parts.append(f"HRV {hrv.today_ms:g} ms (ln {hrv.today_ln:.2f}) today, {where} {range_text}")
        if where == "below":
            dropped.append("an acute drop")
    if hrv.week.mean is not None:
        where = _where(hrv.week.mean, normal.low, normal.high, 2)
        average = f"7-day average {ms(hrv.week.mean):.0f} ms (ln {hrv.week.mean:.2f}), {where}"
        parts.append(f"{average} it" if parts else f"HRV {average} {range_text}")
        if where == "below":
            dropped.append("a chronic drop")
    reason = "; ".join(parts)
    level = GREEN
    if len(dropped) == 2:
        level, reason = rubric.hrv_acute_and_chronic, f"{reason}: an acute and a chronic drop"
    elif dropped:
        level, reason = rubric.hrv_acute_or_chronic, f"{reason}: {dropped[0]}"
    signs = [Sign("hrv", level, reason)]

    cv, usual = hrv.week.cv_percent, hrv.usual_cv
    if cv is not None and usual is not None:
        raised = round(cv, 1) > round(usual.high, 1)
        falling = round(hrv.week.mean, 2) < round(normal.mean, 2)
        text = f"HRV varying {cv:.1f} % over 7 days, usual up to {usual.high:.1f} %"
        if raised and falling:
            text += (
                f", while the 7-day average is under your mean {ms(normal.mean):.0f} ms "
                f"(ln {normal.mean:.2f}): coping poorly"
            )
        elif raised:
            text += f", but the 7-day average holds at or above your mean (ln {normal.mean:.2f})"
        level = rubric.hrv_coping_poorly if raised and falling else GREEN
        signs.append(Sign("hrv_variation", level, text))
    return signs


def resting_hr_signs(baselines: Baselines, rubric: RubricV2 = RUBRIC_V2) -> list[Sign]:
    """``resting_hr`` (today, against the mean or the profile) and ``resting_hr_trend``."""
    rhr = baselines.resting_hr
    signs = []
    reference, _ = rhr.reference
    if rhr.today_bpm is not None and reference is not None:
        whose = "60-day mean" if rhr.normal is not None else "profile's resting HR"
        reference = round(reference, 1)
        rise = round(rhr.today_bpm - reference, 1)
        level = rubric.v1.resting_hr_bpm_above_normal.level(rise)
        if rise > 0:
            reason = f"resting HR {rounded(rhr.today_bpm)} bpm, {rounded(rise)} above your {whose} {rounded(reference)}"
        else:
            reason = f"resting HR {rounded(rhr.today_bpm)} bpm, at or below your {whose} {rounded(reference)}"
        signs.append(Sign("resting_hr", level, reason))
    if rhr.normal is not None and rhr.week.mean is not None:
        where = _where(rhr.week.mean, rhr.normal.low, rhr.normal.high, 1)
        level = rubric.resting_hr_week_above_range if where == "above" else GREEN
        reason = (
            f"resting HR 7-day average {rhr.week.mean:.1f} bpm, {where} your normal range "
            f"{describe_bpm_range(rhr.normal)}"
        )
        signs.append(Sign("resting_hr_trend", level, reason))
    return signs


def assess_v2(
    day: dict[str, Any],
    baselines: Baselines,
    injuries: list[Injury] | tuple[Injury, ...] = (),
    rubric: RubricV2 = RUBRIC_V2,
) -> Readiness:
    """Judge one day (daily_checkins columns) with baselines computed for that day.

    The baselines must include the day's own HRV and resting HR readings; a
    mismatch is refused rather than judged on half the facts.
    """
    for column, today in (
        ("hrv_ms", baselines.hrv.today_ms),
        ("resting_hr", baselines.resting_hr.today_bpm),
    ):
        given = day.get(column)
        if (None if given is None else float(given)) != today:
            raise ValueError(f"baselines were computed with {column} {today}, the day has {given}")
    signs = subjective_signs(day, rubric.v1)
    signs += resting_hr_signs(baselines, rubric)
    signs += hrv_signs(baselines, rubric)
    signs += injury_signs(injuries, rubric.v1)
    return Readiness(worst_level(signs), tuple(signs), baselines)


def judge_day(
    day: dict[str, Any],
    history: Iterable[dict[str, Any]],
    profile_resting_hr: float | None = None,
    injuries: list[Injury] | tuple[Injury, ...] = (),
    rubric: RubricV2 = RUBRIC_V2,
) -> Readiness:
    """Judge ``day`` (a daily_checkins row with ``checkin_date``) against its history.

    ``history`` holds the athlete's check-ins from :func:`history_start` up to
    the day; a stored row for the day itself is replaced by ``day``.
    """
    when = as_date(day["checkin_date"])
    rows = [row for row in history if as_date(row["checkin_date"]) != when] + [day]
    hrv, rhr = readings_from_checkins(rows)
    baselines = personal_baselines(when, hrv, rhr, profile_resting_hr, rubric.baselines)
    return assess_v2(day, baselines, injuries, rubric)


def history_start(day: date, rubric: RubricV2 = RUBRIC_V2) -> date:
    """The first check-in day that can matter for ``day``'s judgement."""
    return first_day_needed(day, rubric.baselines)
