"""The export document: its shape, how it is written, and how an imported one is checked.

An export is one JSON object::

    {"format": "khepri-journal", "version": 1, "exported_at": "...",
     "athletes": [...], "goals": [...], "constraints": [...],
     "daily_checkins": [...], "training_plans": [...]}

Each row is ``Row.to_json()``: the schema's column names in schema order,
with JSON types. Reading one back goes through the same declared rules that
guard every other write (:mod:`khepri_cli.domain.rows`), so a file can never
put into the journal a row that ``khepri`` itself would refuse.

Pure: no typer, rich or SQLite. What the journal already holds is asked
through the small :class:`Stored` protocol.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from khepri_cli.domain.rows import whole_row
from khepri_cli.errors import InvalidInput, UsageProblem
from khepri_cli.schema import TABLE_NAMES, table
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


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": "))

encode_row: Callable[[Any], str] = _ENCODER.encode
"""The text of one row (or any value) in the document: one line, ``", "`` and ``": "``
between items, non-ASCII written as is, NaN and infinities refused. Built once: the
C encoder of the standard library, exactly what ``json.dumps`` with these options writes."""

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
            if batch:
                write(("\n    " if count == 0 else ROW_SEPARATOR) + ROW_SEPARATOR.join(batch))
                count += len(batch)
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


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"the key {key!r} appears twice in one object")
            seen.add(key)
    return data


def parse_document(text: str, name: str) -> Any:
    """JSON text -> Python data; a syntax error names its line and column."""
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise UsageProblem(
            f"{name} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except ValueError as exc:
        raise UsageProblem(f"{name} is not valid JSON: {exc}") from None
    except RecursionError:
        raise UsageProblem(f"{name} is not valid JSON: it is nested too deeply") from None


@dataclass
class Incoming:
    """A checked document: for each table in it, the rows in storage form, in file order."""

    name: str
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    labels: dict[str, list[str]] = field(default_factory=dict)
    """``goals[2] (id 1a2b3c4d)`` for each row, to point at it in a later message."""

    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def row_label(table: str, index: int, row_id: Any) -> str:
    if isinstance(row_id, str) and row_id.strip():
        return f"{table}[{index}] (id {row_id.strip().lower()[:8]})"
    return f"{table}[{index}]"


def check_document(data: Any, name: str) -> Incoming:
    """Validate every part of an import document, before anything is written.

    Raises one :class:`UsageProblem`/:class:`InvalidInput` naming the table,
    row (index and id) and column at fault.
    """
    if not isinstance(data, dict):
        raise UsageProblem(
            f"{name} is not a Khepri export: expected a JSON object with "
            f'"format": "{FORMAT}", found {kind_of(data)}'
        )
    if "format" not in data:
        raise UsageProblem(f'{name} is not a Khepri export: it has no "format": "{FORMAT}" key')
    if data["format"] != FORMAT:
        raise InvalidInput("format", data["format"], f"must be {FORMAT!r} (a Khepri export)")
    if "version" not in data:
        raise UsageProblem(f'{name} has no "version" key; this Khepri reads version {VERSION}')
    version = data["version"]
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        raise InvalidInput(
            "version",
            version,
            f"this Khepri reads format version {VERSION}; upgrade Khepri to import this file",
        )
    if type(version) is not int or version != VERSION:
        raise InvalidInput("version", version, f"must be {VERSION}")
    for key in data:
        if key not in HEADER_KEYS and key not in TABLES:
            allowed = ", ".join((*HEADER_KEYS, *TABLES))
            raise UsageProblem(f"unknown key {key!r} in {name}; the keys are {allowed}")
    incoming = Incoming(name)
    for table_name in TABLES:
        if table_name not in data:
            continue
        rows = data[table_name]
        if not isinstance(rows, list):
            raise UsageProblem(f"{table_name}: must be a list of rows, not {kind_of(rows)}")
        checked, labels = [], []
        for index, raw in enumerate(rows):
            label = row_label(table_name, index, raw.get("id") if isinstance(raw, dict) else None)
            checked.append(check_row(table_name, raw, label))
            labels.append(label)
            rows[index] = None  # the raw row is no longer needed: keep memory linear
        incoming.rows[table_name] = checked
        incoming.labels[table_name] = labels
    _check_within_file(incoming)
    return incoming


def check_row(table_name: str, raw: Any, label: str) -> dict[str, Any]:
    """One row of the file -> its canonical values, or one clear error naming the column."""
    columns = table(table_name)
    if not isinstance(raw, dict):
        raise UsageProblem(f"{label}: a row must be an object of columns, not {kind_of(raw)}")
    for name in raw:
        if not columns.has(name):
            raise UsageProblem(f"{label}: {name}: no such column in {table_name}")
    for column in columns.columns:
        if column.name not in raw and not column.nullable and column.default is None:
            raise UsageProblem(f"{label}: {column.name}: missing; every {table_name} row needs it")
    try:
        return whole_row(columns, raw)
    except InvalidInput as exc:
        raise InvalidInput(f"{label}: {exc.field}", exc.value, exc.allowed) from None


def _check_within_file(incoming: Incoming) -> None:
    """What no single row shows: repeated ids, several athletes, two check-ins on a day."""
    for name, rows in incoming.rows.items():
        labels = incoming.labels[name]
        first: dict[str, int] = {}
        for index, row in enumerate(rows):
            seen = first.setdefault(row["id"], index)
            if seen != index:
                raise InvalidInput(
                    f"{labels[index]}: id", row["id"], f"{labels[seen]} already has this id"
                )
    athletes = incoming.rows.get("athletes", [])
    if len(athletes) > 1:
        raise UsageProblem(
            f"{incoming.labels['athletes'][1]}: a journal belongs to one athlete and "
            f"{incoming.labels['athletes'][0]} is already in this file; "
            "import each athlete into a journal of its own (khepri --db FILE import ...)"
        )
    for name in incoming.rows:
        for unique in table(name).unique:
            _check_unique_within(incoming, name, unique)


def _unique_what(table_name: str, unique: tuple[str, ...]) -> tuple[str, str]:
    """(the row's noun, what the last column of a UNIQUE constraint is called): check-in, day."""
    last = table(table_name).column(unique[-1])
    return table(table_name).noun, "day" if last.kind.name == "date" else last.name


def _key_text(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _check_unique_within(incoming: Incoming, name: str, unique: tuple[str, ...]) -> None:
    labels = incoming.labels[name]
    noun, what = _unique_what(name, unique)
    first: dict[tuple[Any, ...], int] = {}
    for index, row in enumerate(incoming.rows[name]):
        seen = first.setdefault(tuple(row[c] for c in unique), index)
        if seen != index:
            raise InvalidInput(
                f"{labels[index]}: {unique[-1]}",
                _key_text(row[unique[-1]]),
                f"{labels[seen]} is for the same {what} (one {noun} per {what})",
            )


# -- checking against the journal -------------------------------------------


class Stored(Protocol):
    """What the journal already holds, as far as an import needs to know."""

    def athlete(self) -> tuple[str, str | None] | None:
        """(id, display name) of the journal's athlete, or None before ``khepri init``."""

    def has_row(self, table_name: str, row_id: str) -> bool: ...

    def row_with(self, table_name: str, values: dict[str, Any]) -> str | None:
        """The id of the stored row with these values (of a UNIQUE constraint), if any."""


class EmptyJournal:
    """A journal that does not exist yet: nothing stored."""

    def athlete(self) -> tuple[str, str | None] | None:
        return None

    def has_row(self, table_name: str, row_id: str) -> bool:
        return False

    def row_with(self, table_name: str, values: dict[str, Any]) -> str | None:
        return None


def check_against(incoming: Incoming, stored: Stored) -> None:
    """Refuse a document that does not fit this journal: another athlete, dangling references."""
    current = stored.athlete()
    athlete_id = current[0] if current else None
    file_athletes = incoming.rows.get("athletes", [])
    if file_athletes:
        theirs = file_athletes[0]
        if current is not None and theirs["id"] != current[0]:
            name = f", {current[1]}" if current[1] else ""
            raise UsageProblem(
                f"{incoming.labels['athletes'][0]}: this journal belongs to another athlete "
                f"(id {current[0][:8]}{name}); a journal holds one athlete, so import this file "
                "into a new journal instead: khepri --db OTHER.db import FILE"
            )
        athlete_id = theirs["id"]
    file_ids = {name: {row["id"] for row in rows} for name, rows in incoming.rows.items()}
    for name in TABLES[1:]:
        labels = incoming.labels.get(name, [])
        for index, row in enumerate(incoming.rows.get(name, [])):
            if row["athlete_id"] != athlete_id:
                allowed = (
                    f"must be the id of the athlete in the file or the journal ({athlete_id[:8]})"
                    if athlete_id
                    else "no athlete with this id in the file or in the journal"
                )
                raise InvalidInput(f"{labels[index]}: athlete_id", row["athlete_id"], allowed)
            _check_references(file_ids, stored, name, row, labels[index])
            _check_unique_stored(stored, name, row, labels[index])


def _check_references(
    file_ids: dict[str, set[str]], stored: Stored, name: str, row: dict[str, Any], label: str
) -> None:
    """Every foreign key (besides the athlete's) points at a row in the file or the journal."""
    for column in table(name).columns:
        target, value = column.references, row.get(column.name)
        if target in (None, "athletes") or value is None:
            continue
        if value not in file_ids.get(target, ()) and not stored.has_row(target, value):
            raise InvalidInput(
                f"{label}: {column.name}",
                value,
                f"no {table(target).noun} with this id in the file or in the journal",
            )


def _check_unique_stored(stored: Stored, name: str, row: dict[str, Any], label: str) -> None:
    """No other stored row already holds this row's UNIQUE values (a day's check-in...)."""
    for unique in table(name).unique:
        values = {c: _key_text(row[c]) for c in unique}
        other = stored.row_with(name, values)
        if other is not None and other != row["id"]:
            noun, what = _unique_what(name, unique)
            raise InvalidInput(
                f"{label}: {unique[-1]}",
                values[unique[-1]],
                f"the journal already has another {noun} (id {other[:8]}) for that {what}",
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
