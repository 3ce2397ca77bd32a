"""The athlete profile as people type and read it: units, their day, the profile view."""

from __future__ import annotations

from datetime import date
from typing import Any

from khepri_cli.domain import forms
from khepri_cli.domain.clock import today_in
from khepri_cli.schema.rules import is_valid_timezone
from khepri_cli.schema.tables import ATHLETES


def units_of(athlete: Any) -> str:
    """The athlete's unit system (metric until told otherwise)."""
    return (athlete.get("preferred_units") if athlete else None) or "metric"


def today_of(athlete: Any) -> date:
    """The calendar day it is now where the athlete lives."""
    return today_in(athlete.get("timezone") if athlete else None)


def read_profile(typed: dict[str, Any], current_units: str, today: date) -> dict[str, Any]:
    """Profile texts keyed by column -> values, units read first.

    ``--units imperial --weight 160`` means 160 lb: the units given on the
    same command line apply to the values given with them.
    """
    units = current_units
    if typed.get("preferred_units") is not None:
        units = forms.read(
            ATHLETES.column("preferred_units"), typed["preferred_units"], forms.Typing()
        )
    typing = forms.Typing(units, today)
    return {
        name: forms.read(ATHLETES.column(name), text, typing)
        for name, text in typed.items()
        if text is not None
    }


def profile_view(athlete: Any) -> list[tuple[str, str]]:
    """(label, value in the athlete's units) for every profile field, in entry order."""
    units = units_of(athlete)
    return [
        (column.label or column.name, forms.show(column, athlete.get(column.name), units))
        for column in (ATHLETES.column(name) for name in ATHLETES.entry)
    ]


def local_timezone_name() -> str:
    """This machine's IANA time zone if it can be told, else UTC (a default for new profiles)."""
    import os

    candidate = os.environ.get("TZ", "").lstrip(":")
    if candidate and is_valid_timezone(candidate):
        return candidate
    try:
        target = os.path.realpath("/etc/localtime")
        marker = "zoneinfo/"
        if marker in target:
            name = target.split(marker, 1)[1]
            if is_valid_timezone(name):
                return name
    except OSError:
        pass
    return "UTC"
