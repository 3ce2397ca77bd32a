"""Personal baselines: the athlete's own normal range for HRV and resting HR.

HRV is judged as ln(rMSSD): the log makes its day-to-day scatter roughly
symmetric, so a mean and SD describe it (Plews et al. 2012, 2013; Buchheit
2014). For a day D:

- the *normal range* comes from the 60 days before D (D-60 .. D-1; the day
  is not part of its own normal): mean ± 0.5 SD of the daily values, once
  at least 14 of those days have a value;
- the *week* is the 7 days ending with D (D-6 .. D; today's reading is part
  of its own week): its mean needs at least 3 readings, and for HRV its
  coefficient of variation (CV, SD / mean of the ln values) is a second
  signal, compared with the athlete's usual CV (the same range rule applied
  to the rolling 7-day CVs of the 60-day window).

Readings are (date, value) pairs in any order, at most one per day; readings
after D are ignored. Every number here is computed from readings, never
invented: without enough of them the result says so in plain words, and the
resting HR falls back to the profile's value (HRV has nothing to fall back
on). All windows and thresholds are :class:`BaselineSettings`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, NamedTuple

from khepri_cli.domain.days import ONE_DAY, as_date


class BaselineSettings(NamedTuple):
    window_days: int = 60
    min_days: int = 14
    week_days: int = 7
    min_week_readings: int = 3
    width_sd: float = 0.5


SETTINGS = BaselineSettings()


class NormalRange(NamedTuple):
    """``mean ± width × SD`` of ``days`` daily values (sample SD, n - 1)."""

    days: int
    mean: float
    sd: float
    low: float
    high: float


class Week(NamedTuple):
    """The readings of the 7 days ending with the day; mean and CV once there are enough."""

    readings: int
    mean: float | None = None
    cv_percent: float | None = None


class HrvBaseline(NamedTuple):
    today_ms: float | None
    days: int  # days with HRV in the 60-day window
    normal: NormalRange | None  # in ln(rMSSD)
    week: Week  # in ln(rMSSD)
    usual_cv: NormalRange | None  # range of the rolling 7-day CVs, in %
    notes: tuple[str, ...] = ()

    @property
    def today_ln(self) -> float | None:
        return None if self.today_ms is None else math.log(self.today_ms)


class RestingHrBaseline(NamedTuple):
    today_bpm: float | None
    days: int
    normal: NormalRange | None  # in bpm
    week: Week
    profile_bpm: float | None
    notes: tuple[str, ...] = ()

    @property
    def reference(self) -> tuple[float | None, str | None]:
        """What today's value is compared with: the 60-day mean, else the profile's value."""
        if self.normal is not None:
            return self.normal.mean, f"mean of {self.normal.days} days"
        if self.profile_bpm is not None:
            return float(self.profile_bpm), "your profile's resting HR"
        return None, None


class Baselines(NamedTuple):
    day: date
    hrv: HrvBaseline
    resting_hr: RestingHrBaseline
    settings: BaselineSettings = SETTINGS

    def lines(self) -> list[str]:
        """The athlete's normal in plain words, one fact per line, numbers people know."""
        return _hrv_lines(self.hrv, self.settings) + _resting_hr_lines(
            self.resting_hr, self.settings
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: every number in ms or bpm and in ln where it applies, plus the lines."""
        hrv, rhr = self.hrv, self.resting_hr
        reference, source = rhr.reference
        return {
            "day": self.day.isoformat(),
            "hrv": {
                "days": hrv.days,
                "today_ms": _r(hrv.today_ms, 1),
                "today_ln": _r(hrv.today_ln, 4),
                **_range_dict(hrv.normal, "ln", 4),
                **_ms_range_dict(hrv.normal),
                "week_readings": hrv.week.readings,
                "week_mean_ln": _r(hrv.week.mean, 4),
                "week_mean_ms": _r(ms(hrv.week.mean), 1),
                "week_cv_percent": _r(hrv.week.cv_percent, 2),
                **_range_dict(hrv.usual_cv, "percent", 2, name="usual_cv"),
                "notes": list(hrv.notes),
            },
            "resting_hr": {
                "days": rhr.days,
                "today_bpm": _r(rhr.today_bpm, 1),
                **_range_dict(rhr.normal, "bpm", 2),
                "week_readings": rhr.week.readings,
                "week_mean_bpm": _r(rhr.week.mean, 2),
                "profile_bpm": _r(rhr.profile_bpm, 1),
                "reference_bpm": _r(reference, 2),
                "reference_source": source,
                "notes": list(rhr.notes),
            },
            "settings": self.settings._asdict(),
            "lines": self.lines(),
        }


def ms(ln_value: float | None) -> float | None:
    """An ln(rMSSD) value back in milliseconds."""
    return None if ln_value is None else math.exp(ln_value)


def mean(values: list[float]) -> float:
    return math.fsum(values) / len(values)


def sample_sd(values: list[float]) -> float:
    """Standard deviation with n - 1 (the values are a sample of the athlete's days)."""
    if len(values) < 2:
        raise ValueError("a standard deviation needs at least two values")
    centre = mean(values)
    return math.sqrt(math.fsum((v - centre) ** 2 for v in values) / (len(values) - 1))


def normal_range(values: list[float], width_sd: float) -> NormalRange:
    centre, spread = mean(values), sample_sd(values)
    return NormalRange(
        len(values), centre, spread, centre - width_sd * spread, centre + width_sd * spread
    )


def cv_percent(values: list[float]) -> float | None:
    """SD / mean × 100; None when the mean is not positive (a CV means nothing then)."""
    centre = mean(values)
    return sample_sd(values) / centre * 100 if centre > 0 else None


def by_day(readings: Iterable[tuple[date, float]], last: date) -> dict[date, float]:
    """Readings up to ``last`` keyed by day; two readings for one day are a caller's error."""
    found: dict[date, float] = {}
    for day, value in readings:
        if day > last or value is None:
            continue
        if day in found:
            raise ValueError(f"two readings for {day}; a baseline takes one per day")
        found[day] = float(value)
    return found


def _between(values: dict[date, float], first: date, last: date) -> list[float]:
    """The values from ``first`` to ``last`` (both included), in date order."""
    found = []
    day = first
    while day <= last:
        if day in values:
            found.append(values[day])
        day += ONE_DAY
    return found


def first_day_needed(day: date, settings: BaselineSettings = SETTINGS) -> date:
    """The earliest reading that can matter for ``day``: query from here to ``day``."""
    return day - timedelta(days=settings.window_days)


def _week(values: dict[date, float], day: date, s: BaselineSettings, with_cv: bool) -> Week:
    found = _between(values, day - timedelta(days=s.week_days - 1), day)
    if len(found) < s.min_week_readings:
        return Week(len(found))
    return Week(len(found), mean(found), cv_percent(found) if with_cv else None)


def _usual_cv(values: dict[date, float], day: date, s: BaselineSettings) -> NormalRange | None:
    """The range of the 7-day CVs of every day in the 60-day window, once there are enough."""
    start = day - timedelta(days=s.window_days)
    cvs = []
    for offset in range(s.window_days, 0, -1):
        end = day - timedelta(days=offset)
        found = _between(values, max(start, end - timedelta(days=s.week_days - 1)), end)
        cv = cv_percent(found) if len(found) >= s.min_week_readings else None
        if cv is not None:
            cvs.append(cv)
    return normal_range(cvs, s.width_sd) if len(cvs) >= s.min_days else None


def _forming(what: str, days: int, s: BaselineSettings) -> str:
    return f"{what} normal range forming: {days} of {s.min_days} days"


def _short_week(what: str, week: Week, s: BaselineSettings) -> str:
    return (
        f"{what} 7-day average needs {s.min_week_readings} readings in the last "
        f"{s.week_days} days: {week.readings} so far"
    )


def hrv_baseline(
    day: date, readings: Iterable[tuple[date, float]], settings: BaselineSettings = SETTINGS
) -> HrvBaseline:
    """HRV of ``day`` against the athlete's normal, all in ln(rMSSD); readings in ms."""
    raw = {d: v for d, v in by_day(readings, day).items() if v > 0}  # ln needs rMSSD > 0
    logs = {d: math.log(v) for d, v in raw.items()}
    history = _between(logs, first_day_needed(day, settings), day - ONE_DAY)
    notes = []
    normal = usual = None
    if len(history) >= settings.min_days:
        normal = normal_range(history, settings.width_sd)
        usual = _usual_cv(logs, day, settings)
        if usual is None:
            notes.append("HRV usual day-to-day variation still forming")
    else:
        notes.append(_forming("HRV", len(history), settings))
    week = _week(logs, day, settings, with_cv=True)
    if week.mean is None:
        notes.append(_short_week("HRV", week, settings))
    return HrvBaseline(raw.get(day), len(history), normal, week, usual, tuple(notes))


def resting_hr_baseline(
    day: date,
    readings: Iterable[tuple[date, float]],
    profile_bpm: float | None = None,
    settings: BaselineSettings = SETTINGS,
) -> RestingHrBaseline:
    """Resting HR of ``day`` against the 60-day mean, or the profile's value while forming."""
    values = by_day(readings, day)
    history = _between(values, first_day_needed(day, settings), day - ONE_DAY)
    notes = []
    normal = None
    if len(history) >= settings.min_days:
        normal = normal_range(history, settings.width_sd)
    else:
        fallback = (
            f"comparing with your profile's {profile_bpm:g} bpm"
            if profile_bpm is not None
            else "no profile resting HR to compare with"
        )
        notes.append(f"{_forming('resting HR', len(history), settings)}; {fallback}")
    week = _week(values, day, settings, with_cv=False)
    if week.mean is None:
        notes.append(_short_week("resting HR", week, settings))
    return RestingHrBaseline(values.get(day), len(history), normal, week, profile_bpm, tuple(notes))


def personal_baselines(
    day: date,
    hrv_readings: Iterable[tuple[date, float]],
    resting_hr_readings: Iterable[tuple[date, float]],
    profile_resting_hr: float | None = None,
    settings: BaselineSettings = SETTINGS,
) -> Baselines:
    """Both baselines for ``day``; include the day's own readings to have them judged."""
    return Baselines(
        day,
        hrv_baseline(day, hrv_readings, settings),
        resting_hr_baseline(day, resting_hr_readings, profile_resting_hr, settings),
        settings,
    )


def readings_from_checkins(
    rows: Iterable[dict[str, Any]],
) -> tuple[list[tuple[date, float]], list[tuple[date, float]]]:
    """daily_checkins rows -> (HRV readings, resting HR readings); days without a value skipped."""
    hrv, rhr = [], []
    for row in rows:
        day = as_date(row["checkin_date"])
        if row.get("hrv_ms") is not None:
            hrv.append((day, float(row["hrv_ms"])))
        if row.get("resting_hr") is not None:
            rhr.append((day, float(row["resting_hr"])))
    return hrv, rhr


# --- plain words and JSON ----------------------------------------------------------------


def _r(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def rounded(value: float, digits: int = 1) -> str:
    """``48.5``, ``48``: a number rounded for people, without trailing zeros."""
    return f"{round(value, digits):g}"


def _range_dict(
    normal: NormalRange | None, unit: str, digits: int, name: str = "normal"
) -> dict[str, Any]:
    """``<name>_mean_<unit>``, ``_sd_``, ``_low_``, ``_high_``: all None while forming."""
    return {
        f"{name}_{part}_{unit}": None if normal is None else round(getattr(normal, part), digits)
        for part in ("mean", "sd", "low", "high")
    }


def _ms_range_dict(normal: NormalRange | None) -> dict[str, Any]:
    """The ln range converted back to milliseconds (the SD has no ms equivalent)."""
    return {
        f"normal_{part}_ms": None if normal is None else round(math.exp(getattr(normal, part)), 1)
        for part in ("mean", "low", "high")
    }


def describe_hrv_range(normal: NormalRange) -> str:
    """``58–66 ms (ln 4.06–4.19)``: the range in milliseconds first, then in ln."""
    return f"{ms(normal.low):.0f}–{ms(normal.high):.0f} ms (ln {normal.low:.2f}–{normal.high:.2f})"


def describe_bpm_range(normal: NormalRange) -> str:
    return f"{normal.low:.1f}–{normal.high:.1f} bpm"


def _hrv_lines(hrv: HrvBaseline, s: BaselineSettings) -> list[str]:
    lines = []
    if hrv.normal is not None:
        lines.append(
            f"HRV normal {describe_hrv_range(hrv.normal)}, mean ± {s.width_sd:g} SD "
            f"of {hrv.normal.days} days in the last {s.window_days}"
        )
    if hrv.week.mean is not None:
        text = (
            f"HRV 7-day average {ms(hrv.week.mean):.0f} ms (ln {hrv.week.mean:.2f}) "
            f"from {hrv.week.readings} readings"
        )
        if hrv.week.cv_percent is not None:
            text += f", varying {hrv.week.cv_percent:.1f} %"
            if hrv.usual_cv is not None:
                text += f" (usual up to {hrv.usual_cv.high:.1f} %)"
        lines.append(text)
    return lines + list(hrv.notes)


def _resting_hr_lines(rhr: RestingHrBaseline, s: BaselineSettings) -> list[str]:
    lines = []
    if rhr.normal is not None:
        lines.append(
            f"resting HR normal {describe_bpm_range(rhr.normal)} (mean {rounded(rhr.normal.mean)}), "
            f"from {rhr.normal.days} days in the last {s.window_days}"
        )
    if rhr.week.mean is not None:
        lines.append(
            f"resting HR 7-day average {rhr.week.mean:.1f} bpm from {rhr.week.readings} readings"
        )
    return lines + list(rhr.notes)
