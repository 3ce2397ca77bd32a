"""Stored rows straight to the export's row text, in batches: the read side of ``khepri export``.

A row's text in the document is, by definition,
``encode_row(store.decode(table, stored).to_json())``. Built literally for
every row, a :class:`~khepri_cli.schema.Row` and a trip through every
column's kind cost more than writing the JSON itself. So this module goes
from SQLite's tuple to the row's dict directly and converts only what a kind
actually changes on the way (a boolean's 0/1, a date, a JSON document),
with the kinds' own methods; every other stored value (text, ids, times,
timestamps, whole numbers) is already its JSON value.

JSON documents and text arrays are parsed with orjson, several times faster
than the standard library. It reads every document exactly as ``json.loads``
does with one exception: a whole number beyond 64 bits becomes a float.
Such a float is at least 9.2e18, which the encoder writes as ``9.2...e+18``,
so a row whose text has a ``+`` anywhere (a search for one character costs
next to nothing; a ``+`` in a note only costs that row the slower way), and
every row orjson cannot read (NaN, a lone surrogate), is built again the
literal way. The result is the same
text, byte for byte (tests/db/test_export_rows.py proves it on generated
values).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

from khepri_cli.db.store import decode
from khepri_cli.domain.transfer import encode_row
from khepri_cli.schema import Table
from khepri_cli.schema.kinds import Kind

BATCH_ROWS = 64
"""Rows read, encoded and written at a time: large enough to amortise the calls, small
enough that memory stays flat."""


def _changes_values(kind: Kind) -> bool:
    """Whether the kind turns a stored value into something else on its way to JSON.

    A REAL column of a STRICT table (every journal table is one) only ever
    returns floats, which ``float()`` leaves as they are.
    """
    if kind.sqlite_type == "REAL":
        return False
    return type(kind).from_sqlite is not Kind.from_sqlite or type(kind).to_json is not Kind.to_json


def _to_json(kind: Kind) -> Callable[[Any], Any]:
    return lambda stored: kind.to_json(kind.from_sqlite(stored))


class RowWriter:
    """The export text of one table's stored rows (tuples in ``table.column_names`` order)."""

    def __init__(self, table: Table):
        self.table = table
        self.names = table.column_names
        documents = set(table.json_columns())
        self.documents = [(i, c.name) for i, c in enumerate(table.columns) if c.name in documents]
        self.converted = [
            (i, c.name, _to_json(c.kind))
            for i, c in enumerate(table.columns)
            if c.name not in documents and _changes_values(c.kind)
        ]
        if self.documents:  # orjson only for a table with documents: not for goals or a profile
            import orjson

            self.read_document = orjson.loads

    def text(self, stored: tuple[Any, ...]) -> str:
        """The row's text in the document, the same as the literal definition gives."""
        row = dict(zip(self.names, stored, strict=True))
        for index, name, convert in self.converted:
            if stored[index] is not None:
                row[name] = convert(stored[index])
        if not self.documents:
            return encode_row(row)
        try:
            for index, name in self.documents:
                if stored[index] is not None:
                    row[name] = self.read_document(stored[index])
            text = encode_row(row)
        except ValueError:  # orjson refused it, or the encoder will: let the literal way say
            return self.literal(stored)
        return self.literal(stored) if "+" in text else text

    def literal(self, stored: tuple[Any, ...]) -> str:
        """The definition itself: decode by the kinds, ``to_json``, encode."""
        return encode_row(decode(self.table, dict(zip(self.names, stored, strict=True))).to_json())


def table_rows(conn: sqlite3.Connection, table: Table) -> Iterator[list[str]]:
    """Every row of ``table`` in its export order (ids break every tie), as batches of text."""
    writer = RowWriter(table)
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: the journal's sqlite3.Row costs a dict per row
    cursor.execute(f"SELECT {', '.join(writer.names)} FROM {table.name} ORDER BY {table.order_by}")
    while batch := cursor.fetchmany(BATCH_ROWS):
        yield [writer.text(stored) for stored in batch]
