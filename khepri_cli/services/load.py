"""Training load over a span of days: the week-by-week table and day-by-day series of ``khepri load``.

Sessions are read once, from the lookback of the first week shown
(:func:`khepri_cli.domain.load.lookback_start`) to today, through the
``(athlete_id, activity_date)`` index: the cost follows the days asked for,
never the length of the journal.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, NamedTuple

from khepri_cli.db.connection import Journal
from khepri_cli.db.repo_activities import sessions_between
from khepri_cli.domain import load
from khepri_cli.domain.profile import today_of
from khepri_cli.schema import Row


class LoadReport(NamedTuple):
    today: date
    days: int
    weeks: list[load.WeekSummary]
    series: load.LoadSeries
    form: load.Form  # this morning: as of the end of yesterday
    methods: dict[str, int]  # sessions shown by how their load was counted
    banded_from: date | None  # the first day with enough history for a band

    def to_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "days": self.days,
            "form": self.form.to_dict(),
            "sessions_by_method": self.methods,
            "weeks": [week.to_dict() for week in self.weeks],
            "series": self.series.to_dict(),
        }


def load_report(journal: Journal, athlete: Row, days: int) -> LoadReport:
    """Fitness, fatigue and form of the ``days`` days ending today, by week and by day."""
    today = today_of(athlete)
    first = today - timedelta(days=days - 1)
    monday = first - timedelta(days=first.weekday())
    sessions = sessions_between(journal.conn, athlete.id, load.lookback_start(monday), today)
    methods = {load.SESSION_RPE: 0, load.TSS: 0}
    for session in sessions:
        if session.day >= monday:
            methods[load.session_load(session).method] += 1
    history = load.SETTINGS.min_history_days - 1
    return LoadReport(
        today,
        days,
        load.weekly_summary(sessions, first, today),
        load.load_series(sessions, today, days),
        load.form_on(today, sessions),
        methods,
        sessions[0].day + timedelta(days=history) if sessions else None,
    )
