"""Phase 3 of a sync: send what changed here (and what the pull merged) to the remote.

Inside the sync's one read snapshot of the journal, the push sends

* deletes first, children before parents, so a day or an id that is freed
  can be taken again: the journal's pending deletes, and the rows the pull
  merged into another (a day checked in on both sides keeps the remote's id);
* then upserts keyed by id, parents before children: the profile being
  linked to the user, the rows the pull merged, and the journal's pending
  rows (every row, when the remote is new to this journal), each under the
  remote's column names and only the columns the remote has.

Rows travel in batches of a few thousand, encoded by SQLite
(:func:`~khepri_cli.sync.encoding.row_sql`); reading the next batch overlaps
the server's work on the last. A row the remote refuses (a constraint, a
value the live backend's plans cannot hold) is found by halving its batch,
kept pending and reported, and the rest goes on; a profile refused, or any
row refused by row level security, stops the sync. Every row sent leaves its
base (what the remote now holds) in a TEMP table for the record.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from khepri_cli.db import repo_sync
from khepri_cli.errors import SyncError
from khepri_cli.sync import messages
from khepri_cli.sync import report as r
from khepri_cli.sync.bases import FULL
from khepri_cli.sync.mapping import RemoteMap, RemoteTable
from khepri_cli.sync.outgoing import Change, Link, Outgoing
from khepri_cli.sync.plan import PullPlan
from khepri_cli.sync.transports import base
from khepri_cli.sync.transports.base import RemoteError, Transport

BATCH_ROWS = 5000
"""Rows per statement; a push of 100,000 rows takes about twenty round trips."""
MAX_NAMED_ROWS = 3
"""How many refused rows a failure names before it stops looking for more."""
FOREIGN_KEY_VIOLATION = "23503"


class StaleCatalogue(Exception):
    """The remote's tables or columns are not what its cached catalogue said."""


@dataclass
class _Job:
    table: str
    op: str  # "upsert" or "delete"
    batch: list[Change]


class Push:
    """One push through ``transport`` of what the journal (``conn``, in a snapshot) and ``plan`` hold."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        transport: Transport,
        remote: RemoteMap,
        plan: PullPlan,
        report: r.SyncReport,
        *,
        link: Link | None,
        batch_rows: int = BATCH_ROWS,
        progress: r.Progress | None = None,
    ):
        self.conn, self.transport, self.remote, self.plan = conn, transport, remote, plan
        self.report = report
        self.link = link
        self.batch_rows = batch_rows
        self.progress = progress
        self.kept: set[repo_sync.Key] = set(plan.held)
        self.deleted: list[repo_sync.Key] = []  # rows deleted there (their bases go)
        self._full = plan.mode == FULL
        self.outgoing = Outgoing(
            conn, plan, link=link, full=self._full, batch_rows=batch_rows, unpushable=self._keep
        )

    # -- the whole push ------------------------------------------------------------------

    def run(self, *, write: bool) -> None:
        """Send (or, with ``write`` False, only count) everything there is to send."""
        self._keep_unusable()
        sending = self.outgoing.tables(self.remote)
        self.outgoing.formats = {t.name: self._format(t) for t in sending}
        total = self._total() if self.progress else 0
        if total and self.progress:
            self.progress.start(total)
        try:
            jobs = self._jobs()
            if write:
                self._stream(jobs)
            else:
                for job in jobs:
                    self._tally(job, len(job.batch))
        finally:
            if total and self.progress:
                self.progress.stop()

    def _keep_unusable(self) -> None:
        """Tables that cannot sync with this remote: their changes stay pending, named once."""
        if not self.remote.unusable:
            return
        counts = repo_sync.pending_counts(self.conn, list(self.remote.unusable))
        for table, reason in self.remote.unusable.items():
            if self._full:
                waiting = self.outgoing.size(table)
            else:
                waiting = counts[table]["upsert"] + counts[table]["delete"]
            if waiting:
                self.report.add_kept(r.Kept(table, None, reason, rows=waiting))
                repo_sync.keep_table(self.conn, table, every_row=self._full)

    def _format(self, table: RemoteTable) -> base.RowFormat:
        try:
            return self.transport.row_format(table.name, list(table.columns.values()))
        except RemoteError as exc:
            _unless_rows(exc)
            raise

    def _total(self) -> int:
        total = sum(len(ids) for ids in self.plan.remote_deletes.values())
        total += sum(p.push is not None for p in self.plan.rows)
        for table in self.remote.tables.values():
            counts = repo_sync.pending_counts(self.conn, [table.name])[table.name]
            upserts = self.outgoing.size(table.name) if self._full else counts["upsert"]
            total += counts["delete"] + upserts
        return total

    # -- what goes, in order -------------------------------------------------------------

    def _jobs(self) -> Iterator[_Job]:
        deletes = repo_sync.pending_deletes(self.conn)
        for table in reversed(self.remote.tables.values()):
            ids = [
                i for i in deletes.get(table.name, []) if (table.name, i) not in self.plan.covered
            ]
            ids += self.plan.remote_deletes.get(table.name, [])
            for start in range(0, len(ids), self.batch_rows):
                batch = [(i, "", "") for i in ids[start : start + self.batch_rows]]
                yield _Job(table.name, "delete", batch)
        for table in self.remote.tables.values():
            if table.name in self.outgoing.formats:
                for batch in self.outgoing.upserts(table):
                    yield _Job(table.name, "upsert", batch)

    # -- sending -------------------------------------------------------------------------

    def _stream(self, jobs: Iterator[_Job]) -> None:
        """Send the batches one after another on a worker thread while the next one is read.

        At most one batch is in flight; whatever goes wrong with it is handled
        here, on the calling thread, once the worker is idle.
        """
        from concurrent.futures import Future, ThreadPoolExecutor

        running: tuple[_Job, Future[int]] | None = None
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="khepri-sync") as worker:
            for job in jobs:  # reading this batch overlaps the server's work on the last
                if running is not None:
                    self._settle(*running)
                running = (job, worker.submit(self._apply, job.table, job.op, job.batch))
            if running is not None:
                self._settle(*running)

    def _settle(self, job: _Job, future: Any) -> None:
        try:
            done = future.result()
        except RemoteError as exc:
            done = self._recover(job, exc)
        if job.op == "delete":
            gone = (c[0] for c in job.batch if (job.table, c[0]) not in self.kept)
            self.deleted.extend((job.table, row_id) for row_id in gone)
        self._tally(job, done)

    def _tally(self, job: _Job, done: int) -> None:
        result = self.report.table(job.table)
        if job.op == "delete":
            result.deleted += done
        else:
            result.upserted += done
        if self.progress:
            self.progress.advance(job.table, len(job.batch))

    def _recover(self, job: _Job, exc: RemoteError) -> int:
        """A batch failed: keep back the rows the remote refuses and send the others."""
        _unless_rows(exc)
        done, refused = self._narrow(job.table, job.op, job.batch)
        stops = job.table == (self.remote.root.name if self.remote.root else None)
        if stops or any(e.kind == base.REFUSED for _, e in refused) or not refused:
            raise self._row_failure(job.table, exc, refused) from None
        for change, error in refused:
            self._keep(job.table, change[0], messages.rejected_by_remote(error.message))
        return done

    def _narrow(
        self, table: str, op: str, batch: list[Change], limit: int = MAX_NAMED_ROWS
    ) -> tuple[int, list[tuple[Change, RemoteError]]]:
        """Halve the batch (each try all or nothing): how many went, and the rows that fail alone.

        Stops looking once ``limit`` rows refused by row level security are found:
        those end the sync, and a few of them name the problem well enough.
        """
        if len(batch) == 1:
            try:
                return self._apply(table, op, batch), []
            except RemoteError as exc:
                _unless_rows(exc)
                return 0, [(batch[0], exc)]
        middle = len(batch) // 2
        done, found = 0, []
        for half in (batch[:middle], batch[middle:]):
            try:
                done += self._apply(table, op, half)
            except RemoteError as exc:
                _unless_rows(exc)
                refused = sum(e.kind == base.REFUSED for _, e in found)
                went, more = self._narrow(table, op, half, limit - refused)
                done, found = done + went, found + more
                if sum(e.kind == base.REFUSED for _, e in found) >= limit:
                    break
        return done, found

    def _apply(self, table: str, op: str, batch: Sequence[Change]) -> int:
        if op == "delete":
            return self.transport.delete(table, [c[0] for c in batch])
        columns = list(self.remote.tables[table].columns.values())
        return self.transport.upsert(table, columns, [c[1] for c in batch])

    def _keep(self, table: str, row_id: str, reason: str) -> None:
        self.kept.add((table, row_id))
        self.report.add_kept(r.Kept(table, row_id, reason))

    # -- errors --------------------------------------------------------------------------

    def _row_failure(
        self, table: str, exc: RemoteError, named: list[tuple[Change, RemoteError]]
    ) -> SyncError:
        if not named:
            return SyncError(messages.batch_refused(table, exc.message))
        first, first_exc = named[0]
        if first_exc.kind == base.REFUSED:
            reason = messages.rls_refused()
        elif self.remote.tables[table].is_root and first_exc.sqlstate == FOREIGN_KEY_VIOLATION:
            reason = messages.profile_rejected(first_exc.message, self.report.user_id)
        else:
            reason = f"the server rejected it: {first_exc.message}"
        return SyncError(messages.row_refused(table, first[0], len(named) - 1, reason))


def _unless_rows(exc: RemoteError) -> None:
    """End the push on a failure no particular row is to blame for.

    A table or column the remote lacks means its catalogue was stale: the
    engine reads it again and retries once.
    """
    if exc.kind == base.SCHEMA:
        raise StaleCatalogue(exc.message) from None
    if exc.kind not in base.ROW_KINDS:
        raise SyncError(messages.said(exc)) from None
