"""``khepri load``: fitness, fatigue and form from the sessions you logged."""

from __future__ import annotations

from typing import Annotated

import typer

from khepri_cli.cli.options import MAX_DAYS, JsonOption
from khepri_cli.cli.state import state

app = typer.Typer(add_completion=False)

DaysOption = Annotated[
    int,
    typer.Option(
        "--days",
        metavar="N",
        min=7,
        max=MAX_DAYS,
        help=f"How many days to show, today included (7 to {MAX_DAYS}); whole weeks from the "
        "one holding the first.",
    ),
]


@app.command("load")
def load(ctx: typer.Context, days: DaysOption = 90, as_json: JsonOption = False) -> None:
    """Your training load by week: sessions, time, load, fitness, fatigue and form.

    A session's load is minutes × RPE, or its TSS. Fitness and fatigue are
    42- and 7-day averages of the daily load, form their difference, also as
    a percentage of fitness with its band (docs/load.md). On a terminal,
    sparklines of fitness, fatigue and form follow the table.

    Example:

        khepri load --days 180
    """
    from khepri_cli.render.load import show_report
    from khepri_cli.services.load import load_report

    app_state = state(ctx)
    show_report(load_report(app_state.journal(), app_state.athlete(), days), as_json)
