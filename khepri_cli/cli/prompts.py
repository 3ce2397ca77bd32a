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
    from khepri_cli.domain import forms
    from khepri_cli.domain.clock import utc_now
    from khepri_cli.domain.profile import local_timezone_name, today_of, units_of
    from khepri_cli.schema.tables import ATHLETES

    typer.echo(
        "Your athlete profile (Enter keeps the value in brackets, Ctrl-C cancels).", err=True
    )
    units = units_of(current)
    today = today_of(current) if current else utc_now().date()
    defaults = {"preferred_units": "metric", "timezone": local_timezone_name()}
    changes: dict[str, Any] = {}
    for column in (ATHLETES.column(name) for name in ATHLETES.entry):
        if current is not None:
            shown = forms.show(column, current.get(column.name), units)
            shown = None if shown == forms.DASH else shown
        else:
            shown = defaults.get(column.name)
        if column.form in ("weight", "height") and shown:
            shown = shown.split(" ")[0]
        typing = forms.Typing(units, today)
        value = ask(
            column.label or column.name,
            lambda text, c=column, t=typing: forms.read_checked(c, text, t),
            current=shown,
        )
        if value is None and current is None and shown is not None:
            value = forms.read_checked(column, shown, typing)
        if value is not None:
            changes[column.name] = value
            if column.name == "preferred_units":
                units = value
    return changes
