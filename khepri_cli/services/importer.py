"""``khepri import``: a document streamed into the journal in ONE transaction, row by row.

The document is read piece by piece (:mod:`khepri_cli.domain.json_stream`),
so memory does not grow with it, and each member handed on as it comes:
the header is checked first, then each row is checked, decided and written
by an :class:`~khepri_cli.services.import_run.ImportRun`, inside one write
transaction that the first problem rolls back whole. The messages are those
of :mod:`khepri_cli.domain.transfer`; when a file has several problems, the
one reported is the first met (a problem with the journal only after every
problem within the file), which may not be the one reported when the whole
file was read before anything was checked.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from khepri_cli.domain import transfer as document
from khepri_cli.domain.json_stream import (
    ARRAY,
    ELEMENT,
    END_ARRAY,
    MEMBER,
    NOT_AN_OBJECT,
    read_members,
)
from khepri_cli.domain.transfer import TABLES, Tally
from khepri_cli.services.import_run import ImportRun


def import_stream(conn: sqlite3.Connection, chunks: Iterable[str], name: str) -> dict[str, Tally]:
    """Import the document arriving as ``chunks`` of text; the caller holds the transaction."""
    run = ImportRun(conn)
    try:
        _read_document(run, chunks, name)
        return run.finish()
    finally:
        run.close()


def _read_document(run: ImportRun, chunks: Iterable[str], name: str) -> None:
    """Hand each member of the document to ``run``, once its header has been checked.

    Members that come before both ``format`` and ``version`` (not in a file
    Khepri wrote, which starts with them) wait in memory until they have
    been read, so a file that is not an export is refused as one.
    """
    header: dict[str, Any] = {}
    seen: set[str] = set()
    early: list[tuple[Any, ...]] = []
    for event in _parsed(chunks, name):
        if event[0] == NOT_AN_OBJECT:
            raise document.not_an_export(name, event[1])
        key = event[1]
        if event[0] in (MEMBER, ARRAY):
            if key in seen:
                raise document.repeated_key(name, key)
            seen.add(key)
        if key in ("format", "version") and event[0] == MEMBER:
            header[key] = event[2]
            if "format" in header and "version" in header:
                document.check_header(header, name)
                for waited in early:
                    _take(run, waited, name)
                early.clear()
        elif "format" in header and "version" in header:
            _take(run, event, name)
        else:
            early.append(event)
    if not ("format" in header and "version" in header):
        document.check_header(header, name)


def _parsed(chunks: Iterable[str], name: str) -> Iterable[tuple[Any, ...]]:
    """The document's members and rows; what is not valid JSON refused in one message."""
    events = read_members(chunks, document.DECODER, TABLES.__contains__)
    while True:
        try:
            event = next(events)
        except StopIteration:
            return
        except (ValueError, RecursionError) as exc:  # syntax, or the decoder's hooks
            raise document.not_json(name, exc) from None
        yield event


def _take(run: ImportRun, event: tuple[Any, ...], name: str) -> None:
    kind, key = event[0], event[1]
    if kind in (MEMBER, ARRAY):
        document.check_key(key, name)
    if key not in TABLES:
        return
    if kind == MEMBER:
        raise document.not_a_list(key, event[2])
    if kind == ARRAY:
        run.start_table(key)
    elif kind == ELEMENT:
        run.add_row(key, event[2], event[3])
    elif kind == END_ARRAY:
        run.end_table(key)
