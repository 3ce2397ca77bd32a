"""The export document: its shape, how it is written, and how an imported one is checked.

An export is one JSON object::

    {"format": "khepri-journal", "version": 1, "exported_at": "...",
     "athletes": [...], "goals": [...], "constraints": [...],
     "daily_checkins": [...], "training_plans": [...]}

Each row is ``Record.to_json()``: the schema's column names in schema order,
with JSON types. Reading one back goes through the same pydantic models that
guard every other write, so a file can never put into the journal a row that
``khepri`` itself would refuse.

Pure: no typer, rich or SQLite. What the journal already holds is asked
through the small :class:`Stored` protocol.
"""

from __future__ import annotations

import json
import math
import re
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import ValidationError

from khepri_cli.errors import InvalidInput, UsageProblem
from khepri_cli.models.athlete import Athlete
from khepri_cli.models.checkin import DailyCheckin
from khepri_cli.models.common import Record, invalid_from
from khepri_cli.models.constraint import Constraint
from khepri_cli.models.goal import Goal
from khepri_cli.models.plan import TrainingPlan

FORMAT = "khepri-journal"
VERSION = 1
"""The document format version this Khepri writes and reads."""

TABLES: tuple[str, ...] = ("athletes", "goals", "constraints", "daily_checkins", "training_plans")
"""The five tables, in foreign-key order: parents before the rows that point at them."""

MODELS: dict[str, type[Record]] = {
    "athletes": Athlete,
    "goals": Goal,
    "constraints": Constraint,
    "daily_checkins": DailyCheckin,
    "training_plans": TrainingPlan,
}

HEADER_KEYS: tuple[str, ...] = ("format", "version", "exported_at")

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
"""Postgres INTEGER: what every whole-number column must fit to be pushed."""

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


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


def _dumps(value: Any) -> str:
    """Compact JSON on one line (the C encoder: fast on a long journal)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))


def write_document(
    write: Callable[[str], Any],
    exported_at: str,
    tables: Iterable[tuple[str, Iterable[dict[str, Any]]]],
) -> dict[str, int]:
    """Write the document piece by piece; returns how many rows each table had.

    One row per line, so the file diffs, greps and reads well; rows are
    written as they come, so memory stays flat however long the journal is.
    """
    counts: dict[str, int] = {}
    write("{\n")
    write(f'  "format": {_dumps(FORMAT)},\n')
    write(f'  "version": {VERSION},\n')
    write(f'  "exported_at": {_dumps(exported_at)}')
    for name, rows in tables:
        write(f",\n  {_dumps(name)}: [")
        count = 0
        for row in rows:
            write(("\n    " if count == 0 else ",\n    ") + _dumps(row))
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


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    return "a number"


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
            f'"format": "{FORMAT}", found {_kind(data)}'
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
    for table in TABLES:
        if table not in data:
            continue
        rows = data[table]
        if not isinstance(rows, list):
            raise UsageProblem(f"{table}: must be a list of rows, not {_kind(rows)}")
        checked, labels = [], []
        for index, raw in enumerate(rows):
            label = row_label(table, index, raw.get("id") if isinstance(raw, dict) else None)
            checked.append(check_row(table, raw, label))
            labels.append(label)
            rows[index] = None  # the raw row is no longer needed: keep memory linear
        incoming.rows[table] = checked
        incoming.labels[table] = labels
    _check_within_file(incoming)
    return incoming


def _base_types(annotation: Any) -> set[Any]:
    """``Annotated[float, ...] | None`` -> {float}."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _base_types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        found: set[Any] = set()
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                found |= _base_types(arg)
        return found
    return {annotation}


def _numeric_columns(model: type[Record]) -> dict[str, bool]:
    """Columns holding numbers -> True when they take whole numbers only."""
    found = {}
    for column, info in model.model_fields.items():
        bases = _base_types(info.annotation)
        if bases and bases <= {int, float}:
            found[column] = bases == {int}
    return found


_NUMERIC = {table: _numeric_columns(model) for table, model in MODELS.items()}


def _unstorable(value: Any) -> str | None:
    """Why a JSON value cannot be stored (in SQLite and in Postgres), or None."""
    if isinstance(value, str):
        if _UNSTORABLE.search(value):
            return "text must not contain NUL (\\u0000) or unpaired surrogate characters"
    elif isinstance(value, float):
        if not math.isfinite(value):
            return "numbers must be finite"
    elif isinstance(value, dict):
        for key, item in value.items():
            problem = _unstorable(key) or _unstorable(item)
            if problem:
                return problem
    elif isinstance(value, list):
        for item in value:
            problem = _unstorable(item)
            if problem:
                return problem
    return None


def check_row(table: str, raw: Any, label: str) -> dict[str, Any]:
    """One row of the file -> its storage form (``Record.to_row()``), or one clear error."""
    model = MODELS[table]
    if not isinstance(raw, dict):
        raise UsageProblem(f"{label}: a row must be an object of columns, not {_kind(raw)}")
    for column in raw:
        if column not in model.model_fields:
            raise UsageProblem(f"{label}: {column}: no such column in {table}")
    for column in model.columns():
        if column not in raw:
            if model.model_fields[column].is_required():
                raise UsageProblem(f"{label}: {column}: missing; every {table} row needs it")
            continue
        value = raw[column]
        problem = _unstorable(value)
        if problem:
            raise InvalidInput(f"{label}: {column}", value, problem)
        whole = _NUMERIC[table].get(column)
        if whole is not None and value is not None:
            if isinstance(value, bool) or not isinstance(value, int | float):
                kind = "a whole number" if whole else "a number"
                raise InvalidInput(
                    f"{label}: {column}", value, f"must be {kind}, not {_kind(value)}"
                )
            if whole and isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
                raise InvalidInput(
                    f"{label}: {column}", value, f"must be a whole number up to {INT_MAX}"
                )
    try:
        record = model.model_validate(raw)
    except ValidationError as exc:
        bad = invalid_from(exc, model)
        raise InvalidInput(f"{label}: {bad.field}", bad.value, bad.allowed) from None
    return record.to_row()


def _check_within_file(incoming: Incoming) -> None:
    """What no single row shows: repeated ids, several athletes, two check-ins on a day."""
    for table, rows in incoming.rows.items():
        labels = incoming.labels[table]
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
    days: dict[tuple[str, str], int] = {}
    labels = incoming.labels.get("daily_checkins", [])
    for index, row in enumerate(incoming.rows.get("daily_checkins", [])):
        key = (row["athlete_id"], row["checkin_date"])
        seen = days.setdefault(key, index)
        if seen != index:
            raise InvalidInput(
                f"{labels[index]}: checkin_date",
                row["checkin_date"],
                f"{labels[seen]} is for the same day (one check-in per day)",
            )


# -- checking against the journal -------------------------------------------


class Stored(Protocol):
    """What the journal already holds, as far as an import needs to know."""

    def athlete(self) -> tuple[str, str | None] | None:
        """(id, display name) of the journal's athlete, or None before ``khepri init``."""

    def has_goal(self, goal_id: str) -> bool: ...

    def checkin_on(self, athlete_id: str, day: str) -> str | None:
        """The id of the stored check-in for that athlete and day, if any."""


class EmptyJournal:
    """A journal that does not exist yet: nothing stored."""

    def athlete(self) -> tuple[str, str | None] | None:
        return None

    def has_goal(self, goal_id: str) -> bool:
        return False

    def checkin_on(self, athlete_id: str, day: str) -> str | None:
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
    file_goals = {row["id"] for row in incoming.rows.get("goals", [])}
    for table in TABLES[1:]:
        labels = incoming.labels.get(table, [])
        for index, row in enumerate(incoming.rows.get(table, [])):
            if row["athlete_id"] != athlete_id:
                allowed = (
                    f"must be the id of the athlete in the file or the journal ({athlete_id[:8]})"
                    if athlete_id
                    else "no athlete with this id in the file or in the journal"
                )
                raise InvalidInput(f"{labels[index]}: athlete_id", row["athlete_id"], allowed)
            goal_id = row.get("target_goal_id")
            if goal_id is not None and goal_id not in file_goals and not stored.has_goal(goal_id):
                raise InvalidInput(
                    f"{labels[index]}: target_goal_id",
                    goal_id,
                    "no goal with this id in the file or in the journal",
                )
            if table == "daily_checkins":
                other = stored.checkin_on(row["athlete_id"], row["checkin_date"])
                if other is not None and other != row["id"]:
                    raise InvalidInput(
                        f"{labels[index]}: checkin_date",
                        row["checkin_date"],
                        f"the journal already has another check-in (id {other[:8]}) for that day",
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
