"""The sync engine: the journal and the user's rows on a remote, made one, in four phases.

``SyncEngine.run`` (docs/sync.md):

1. **Know the remote and read it** (:mod:`.pull`). Connects, starts acting
   as the Supabase Auth user under row level security (one remote
   transaction, when the transport has them), learns which Khepri tables and
   columns the remote has (its catalogue, cached in the journal per remote
   and read again when it proves stale) and how they map
   (:mod:`.mapping`), then fetches the user's profile, the rows changed
   since the last sync and the ids of all of them.
2. **Decide** (:mod:`.plan`), in one read snapshot of the journal: what
   the remote's rows mean here (inserts, three-way merges, rows made on both
   sides, deletes either way, values the journal refuses).
3. **Push** (:mod:`.push`), in the same snapshot: the journal's pending
   changes and the merged rows, under the remote's names, in batches;
   whatever cannot go is kept pending and reported, never blocking the rest.
   Then the remote commits.
4. **Record** (:mod:`.record`): one local transaction writes the pulled
   rows, drops the pending changes that went, keeps the bases and
   conflicts, and the watermark of the next pull.

Any failure before phase 4 leaves the journal exactly as it was, pending
changes included, and (over a transactional transport) the remote too;
running the sync again converges. Writers are never blocked while the
remote works: a row changed here meanwhile stays pending for the next sync.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from khepri_cli.db import repo_sync
from khepri_cli.db.connection import Journal
from khepri_cli.db.repo_athletes import get_athlete
from khepri_cli.errors import NoProfile, SyncError
from khepri_cli.schema import TABLE_NAMES, Row
from khepri_cli.sync import bases, messages, pull, record
from khepri_cli.sync import report as r
from khepri_cli.sync.bases import FULL, known_ids
from khepri_cli.sync.mapping import (
    RemoteMap,
    map_remote,
    root_table,
    wanted_catalogue,
)
from khepri_cli.sync.outgoing import Link
from khepri_cli.sync.plan import Planner
from khepri_cli.sync.push import BATCH_ROWS, Push, StaleCatalogue
from khepri_cli.sync.remote_schema import classify
from khepri_cli.sync.transports import base
from khepri_cli.sync.transports.base import RemoteError, Transport

PUSH_ORDER: tuple[str, ...] = TABLE_NAMES
"""Parents before children: the order upserts go in; deletes go in reverse."""


class SyncEngine:
    """Syncs one journal with one remote, through one transport."""

    def __init__(
        self,
        journal: Journal,
        transport: Transport,
        *,
        batch_rows: int = BATCH_ROWS,
        progress: r.Progress | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ):
        self.journal = journal
        self.transport = transport
        self.batch_rows = batch_rows
        self.progress = progress
        self.clock = clock

    def run(self, user_id: str, *, dry_run: bool = False) -> r.SyncReport:
        """Pull, merge and push as ``user_id`` (with ``dry_run``, only say what would happen)."""
        try:
            return self._run(user_id, dry_run, cached=True)
        except StaleCatalogue:  # the remote changed shape since its catalogue was read
            try:
                return self._run(user_id, dry_run, cached=False)
            except StaleCatalogue as again:
                raise SyncError(f"{again}; {self._untouched()}") from None

    def _run(self, user_id: str, dry_run: bool, *, cached: bool) -> r.SyncReport:
        started = self.clock()
        conn = self.journal.conn
        athlete = get_athlete(conn)
        state = repo_sync.read_state(conn)
        report = r.SyncReport(
            self.transport.target, user_id, dry_run, [r.TableResult(t) for t in TABLE_NAMES]
        )
        if athlete is not None and athlete.auth_user_id != user_id:
            report.linked, report.linked_from = True, athlete.auth_user_id
        self._remote(self.transport.connect)
        try:
            self._remote(lambda: self.transport.begin(user_id))
            remote, catalogue = self._know(cached)
            if remote.root is None:
                reason = remote.unusable[root_table().name]
                raise SyncError(f"{messages.not_set_up(reason)}; {self._untouched()}")
            report.remote = remote.schema.description
            for table, columns in remote.missing_columns.items():
                report.notes.append(messages.columns_lacking(table, columns))
            owner = record.bases_for(report.target, user_id)
            linked = athlete.auth_user_id if athlete is not None else None
            mode, watermark = bases.mode_for(state, owner, report.target, user_id, linked)
            again = bases.read_again(state)
            fetched = self._remote(lambda: pull.fetch_profile(self.transport, remote, user_id))
            mode = self._meet(mode, athlete, fetched, remote, report)
            since = state.get(repo_sync.STATE_PULLED_AT) if watermark and mode != FULL else None
            self._remote(
                lambda: pull.fetch_rows(
                    self.transport,
                    remote,
                    fetched,
                    since=since,
                    known=lambda table: known_ids(conn, table, mode) - again.get(table, set()),
                )
            )
            with self._snapshot() as snapshot:
                repo_sync.open_scratch(snapshot)
                ceiling = repo_sync.top_seq(snapshot)
                athlete = get_athlete(snapshot)  # as this snapshot has it
                link = None
                if athlete is not None and fetched.profile is None and report.linked:
                    link = Link(athlete.id, user_id, athlete.updated_at)
                planner = Planner(snapshot, remote, fetched, user_id=user_id, mode=mode)
                plan = self._failing(lambda: planner.run(athlete))
                _report_plan(report, plan)
                push = Push(
                    snapshot,
                    self.transport,
                    remote,
                    plan,
                    report,
                    link=link,
                    batch_rows=self.batch_rows,
                    progress=self.progress,
                )
                self._failing(lambda: push.run(write=not dry_run))
            if dry_run:
                self.transport.rollback()
            else:
                self._commit()
        except BaseException:
            self.transport.rollback()
            raise
        finally:
            self.transport.close()
        if not dry_run:
            report.still_pending = record.record(
                self.journal,
                remote=remote,
                plan=plan,
                push=push,
                report=report,
                ceiling=ceiling,
                catalogue=catalogue,
            )
        report.seconds = self.clock() - started
        return report

    # -- phase 1: the remote ---------------------------------------------------------------

    def _know(self, cached: bool) -> tuple[RemoteMap, dict[str, Any] | None]:
        """What the remote has: its cached catalogue while complete, else read again.

        Returns the mapping and the catalogue entry to cache (None: unchanged).
        """
        target = self.transport.target
        entry = repo_sync.cached_catalogue(self.journal.conn, target) if cached else None
        if entry is not None and entry.get("complete"):
            return map_remote(classify(entry["catalogue"])), None
        catalogue = self._remote(lambda: self.transport.catalogue(wanted_catalogue()))
        schema = classify(catalogue)
        fresh = {"catalogue": catalogue, "complete": schema.complete}
        return map_remote(schema), fresh

    def _meet(
        self, mode: str, athlete: Row | None, fetched: pull.Fetched, remote: RemoteMap, report: Any
    ) -> str:
        """The mode, now that the remote's profile is known."""
        if athlete is None and fetched.profile is None:
            raise NoProfile()
        if athlete is None or remote.root is None:
            return mode
        if fetched.profile is None:
            if mode != FULL:
                report.notes.append(messages.remote_without_profile())
            return FULL
        if str(fetched.profile.get(remote.root.remote("id"))) != athlete.id:
            return FULL  # the profile was made there: the journal adopts it, merged from scratch
        return mode

    # -- phase 2 and 3: the journal, read once -------------------------------------------

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """One consistent read of the journal while the sync runs; writers are not blocked."""
        conn = self.journal.conn
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    def _commit(self) -> None:
        try:
            self.transport.commit()
        except RemoteError as exc:
            pending = repo_sync.pending_total(self.journal.conn)
            raise SyncError(messages.commit_unknown(exc.message, pending)) from None

    # -- errors --------------------------------------------------------------------------

    def _remote(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except RemoteError as exc:
            if exc.kind == base.SCHEMA:
                raise StaleCatalogue(exc.message) from None
            raise SyncError(f"{messages.said(exc)}; {self._untouched()}") from None

    def _failing(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except SyncError as exc:
            raise SyncError(f"{exc.message}; {self._untouched()}") from None

    def _untouched(self) -> str:
        pending = repo_sync.pending_total(self.journal.conn)
        return messages.untouched(pending, transactional=self.transport.transactional)


def _report_plan(report: r.SyncReport, plan: Any) -> None:
    for result in report.tables:
        result.pulled, result.removed = plan.tally(result.table)
    for conflict in plan.conflicts:
        report.add_conflict(conflict)
    for kept in plan.kept:
        report.add_kept(kept)
