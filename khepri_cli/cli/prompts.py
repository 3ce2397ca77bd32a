"""Asking for values on a terminal: defaults shown, Enter keeps or skips, bad values re-asked.

Only ever called when :attr:`AppState.interactive` is true. Questions go to
stderr, so ``khepri checkin > today.txt`` still shows them, and answers are
read with line editing (readline: arrows, history) where the platform has
it. Ctrl-C or the end of input stops before anything is written.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer

from khepri_cli.errors import InvalidInput
from khepri_cli.render.console import one_line


def _line_editing() -> bool:
    """Whether ``input()`` can edit the line: stdin and stderr are the process's terminal."""
    try:
        terminal = sys.stdin.fileno() == 0 and sys.stdin.isatty() and sys.stderr.isatty()
        import readline  # noqa: F401  (importing it gives input() editing and history)
    except (AttributeError, ValueError, OSError, ImportError):
        return False
    return terminal


@contextmanager
def _stdout_on_stderr() -> Iterator[None]:
    """Point file descriptor 1 at stderr for a moment: ``input()`` edits the line only when
    stdout is a terminal, and writes its prompt there; results on stdout stay untouched."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def read_line(prompt: str) -> str:
    """Ask ``prompt`` on stderr and read one answer (EOFError at the end of input)."""
    prompt = one_line(prompt)
    if _line_editing():
        with _stdout_on_stderr():
            return input(prompt)
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\r\n")


def read_secret(prompt: str, *, confirm: bool = False) -> str:
    """Ask for a password on the terminal without echoing it (twice with ``confirm``)."""
    import getpass

    while True:
        secret = getpass.getpass(prompt, stream=sys.stderr)
        if not confirm or getpass.getpass("Repeat for confirmation: ", stream=sys.stderr) == secret:
            return secret
        sys.stderr.write("  The two entries differ; try again.\n")


def ask(label: str, parse: Callable[[str], Any], *, current: str | None = None) -> Any | None:
    """Ask for one value until it parses. Empty answer -> ``None`` (keep or skip)."""
    shown = f" [{current}]" if current else ""
    while True:
        text = read_line(f"{label}{shown}: ").strip()
        if not text or text == current:
            return None
        try:
            return parse(text)
        except InvalidInput as exc:
            color = "red" if not os.environ.get("NO_COLOR") else None
            typer.secho(f"  {one_line(exc.allowed)}", fg=color, err=True)


def confirm(question: str) -> bool:
    """A yes/no question; Enter means no."""
    while True:
        answer = read_line(f"{question} [y/N]: ").strip().lower()
        if answer in ("", "n", "no"):
            return False
        if answer in ("y", "yes"):
            return True
        sys.stderr.write("  answer y or n\n")


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
