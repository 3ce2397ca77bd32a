"""``khepri load``: a table by week, sparklines of fitness, fatigue and form, today's form.

On a terminal the table is drawn by rich and followed by one sparkline per
value; piped, the same table is plain aligned numbers and the sparklines are
left out (every number they draw is in the table or in ``--json``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from khepri_cli.domain.load import BAND_LABELS, OPTIMAL, SESSION_RPE, SETTINGS, TSS, WeekSummary
from khepri_cli.render import console as con

BARS = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 60
"""The most characters a sparkline takes; longer spans show the last day of each stretch."""


def _number(value: float | None, sign: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.1f}" if sign else f"{value:.1f}"


SHORT_BANDS = {**BAND_LABELS, OPTIMAL: "optimal"}
"""Band names short enough for the table on 80 columns ("optimal training" in full elsewhere)."""


def _band(week: WeekSummary, banded_from: date | None) -> str:
    """The band of the week's last day, once the history is long enough to have one."""
    if week.form_percent is None or banded_from is None or week.last_day < banded_from:
        return "—"
    return SHORT_BANDS[SETTINGS.bands.band(week.form_percent)]


def _sessions(week: WeekSummary) -> str:
    """``4 (3:18)``: how many sessions and their time, h:mm."""
    whole = round(week.minutes)
    return f"{week.sessions} ({whole // 60}:{whole % 60:02d})" if week.sessions else "—"


def week_rows(weeks: list[WeekSummary], banded_from: date | None) -> list[list[str]]:
    return [
        [
            week.first_day.isoformat(),
            _sessions(week),
            f"{week.load:.0f}",
            _number(week.ctl),
            _number(week.atl),
            _number(week.tsb, sign=True),
            _number(week.form_percent, sign=True),
            _band(week, banded_from),
        ]
        for week in weeks
    ]


HEADERS = ["week of", "sessions", "load", "fitness", "fatigue", "form", "form %", "band"]


def sparkline(values: list[float | None], width: int = SPARK_WIDTH) -> str:
    """One bar per value from the lowest to the highest; a day without a value is a space."""
    stretch = max(1, -(-len(values) // width))
    sampled = values[stretch - 1 :: stretch] if stretch > 1 else values
    known = [v for v in sampled if v is not None]
    if not known:
        return ""
    low, span = min(known), (max(known) - min(known)) or 1.0
    return "".join(
        " " if v is None else BARS[round((v - low) / span * (len(BARS) - 1))] for v in sampled
    )


def _sparklines(report: Any) -> None:
    from rich.markup import escape

    series = report.series
    lines = ["", f"[bold]Last {report.days} days[/] (each bar: the value at the end of a day)"]
    for label, values, style in (
        ("fitness", series.ctl, "cyan"),
        ("fatigue", series.atl, "magenta"),
        ("form", series.tsb, "green"),
    ):
        known = [v for v in values if v is not None]
        ends = f"{known[0]:.1f} → {known[-1]:.1f}" if known else "no training logged"
        lines.append(f"  {label:<8}[{style}]{escape(sparkline(values))}[/]  {ends}")
    con.console().print("\n".join(lines))


def _methods(methods: dict[str, int]) -> str:
    rpe, tss = methods.get(SESSION_RPE, 0), methods.get(TSS, 0)
    return f"Loads: {rpe} session{'' if rpe == 1 else 's'} by minutes × RPE, {tss} by TSS."


def show_report(report: Any, as_json: bool) -> None:
    """The whole of ``khepri load``: JSON, or the table, the sparklines and today's form."""
    if as_json:
        con.emit_json(report.to_dict())
        return
    con.print_table(
        f"Training load, {report.days} days to {report.today}",
        HEADERS,
        week_rows(report.weeks, report.banded_from),
        empty="No weeks to show.",
    )
    if con.is_terminal():
        _sparklines(report)
    con.out(f"This morning: {report.form.describe()}")
    con.out(_methods(report.methods))
