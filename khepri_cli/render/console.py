"""Where output goes and how it looks: rich on a terminal, plain text when piped, JSON on request.

Results go to stdout; messages (saved, deleted, warnings) go to stderr, so
``khepri goals list --json | jq`` always sees clean JSON. rich is imported
only when something is actually drawn on a terminal.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from khepri_cli.schema.text import CONTROL

if TYPE_CHECKING:
    from rich.console import Console

T = TypeVar("T")

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_CONTROL_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_RAW_IN_JSON = re.compile("[\x7f-\x9f]")


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char) or f"\\x{ord(char):02x}"


def one_line(text: str) -> str:
    """``text`` safe to show on one line: every control character, line breaks included,
    written as its escape (``\\n``, ``\\x1b``), so it can neither act on the terminal nor
    split a row. Khepri refuses such characters on the way in; this covers what is stored.
    """
    return CONTROL.sub(_escaped, text)


def visible(text: str) -> str:
    """``text`` with every control character but the line break written as its escape."""
    return _CONTROL_BUT_NEWLINE.sub(_escaped, text)


def printable_json(text: str) -> str:
    """JSON text with DEL and the C1 controls as ``\\u`` escapes (the encoder leaves them raw)."""
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


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
    sys.stdout.write(printable_json(json.dumps(data, indent=2, ensure_ascii=False)) + "\n")


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
    sys.stderr.write(one_line(message) + "\n")


def out(text: str = "") -> None:
    """Lines of a result on stdout; the line breaks are the caller's, nothing else controls."""
    sys.stdout.write(visible(text) + "\n")


def cell(text: str) -> str:
    """User text as one line of a table or panel: controls escaped, and on a terminal
    square brackets kept from becoming rich markup."""
    text = one_line(text)
    if not is_terminal():
        return text
    from rich.markup import escape

    return escape(text)


def plain_table(headers: list[str], rows: list[list[str]]) -> str:
    """Aligned columns without borders or colour: for pipes, grep and awk.

    Every cell is kept whole and on one line (controls escaped), so each row
    is one line however long its text.
    """
    rows = [[one_line(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


GAP = 2
"""Spaces between two columns of a table, on a terminal as in plain text."""

SHORTEST_CUT = 4
"""The narrowest a column of free text gets on a narrow terminal: three characters and "…"."""


def _shrink(widths: list[int], floors: list[int], columns: list[int], room: int) -> None:
    """Narrow ``columns`` (widest first, one character at a time) towards ``floors`` until
    the widths fit ``room`` or those columns can give no more."""
    while sum(widths) > room:
        slack = [i for i in columns if widths[i] > floors[i]]
        if not slack:
            return
        widest = max(slack, key=lambda i: widths[i])
        widths[widest] -= 1


def fit_widths(
    headers: list[str],
    cells: list[list[str]],
    room: int,
    *,
    free_text: tuple[int, ...] = (),
    names: tuple[int, ...] = (),
    whole: tuple[int, ...] = (),
) -> list[int]:
    """Column widths for a table of plain ``cells`` that fit ``room`` characters if they can.

    Free text (titles, details) gives way first, down to a few characters and
    an ellipsis. Then a value of several words (``312 days``) wraps between
    its words, as far as its header's width. Then names (a type, a status)
    are cut too. Then headers fold. A word (a date, an ID, a number) is never
    broken, and a ``whole`` cell (a readiness light) never wraps at all:
    where even that cannot fit, rich squeezes what is left.
    """
    count = len(headers)
    header = [len(h) for h in headers]
    content = [max((len(row[i]) for row in cells), default=0) for i in range(count)]
    word = [
        max((len(w) for row in cells for w in row[i].split(" ")), default=0) for i in range(count)
    ]
    for i in whole:
        word[i] = content[i]
    natural = [max(header[i], content[i]) for i in range(count)]
    wrapping = [i for i in range(count) if i not in (*free_text, *names)]
    short = [min(n, SHORTEST_CUT) for n in natural]
    widths = list(natural)
    room -= GAP * (count - 1)
    _shrink(widths, short, list(free_text), room)
    _shrink(widths, [max(word[i], header[i]) for i in range(count)], wrapping, room)
    _shrink(widths, short, list(names), room)
    _shrink(widths, [max(w, 1) for w in word], wrapping, room)
    return widths


def print_table(
    title: str | None,
    headers: list[str],
    rows: list[list[str]],
    *,
    free_text: tuple[int, ...] = (),
    names: tuple[int, ...] = (),
    whole: tuple[int, ...] = (),
    styles: dict[int, str] | None = None,
    row_styles: list[str | None] | None = None,
    empty: str = "Nothing to show.",
) -> None:
    """A rich table on a terminal, aligned plain text otherwise (kept whole when piped).

    On a terminal the table fits its width (:func:`fit_widths`): the
    ``free_text`` and ``names`` columns are cut with an ellipsis, dates, IDs,
    numbers and ``whole`` cells (lights) never break. Cells are rich markup
    on a terminal. ``styles`` maps column index to a style for the whole
    column; ``row_styles`` gives each row an optional style.
    """
    if not rows:
        say(empty)
        return
    if not is_terminal():
        out(plain_table(headers, rows))
        return
    from rich.text import Text

    texts = [[Text.from_markup(one_line(c)) for c in row] for row in rows]
    plain = [[text.plain for text in row] for row in texts]
    width = console().width
    widths = fit_widths(headers, plain, width, free_text=free_text, names=names, whole=whole)
    table = _fitted_table(title, headers, widths, free_text + names, whole, styles or {})
    for index, row in enumerate(texts):
        table.add_row(*row, style=row_styles[index] if row_styles else None)
    console().print(table)


def _fitted_table(
    title: str | None,
    headers: list[str],
    widths: list[int],
    cut: tuple[int, ...],
    whole: tuple[int, ...],
    styles: dict[int, str],
) -> Any:
    """An empty rich table with columns of these ``widths``: the ``cut`` ones end in an ellipsis,
    the ``whole`` ones never wrap, the others wrap between words (never inside one)."""
    from rich import box
    from rich.table import Table

    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        title_justify="left",
        min_width=min(len(title or ""), console().width),
    )
    for index, header in enumerate(headers):
        table.add_column(
            header,
            style=styles.get(index),
            width=widths[index],
            no_wrap=index in cut or index in whole,
            overflow="ellipsis" if index in cut else "fold",
        )
    return table


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
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column(overflow="fold")
    for label, value in rows:
        if markup and label in markup:
            table.add_row(label, markup[label])
        else:
            table.add_row(label, "[dim]—[/]" if value == "—" else escape(visible(value)))
    console().print(table)


LIGHT_STYLE = {"green": "bold green", "yellow": "bold yellow", "red": "bold red", "unknown": "dim"}
LIGHT_DOT = {"green": "●", "yellow": "●", "red": "●", "unknown": "○"}


def light(level: str | None) -> str:
    """A readiness light as rich markup on a terminal, a plain word otherwise."""
    level = level or "unknown"
    if not is_terminal():
        return one_line(level)
    return f"[{LIGHT_STYLE.get(level, 'dim')}]{LIGHT_DOT.get(level, '○')} {cell(level)}[/]"
