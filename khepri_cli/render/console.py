"""Where output goes and how it looks: rich on a terminal, plain text when piped, JSON on request.

Results go to stdout; messages (saved, deleted, warnings) go to stderr, so
``khepri goals list --json | jq`` always sees clean JSON. rich is imported
only when something is actually drawn on a terminal.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from rich.console import Console

T = TypeVar("T")


def is_terminal(stream: Any = None) -> bool:
    """True when ``stream`` (stdout by default) is an interactive terminal."""
    stream = stream or sys.stdout
    try:
        return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def no_color() -> bool:
    """``NO_COLOR`` is set to something other than the empty string (no-color.org)."""
    return bool(os.environ.get("NO_COLOR"))


@cache
def console() -> Console:
    """The rich console for stdout; respects NO_COLOR and the terminal's width.

    Under NO_COLOR it writes no escape codes at all: rich's own ``no_color``
    drops colours but still emits bold, dim and italic.
    """
    from rich.console import Console

    plain = no_color()
    return Console(highlight=False, no_color=plain or None, color_system=None if plain else "auto")


SHORT_ID = 8
"""How many characters of a UUID the tables show (like git's short hashes)."""


def short_id(row_id: str) -> str:
    return row_id[:SHORT_ID]


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def stream_out(produce: Callable[[Callable[[str], Any]], T]) -> T:
    """Let ``produce`` write text to stdout as UTF-8, whatever the terminal's encoding."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        return produce(sys.stdout.write)
    result = produce(lambda text: buffer.write(text.encode("utf-8")))
    buffer.flush()
    return result


def say(message: str) -> None:
    """A one-line message for the user on stderr (never mixed into results)."""
    sys.stderr.write(message + "\n")


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def plain_table(headers: list[str], rows: list[list[str]]) -> str:
    """Aligned columns without borders or colour: for pipes, grep and awk."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def print_table(
    title: str | None,
    headers: list[str],
    rows: list[list[str]],
    *,
    styles: dict[int, str] | None = None,
    row_styles: list[str | None] | None = None,
    empty: str = "Nothing to show.",
    caption: str | None = None,
) -> None:
    """A rich table on a terminal, aligned plain text otherwise.

    ``styles`` maps column index to a rich style for the whole column;
    ``row_styles`` gives each row an optional style (e.g. the readiness light).
    """
    if not rows:
        say(empty)
        return
    if not is_terminal():
        out(plain_table(headers, rows))
        return
    from rich import box
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE_HEAD, caption=caption, title_justify="left")
    for index, header in enumerate(headers):
        table.add_column(header, style=(styles or {}).get(index), overflow="fold")
    for index, row in enumerate(rows):
        style = row_styles[index] if row_styles else None
        table.add_row(*row, style=style)
    console().print(table)


def print_fields(
    title: str, rows: list[tuple[str, str]], *, markup: dict[str, str] | None = None
) -> None:
    """One record as label/value lines: a borderless rich table on a terminal, aligned text otherwise.

    ``markup`` maps a label to rich markup shown instead of its plain value
    (a coloured priority, say); every other value is escaped, "—" dimmed.
    """
    if not is_terminal():
        out(plain_table(["field", "value"], [list(r) for r in rows]))
        return
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    table = Table(box=box.SIMPLE, show_header=False, title=title, title_justify="left")
    table.add_column(style="bold cyan")
    table.add_column(overflow="fold")
    for label, value in rows:
        if markup and label in markup:
            table.add_row(label, markup[label])
        else:
            table.add_row(label, "[dim]—[/]" if value == "—" else escape(value))
    console().print(table)


LIGHT_STYLE = {"green": "bold green", "yellow": "bold yellow", "red": "bold red", "unknown": "dim"}
LIGHT_DOT = {"green": "●", "yellow": "●", "red": "●", "unknown": "○"}


def light(level: str | None) -> str:
    """A readiness light as rich markup on a terminal, a plain word otherwise."""
    level = level or "unknown"
    if not is_terminal():
        return level
    return f"[{LIGHT_STYLE.get(level, 'dim')}]{LIGHT_DOT.get(level, '○')} {level}[/]"
