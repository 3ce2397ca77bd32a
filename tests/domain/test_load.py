"""Training load: session load, CTL/ATL/TSB by hand and by a second implementation, bands, weeks."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khepri_cli.domain import load as ld
from khepri_cli.domain.load import Session, form_on, load_days

DAY = date(2026, 11, 25)


def ago(n: int) -> date:
    return DAY - timedelta(days=n)


# -- session load -------------------------------------------------------------------------


def test_session_load_is_minutes_times_rpe():
    assert ld.session_load(Session(DAY, 45, rpe=6)) == ld.SessionLoad(270.0, ld.SESSION_RPE)


def test_tss_when_given_takes_precedence_and_says_so():
    assert ld.session_load(Session(DAY, 90, rpe=7, tss=85)) == ld.SessionLoad(85.0, ld.TSS)


@pytest.mark.parametrize(
    "session",
    [
        Session(DAY, -1, rpe=5),
        Session(DAY, 30),
        Session(DAY, 30, rpe=11),
        Session(DAY, 30, rpe=-1),
        Session(DAY, 30, tss=-5),
    ],
)
def test_impossible_sessions_are_refused(session):
    with pytest.raises(ValueError):
        ld.session_load(session)


def test_a_days_load_is_the_sum_of_its_sessions():
    sessions = [Session(DAY, 30, rpe=4), Session(DAY, 60, tss=70), Session(ago(1), 10, rpe=2)]
    assert ld.daily_loads(sessions) == {ago(1): 20.0, DAY: 190.0}


# -- the exponentially weighted averages --------------------------------------------------

K_CTL = 1 - math.exp(-1 / 42)  # 0.0235283...
K_ATL = 1 - math.exp(-1 / 7)  # 0.1331221...


def test_ctl_and_atl_by_hand():
    # Loads 100, 0, 50 on three days. With the weight normalisation:
    #   day 1: 100
    #   day 2: 100 k (1 - k) / (k + k (1 - k))              = 100 (1 - k) / (2 - k)
    #   day 3: (100 k (1 - k)^2 + 50 k) / (1 - (1 - k)^3)
    # worked out for k = 1 - e^(-1/42) and k = 1 - e^(-1/7):
    sessions = [Session(ago(2), 20, rpe=5), Session(ago(0), 10, rpe=5)]
    days = load_days(sessions, ago(2), DAY)
    assert [d.load for d in days] == [100.0, 0.0, 50.0]
    assert [d.ctl for d in days] == pytest.approx([100.0, 49.404790, 49.607936], abs=1e-6)
    assert [d.atl for d in days] == pytest.approx([100.0, 46.434633, 47.796315], abs=1e-6)
    assert days[2].tsb == pytest.approx(49.607936 - 47.796315, abs=1e-6)
    assert days[2].form_percent == 3.7  # 1.8116 / 49.6079 = 3.65 %, to 0.1


def independent_ewma(loads: list[float], tau: float) -> list[float]:
    """The definition itself: a weighted mean with weights (1 - k)^(t - i), no recursion."""
    k = 1 - math.exp(-1 / tau)
    values = []
    for t in range(len(loads)):
        weights = [k * (1 - k) ** (t - i) for i in range(t + 1)]
        values.append(
            math.fsum(w * x for w, x in zip(weights, loads, strict=False)) / math.fsum(weights)
        )
    return values


def ninety_day_sessions() -> list[Session]:
    sessions = []
    for i in range(90):
        day = ago(89 - i)
        if i % 7 == 6:
            continue  # a rest day each week
        sessions.append(Session(day, 40 + (i * 37) % 80, rpe=3 + (i * 11) % 6))
        if i % 10 == 0:
            sessions.append(Session(day, 60, rpe=5, tss=55 + i % 30))
    return sessions


def test_a_90_day_series_matches_the_definition():
    sessions = ninety_day_sessions()
    days = load_days(sessions, ago(89), DAY)
    loads = [d.load for d in days]
    ctl, atl = independent_ewma(loads, 42), independent_ewma(loads, 7)
    for day, want_ctl, want_atl in zip(days, ctl, atl, strict=True):
        assert day.ctl == pytest.approx(want_ctl, rel=1e-12)
        assert day.atl == pytest.approx(want_atl, rel=1e-12)
        assert day.tsb == pytest.approx(want_ctl - want_atl, rel=1e-9, abs=1e-9)


def test_after_a_long_history_the_values_are_the_classic_pmc():
    sessions = [Session(ago(i), 60, rpe=1 + i % 9) for i in range(600)]
    days = load_days(sessions, ago(599), DAY)
    classic_ctl = classic_atl = 0.0  # the textbook recursion, starting from zero
    for d in days:
        classic_ctl += (d.load - classic_ctl) * K_CTL
        classic_atl += (d.load - classic_atl) * K_ATL
    assert days[-1].ctl == pytest.approx(classic_ctl, rel=1e-6)
    assert days[-1].atl == pytest.approx(classic_atl, rel=1e-12)


def test_days_before_the_first_session_have_no_values():
    days = load_days([Session(ago(1), 30, rpe=5)], ago(3), DAY)
    assert [(d.ctl is None) for d in days] == [True, True, False, False]
    assert days[-2].ctl == 150.0  # the first day's average is its own load
    assert days[-1].load == 0.0 and days[-1].ctl == pytest.approx(150 * (1 - K_CTL) / (2 - K_CTL))


def test_the_history_before_the_period_counts():
    sessions = [Session(ago(i), 60, rpe=5) for i in range(100, 200)]
    [today] = load_days(sessions, DAY, DAY)
    assert 0 < today.ctl < 300 and today.atl < 1  # fitness fades slowly, fatigue fast


# -- form on the morning of a day ---------------------------------------------------------


def test_form_is_as_of_the_end_of_yesterday():
    sessions = [Session(ago(i), 60, rpe=5) for i in range(1, 30)]
    with_today = [*sessions, Session(DAY, 120, rpe=9)]
    assert form_on(DAY, with_today) == form_on(DAY, sessions)
    assert form_on(DAY, sessions).as_of == ago(1)
    assert form_on(DAY + timedelta(days=1), with_today) != form_on(
        DAY + timedelta(days=1), sessions
    )


def test_form_reads_the_sessions_of_its_lookback_and_loses_almost_nothing():
    from khepri_cli.domain.load import lookback_start

    assert lookback_start(ago(1)) == ago(401)  # the morning of DAY sees the end of ago(1)
    recent = [Session(ago(i), 60, rpe=1 + i % 9) for i in range(1, 402)]
    older = [Session(ago(i), 90, rpe=8) for i in range(402, 3000)]
    whole = load_days(older + recent, ago(1), ago(1))[0]
    found = form_on(DAY, older + recent)
    assert found == form_on(DAY, recent)  # nothing before the lookback is read
    # what is left out weighs e^(-401/42) of fitness, at most a past day's load (90 min x 8)
    assert abs(found.ctl - whole.ctl) <= math.exp(-401 / 42) * 720
    assert found.atl == pytest.approx(whole.atl, rel=1e-12)
    assert found.percent == pytest.approx(whole.form_percent, abs=0.1)


def test_form_without_any_session():
    found = form_on(DAY, [])
    assert found.band is None and found.ctl is None
    assert found.describe() == "form: no training logged yet"


def test_sessions_without_load_have_no_form():
    found = form_on(DAY, [Session(ago(30), 0, rpe=5), Session(ago(20), 30, rpe=0)])
    assert found.percent is None and found.band is None
    assert found.describe() == "form: no training load yet"


@pytest.mark.parametrize(("history", "banded"), [(1, False), (13, False), (14, True)])
def test_form_is_banded_after_14_days_of_history(history, banded):
    sessions = [Session(ago(history), 60, rpe=5)]
    found = form_on(DAY, sessions)
    assert found.history_days == history
    assert (found.band is not None) is banded
    if not banded:
        assert found.note == f"form forming: {history} of 14 days of training history"


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        (-45.0, ld.HIGH_RISK),
        (-30.1, ld.HIGH_RISK),
        (-30.0, ld.OPTIMAL),
        (-10.1, ld.OPTIMAL),
        (-10.0, ld.NEUTRAL),
        (0.0, ld.NEUTRAL),
        (5.0, ld.NEUTRAL),
        (5.1, ld.FRESH),
        (25.0, ld.FRESH),
        (25.1, ld.DETRAINING),
        (80.0, ld.DETRAINING),
    ],
)
def test_one_band_set_at_its_edges(percent, band):
    assert ld.FormBands().band(percent) == band


def test_the_band_follows_the_shown_percentage():
    # TSB / CTL = -30.04 %: shown as -30.0 %, and banded as what is shown
    assert ld._percent(100.0, -30.04) == -30.0
    assert ld.FormBands().band(ld._percent(100.0, -30.04)) == ld.OPTIMAL


def test_form_describes_every_number_and_is_json():
    sessions = [Session(ago(i), 60, rpe=5 + i % 3) for i in range(1, 60)]
    found = form_on(DAY, sessions)
    text = found.describe()
    assert text.startswith(f"form {found.percent:+.1f} % of fitness (")
    assert f"fitness {found.ctl:.1f}, fatigue {found.atl:.1f}" in text
    stored = found.to_dict()
    assert json.loads(json.dumps(stored)) == stored
    assert stored["band_label"] == ld.BAND_LABELS[found.band]


# -- weeks and series ---------------------------------------------------------------------


def test_weekly_summary_by_iso_week_across_a_new_year():
    sessions = [
        Session(date(2026, 12, 27), 60, rpe=5),  # Sunday of week 52
        Session(date(2026, 12, 28), 30, rpe=4),  # Monday of 2026-W53
        Session(date(2027, 1, 3), 45, tss=50),  # Sunday of 2026-W53
        Session(date(2027, 1, 4), 20, rpe=3),  # Monday of 2027-W01
    ]
    weeks = ld.weekly_summary(sessions, date(2026, 12, 27), date(2027, 1, 5))
    assert [(w.year, w.week) for w in weeks] == [(2026, 52), (2026, 53), (2027, 1)]
    w53 = weeks[1]
    assert (w53.first_day, w53.last_day) == (date(2026, 12, 28), date(2027, 1, 3))
    assert (w53.sessions, w53.minutes, w53.load) == (2, 75.0, 170.0)
    days = {d.day: d for d in load_days(sessions, date(2026, 12, 21), date(2027, 1, 5))}
    assert (w53.ctl, w53.atl, w53.tsb) == (
        days[date(2027, 1, 3)].ctl,
        days[date(2027, 1, 3)].atl,
        days[date(2027, 1, 3)].tsb,
    )
    assert weeks[-1].last_day == date(2027, 1, 5)  # an unfinished week ends on the last day
    assert weeks[0].first_day == date(2026, 12, 21)  # whole weeks from the first day's Monday


def test_series_for_a_sparkline():
    series = ld.load_series(ninety_day_sessions(), DAY, days=90)
    assert len(series.days) == len(series.ctl) == 90
    assert series.days[0] == ago(89) and series.days[-1] == DAY
    stored = series.to_dict()
    assert json.loads(json.dumps(stored)) == stored


# -- properties ---------------------------------------------------------------------------

sessions_strategy = st.lists(
    st.builds(
        Session,
        st.integers(0, 60).map(ago),
        st.integers(0, 240),
        st.integers(1, 10),
        st.one_of(st.none(), st.integers(0, 300)),
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(sessions_strategy, st.randoms(use_true_random=False))
def test_the_order_of_sessions_does_not_matter(sessions, rnd):
    shuffled = list(sessions)
    rnd.shuffle(shuffled)
    assert load_days(sessions, ago(60), DAY) == load_days(shuffled, ago(60), DAY)
    assert form_on(DAY, sessions) == form_on(DAY, shuffled)


@settings(max_examples=60, deadline=None)
@given(sessions_strategy, st.integers(0, 60), st.integers(1, 240), st.integers(1, 10))
def test_adding_a_session_changes_only_the_days_from_it_on(sessions, offset, minutes, rpe):
    added = [*sessions, Session(ago(offset), minutes, rpe)]
    before, after = load_days(sessions, ago(60), DAY), load_days(added, ago(60), DAY)
    split = 60 - offset
    assert before[:split] == after[:split]
    assert before[split:] != after[split:]
