"""Record groups: goals, constraints, plans and sessions are one add/list/edit/status/delete slice.

A :class:`Group` is configured by a :class:`GroupSpec` (the table, its list
order, what a status change or a new row implies) and works in column
values, so it is also the library API. A table without a ``status`` column
(the training sessions of ``activities``) simply has no statuses; one with a
day column (``dated_by``) can be listed from a day on::

    from khepri_cli.db.connection import open_journal
    from khepri_cli.services.goals import GOALS

    journal = open_journal("khepri.db")
    goal = GOALS.add(journal, goal_type="race", title="Cascais 70.3", race_distance="70.3")
    GOALS.set_status(journal, goal.id[:6], "completed")

Every method that writes does it in one transaction; a refused value raises
:class:`~khepri_cli.errors.InvalidInput` naming the column.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

from khepri_cli.db import repo_records, store
from khepri_cli.db.connection import Journal
from khepri_cli.db.repo_athletes import require_athlete
from khepri_cli.domain.profile import today_of
from khepri_cli.errors import InvalidInput
from khepri_cli.schema import Row, Table
from khepri_cli.schema.rules import OneOf, or_list


def _nothing(row: Row, status: str, today: date) -> dict[str, Any]:
    return {}


class GroupSpec(NamedTuple):
    """What makes one record group different from the others."""

    table: Table
    list_order: str | None = None  # SQL ORDER BY of the list; the table's order by default
    new_row_defaults: Callable[[date], dict[str, Any]] = lambda today: {}
    on_status: Callable[[Row, str, date], dict[str, Any]] = _nothing  # extra changes
    dated_by: str | None = None  # the day column ``list(since=...)`` filters on


class Group:
    """Add, list, find, edit, change the status of and delete the rows of one group."""

    def __init__(self, spec: GroupSpec):
        self.spec = spec
        self.table = spec.table

    @property
    def statuses(self) -> tuple[str, ...]:
        """The statuses a row can have; none when the table has no ``status`` column."""
        rule = self.table.column("status").rule if self.table.has("status") else None
        return rule.choices if isinstance(rule, OneOf) else ()

    @property
    def types(self) -> tuple[str, ...]:
        if not self.table.type_column:
            return ()
        rule = self.table.column(self.table.type_column).rule
        return rule.choices if isinstance(rule, OneOf) else ()

    def check_type_columns(self, type_value: str, values: dict[str, Any]) -> None:
        """Refuse a column of another type (``race_distance`` on a fitness goal)."""
        for name in values:
            column = self.table.column(name) if self.table.has(name) else None
            if column is not None and column.only_for and type_value not in column.only_for:
                noun = self.table.noun
                raise InvalidInput(
                    name,
                    values[name],
                    f"applies to {or_list(column.only_for, 'and')} {noun}s only, "
                    f"not to {type_value} {noun}s",
                    column=name,
                )

    def add(self, journal: Journal, **values: Any) -> Row:
        """A new row of the journal's athlete from column values; checked, then written."""
        with journal.transaction() as conn:
            athlete = require_athlete(conn)
            if self.table.type_column:
                self.check_type_columns(values.get(self.table.type_column, ""), values)
            defaults = self.spec.new_row_defaults(today_of(athlete))
            given = {k: v for k, v in values.items() if v is not None or k not in defaults}
            row = {**defaults, **given, "athlete_id": athlete.id}
            return store.insert(conn, self.table, row)

    def get(self, journal: Journal, prefix: str) -> Row:
        """The row whose ID starts with ``prefix``."""
        return store.find(journal.conn, self.table, prefix)

    def list(
        self,
        journal: Journal,
        *,
        status: str | None = "active",
        type_value: str | None = None,
        since: date | None = None,
    ) -> list[Row]:
        """The athlete's rows of one status (None: every status; ignored where there are
        no statuses), one type (None: all types) and, by ``dated_by``, from ``since`` on."""
        if since is not None and self.spec.dated_by is None:
            raise ValueError(f"{self.table.name} rows have no day to list them from")
        athlete = require_athlete(journal.conn)
        return repo_records.list_records(
            journal.conn,
            self.table,
            athlete.id,
            status=status if self.statuses else None,
            type_value=type_value,
            since=None if since is None else (self.spec.dated_by, since),
            order=self.spec.list_order,
        )

    def edit(self, journal: Journal, prefix: str, **changes: Any) -> tuple[Row, bool]:
        """Apply ``changes`` to the row ``prefix`` names. Returns (row, whether it changed)."""
        with journal.transaction() as conn:
            current = store.find(conn, self.table, prefix)
            if self.table.type_column:
                self.check_type_columns(current[self.table.type_column], changes)
            return store.update_if_changed(conn, current, changes)

    def set_status(self, journal: Journal, prefix: str, status: str) -> tuple[Row, bool]:
        """Give the row ``prefix`` names a new status. Returns (row, whether it changed)."""
        with journal.transaction() as conn:
            current = store.find(conn, self.table, prefix)
            default = self.table.column("status").default
            if (current.status or default) == status:
                return current, False
            today = today_of(require_athlete(conn))
            changes = {"status": status, **self.spec.on_status(current, status, today)}
            return store.update(conn, current, changes), True

    def delete(self, journal: Journal, row: Row) -> None:
        """Delete a row found with :meth:`get`."""
        with journal.transaction() as conn:
            store.delete(conn, self.table, row.id)
