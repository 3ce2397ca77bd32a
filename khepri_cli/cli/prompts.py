"""Asking for values on a terminal: defaults shown, Enter keeps or skips, bad values re-asked.

Only ever called when :attr:`AppState.interactive` is true. Ctrl-C raises
``typer.Abort`` before anything is written.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import typer

from khepri_cli.errors import InvalidInput


def ask(label: str, parse: Callable[[str], Any], *, current: str | None = None) -> Any | None:
    """Ask for one value until it parses. Empty answer -> ``None`` (keep or skip)."""
    while True:
        text = typer.prompt(
            label, default=current or "", show_default=bool(current), prompt_suffix=": "
        ).strip()
        if not text or text == current:
            return None
        try:
            return parse(text)
        except InvalidInput as exc:
            color = "red" if not os.environ.get("NO_COLOR") else None
            typer.secho(f"  {exc.allowed}", fg=color, err=True)


def confirm(question: str) -> bool:
    return typer.confirm(question, default=False)


def ask_profile(current: Any | None) -> dict[str, Any]:
    """Walk through every profile field; Enter keeps the shown value."""
    from khepri_cli.domain.profile import PROFILE_FIELDS, local_timezone_name

    typer.echo(
        "Your athlete profile (Enter keeps the value in brackets, Ctrl-C cancels).", err=True
    )
    units = current.units if current else "metric"
    changes: dict[str, Any] = {}
    for field in PROFILE_FIELDS:
        if current is not None:
            shown = field.show(getattr(current, field.column), units)
            shown = None if shown == "—" else shown
        else:
            defaults = {"preferred_units": "metric", "timezone": local_timezone_name()}
            shown = defaults.get(field.column)
        if field.column in ("weight_kg", "height_cm") and shown:
            shown = shown.split(" ")[0]
        value = ask(field.label, lambda text, f=field, un=units: f.parse(text, un), current=shown)
        if value is None and current is None and shown is not None:
            value = field.parse(shown, units)
        if value is not None:
            changes[field.column] = value
            if field.column == "preferred_units":
                units = value
    return changes
