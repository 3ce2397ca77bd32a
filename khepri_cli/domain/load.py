"""Training load: session load, fitness (CTL), fatigue (ATL), form (TSB) and its band.

- Session load is minutes × session RPE (Foster et al. 2001), or the session's
  TSS when it has one (Coggan); :class:`SessionLoad` says which. A day's load
  is the sum of its sessions.
- Fitness (CTL, chronic load) and fatigue (ATL, acute load) are exponentially
  weighted averages of the daily load with time constants of 42 and 7 days
  (Banister's impulse-response model, as charted in Coggan's Performance
  Manager): ``raw_t = raw_{t-1} + (load_t - raw_{t-1}) * k`` with
  ``k = 1 - exp(-1/tau)``. Khepri divides by the weight those days carry,
  ``w_t = w_{t-1} + (1 - w_{t-1}) * k``, so the average covers the days since
  the first logged session instead of assuming the athlete did nothing before
  the journal began (as REDI does, Moussa et al. 2019); after a few months
  ``w_t`` is 1 and the values are the classic ones.
- Form (TSB) = CTL - ATL. Every value is as of the end of a day; the
  morning of day D sees the values as of the end of D - 1 (:func:`form_on`).
- Sessions more than 400 days before a day are left out of its values
  (:func:`lookback_start`): their weight in fitness is under e^(-400/42),
  0.007 %, and reading a bounded range keeps a ten-year journal as fast as a
  new one.
- Form as a percentage of fitness, rounded to 0.1 %, falls in one band
  (:class:`FormBands`, the same everywhere). There is deliberately no
  acute:chronic ratio "injury risk": acute and chronic load are shown side by
  side instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, NamedTuple

from khepri_cli.domain.days import ONE_DAY

SESSION_RPE, TSS = "session_rpe", "tss"
HIGH_RISK, OPTIMAL, NEUTRAL, FRESH, DETRAINING = (
    "high_risk",
    "optimal",
    "neutral",
    "fresh",
    "detraining",
)
BAND_LABELS = {
    HIGH_RISK: "high risk",
    OPTIMAL: "optimal training",
    NEUTRAL: "neutral",
    FRESH: "fresh",
    DETRAINING: "detraining",
}


class FormBands(NamedTuple):
    """Bands on form as % of fitness; each boundary belongs to the band nearer neutral."""

    high_risk_below: float = -30.0
    optimal_below: float = -10.0
    neutral_up_to: float = 5.0
    fresh_up_to: float = 25.0

    def band(self, percent: float) -> str:
        if percent < self.high_risk_below:
            return HIGH_RISK
        if percent < self.optimal_below:
            return OPTIMAL
        if percent <= self.neutral_up_to:
            return NEUTRAL
        return FRESH if percent <= self.fresh_up_to else DETRAINING


class LoadSettings(NamedTuple):
    ctl_days: float = 42
    atl_days: float = 7
    min_history_days: int = 14  # days since the first session before form is banded
    bands: FormBands = FormBands()
    lookback_days: int = 400  # sessions further back weigh under e^(-400/42) in fitness


SETTINGS = LoadSettings()


class Session(NamedTuple):
    """One completed session: minutes and RPE (1–10), or a TSS that takes precedence."""

    day: date
    minutes: float
    rpe: float | None = None
    tss: float | None = None
    sport: str = "other"


class SessionLoad(NamedTuple):
    load: float
    method: str  # SESSION_RPE or TSS


def session_load(session: Session) -> SessionLoad:
    if session.minutes < 0:
        raise ValueError(f"a session cannot last {session.minutes} minutes")
    if session.tss is not None:
        if session.tss < 0:
            raise ValueError(f"TSS cannot be negative: {session.tss}")
        return SessionLoad(float(session.tss), TSS)
    if session.rpe is None or not 0 <= session.rpe <= 10:
        raise ValueError(f"a session needs an RPE from 0 to 10 or a TSS, not {session.rpe}")
    return SessionLoad(float(session.minutes * session.rpe), SESSION_RPE)


def daily_loads(sessions: Iterable[Session]) -> dict[date, float]:
    """Each day's summed load (sorted by day, so the order of the sessions does not matter)."""
    found: dict[date, list[float]] = {}
    for session in sessions:
        found.setdefault(session.day, []).append(session_load(session).load)
    return {day: math.fsum(found[day]) for day in sorted(found)}


class LoadDay(NamedTuple):
    """One day's load and, as of its end, fitness, fatigue and form (None before any session)."""

    day: date
    load: float
    ctl: float | None
    atl: float | None
    tsb: float | None
    form_percent: float | None


def _percent(ctl: float, tsb: float) -> float | None:
    return round(tsb / ctl * 100, 1) if ctl > 0 else None


def load_days(
    sessions: Iterable[Session], first: date, last: date, settings: LoadSettings = SETTINGS
) -> list[LoadDay]:
    """Every day from ``first`` to ``last``; the averages start at the first session ever."""
    daily = daily_loads(s for s in sessions if s.day <= last)
    k_ctl = 1 - math.exp(-1 / settings.ctl_days)
    k_atl = 1 - math.exp(-1 / settings.atl_days)
    raw_ctl = raw_atl = w_ctl = w_atl = 0.0
    started = False
    days = []
    day = min(first, next(iter(daily), first))
    while day <= last:
        load = daily.get(day, 0.0)
        started = started or day in daily
        ctl = atl = tsb = percent = None
        if started:
            raw_ctl += (load - raw_ctl) * k_ctl
            raw_atl += (load - raw_atl) * k_atl
            w_ctl += (1 - w_ctl) * k_ctl
            w_atl += (1 - w_atl) * k_atl
            ctl, atl = raw_ctl / w_ctl, raw_atl / w_atl
            tsb = ctl - atl
            percent = _percent(ctl, tsb)
        if day >= first:
            days.append(LoadDay(day, load, ctl, atl, tsb, percent))
        day += ONE_DAY
    return days


def lookback_start(day: date, settings: LoadSettings = SETTINGS) -> date:
    """The first day whose sessions count in the values as of the end of ``day``.

    Read sessions from here on (for a range of days, from the first day's
    lookback) and every value is the one the whole history gives, to 0.007 %.
    """
    return day - timedelta(days=settings.lookback_days)


class Form(NamedTuple):
    """Form for the morning of ``as_of + 1``: the values as of the end of ``as_of``."""

    as_of: date
    ctl: float | None
    atl: float | None
    tsb: float | None
    percent: float | None
    band: str | None
    history_days: int
    note: str | None = None

    def describe(self) -> str:
        """One line with every number: form, fitness and fatigue side by side."""
        if self.band is None or self.percent is None:
            return self.note or "form: no training logged yet"
        return (
            f"form {self.percent:+.1f} % of fitness ({BAND_LABELS[self.band]}): "
            f"fitness {self.ctl:.1f}, fatigue {self.atl:.1f}, TSB {self.tsb:+.1f} "
            f"as of the end of {self.as_of}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "ctl": _r(self.ctl),
            "atl": _r(self.atl),
            "tsb": _r(self.tsb),
            "form_percent": self.percent,
            "band": self.band,
            "band_label": BAND_LABELS.get(self.band or ""),
            "history_days": self.history_days,
            "note": self.note,
            "text": self.describe(),
        }


def form_on(day: date, sessions: Iterable[Session], settings: LoadSettings = SETTINGS) -> Form:
    """Form on the morning of ``day``: as of the end of yesterday (today's sessions not yet in),
    from the sessions of the lookback before it."""
    as_of = day - ONE_DAY
    first = lookback_start(as_of, settings)
    sessions = [s for s in sessions if first <= s.day <= as_of]
    if not sessions:
        return Form(as_of, None, None, None, None, None, 0, "form: no training logged yet")
    history_days = (as_of - min(s.day for s in sessions)).days + 1
    [end] = load_days(sessions, as_of, as_of, settings)
    if history_days < settings.min_history_days:
        note = (
            f"form forming: {history_days} of {settings.min_history_days} days of training history"
        )
        return Form(as_of, end.ctl, end.atl, end.tsb, end.form_percent, None, history_days, note)
    if end.form_percent is None:  # sessions logged, but all with a load of 0
        note = "form: no training load yet"
        return Form(as_of, end.ctl, end.atl, end.tsb, None, None, history_days, note)
    band = settings.bands.band(end.form_percent)
    return Form(as_of, end.ctl, end.atl, end.tsb, end.form_percent, band, history_days)


class WeekSummary(NamedTuple):
    """One ISO week: what was done, and fitness, fatigue and form at its end."""

    year: int
    week: int
    first_day: date
    last_day: date  # the Sunday, or the last day asked for in an unfinished week
    sessions: int
    minutes: float
    load: float
    ctl: float | None
    atl: float | None
    tsb: float | None
    form_percent: float | None

    def to_dict(self) -> dict[str, Any]:
        data = self._asdict()
        data.update(
            first_day=self.first_day.isoformat(),
            last_day=self.last_day.isoformat(),
            minutes=_r(self.minutes),
            load=_r(self.load),
            ctl=_r(self.ctl),
            atl=_r(self.atl),
            tsb=_r(self.tsb),
        )
        return data


def weekly_summary(
    sessions: Iterable[Session], first: date, last: date, settings: LoadSettings = SETTINGS
) -> list[WeekSummary]:
    """Whole ISO weeks from the one holding ``first``; the last week runs up to ``last``."""
    counts: dict[date, int] = {}
    minutes: dict[date, float] = {}
    kept = []
    for session in sessions:
        if session.day <= last:
            kept.append(session)
            counts[session.day] = counts.get(session.day, 0) + 1
            minutes[session.day] = minutes.get(session.day, 0.0) + session.minutes
    monday = first - timedelta(days=first.weekday())
    days = load_days(kept, monday, last, settings)
    weeks = []
    for start in range(0, len(days), 7):
        week_days = days[start : start + 7]
        end = week_days[-1]
        year, week, _ = week_days[0].day.isocalendar()
        weeks.append(
            WeekSummary(
                year,
                week,
                week_days[0].day,
                end.day,
                sum(counts.get(d.day, 0) for d in week_days),
                math.fsum(minutes.get(d.day, 0.0) for d in week_days),
                math.fsum(d.load for d in week_days),
                end.ctl,
                end.atl,
                end.tsb,
                end.form_percent,
            )
        )
    return weeks


class LoadSeries(NamedTuple):
    """Day-by-day values for a chart (e.g. a sparkline of ``khepri load --days 90``)."""

    days: list[date]
    load: list[float]
    ctl: list[float | None]
    atl: list[float | None]
    tsb: list[float | None]
    form_percent: list[float | None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "days": [d.isoformat() for d in self.days],
            "load": [_r(v) for v in self.load],
            "ctl": [_r(v) for v in self.ctl],
            "atl": [_r(v) for v in self.atl],
            "tsb": [_r(v) for v in self.tsb],
            "form_percent": list(self.form_percent),
        }


def load_series(
    sessions: Iterable[Session], last: date, days: int = 90, settings: LoadSettings = SETTINGS
) -> LoadSeries:
    """The ``days`` days ending with ``last``, each as of its end."""
    found = load_days(sessions, last - timedelta(days=days - 1), last, settings)
    return LoadSeries(
        [d.day for d in found],
        [d.load for d in found],
        [d.ctl for d in found],
        [d.atl for d in found],
        [d.tsb for d in found],
        [d.form_percent for d in found],
    )


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
