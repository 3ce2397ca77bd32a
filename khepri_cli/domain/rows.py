"""What makes a row acceptable: the declared kinds and rules applied to plain values.

Every write goes through here, whatever it comes from (a command, the
library API, an import file, the remote): plain values in, the row's
canonical values out, or one :class:`~khepri_cli.errors.InvalidInput` that
names the column (``exc.column``), the value and what is allowed. A row these
functions return is one that SQLite and Postgres accept.

Pure: the schema declaration and the clock, nothing else.
"""

from __future__ import annotations

import uuid
from typing import Any

from khepri_cli.domain.clock import now_timestamp, touch_timestamp
from khepri_cli.errors import InvalidInput, MissingValue
from khepri_cli.schema import Column, Row, Table
from khepri_cli.schema.rules import Range

_WHOLE = "must be a whole number"


def new_id() -> str:
    return str(uuid.uuid4())


def check_value(column: Column, value: Any) -> Any:
    """``value`` in the column's canonical form, or ValueError saying what is allowed."""
    if value is None:
        if not column.nullable:
            raise ValueError("must have a value")
        return None
    try:
        checked = column.kind.check(value)
    except ValueError as exc:
        if str(exc) == _WHOLE and isinstance(column.rule, Range):
            raise ValueError(f"{_WHOLE} {column.rule.span()}") from None
        raise
    if isinstance(column.rule, Range) and isinstance(value, float):
        column.rule.check(value)  # as given: 24:01 of sleep is over 24 h, though it rounds to 24.0
    if column.rule is not None:
        checked = column.rule.check(checked)
    return checked


def checked(column: Column, value: Any) -> Any:
    """:func:`check_value`, refusing with an InvalidInput that names the column."""
    try:
        return check_value(column, value)
    except ValueError as exc:
        raise InvalidInput(column.name, value, str(exc), column=column.name) from None


def check_given(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """Each given value checked by its column (unknown columns refused), in schema order."""
    unknown = values.keys() - {c.name for c in table.columns}
    if unknown:
        name = next(name for name in values if name in unknown)  # the first, as given
        raise InvalidInput(name, values[name], f"is not a column of {table.name}", column=name)
    row = {}
    for column in table.columns:
        if column.name in values:
            value = values[column.name]
            row[column.name] = None if value is None and column.nullable else checked(column, value)
    return row


def _check_row_rules(table: Table, row: dict[str, Any], changed: set[str]) -> None:
    for rule in table.row_rules:
        problem = rule.problem(row, changed)
        if problem is not None:
            name, allowed = problem
            shown = table.column(name).kind.to_json(row[name])
            raise InvalidInput(name, shown, allowed, column=name)


def default_of(column: Column) -> Any:
    """The column's default in canonical form (a fresh list for array defaults)."""
    return None if column.default is None else column.kind.check(column.default)


def new_row(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """A complete new row from ``values``: fresh id and timestamps, defaults, every rule checked."""
    given = check_given(table, values)
    stamp = now_timestamp()
    fresh = {"id": new_id(), "created_at": stamp, "updated_at": stamp}
    row: dict[str, Any] = {}
    for column in table.columns:
        name = column.name
        if name in given:
            row[name] = given[name]
        elif name in fresh:
            row[name] = fresh[name]
        elif column.default is not None:
            row[name] = default_of(column)
        elif column.required:
            raise MissingValue(name, column=name)
        else:
            row[name] = None
    _check_row_rules(table, row, set(given))
    return row


def make(table: Table, values: dict[str, Any]) -> Row:
    """A new row of ``table`` (not yet written anywhere): :func:`new_row` as a :class:`Row`."""
    return Row(table, new_row(table, values))


def changed_row(current: Row, changes: dict[str, Any]) -> dict[str, Any]:
    """``current`` with ``changes`` checked and applied; ``updated_at`` moves forward.

    The id, ``created_at`` and ``updated_at`` are the journal's to keep: a
    change to them is refused here (an import writes whole rows instead).
    """
    table = current.table
    for name in ("id", "created_at", "updated_at"):
        if name in changes:
            raise InvalidInput(name, changes[name], "is kept by the journal", column=name)
    row = {**current, **check_given(table, changes)}
    _check_row_rules(table, row, set(changes))
    row["updated_at"] = touch_timestamp(current["updated_at"])
    return row


def whole_row(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """A row given whole (an import, a pulled remote row): id and timestamps included.

    Columns left out take their default (or NULL); a required one is refused.
    """
    given = check_given(table, values)
    row: dict[str, Any] = {}
    for column in table.columns:
        name = column.name
        if name in given:
            row[name] = given[name]
        elif column.default is not None:
            row[name] = default_of(column)
        elif not column.nullable:
            raise MissingValue(name, column=name)
        else:
            row[name] = None
    _check_row_rules(table, row, set(given))
    return row
