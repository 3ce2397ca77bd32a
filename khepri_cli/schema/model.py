"""The shapes of the declaration: a :class:`Column`, a :class:`Table`, a stored :class:`Row`."""

from __future__ import annotations

from typing import Any, NamedTuple

from khepri_cli.schema.kinds import Kind
from khepri_cli.schema.rules import Ordered, Rule


class Column(NamedTuple):
    """One column: its contract (kind, null, default, rule) and how people meet it.

    ``form`` names how a person types and reads the value (``weight``,
    ``run_pace``, ``score``...); :mod:`khepri_cli.domain.forms` holds the
    parsers and formatters behind the names. ``only_for`` lists the values of
    the table's type column (``goal_type``...) the column belongs to.
    """

    name: str
    kind: Kind
    nullable: bool = True
    default: Any = None
    rule: Rule | None = None
    references: str | None = None  # the table a foreign key points at
    label: str | None = None  # how show tables name it
    flag: str | None = None  # the command-line flag that sets it
    help: str | None = None  # one help text, used by every command with the flag
    form: str | None = None  # how it is typed and shown
    prompt: str | None = None  # the question asked on a terminal
    only_for: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        """A value must be given when a row is created: NOT NULL and no default."""
        return not self.nullable and self.default is None and self.name not in AUTOMATIC


AUTOMATIC = ("id", "created_at", "updated_at")
"""Columns the journal fills itself on every table."""


class Table(NamedTuple):
    """One table of the contract, its columns in schema order, and what commands need of it."""

    name: str
    noun: str  # "goal": how messages name one row
    columns: tuple[Column, ...]
    order_by: str  # deterministic order of an export; ids break every tie
    row_rules: tuple[Ordered, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()  # UNIQUE constraints besides the id
    type_column: str | None = None  # the column whose value picks the only_for columns
    entry: tuple[str, ...] = ()  # the order commands ask for and show the columns

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name}")

    def has(self, name: str) -> bool:
        return any(c.name == name for c in self.columns)

    def json_columns(self) -> tuple[str, ...]:
        """Columns stored as JSON text in SQLite (arrays and documents)."""
        return tuple(c.name for c in self.columns if c.kind.name in ("json", "text_array"))

    def typed_columns(self, type_value: str) -> tuple[Column, ...]:
        """The columns of one type of row (``race`` goals...), in schema order."""
        return tuple(c for c in self.columns if type_value in c.only_for)

    def flagged(self) -> tuple[Column, ...]:
        """Columns a command line can set, in the entry order, then schema order."""
        order = {name: index for index, name in enumerate(self.entry)}
        chosen = [c for c in self.columns if c.flag]
        return tuple(sorted(chosen, key=lambda c: order.get(c.name, len(order))))


class Row(dict):
    """One row read from the journal: its column values by name, also as attributes.

    ``row.title`` and ``row["title"]`` are the same value, in the column's
    canonical Python form (see :mod:`khepri_cli.schema.kinds`).
    """

    __slots__ = ("table",)

    def __init__(self, table: Table, values: dict[str, Any]):
        super().__init__(values)
        self.table = table

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"{self.table.name} has no column {name}") from None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types keyed by column, in schema order (the export's row form)."""
        return {c.name: c.kind.to_json(self.get(c.name)) for c in self.table.columns}

    def to_storage(self) -> dict[str, Any]:
        """The SQLite storage form of every column (ISO text, JSON text, 0/1)."""
        return {c.name: c.kind.to_sqlite(self.get(c.name)) for c in self.table.columns}
