"""``khepri load``: the week-by-week table, today's form, --json; hand-computed numbers.

Loads of 100, 0 and 50 on three days from the first session give fitness
100, 49.40 and 49.61 and fatigue 100, 46.43 and 47.80 (docs/load.md, "A
worked example"); the clock is pinned at 2026-11-25 (a Wednesday).
"""

from __future__ import annotations

import pytest


@pytest.fixture
def three_days(athlete):
    athlete.ok("log", "run", "20", "--rpe", "5", "--date", "2026-11-23")  # load 100, a Monday
    athlete.ok("log", "swim", "25", "--rpe", "2", "--date", "2026-11-25")  # load 50, today
    return athlete


def test_the_week_table_and_this_mornings_form(three_days):
    out = three_days.ok("load", "--days", "7").stdout
    rows = three_days.table("load", "--days", "7")[:2]
    assert rows == [
        {"week of": "2026-11-16", "sessions": "—", "load": "0", "fitness": "—", "fatigue": "—",
         "form": "—", "form %": "—", "band": "—"},
        {"week of": "2026-11-23", "sessions": "2 (0:45)", "load": "150", "fitness": "49.6",
         "fatigue": "47.8", "form": "+1.8", "form %": "+3.7", "band": "—"},
    ]  # fmt: skip
    assert out.splitlines()[-2:] == [
        "This morning: form forming: 2 of 14 days of training history",
        "Loads: 2 sessions by minutes × RPE, 0 by TSS.",
    ]
    assert "▁" not in out  # sparklines are for terminals


def test_a_week_is_banded_once_14_days_of_history_end_in_it(athlete):
    for offset in range(20, 0, -1):  # an hour's ride a day from 2026-11-05 to 2026-11-24
        athlete.ok("log", "bike", "60", "--rpe", str(3 + offset % 5), "--date", f"2026-11-{25 - offset:02d}")  # fmt: skip
    rows = athlete.table("load", "--days", "21")[:4]
    assert [(r["week of"], r["form %"], r["band"]) for r in rows] == [
        ("2026-11-02", "-1.2", "—"),
        ("2026-11-09", "+3.1", "—"),  # ends 2026-11-15: 11 days of history
        ("2026-11-16", "-1.9", "neutral"),
        ("2026-11-23", "+8.9", "fresh"),  # as of the end of today, no session yet
    ]
    data = athlete.json("load", "--days", "21")
    assert data["form"]["band"] == "neutral" and data["form"]["history_days"] == 20
    assert data["form"]["text"] == (
        "form +0.4 % of fitness (neutral): fitness 300.0, fatigue 298.8, TSB +1.1 "
        "as of the end of 2026-11-24"
    )
    assert f"This morning: {data['form']['text']}" in athlete.ok("load", "--days", "21").stdout


def test_json_has_weeks_series_and_form(three_days):
    data = three_days.json("load", "--days", "7")
    assert list(data) == ["today", "days", "form", "sessions_by_method", "weeks", "series"]
    assert data["today"] == "2026-11-25" and data["days"] == 7
    assert data["sessions_by_method"] == {"session_rpe": 2, "tss": 0}
    series = data["series"]
    assert series["days"][0] == "2026-11-19" and series["days"][-1] == "2026-11-25"
    assert series["load"][-3:] == [100.0, 0.0, 50.0]
    assert series["ctl"][-3:] == [100.0, 49.4, 49.6]
    assert series["atl"][-3:] == [100.0, 46.4, 47.8]
    assert series["ctl"][0] is None  # no session yet that day
    [_, week] = data["weeks"]
    assert (week["sessions"], week["minutes"], week["load"]) == (2, 45.0, 150.0)
    assert (week["first_day"], week["last_day"]) == ("2026-11-23", "2026-11-25")


def test_a_journal_without_sessions(athlete):
    out = athlete.ok("load").stdout
    assert "This morning: form: no training logged yet" in out
    assert "Loads: 0 sessions by minutes × RPE, 0 by TSS." in out
    assert athlete.json("load")["form"]["band"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "6"], "Invalid value for '--days': 6 is not in the range 7<=x<=3660"),
        (["--days", "3661"], "Invalid value for '--days'"),
        (["--days", "a month"], "Invalid value for '--days'"),
    ],
)
def test_bad_input(athlete, args, message):
    athlete.refused("load", *args, message=message)


def test_load_before_init(khepri):
    run = khepri("load")
    assert run.exit_code == 1 and "run 'khepri init' first" in run.stderr


def test_a_sparkline_spans_the_lowest_to_the_highest_value():
    from khepri_cli.render.load import sparkline

    assert sparkline([None, 0.0, 3.5, 7.0]) == " ▁▅█"
    assert sparkline([5.0, 5.0]) == "▁▁"  # flat: no span to scale
    assert sparkline([None, None]) == ""
    long = sparkline([float(i) for i in range(180)], width=60)
    assert len(long) == 60 and long[0] == "▁" and long[-1] == "█"  # every third day, the last kept


def test_on_a_terminal_sparklines_follow_the_table(three_days, monkeypatch):
    from khepri_cli.render import console

    monkeypatch.setattr(console, "is_terminal", lambda stream=None: True)
    monkeypatch.setenv("NO_COLOR", "1")
    console.console.cache_clear()
    out = three_days.ok("load", "--days", "7").stdout
    console.console.cache_clear()
    assert "  fitness     █▁▁  100.0 → 49.6\n" in out  # days before the first session are blank
    assert "  fatigue     █▁▁  100.0 → 47.8\n" in out
    assert "  form        ▁█▅  0.0 → 1.8\n" in out
    assert out.endswith("This morning: form forming: 2 of 14 days of training history\n"
                        "Loads: 2 sessions by minutes × RPE, 0 by TSS.\n")  # fmt: skip
