"""Which journal table goes to which remote table, column and value, for one remote.

:func:`map_remote` turns what a remote is (:class:`~khepri_cli.sync.remote_schema.RemoteSchema`)
into a :class:`RemoteMap`: for every table of the journal's declaration,
either a :class:`RemoteTable` (the journal's columns the remote has, under
the remote's names, and how values are reshaped on the way) or the reason
it cannot sync with this remote (the remote lacks the table; its
``training_plans`` are in a shape Khepri cannot tell). Columns the remote
has and the journal does not (the app's own) are never read or written.

The only reshaped values are the training plans of the live Khepri backend
(``shared/upstream.md``, steps 6-9), through :mod:`khepri_cli.domain.plans_remote`.

Ownership follows the remote's row level security (schema.md): the root
table is the one holding the Supabase user (``auth_user_id``); every other
table belongs to the user through its ``athlete_id``. Both are read from the
declaration, not listed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from khepri_cli.domain import plans_remote
from khepri_cli.domain.rows import check_given, whole_row
from khepri_cli.errors import InvalidInput
from khepri_cli.schema import TABLES, Column, Table
from khepri_cli.sync import messages
from khepri_cli.sync.encoding import journal_value
from khepri_cli.sync.remote_schema import APP_TABLES, PLAN_RENAMES, PLANS, RemoteSchema

LINK_COLUMN = "auth_user_id"
"""The root table's column naming the Supabase user who owns the row (and every row below it)."""
OWNER_COLUMN = "athlete_id"
"""The column through which a row belongs to the root row."""
STAMP_COLUMN = "updated_at"
BOOKKEEPING = ("id", "created_at", "updated_at")
"""Columns every table has and no merge decides column by column."""
RESHAPED_COLUMN = PLAN_RENAMES["phases"]
"""A remote plans table with this column holds plans in the live backend's shape."""


class Unpushable(ValueError):
    """A journal row the remote cannot take as it stands; the message says why."""


class Refused(ValueError):
    """A remote row holding a value the journal's rules refuse; the message says which."""


@dataclass(frozen=True)
class RemoteTable:
    """One journal table as this remote holds it."""

    table: Table
    columns: dict[str, str]
    """Journal column -> remote column, for the journal's columns the remote has."""
    statuses: tuple[str, ...] | None = None
    """Plans in the live shape: the statuses the remote surely accepts (else None: no reshaping)."""

    @property
    def name(self) -> str:
        return self.table.name

    @cached_property
    def _columns(self) -> dict[str, Column]:
        return {c.name: c for c in self.table.columns}

    @property
    def reshaped(self) -> bool:
        return self.statuses is not None

    @property
    def is_root(self) -> bool:
        return self.table.has(LINK_COLUMN)

    @property
    def mergeable(self) -> tuple[str, ...]:
        """The columns a merge decides one by one: the remote's, bookkeeping and owner aside."""
        skip = (*BOOKKEEPING, LINK_COLUMN)
        return tuple(c for c in self.columns if c not in skip)

    @property
    def stamp(self) -> str | None:
        """The remote's ``updated_at`` column, if it has one."""
        return self.columns.get(STAMP_COLUMN)

    def remote(self, column: str) -> str:
        return self.columns[column]

    def to_remote(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """A journal row (canonical values) in the remote's columns; Unpushable if it cannot go."""
        if not self.reshaped:
            return {self.columns[c]: row.get(c) for c in self.columns}
        try:
            live = plans_remote.to_remote(dict(row), self.statuses or ())
        except ValueError as exc:
            raise Unpushable(str(exc)) from None
        renamed = {**{c: c for c in self.columns}, **PLAN_RENAMES}
        return {self.columns[c]: live.get(renamed[c]) for c in self.columns}

    def from_remote(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """A remote row (the remote's columns) as the journal's column values."""
        if not self.reshaped:
            return {c: raw.get(remote) for c, remote in self.columns.items()}
        local = plans_remote.from_remote({k: raw.get(k) for k in self.columns.values()})
        return {c: local.get(c) for c in self.columns}

    def checked(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """A remote row as a whole journal row (canonical values), through the journal's rules.

        Columns the remote lacks take their defaults. Refused, naming the
        column, when a rule refuses a value.
        """
        try:
            kinds = self._columns
            values = {c: journal_value(kinds[c], v) for c, v in self.from_remote(raw).items()}
            return whole_row(self.table, values)
        except InvalidInput as exc:
            raise Refused(exc.message) from None
        except ValueError as exc:  # a live plan whose shape cannot be read back
            raise Refused(str(exc)) from None

    def roundtrip(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """``row`` as it reads back after a push: what the remote will hold, in journal terms.

        The same row for most tables; a plan on the live backend may come
        back with another status (``paused`` pushed as ``active``) or its
        phases completed with their intensity split. Unpushable if it cannot go.
        """
        if not self.reshaped:
            return dict(row)
        back = self.from_remote(_json_ready(self.to_remote(row)))
        try:
            return {**row, **check_given(self.table, back)}
        except InvalidInput as exc:
            raise Unpushable(exc.message) from None


def _json_ready(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in row.items()}


@dataclass(frozen=True)
class RemoteMap:
    """Every journal table for one remote: how it maps, or why it cannot sync there."""

    schema: RemoteSchema
    tables: dict[str, RemoteTable] = field(default_factory=dict)
    """The tables that sync, in the declaration's foreign-key order."""
    unusable: dict[str, str] = field(default_factory=dict)
    """Table -> why its rows cannot sync with this remote (they stay pending)."""

    @property
    def root(self) -> RemoteTable | None:
        return next((t for t in self.tables.values() if t.is_root), None)

    @property
    def owned(self) -> list[RemoteTable]:
        """The tables below the root, parents first."""
        return [t for t in self.tables.values() if not t.is_root]

    @property
    def missing_columns(self) -> dict[str, tuple[str, ...]]:
        """Table -> journal columns the remote lacks (their values stay in the journal)."""
        found = {}
        for name, table in self.tables.items():
            lacking = tuple(c for c in table.table.column_names if c not in table.columns)
            if lacking:
                found[name] = lacking
        return found


def map_remote(schema: RemoteSchema) -> RemoteMap:
    """How each table of the journal's declaration syncs with the remote ``schema`` describes."""
    tables: dict[str, RemoteTable] = {}
    unusable: dict[str, str] = {}
    for table in TABLES:
        report = schema.tables.get(table.name)
        if report is None or not report.present:
            unusable[table.name] = messages.table_absent(table.name)
            continue
        needed = [c for c in ("id", LINK_COLUMN, OWNER_COLUMN) if table.has(c)]
        lacking = [c for c in needed if c not in report.columns]
        if lacking:
            unusable[table.name] = messages.table_without(table.name, lacking[0])
            continue
        statuses = None
        if table.name == PLANS and schema.plans_shape not in ("seed", "live"):
            unusable[table.name] = messages.plans_shape_unknown(schema.description)
            continue
        if table.name == PLANS and RESHAPED_COLUMN in report.columns.values():
            statuses = schema.plan_statuses or ()
        tables[table.name] = RemoteTable(table, dict(report.columns), statuses)
    return RemoteMap(schema, tables, unusable)


def root_table() -> Table:
    """The declared table that holds the Supabase user (every other row belongs to its row)."""
    return next(t for t in TABLES if t.has(LINK_COLUMN))


def wanted_catalogue() -> dict[str, tuple[str, ...]]:
    """What to ask a transport's catalogue for: every journal column and its live names.

    The live app's own tables are asked for by name only (they tell the
    live backend apart, ``khepri sync status``).
    """
    wanted: dict[str, tuple[str, ...]] = {}
    for table in TABLES:
        names = table.column_names
        if table.name == PLANS:
            names = (*names, *(PLAN_RENAMES[c] for c in names if c in PLAN_RENAMES))
        wanted[table.name] = names
    return wanted | {name: () for name in APP_TABLES}
