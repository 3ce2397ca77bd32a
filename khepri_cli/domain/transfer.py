"""The export document: its shape, how it is written, and how an imported one is checked.

An export is one JSON object::

    {"format": "khepri-journal", "version": 1, "exported_at": "...",
     "athletes": [...], "goals": [...], "constraints": [...],
     "daily_checkins": [...], "training_plans": [...]}

Each row is ``Row.to_json()``: the schema's column names in schema order,
with JSON types. Reading one back goes through the same declared rules that
guard every other write (:mod:`khepri_cli.domain.rows`), so a file can never
put into the journal a row that ``khepri`` itself would refuse.

Pure: no typer, rich or SQLite. Reading a document as it streams in, and
checking it against the journal, is :mod:`khepri_cli.services.importer`;
this module says what is refused and in which words.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from khepri_cli.domain.json_stream import SyntaxProblem
from khepri_cli.domain.rows import whole_row
from khepri_cli.errors import InvalidInput, UsageProblem
from khepri_cli.schema import TABLE_NAMES, table
from khepri_cli.schema.json_text import json_writer
from khepri_cli.schema.kinds import kind_of

FORMAT = "khepri-journal"
VERSION = 1
"""The document format version this Khepri writes and reads."""

TABLES = TABLE_NAMES
"""The tables of a document, in foreign-key order: parents before the rows that point at them."""

HEADER_KEYS: tuple[str, ...] = ("format", "version", "exported_at")


# -- choosing tables ---------------------------------------------------------


def pick_tables(names: Iterable[str] | None) -> list[str]:
    """The tables named with ``--table`` (repeatable, or comma-separated), in schema order."""
    if not names:
        return list(TABLES)
    wanted: set[str] = set()
    for given in names:
        for name in given.split(","):
            name = name.strip()
            if name not in TABLES:
                raise InvalidInput("--table", name, f"must be one of {', '.join(TABLES)}")
            wanted.add(name)
    return [table for table in TABLES if table in wanted]


# -- writing -----------------------------------------------------------------


encode_row = json_writer(allow_nan=False)
"""The text of one row (or any value) in the document: one line, ``", "`` and ``": "`` between
items, non-ASCII written as is, NaN and infinities refused; exactly what ``json.dumps`` writes
with these options, its encoder built once rather than for every row."""


ROW_SEPARATOR = ",\n    "
"""Between two rows of a table: one row per line, indented under its table's key."""


def write_document(
    write: Callable[[str], Any],
    exported_at: str,
    tables: Iterable[tuple[str, Iterable[list[str]]]],
) -> dict[str, int]:
    """Write the document piece by piece; returns how many rows each table had.

    Each table's rows come as batches of row texts (:data:`encode_row`), in
    their export order. One row per line, so the file diffs, greps and reads
    well; batches are written as they come, so memory stays flat however long
    the journal is.
    """
    counts: dict[str, int] = {}
    write("{\n")
    write(f'  "format": {encode_row(FORMAT)},\n')
    write(f'  "version": {VERSION},\n')
    write(f'  "exported_at": {encode_row(exported_at)}')
    for name, batches in tables:
        write(f",\n  {encode_row(name)}: [")
        count = 0
        for batch in batches:
            for text in batch:  # row by row: no large string to build and free again
                write(("\n    " if count == 0 else ROW_SEPARATOR) + text)
                count += 1
        write("\n  ]" if count else "]")
        counts[name] = count
    write("\n}\n")
    return counts


def export_summary(counts: dict[str, int], where: str) -> str:
    """``Exported 47 rows to backup.json (athletes 1, goals 3, ...)``."""
    total = sum(counts.values())
    detail = ", ".join(f"{table} {count}" for table, count in counts.items())
    return f"Exported {total} row{'' if total == 1 else 's'} to {where} ({detail})"


# -- reading -----------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _twice(key: str) -> str:
    return f"the key {key!r} appears twice in one object"


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(_twice(key))
            seen.add(key)
    return data


DECODER = json.JSONDecoder(parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
"""Reads every value of an import document: NaN, Infinity and a key twice in one object
are refused, as no export has them."""


def not_json(name: str, problem: Exception) -> UsageProblem:
    """The one message for a document that is not valid JSON, whatever found it."""
    if isinstance(problem, RecursionError):
        return UsageProblem(f"{name} is not valid JSON: it is nested too deeply")
    if isinstance(problem, SyntaxProblem):
        where = f"at line {problem.lineno} column {problem.colno}"
        return UsageProblem(f"{name} is not valid JSON: {problem.msg} {where}")
    return UsageProblem(f"{name} is not valid JSON: {problem}")


def repeated_key(name: str, key: str) -> UsageProblem:
    """A top-level key given twice, refused as the decoder refuses it in any other object."""
    return UsageProblem(f"{name} is not valid JSON: {_twice(key)}")


def not_an_export(name: str, data: Any) -> UsageProblem:
    return UsageProblem(
        f"{name} is not a Khepri export: expected a JSON object with "
        f'"format": "{FORMAT}", found {kind_of(data)}'
    )


def check_header(found: dict[str, Any], name: str) -> None:
    """The document's ``format`` and ``version``, as far as they were found in it."""
    if "format" not in found:
        raise UsageProblem(f'{name} is not a Khepri export: it has no "format": "{FORMAT}" key')
    if found["format"] != FORMAT:
        raise InvalidInput("format", found["format"], f"must be {FORMAT!r} (a Khepri export)")
    if "version" not in found:
        raise UsageProblem(f'{name} has no "version" key; this Khepri reads version {VERSION}')
    version = found["version"]
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        raise InvalidInput(
            "version",
            version,
            f"this Khepri reads format version {VERSION}; upgrade Khepri to import this file",
        )
    if type(version) is not int or version != VERSION:
        raise InvalidInput("version", version, f"must be {VERSION}")


def check_key(key: str, name: str) -> None:
    """Only the header's keys and the tables' names may appear in a document."""
    if key not in HEADER_KEYS and key not in TABLES:
        allowed = ", ".join((*HEADER_KEYS, *TABLES))
        raise UsageProblem(f"unknown key {key!r} in {name}; the keys are {allowed}")


def not_a_list(table_name: str, value: Any) -> UsageProblem:
    return UsageProblem(f"{table_name}: must be a list of rows, not {kind_of(value)}")


def row_label(table: str, index: int, row_id: Any) -> str:
    """``goals[2] (id 1a2b3c4d)``: how messages point at a row of the file."""
    if isinstance(row_id, str) and row_id.strip():
        return f"{table}[{index}] (id {row_id.strip().lower()[:8]})"
    return f"{table}[{index}]"


@cache
def _column_names(table_name: str) -> frozenset[str]:
    return frozenset(table(table_name).column_names)


def check_row(table_name: str, raw: Any, label: str) -> dict[str, Any]:
    """One row of the file -> its canonical values, or one clear error naming the column."""
    columns = table(table_name)
    if not isinstance(raw, dict):
        raise UsageProblem(f"{label}: a row must be an object of columns, not {kind_of(raw)}")
    known = _column_names(table_name)
    for name in raw:
        if name not in known:
            raise UsageProblem(f"{label}: {name}: no such column in {table_name}")
    for column in columns.columns:
        if column.name not in raw and not column.nullable and column.default is None:
            raise UsageProblem(f"{label}: {column.name}: missing; every {table_name} row needs it")
    try:
        return whole_row(columns, raw)
    except InvalidInput as exc:
        raise InvalidInput(f"{label}: {exc.field}", exc.value, exc.allowed) from None


# -- what no single row shows ------------------------------------------------


def repeated_id(label: str, row_id: str, first: str) -> InvalidInput:
    return InvalidInput(f"{label}: id", row_id, f"{first} already has this id")


def second_athlete(label: str, first: str) -> UsageProblem:
    return UsageProblem(
        f"{label}: a journal belongs to one athlete and {first} is already in this file; "
        "import each athlete into a journal of its own (khepri --db FILE import ...)"
    )


def another_athlete(label: str, journal_athlete: tuple[str, str | None]) -> UsageProblem:
    athlete_id, display_name = journal_athlete
    name = f", {display_name}" if display_name else ""
    return UsageProblem(
        f"{label}: this journal belongs to another athlete "
        f"(id {athlete_id[:8]}{name}); a journal holds one athlete, so import this file "
        "into a new journal instead: khepri --db OTHER.db import FILE"
    )


def wrong_athlete(label: str, athlete_id: str, expected: str | None) -> InvalidInput:
    """A row that belongs to neither the file's athlete nor the journal's."""
    allowed = (
        f"must be the id of the athlete in the file or the journal ({expected[:8]})"
        if expected
        else "no athlete with this id in the file or in the journal"
    )
    return InvalidInput(f"{label}: athlete_id", athlete_id, allowed)


def dangling(label: str, column: str, value: str, target: str) -> InvalidInput:
    """A reference to a row that is neither in the file nor in the journal."""
    return InvalidInput(
        f"{label}: {column}",
        value,
        f"no {table(target).noun} with this id in the file or in the journal",
    )


def _unique_what(table_name: str, unique: tuple[str, ...]) -> tuple[str, str]:
    """(the row's noun, what the last column of a UNIQUE constraint is called): check-in, day."""
    last = table(table_name).column(unique[-1])
    return table(table_name).noun, "day" if last.kind.name == "date" else last.name


def key_text(value: Any) -> Any:
    """A UNIQUE column's value as messages show it (a day as ``2026-11-20``)."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def same_in_file(
    table_name: str, unique: tuple[str, ...], label: str, value: Any, first: str
) -> InvalidInput:
    noun, what = _unique_what(table_name, unique)
    return InvalidInput(
        f"{label}: {unique[-1]}",
        key_text(value),
        f"{first} is for the same {what} (one {noun} per {what})",
    )


def taken_in_journal(
    table_name: str, unique: tuple[str, ...], label: str, value: Any, other_id: str
) -> InvalidInput:
    noun, what = _unique_what(table_name, unique)
    return InvalidInput(
        f"{label}: {unique[-1]}",
        key_text(value),
        f"the journal already has another {noun} (id {other_id[:8]}) for that {what}",
    )


@dataclass
class Tally:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def import_summary(name: str, tallies: dict[str, Tally]) -> list[str]:
    """One line to say what happened, then one per table in the file."""
    changed = sum(t.added + t.updated for t in tallies.values())
    head = f"Imported {name}:" if changed else f"Imported {name}: nothing changed."
    width = max((len(table) for table in tallies), default=0)
    return [head] + [
        f"  {table.ljust(width)}  {t.added} added, {t.updated} updated, {t.unchanged} unchanged"
        for table, t in tallies.items()
    ]
