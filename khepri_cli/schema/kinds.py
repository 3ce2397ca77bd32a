"""Column kinds: what a value of each Postgres type is in Python, in SQLite and in JSON.

A kind knows one type of the contract (schema.md): how a value given to the
journal (by a command, an import file, the remote) is checked and brought to
its canonical Python form, how that form is stored in the SQLite mirror, read
back, and written as JSON. Nothing else in Khepri converts column values.

Canonical Python forms: uuid, time and timestamp columns hold ``str`` (the
lowercase UUID, ``HH:MM:SS``, ``YYYY-MM-DDTHH:MM:SS.ffffffZ``); dates hold
``datetime.date``; decimals ``float`` rounded half away from zero to their
scale (as Postgres rounds into ``DECIMAL(p, s)``); integers ``int``;
booleans ``bool``; text arrays ``list[str]``; JSON documents ``dict``/``list``.

``check`` raises ``ValueError`` whose text says what is allowed, phrased to
follow "<column>: <value> is not valid; ".
"""

from __future__ import annotations

import json
import math
import os
import re
from datetime import UTC, date, datetime
from typing import Any

from khepri_cli.schema.json_text import json_writer
from khepri_cli.schema.storable import unstorable
from khepri_cli.schema.text import (
    LINE_MAX,
    LIST_MAX,
    NOTE_MAX,
    control_character,
    describe_control,
)

UUID_EXAMPLE = "0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d"
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
"""Postgres INTEGER: the range every whole-number column must fit to be pushed."""

# Patterns as text: ``re`` compiles (and caches) each on first use, not on every start-up.
_CANONICAL_UUID = "-".join(f"[0-9a-f]{{{n}}}" for n in (8, 4, 4, 4, 12))
_CANONICAL_TIMESTAMP = r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z"
"""A timestamp already in the one stored form (a year from 1000: ``%Y`` pads no further)."""


_STORED_TEXT = json_writer(sort_keys=True)

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
"""The one timestamp format stored in the journal: ISO 8601, UTC, microseconds."""


def format_timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def parse_timestamp(text: str) -> datetime:
    """Any ISO 8601 timestamp with an offset (``Z`` allowed) -> aware UTC datetime."""
    moment = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00").replace(" ", "T"))
    if moment.tzinfo is None:
        raise ValueError("timestamp needs a time zone, e.g. 2026-11-25T06:30:00Z")
    return moment.astimezone(UTC)


def utc_now() -> datetime:
    """Now, in UTC. ``KHEPRI_NOW`` (ISO 8601) pins it, for reproducible demos and tests."""
    pinned = os.environ.get("KHEPRI_NOW")
    if pinned:
        moment = datetime.fromisoformat(pinned.replace("Z", "+00:00"))
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    return datetime.now(UTC)


EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
"""Every date in the journal lies in this window: far enough for any athlete's life and
plans, and far from the ends of the calendar, where counting days back or on overflows."""


def kind_of(value: Any) -> str:
    """How a JSON value is called in a message: text, a number, a list, ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        return "text"
    return "a number"


def round_half_up(value: float, digits: int) -> float:
    """Round as Postgres rounds into DECIMAL(p, digits): half away from zero.

    ``round(61.555, 2)`` gives 61.55 (the float is 61.55499...); the decimal
    the person typed is what counts, so this gives 61.56. Decimal is imported
    only here, when a decimal value is actually written.
    """
    text = repr(value)
    point = text.find(".")
    if "e" not in text and len(text) - point - 1 <= digits:  # already at the scale
        return value
    from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

    try:
        exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    except InvalidOperation:  # more digits than a Decimal context holds: far out of any range
        return value
    return float(exact)


def canonical_uuid(value: Any) -> str:
    """The lowercase 36-character form of a UUID (any case, braces or urn: accepted)."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if re.fullmatch(_CANONICAL_UUID, text):
        return text
    import uuid

    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise ValueError(f"must be a UUID, e.g. {UUID_EXAMPLE}") from None


class Kind:
    """A column type: checks values and converts them between Python, SQLite and JSON."""

    name = ""
    pg_type = ""
    sqlite_type = "TEXT"

    def check(self, value: Any) -> Any:
        return value

    def to_sqlite(self, value: Any) -> Any:
        return value

    def from_sqlite(self, stored: Any) -> Any:
        return stored

    def to_json(self, value: Any) -> Any:
        return value

    def __repr__(self) -> str:
        return f"<kind {self.pg_type or self.name}>"


class UuidKind(Kind):
    name, pg_type = "uuid", "UUID"

    def check(self, value: Any) -> str:
        return canonical_uuid(value)


class DateKind(Kind):
    """A calendar day between :data:`EARLIEST_DATE` and :data:`LATEST_DATE`."""

    name, pg_type = "date", "DATE"

    def check(self, value: Any) -> date:
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError("must be a real calendar date in the form YYYY-MM-DD") from None
        if not isinstance(value, date) or hasattr(value, "hour"):
            raise ValueError("must be a date in the form YYYY-MM-DD")
        if not EARLIEST_DATE <= value <= LATEST_DATE:
            raise ValueError(f"must be a date from {EARLIEST_DATE} to {LATEST_DATE}")
        return value

    def to_sqlite(self, value: date | None) -> str | None:
        return None if value is None else value.isoformat()

    def from_sqlite(self, stored: str | None) -> date | None:
        return None if stored is None else date.fromisoformat(stored)

    to_json = to_sqlite


class TimeKind(Kind):
    """A time of day, ``HH:MM:SS`` (``HH:MM`` accepted); any fraction of a second is dropped."""

    name, pg_type = "time", "TIME"

    def check(self, value: Any) -> str:
        from datetime import time

        if isinstance(value, time):
            return value.replace(microsecond=0, tzinfo=None).isoformat()
        if isinstance(value, str):
            text = value.strip()
            if text.count(":") == 1:
                text += ":00"
            try:
                moment = time.fromisoformat(text)
            except ValueError:
                pass
            else:
                if moment.tzinfo is None:
                    return moment.replace(microsecond=0).isoformat()
        raise ValueError("must be a time of day, HH:MM or HH:MM:SS")


class TimestampKind(Kind):
    name, pg_type = "timestamp", "TIMESTAMPTZ"

    def check(self, value: Any) -> str:
        if isinstance(value, str) and re.fullmatch(_CANONICAL_TIMESTAMP, value):
            try:  # the stored form already: only the calendar is left to check
                datetime.fromisoformat(value[:-1])
                return value
            except ValueError:
                pass
        try:
            return format_timestamp(parse_timestamp(value))
        except (ValueError, TypeError, OverflowError):
            raise ValueError("must be an ISO 8601 timestamp with a time zone") from None


class IntegerKind(Kind):
    name, pg_type, sqlite_type = "integer", "INTEGER", "INTEGER"

    def check(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"must be a whole number, not {kind_of(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("numbers must be finite")
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError("must be a whole number")
            value = int(value)
        if value > INT_MAX:
            raise ValueError(f"must be a whole number up to {INT_MAX}")
        if value < INT_MIN:
            raise ValueError(f"must be a whole number from {INT_MIN}")
        return value


class DecimalKind(Kind):
    """``DECIMAL(precision, scale)``: a float rounded half away from zero to ``scale`` digits."""

    name, sqlite_type = "decimal", "REAL"

    def __init__(self, precision: int, scale: int):
        self.precision = precision
        self.scale = scale
        self.pg_type = f"DECIMAL({precision},{scale})"

    def check(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"must be a number, not {kind_of(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("numbers must be finite")
        return round_half_up(float(value), self.scale)

    def from_sqlite(self, stored: Any) -> float | None:
        return None if stored is None else float(stored)


class BooleanKind(Kind):
    name, pg_type, sqlite_type = "boolean", "BOOLEAN", "INTEGER"

    def check(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise ValueError("must be true or false")

    def to_sqlite(self, value: bool | None) -> int | None:
        return None if value is None else int(value)

    def from_sqlite(self, stored: int | None) -> bool | None:
        return None if stored is None else bool(stored)


class TextKind(Kind):
    """Text, one line (``multiline=False``) or several, at most ``max_length`` characters.

    Control characters are refused, so a value can never act on the terminal
    that shows it; a one-line text also refuses line breaks, so a table row
    stays one line for grep and awk.
    """

    name, pg_type = "text", "TEXT"

    def __init__(self, *, multiline: bool = False, max_length: int = LINE_MAX):
        self.multiline = multiline
        self.max_length = max_length

    def check(self, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"must be text, not {kind_of(value)}")
        problem = unstorable(value)
        if problem:
            raise ValueError(problem)
        found = control_character(value, allow_newline=self.multiline)
        if found == "\n":
            raise ValueError("must be one line: line breaks are not allowed here")
        if found is not None:
            raise ValueError(f"must not contain {describe_control(found)}")
        if len(value) > self.max_length:
            raise ValueError(
                f"must be at most {self.max_length} characters long (this is {len(value)})"
            )
        return value


def _dump(value: Any) -> str:
    """The one JSON text form stored in SQLite: sorted keys, UTF-8 kept as it is."""
    return _STORED_TEXT(value)


class TextArrayKind(Kind):
    """``TEXT[]``, stored locally as a JSON array of strings."""

    name, pg_type = "text_array", "TEXT[]"

    def __init__(self, item: TextKind, max_items: int = LIST_MAX):
        self.item = item
        self.max_items = max_items

    def check(self, value: Any) -> list[str]:
        if not (isinstance(value, list | tuple) and all(isinstance(i, str) for i in value)):
            raise ValueError("must be a list of text values")
        if len(value) > self.max_items:
            raise ValueError(f"must hold at most {self.max_items} items (this has {len(value)})")
        for item in value:
            try:
                self.item.check(item)
            except ValueError as exc:
                raise ValueError(f"each item {exc}") from None
        return list(value)

    def to_sqlite(self, value: list[str] | None) -> str | None:
        return None if value is None else _dump(value)

    def from_sqlite(self, stored: str | None) -> list[str] | None:
        return None if stored is None else json.loads(stored)


class JsonKind(Kind):
    """``JSONB``, stored locally as JSON text; ``shape`` is ``object``, ``array`` or any."""

    name, pg_type = "json", "JSONB"

    def __init__(self, shape: str | None = None):
        self.shape = shape

    def check(self, value: Any) -> Any:
        if self.shape == "object" and not isinstance(value, dict):
            raise ValueError(f"must be a JSON object, not {kind_of(value)}")
        if self.shape == "array" and not isinstance(value, list | tuple):
            raise ValueError(f"must be a list, not {kind_of(value)}")
        problem = unstorable(value)
        if problem:
            raise ValueError(problem)
        return list(value) if isinstance(value, tuple) else value

    def to_sqlite(self, value: Any) -> str | None:
        return None if value is None else _dump(value)

    def from_sqlite(self, stored: str | None) -> Any:
        return None if stored is None else json.loads(stored)


UUID = UuidKind()
DATE = DateKind()
TIME = TimeKind()
TIMESTAMP = TimestampKind()
INTEGER = IntegerKind()
BOOLEAN = BooleanKind()
TEXT = TextKind()
NOTE = TextKind(multiline=True, max_length=NOTE_MAX)
TEXT_ARRAY = TextArrayKind(TEXT)
JSON_OBJECT = JsonKind("object")
JSON_ARRAY = JsonKind("array")
JSON_ANY = JsonKind()


def decimal(precision: int, scale: int) -> DecimalKind:
    return DecimalKind(precision, scale)
