"""Can a value be stored in SQLite and in Postgres alike? Text without NUL or unpaired
surrogates, finite numbers, and documents made only of those."""

from __future__ import annotations

import math
import re
from typing import Any

from khepri_cli.schema.json_text import json_writer

_SURROGATE = "[\ud800-\udfff]"
_STRICT_TEXT = json_writer(allow_nan=False)


def _unstorable_text(text: str) -> bool:
    return "\x00" in text or (not text.isascii() and re.search(_SURROGATE, text) is not None)


def _surely_storable(document: dict | list | tuple) -> bool:
    """A quick proof that a list or object holds nothing :func:`unstorable` would refuse.

    Its JSON text, as the C encoder writes it, shows every NUL as ``\\u0000``
    and every surrogate as it is, and cannot be written with NaN or an
    infinity in it; a document it clears needs no walk through every value
    (a check-in's readiness verdict has about sixty). False only means "walk it".
    """
    try:
        text = _STRICT_TEXT(document)
    except (TypeError, ValueError, RecursionError):
        return False
    return "\\u0000" not in text and not _unstorable_text(text)


def unstorable(value: Any) -> str | None:
    """Why a value cannot be stored in SQLite and in Postgres alike, or None."""
    if isinstance(value, dict | list | tuple) and _surely_storable(value):
        return None
    return _first_unstorable(value)


def _first_unstorable(value: Any) -> str | None:
    if isinstance(value, str):
        if _unstorable_text(value):
            return "text must not contain NUL (\\u0000) or unpaired surrogate characters"
    elif isinstance(value, float):
        if not math.isfinite(value):
            return "numbers must be finite"
    elif isinstance(value, dict):
        for key, item in value.items():
            problem = _first_unstorable(key) or _first_unstorable(item)
            if problem:
                return problem
    elif isinstance(value, list | tuple):
        for item in value:
            problem = _first_unstorable(item)
            if problem:
                return problem
    return None
