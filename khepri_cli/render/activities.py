"""What is particular to showing training sessions: the list columns and each session's load."""

from __future__ import annotations

from datetime import date

from khepri_cli.domain.load import TSS, Session, session_load
from khepri_cli.domain.units import format_minutes
from khepri_cli.render.console import cell, short_id
from khepri_cli.render.records import RecordView
from khepri_cli.schema import Row
from khepri_cli.schema.tables import ACTIVITIES


def load_text(row: Row) -> str:
    """``270 (45 min × RPE 6)`` or ``85 (TSS)``: the session's load and where it comes from."""
    session = Session(row.activity_date, row.duration_minutes, row.rpe, row.tss, row.sport)
    found = session_load(session)
    if found.method == TSS:
        return f"{found.load:g} (TSS)"
    return f"{found.load:g} ({row.duration_minutes} min × RPE {row.rpe})"


def headline(row: Row) -> str:
    """``2026-11-25, 45 min at RPE 6``: how messages name a session."""
    return f"{row.activity_date}, {format_minutes(row.duration_minutes)} at RPE {row.rpe}"


def _row(row: Row, today: date, status: str | None) -> list[str]:
    return [
        short_id(row.id),
        row.activity_date.isoformat(),
        row.sport,
        format_minutes(row.duration_minutes),
        str(row.rpe),
        load_text(row),
        cell(row.notes or ""),
    ]


VIEW = RecordView(
    table=ACTIVITIES,
    command="activities",
    list_headers=lambda status: [
        "ID",
        "date",
        "sport",
        "duration",
        "RPE",
        "load",
        "notes",
    ],
    list_row=_row,
    empty_hint="khepri log run 45m --rpe 6",
    show_order=ACTIVITIES.entry,
    after={"TSS": ("load", lambda row, today: load_text(row))},
    headline=headline,
    added_detail=lambda row: f": load {load_text(row)}",
)
