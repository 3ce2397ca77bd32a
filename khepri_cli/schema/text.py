"""What text the journal holds: one line or several, how long, and no control characters.

A text column's kind (:class:`~khepri_cli.schema.kinds.TextKind`) applies
these to every value written; the renderers use :data:`CONTROL` to escape
whatever was stored before the rule existed. Standard library only.
"""

from __future__ import annotations

import re

LINE_MAX = 200
"""The longest one-line text (a title, a name, a metric, a place), in characters."""

NOTE_MAX = 10_000
"""The longest multi-line text (notes, descriptions), in characters."""

LIST_MAX = 100
"""The most items a text list (equipment, restrictions, days...) holds."""

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
"""Control characters (Unicode category Cc): C0, DEL and C1. A terminal may act on them."""

_CONTROL_NAMES = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab"}


def control_character(text: str, *, allow_newline: bool = False) -> str | None:
    """The first control character in ``text`` (a newline only when not allowed), or None."""
    for match in CONTROL.finditer(text):
        if not (allow_newline and match.group() == "\n"):
            return match.group()
    return None


def describe_control(char: str) -> str:
    """``a line break``, ``a tab``, ``control character U+001B``: how a message names it."""
    return _CONTROL_NAMES.get(char, f"control character U+{ord(char):04X}")
