"""Phase 2 of a sync: what the remote's rows mean for the journal, decided in one read of it.

For each row the pull fetched, and each row the journal knew was there but
the remote no longer has, the planner decides (docs/sync.md, "How rows merge"):

* a remote row the journal lacks is inserted, through the journal's rules
  (:meth:`~khepri_cli.sync.mapping.RemoteTable.checked`): a value they
  refuse is reported and the row left alone on both sides;
* a row on both sides is merged column by column against its base
  (:mod:`khepri_cli.sync.merge`); the result is written here if it differs
  from the journal's row and sent there if it differs from the remote's;
* two rows on one unique key (a day checked in here and there) are one row:
  the journal's takes the remote's id and the two merge against an empty
  base; so does the user's profile when the remote has it under another id
  (the journal *adopts* it);
* a row deleted there goes here too, unless it changed here since (then it
  is kept and sent again); a row deleted here whose remote copy changed
  since is brought back. Changes win over deletes: nothing either side
  wrote is lost.

The plan is data (:class:`PullPlan`); nothing is written until the push has
committed (:mod:`khepri_cli.sync.record`).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from khepri_cli.db import repo_sync, store
from khepri_cli.domain.clock import touch_timestamp
from khepri_cli.errors import SyncError
from khepri_cli.schema import Row
from khepri_cli.sync import bases, messages
from khepri_cli.sync import merge as m
from khepri_cli.sync import report as r
from khepri_cli.sync.mapping import (
    LINK_COLUMN,
    OWNER_COLUMN,
    Refused,
    RemoteMap,
    RemoteTable,
    Unpushable,
)
from khepri_cli.sync.pull import Fetched

Key = tuple[str, str]
Values = dict[str, Any]
LOOKUPS_AT_MOST = 64
"""Up to this many new remote rows of a table look for a twin one by one; more read the keys once."""


@dataclass
class RowPlan:
    """One row the pull speaks for."""

    table: str
    row_id: str  # its id from now on
    remote: Values | None = None  # the remote's row (journal terms): the base to keep
    values: Values | None = None  # the row to write here (None: nothing to write)
    push: Values | None = None  # the row to send there (None: the remote has it)
    local_id: str | None = None  # the journal's id, when the row takes the remote's
    update: bool = False  # the journal has the row (under ``local_id`` or ``row_id``)
    delete_here: bool = False  # deleted there (or merged into another row): delete here
    forget: bool = False  # drop its base: the remote no longer has it


@dataclass
class PullPlan:
    mode: str
    clock: str
    rows: list[RowPlan] = field(default_factory=list)
    adopt: tuple[str, str] | None = None  # (the journal's profile id, the remote's)
    conflicts: list[r.Conflict] = field(default_factory=list)
    kept: list[r.Kept] = field(default_factory=list)
    held: set[Key] = field(default_factory=set)  # journal rows the push must keep back
    covered: set[Key] = field(default_factory=set)  # journal rows whose push the plan decides
    remote_deletes: dict[str, list[str]] = field(default_factory=dict)

    def tally(self, table: str) -> tuple[int, int]:
        """(rows written here, rows deleted here) of ``table``."""
        mine = [p for p in self.rows if p.table == table]
        return sum(p.values is not None for p in mine), sum(p.delete_here for p in mine)


class Planner:
    """Decides one pull against the journal as ``conn`` reads it (inside the sync's snapshot)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        remote: RemoteMap,
        fetched: Fetched,
        *,
        user_id: str,
        mode: str,
    ):
        self.conn, self.remote, self.fetched, self.user_id = conn, remote, fetched, user_id
        self.plan = PullPlan(mode, fetched.clock)
        self._ids: dict[str, set[str]] = {}  # table -> ids the journal has (loaded once)
        self._keys: dict[str, list[dict[tuple, str]]] = {}  # table -> unique key -> id

    def run(self, athlete: Row | None) -> PullPlan:
        root = self.remote.root
        if root is not None and self.fetched.profile is not None:
            self._root(root, athlete)
        for table in self.remote.owned:
            if table.name in self.fetched.rows:
                self._table(table)
        return self.plan

    def _root(self, table: RemoteTable, athlete: Row | None) -> None:
        raw = self.fetched.profile or {}
        remote_id = str(raw.get(table.remote("id")))
        if athlete is not None and athlete.id != remote_id:
            self.plan.adopt = (athlete.id, remote_id)
            detail = messages.adopted_profile(athlete.id, remote_id)
            self._conflict(table, r.ADOPTED_PROFILE, remote_id, detail, local_id=athlete.id)
        remote = self._checked(table, raw)
        if remote is None:
            if athlete is None:
                raise SyncError(self.plan.kept[-1].reason)
            self._hold(table, athlete.id)
        elif athlete is None:
            self._insert(table, remote)
        else:
            pending = repo_sync.pending_of(self.conn, table.name, [athlete.id])
            mine = {athlete.id: dict(athlete)}
            found = bases.read_bases(self.conn, table.table, self.plan.mode, mine, pending)
            self._merge(table, remote, dict(athlete), found.get(athlete.id), local_id=athlete.id)

    def _table(self, table: RemoteTable) -> None:
        name, mode = table.name, self.plan.mode
        remotes = {}
        for raw in self.fetched.rows[name]:
            checked = self._checked(table, raw)
            if checked is not None:
                remotes[checked["id"]] = checked
        known = self.fetched.known.get(name, set())
        gone = known - self.fetched.ids.get(name, known)
        ids = [*remotes, *gone]
        here = self._local_rows(table, ids)
        pending = repo_sync.pending_of(self.conn, name, ids)
        found = bases.read_bases(self.conn, table.table, mode, here, pending, ids)
        self._index_keys(table, sum(i not in here and i not in pending for i in remotes))
        for row_id, remote in remotes.items():
            if row_id in here:
                self._merge(table, remote, here[row_id], found.get(row_id), local_id=row_id)
            elif pending.get(row_id) == "delete":
                self._deleted_here(table, remote, found.get(row_id))
            else:
                self._arrived(table, remote)
        for row_id in sorted(gone):
            self._deleted_there(table, row_id, here.get(row_id), pending.get(row_id))

    # -- rows there and not here, here and not there ------------------------------------

    def _arrived(self, table: RemoteTable, remote: Values) -> None:
        """A remote row the journal lacks: new there, or the same row made here too."""
        twin = self._twin(table, remote, None)
        if twin is None:
            self._insert(table, remote)
            return
        self._both_sides(table, remote["id"], twin)
        self._merge(table, remote, twin, None, local_id=twin["id"])

    def _deleted_here(self, table: RemoteTable, remote: Values, base: Values | None) -> None:
        if base is None or not m.differs(table.mergeable, base, remote):
            return  # the remote did not change it since: the journal's delete goes there
        detail = messages.deleted_here(table.table.noun)
        self._conflict(table, r.DELETED_HERE, remote["id"], detail)
        self._insert(table, remote, forget=True)  # the base kept when it was deleted goes

    def _deleted_there(
        self, table: RemoteTable, row_id: str, local: Values | None, op: str | None
    ) -> None:
        key = (table.name, row_id)
        if local is not None and op == "upsert" and key not in self.plan.covered:
            detail = messages.deleted_there(table.table.noun)
            self._conflict(table, r.DELETED_THERE, row_id, detail)
            self.plan.rows.append(RowPlan(table.name, row_id, forget=True))
            return  # its pending change sends it again
        delete = local is not None and key not in self.plan.covered
        self.plan.rows.append(RowPlan(table.name, row_id, delete_here=delete, forget=True))
        self.plan.covered.add(key)

    # -- one row on both sides ---------------------------------------------------------

    def _merge(
        self,
        table: RemoteTable,
        remote: Values,
        local: Values,
        base: Values | None,
        *,
        local_id: str,
    ) -> None:
        empty = m.empty_base(table.table, table.mergeable)
        row = {**local, **self._merged(table, empty if base is None else base, local, remote)}
        self.plan.covered.add((table.name, local_id))
        twin = self._twin(table, row, local_id) if _moved(table, row, local) else None
        if twin is not None:  # it moved onto a key a journal row holds: one row now
            self._both_sides(table, remote["id"], twin, delete_twin=True)
            mode, twin_id = self.plan.mode, twin["id"]
            pending = repo_sync.pending_of(self.conn, table.name, [twin_id])
            known = bases.read_bases(self.conn, table.table, mode, {twin_id: twin}, pending)
            was = known.get(twin_id, empty)  # what the twin was when it last synced
            row.update(self._merged(table, was, twin, {**row, "id": remote["id"]}))
        row.update(id=remote["id"], created_at=remote["created_at"])
        if table.is_root:
            row[LINK_COLUMN] = self.user_id
        if self._parents(table, row) is None:
            self._hold(table, local_id)
            return
        synced = self._synced(table, row, remote)
        written = tuple(c for c in table.table.column_names if c != "updated_at")
        changed_here = m.differs(written, row, local)
        stamp = remote["updated_at"] if synced else max(local["updated_at"], remote["updated_at"])
        row["updated_at"] = touch_timestamp(stamp) if stamp == local["updated_at"] else stamp
        rekeyed = local_id != remote["id"]
        self.plan.rows.append(
            RowPlan(
                table.name,
                remote["id"],
                remote=remote,
                values=row if changed_here or rekeyed else None,
                push=None if synced else row,
                local_id=local_id if rekeyed else None,
                update=True,
            )
        )

    def _merged(self, table: RemoteTable, base: Values, local: Values, remote: Values) -> Values:
        """The merged value of each of ``table``'s columns; conflicts reported."""
        later = m.local_is_later(local.get("updated_at"), remote.get("updated_at"))
        merged, clashes = m.merge_values(table.mergeable, base, local, remote, local_later=later)
        for clash in clashes:
            here, there = (table.table.column(clash.column).kind.to_json(v) for v in clash[1:3])
            detail = messages.field_conflict(clash.column, here, there, clash.kept)
            self._conflict(
                table, r.BOTH_CHANGED, remote["id"], detail,
                column=clash.column, local=here, remote=there, kept=clash.kept,
            )  # fmt: skip
        return merged

    def _synced(self, table: RemoteTable, row: Values, remote: Values) -> bool:
        """The remote already holds ``row``, as far as it can hold it."""
        try:
            sent = table.roundtrip(row)
        except Unpushable:
            return False
        return not m.differs((*table.mergeable, LINK_COLUMN), sent, remote)

    def _twin(self, table: RemoteTable, row: Values, skip: str | None) -> Values | None:
        """The journal's row (not ``skip``, not decided yet) holding one of ``row``'s unique keys."""
        index = self._keys.get(table.name)
        if index is not None and not any(index):
            return None  # the journal has none of these rows yet
        for number, unique in enumerate(table.table.unique):
            key = [table.table.column(c).kind.to_sqlite(self._here(c, row[c])) for c in unique]
            if index is not None:
                holder = index[number].get(tuple(key))
                found = (
                    [] if holder in (None, skip) else [store.fetch(self.conn, table.table, holder)]
                )
            else:
                where = " AND ".join(f"{c} = ?" for c in unique) + " AND id IS NOT ?"
                found = store.select(self.conn, table.table, where, [*key, skip], limit=1)
            if found and found[0] and (table.name, found[0].id) not in self.plan.covered:
                return self._localised(dict(found[0]))
        return None

    def _index_keys(self, table: RemoteTable, arrivals: int) -> None:
        """Many rows arrive: read the journal's unique keys once rather than row by row."""
        if arrivals <= LOOKUPS_AT_MOST or not table.table.unique:
            return
        index: list[dict[tuple, str]] = []
        for unique in table.table.unique:
            names = ", ".join(unique)
            rows = self.conn.execute(f"SELECT id, {names} FROM {table.name}")
            index.append({tuple(found[1:]): found[0] for found in rows})
        self._keys[table.name] = index

    def _both_sides(
        self, table: RemoteTable, row_id: str, twin: Values, *, delete_twin: bool = False
    ) -> None:
        """The journal's ``twin`` and the remote's ``row_id`` are one row: report it, and
        delete the twin there if it went there before (and here, when it merges into another)."""
        key = ", ".join(
            str(table.table.column(c).kind.to_json(twin[c]))
            for unique in table.table.unique
            for c in unique
            if c != OWNER_COLUMN
        )
        detail = messages.made_on_both_sides(table.table.noun, key, twin["id"], row_id)
        self._conflict(table, r.MADE_ON_BOTH_SIDES, row_id, detail, local_id=twin["id"])
        self.plan.covered.add((table.name, twin["id"]))
        if twin["id"] in self.fetched.ids.get(table.name, ()):
            self.plan.remote_deletes.setdefault(table.name, []).append(twin["id"])
        if delete_twin:
            self.plan.rows.append(RowPlan(table.name, twin["id"], delete_here=True, forget=True))

    def _insert(self, table: RemoteTable, remote: Values, *, forget: bool = False) -> None:
        row = self._parents(table, dict(remote))
        if row is not None:
            item = RowPlan(table.name, remote["id"], remote=remote, values=row, forget=forget)
            self.plan.rows.append(item)
            self.plan.covered.add((table.name, remote["id"]))  # a pending delete stays here
            self._journal_ids(table.name).add(remote["id"])

    def _parents(self, table: RemoteTable, row: Values) -> Values | None:
        """``row`` if every row it names is in the journal (or arrives with it), else None.

        A reference to a row deleted here is cleared when the column allows it,
        as the remote will do once the delete gets there.
        """
        for column in table.table.columns:
            parent_id = row.get(column.name)
            if column.references is None or parent_id is None:
                continue
            if parent_id in self._journal_ids(column.references):
                continue
            deleted = repo_sync.pending_of(self.conn, column.references, [parent_id])
            if column.nullable and deleted.get(parent_id) == "delete":
                row[column.name] = None
                continue
            problem = messages.missing_parent(column.name, column.references, parent_id)
            self._refuse(table, row["id"], problem)
            return None
        return row

    # -- reading -------------------------------------------------------------------------

    def _checked(self, table: RemoteTable, raw: dict[str, Any]) -> Values | None:
        """A remote row in journal terms; None (reported, held back) if the journal refuses it."""
        try:
            return table.checked(raw)
        except Refused as exc:
            self._refuse(table, str(raw.get(table.remote("id"))), str(exc))
            return None

    def _refuse(self, table: RemoteTable, row_id: str, problem: str) -> None:
        reason = messages.remote_value_refused(table.name, row_id, problem)
        self.plan.kept.append(r.Kept(table.name, row_id, reason))
        self._hold(table, row_id)

    def _hold(self, table: RemoteTable, row_id: str) -> None:
        self.plan.held.add((table.name, row_id))
        self.plan.covered.add((table.name, row_id))

    def _local_rows(self, table: RemoteTable, ids: list[str]) -> dict[str, Values]:
        if not ids:
            return {}
        where = "id IN (SELECT value FROM json_each(?))"
        found = store.select(self.conn, table.table, where, [json.dumps(ids)])
        return {row.id: self._localised(dict(row)) for row in found}

    def _localised(self, row: Values) -> Values:
        """A journal row as it will be once the profile is adopted (its owner re-keyed)."""
        if self.plan.adopt and row.get(OWNER_COLUMN) == self.plan.adopt[0]:
            row[OWNER_COLUMN] = self.plan.adopt[1]
        return row

    def _here(self, column: str, value: Any) -> Any:
        """A value as the journal holds it until the adoption is written."""
        if column == OWNER_COLUMN and self.plan.adopt and value == self.plan.adopt[1]:
            return self.plan.adopt[0]
        return value

    def _journal_ids(self, table: str) -> set[str]:
        if table not in self._ids:
            self._ids[table] = {row[0] for row in self.conn.execute(f"SELECT id FROM {table}")}
            if self.plan.adopt and self.remote.root and table == self.remote.root.name:
                self._ids[table].add(self.plan.adopt[1])
        return self._ids[table]

    def _conflict(
        self, table: RemoteTable, kind: str, row_id: str, detail: str, **more: Any
    ) -> None:
        self.plan.conflicts.append(r.Conflict(table.name, kind, row_id, detail, **more))


def _moved(table: RemoteTable, row: Values, local: Values) -> bool:
    """The merged row holds another unique key than the journal's row did."""
    return any(
        m.differs(unique, row, local) for unique in table.table.unique
    )  # e.g. a check-in moved to another day
