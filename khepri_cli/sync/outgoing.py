"""The rows a push sends, table by table, encoded for the transport, each with its base noted.

For one table, in order: the profile being linked to the user, the rows the
pull merged (:class:`~khepri_cli.sync.plan.PullPlan`), then the journal's
pending rows (every row, when the remote is new to this journal), minus the
rows the plan decides for. Journal rows are encoded by SQLite
(:func:`~khepri_cli.sync.encoding.row_sql`), under the remote's column names;
rows reshaped on the way (plans on the live backend) and merged rows are
encoded from Python. A row sent is in sync once it lands, its own base;
only reshaped rows, which read back other than they were sent, note their
base (in a TEMP table, for the record).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from khepri_cli.db import repo_sync, store
from khepri_cli.domain.clock import touch_timestamp
from khepri_cli.sync import encoding
from khepri_cli.sync.mapping import LINK_COLUMN, OWNER_COLUMN, RemoteMap, RemoteTable, Unpushable
from khepri_cli.sync.plan import PullPlan
from khepri_cli.sync.transports import base

SCAN_AT_LEAST = 5000
"""From this many pending rows of a table (and a quarter of it), scan it rather than probe."""
COVERED = "covered"
"""Role of the row keys whose push the pull's plan decides (TEMP table ``khepri_keys``)."""

Change = tuple[str, str, str]
"""(id, the row encoded for the transport, its base if reshaped): rows as SQLite returns them."""


@dataclass
class Link:
    """The profile to link to the user as it is pushed, and the updated_at it is pushed with."""

    athlete_id: str
    user_id: str
    previous: str  # the athlete's updated_at when the sync started
    stamp: str = ""

    def __post_init__(self) -> None:
        self.stamp = self.stamp or touch_timestamp(self.previous)


class Outgoing:
    """What a push sends, read from the journal (``conn``, in the sync's snapshot) and the plan."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        plan: PullPlan,
        *,
        link: Link | None,
        full: bool,
        batch_rows: int,
        unpushable: Callable[[str, str, str], None],
    ):
        self.conn, self.plan, self.link, self.full = conn, plan, link, full
        self.batch_rows = batch_rows
        self.unpushable = unpushable  # (table, id, why): a row the remote cannot take
        self.formats: dict[str, base.RowFormat] = {}
        repo_sync.note_keys(conn, COVERED, plan.covered)

    def tables(self, remote: RemoteMap) -> list[RemoteTable]:
        """The tables with upserts to send."""
        planned = {p.table for p in self.plan.rows if p.push is not None}
        return [
            t
            for t in remote.tables.values()
            if t.name in planned
            or (t.is_root and self.link is not None)
            or (self.full and self.size(t.name))
            or repo_sync.any_pending_upsert(self.conn, t.name)
        ]

    def size(self, table: str) -> int:
        return self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def upserts(self, table: RemoteTable) -> Iterator[list[Change]]:
        """Batches of ``table``'s rows to send (its row format must be in :attr:`formats`)."""
        if table.is_root and self.link is not None:
            yield self._noted(table, [self._linked(table)])
        merged = (
            self._planned(table, p.push) for p in self.plan.rows if p.table == table.name and p.push
        )
        sendable = [change for change in merged if change is not None]
        for start in range(0, len(sendable), self.batch_rows):
            yield self._noted(table, sendable[start : start + self.batch_rows])
        yield from self._journal_rows(table)

    def _planned(self, table: RemoteTable, row: dict[str, Any]) -> Change | None:
        """A row in journal terms, encoded for the remote; None (kept back) if it cannot go."""
        try:
            sent = table.roundtrip(row)
            payload = encoding.encode_row(table.to_remote(row), self.formats[table.name])
        except Unpushable as exc:
            self.unpushable(table.name, row["id"], str(exc))
            return None
        base = encoding.storage_json(table.table, sent) if table.reshaped else ""
        return row["id"], payload, base

    def _linked(self, table: RemoteTable) -> Change:
        """The profile as it is to be pushed: owned by the user, updated now."""
        assert self.link is not None
        literals = {LINK_COLUMN: self.link.user_id, "updated_at": self.link.stamp}
        for value in literals.values():  # both are validated forms; never quotes inside
            assert "'" not in value
        overrides = {column: f"'{value}'" for column, value in literals.items()}
        fmt = self.formats[table.name]
        encoded = encoding.row_sql(table.table, table.columns, fmt, overrides=overrides)
        row = self.conn.execute(
            f"SELECT t.id, {encoded}, '' FROM {table.name} t WHERE t.id = ?",
            (self.link.athlete_id,),
        ).fetchone()
        return tuple(row)  # type: ignore[return-value]

    def _overrides(self, table: RemoteTable) -> dict[str, str]:
        """A profile being adopted: every row below it goes under the remote's profile id."""
        if self.plan.adopt and OWNER_COLUMN in table.columns:
            new_id = self.plan.adopt[1]
            assert "'" not in new_id  # a checked UUID
            return {OWNER_COLUMN: f"'{new_id}'"}
        return {}

    def _journal_rows(self, table: RemoteTable) -> Iterator[list[Change]]:
        """The journal's rows to send: pending upserts (all rows for a new remote).

        A few changes are looked up one by one. When most of the table is
        pending one scan of it is cheaper, and when all of it is (a first
        push) the scan needs no look-up at all.
        """
        name = table.name
        pending = 0 if self.full else repo_sync.pending_upserts(self.conn, name)
        if not pending and not self.full:
            return
        size = 0  # counted only for many changes: a small push never reads the whole table
        if not self.full and pending >= SCAN_AT_LEAST:
            size = self.size(name)
        skip = "t.id IS NOT ?"  # the profile being linked went on its own
        params: list[Any] = [self.link.athlete_id if self.link and table.is_root else ""]
        if any(t == name for t, _ in self.plan.covered):
            skip += (
                f" AND NOT EXISTS (SELECT 1 FROM temp.khepri_keys k WHERE k.role = '{COVERED}' "
                "AND k.table_name = ? AND k.row_id = t.id)"
            )
            params.append(name)
        source = self._encoded(table)
        if self.full or pending == size:  # every row
            sql = f"SELECT {source} FROM {name} t WHERE {skip}"
        elif size and pending * 4 >= size:
            sql = (
                f"SELECT {source} FROM {name} t CROSS JOIN {repo_sync.PENDING} p "
                f"ON p.table_name = ? AND p.row_id = t.id WHERE p.op = 'upsert' AND {skip}"
            )
            params.insert(0, name)
        else:
            sql = (
                f"SELECT {source} FROM {repo_sync.PENDING} p JOIN {name} t ON t.id = p.row_id "
                f"WHERE p.table_name = ? AND p.op = 'upsert' AND {skip}"
            )
            params.insert(0, name)
        cursor = self.conn.execute(sql, params)
        while rows := cursor.fetchmany(self.batch_rows):
            yield self._noted(table, self._reshaped(table, rows) if table.reshaped else rows)

    def _encoded(self, table: RemoteTable) -> str:
        """What the row query selects: SQLite encodes the rows, unless values are reshaped."""
        if table.reshaped:
            return "t.*"
        fmt = self.formats[table.name]
        encoded = encoding.row_sql(
            table.table, table.columns, fmt, overrides=self._overrides(table)
        )
        return f"t.id, {encoded}, ''"

    def _reshaped(self, table: RemoteTable, rows: list[Any]) -> list[Change]:
        adopt = self.plan.adopt
        decoded = (dict(store.decode(table.table, row)) for row in rows)
        changes = (
            self._planned(table, {**row, OWNER_COLUMN: adopt[1]} if adopt else row)
            for row in decoded
        )
        return [change for change in changes if change is not None]

    def _noted(self, table: RemoteTable, rows: list[Any]) -> list[Change]:
        """A batch ready to go. A reshaped row reads back other than it was sent: its base
        (what the remote will hold) is noted, to be kept once the batch lands."""
        if table.reshaped:
            repo_sync.note_sent(self.conn, ((table.name, row[0], row[2]) for row in rows))
        return rows  # as SQLite returns them: a push of 100,000 rows makes no object per row
