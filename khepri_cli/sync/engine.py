"""The sync engine: push the journal's pending changes to a remote, as one user, all or nothing.

What it does, in order (``SyncEngine.run``):

1. Opens the remote and starts ONE remote transaction acting as the Supabase
   Auth user, under row level security (the transport does that part).
2. When the remote already holds a profile for that user under another id,
   adopts that id (re-keying the local athlete; ``ON UPDATE CASCADE`` carries
   it into every child row) in ONE local transaction, and reports it as a
   conflict. A journal not yet linked to the user pushes its profile with
   ``auth_user_id`` set to the user; the link is kept locally only once the
   remote has committed it, so a refused push leaves the journal as it was.
3. Reads the pending changes (``_khepri_pending_changes``, filled by
   triggers) in one local read snapshot and sends them in batches of a few
   thousand rows: deletes first, children before parents, so a day or an id
   that is freed can be taken again; then upserts keyed by id, parents before
   children. Reading the next batch overlaps the server's work on the last.
   A remote check-in holding a day the journal pushes under another id is
   deleted and replaced by the local one (local first), and reported as a
   conflict.
4. Commits the remote transaction. Only then, in one local transaction, it
   drops the pending changes it pushed: those of its snapshot, up to its
   highest ``seq`` (a row edited during the push has a newer pending change
   with a higher ``seq``, which stays for the next sync), keeps the link,
   and records the sync in ``_khepri_sync_state``.

Any failure rolls the remote transaction back and leaves every pending change
where it was, so running the sync again pushes the same rows again; upserts
keyed by id make that free of duplicates. The cost of a sync grows with the
number of pending changes, not with the size of the journal.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from khepri_cli.db.connection import Journal
from khepri_cli.domain.clock import now_timestamp, touch_timestamp
from khepri_cli.errors import SyncError
from khepri_cli.schema import TABLE_NAMES, Row, Table
from khepri_cli.schema import table as declared
from khepri_cli.sync.transports import base
from khepri_cli.sync.transports.base import RemoteError, Transport

PUSH_ORDER: tuple[str, ...] = TABLE_NAMES
"""Parents before children: the order upserts go in; deletes go in reverse."""

BATCH_ROWS = 5000
"""Rows per statement; a push of 100,000 rows takes about twenty round trips."""

MAX_NAMED_ROWS = 3
"""How many refused rows a failure names before it stops looking for more."""

STATE_USER = "user_id"
STATE_AT = "last_sync_at"
STATE_TARGET = "last_sync_target"
STATE_SUMMARY = "last_sync_summary"

ADOPTED_PROFILE = "adopted_profile"
SAME_DAY = "same_day_checkin"

UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"
SCAN_AT_LEAST = 5000
"""From this many pending rows of a table (and a quarter of it), scan it rather than probe."""


class Progress(Protocol):
    """Where the engine reports how far a push has got (a progress bar, or nothing)."""

    def start(self, total: int) -> None: ...

    def advance(self, table: str, rows: int) -> None: ...

    def stop(self) -> None: ...


@dataclass
class TableResult:
    table: str
    upserted: int = 0
    deleted: int = 0
    conflicts: int = 0


@dataclass
class Conflict:
    table: str
    kind: str  # ADOPTED_PROFILE or SAME_DAY
    local_id: str
    remote_id: str
    day: str | None
    detail: str


@dataclass
class SyncReport:
    target: str
    user_id: str
    dry_run: bool
    tables: list[TableResult]
    conflicts: list[Conflict] = field(default_factory=list)
    linked_from: str | None = None  # the journal's previous auth_user_id when it was relinked
    linked: bool = False  # True when this run linked (or would link) the athlete to the user
    still_pending: int = 0  # changes made during the push, left for the next sync
    seconds: float = 0.0

    @property
    def upserted(self) -> int:
        return sum(t.upserted for t in self.tables)

    @property
    def deleted(self) -> int:
        return sum(t.deleted for t in self.tables)

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "user_id": self.user_id,
            "dry_run": self.dry_run,
            "tables": [asdict(t) for t in self.tables],
            "conflicts": [asdict(c) for c in self.conflicts],
            "linked": self.linked,
            "linked_from": self.linked_from,
            "still_pending": self.still_pending,
            "seconds": round(self.seconds, 3),
        }


_Change = Sequence[Any]
"""A pending change as read: ``(row_id,)``, plus the row encoded for the transport for upserts.
Rows stay as SQLite returns them: a push of 100,000 rows builds no object per row."""
ROW_ID, PAYLOAD = 0, 1


@dataclass
class _Link:
    """The athlete to link to the user once the push commits, and the updated_at it is pushed with."""

    athlete_id: str
    user_id: str
    previous: str  # the athlete's updated_at when the push started
    stamp: str = ""

    def __post_init__(self) -> None:
        self.stamp = self.stamp or touch_timestamp(self.previous)


@dataclass
class _Job:
    table: str
    op: str  # "upsert" or "delete"
    batch: list[_Change]


def row_sql(columns: Table, fmt: base.RowFormat, overrides: dict[str, str] | None = None) -> str:
    """SQLite expression encoding a row ``t`` of the table as the transport asks.

    ``overrides`` replaces a column's expression (an SQL literal, e.g. the
    user id a profile is linked to). JSON: JSON text columns are embedded as
    JSON and 0/1 become true/false. CSV: see :func:`_csv_field`.
    """
    exprs = {name: f"t.{name}" for name in columns.column_names} | (overrides or {})
    json_columns = columns.json_columns()
    if fmt.kind == base.JSON_ROWS:
        parts = []
        for column, expr in exprs.items():
            kind = columns.column(column).kind.name
            if column in json_columns:
                expr = f"json({expr})"
            elif kind == "boolean":
                expr = f"json(CASE {expr} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)"
            parts.append(f"'{column}', {expr}")
        return f"json_object({', '.join(parts)})"
    fields = [
        _csv_field(expr, fmt.columns.get(column, base.TEXT)) for column, expr in exprs.items()
    ]
    return " || ',' || ".join(fields) + " || char(10)"


def _csv_field(expr: str, kind: str) -> str:
    """One CSV field: NULL is an empty field, any text is quoted (so '' stays '')."""
    if kind == base.RAW:  # numbers, uuids, dates, times, 0/1: nothing to quote
        return f"coalesce({expr}, '')"
    if kind == base.ARRAY:
        expr = _array_literal(expr)
    return f"""coalesce('"' || replace({expr}, '"', '""') || '"', '')"""


def _array_literal(expr: str) -> str:
    """A JSON array of strings as a PostgreSQL array literal.

    A JSON array whose only escapes are ``\\"`` and ``\\\\`` is already the array
    literal once its brackets become braces (both quote elements and escape
    the same two characters; JSON null is NULL in both). Anything else (a
    newline written as ``\\n``, ``\\u00e9``) is rebuilt element by element.
    """
    rebuilt = (
        "(SELECT '{' || coalesce(group_concat(CASE j.type WHEN 'null' THEN 'NULL' ELSE "
        """'"' || replace(replace(j.value, '\\', '\\\\'), '"', '\\"') || '"' END, ','), '') """
        f"|| '}}' FROM json_each({expr}) AS j)"
    )
    return (
        f"CASE WHEN {expr} IS NULL THEN NULL "
        f"""WHEN {expr} GLOB '*\\[^"\\]*' THEN {rebuilt} """
        f"ELSE '{{' || substr({expr}, 2, length({expr}) - 2) || '}}' END"
    )


def pending_counts(conn: sqlite3.Connection) -> dict[str, dict[str, int]]:
    """Pending changes per synced table: ``{table: {"upsert": n, "delete": m}}``."""
    counts = {table: {"upsert": 0, "delete": 0} for table in PUSH_ORDER}
    for row in conn.execute(
        "SELECT table_name, op, count(*) FROM _khepri_pending_changes GROUP BY table_name, op"
    ):
        if row[0] in counts:
            counts[row[0]][row[1]] = row[2]
    return counts


def read_state(conn: sqlite3.Connection) -> dict[str, str]:
    return {r[0]: r[1] for r in conn.execute("SELECT key, value FROM _khepri_sync_state")}


class SyncEngine:
    """Pushes one journal's pending changes through one transport."""

    def __init__(
        self,
        journal: Journal,
        transport: Transport,
        *,
        batch_rows: int = BATCH_ROWS,
        progress: Progress | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ):
        self.journal = journal
        self.transport = transport
        self.batch_rows = batch_rows
        self.progress = progress
        self.clock = clock
        # set for each run
        self._link: _Link | None = None
        self._user = ""
        self._formats: dict[str, base.RowFormat] = {}

    # -- the whole run ----------------------------------------------------------

    def run(self, user_id: str, *, dry_run: bool = False) -> SyncReport:
        """Push (or with ``dry_run`` only count) the pending changes as ``user_id``."""
        started = self.clock()
        athlete = _local_athlete(self.journal.conn)
        report = SyncReport(
            target=self.transport.target,
            user_id=user_id,
            dry_run=dry_run,
            tables=[TableResult(t) for t in PUSH_ORDER],
        )
        if athlete.auth_user_id != user_id:
            report.linked, report.linked_from = True, athlete.auth_user_id
        self._link = None
        self._user = user_id
        ceiling: int | None = None
        self._remote(self.transport.connect)
        try:
            self._remote(lambda: self.transport.begin(user_id))
            athlete_id = self._profile_id(athlete, user_id, report)
            if athlete_id == athlete.id and report.linked:
                # Linked locally only once the remote has committed the profile as this user.
                self._link = _Link(athlete.id, user_id, athlete.updated_at)
            if dry_run:
                with self._rehearsal() as conn:
                    if athlete_id != athlete.id:
                        _adopt(conn, athlete, user_id, athlete_id)
                    self._push(report, write=False)
                self.transport.rollback()
            else:
                if athlete_id != athlete.id:
                    # The remote profile says this user owns it: adopting is safe before the push.
                    with self.journal.transaction() as conn:
                        _adopt(conn, athlete, user_id, athlete_id)
                ceiling = self._push(report, write=True)
                self._commit()
        except BaseException:
            self.transport.rollback()
            raise
        finally:
            self.transport.close()
        if not dry_run:
            report.still_pending = self._record(ceiling, report)
        report.seconds = self.clock() - started
        return report

    # -- step 2: the profile ------------------------------------------------------

    def _profile_id(self, athlete: Row, user_id: str, report: SyncReport) -> str:
        """The id the athlete must have remotely: the user's existing profile wins."""
        remote_id = self._remote(lambda: self.transport.athlete_id_for_user(user_id))
        if remote_id is None or remote_id == athlete.id:
            return athlete.id
        self._conflict(
            report,
            Conflict(
                "athletes",
                ADOPTED_PROFILE,
                athlete.id,
                remote_id,
                None,
                f"this Supabase user already has a profile remotely (id {remote_id}); "
                f"the journal's profile takes that id and its values replace the remote ones",
            ),
        )
        return remote_id

    @contextmanager
    def _rehearsal(self) -> Iterator[sqlite3.Connection]:
        """A local write transaction that is always rolled back (dry run)."""
        conn = self.journal.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        finally:
            conn.execute("ROLLBACK")

    # -- step 3: push ------------------------------------------------------------

    def _push(self, report: SyncReport, *, write: bool) -> int | None:
        """Send (or count) every pending change of one snapshot; return its highest ``seq``.

        Every pending change up to that ``seq`` is sent (triggers keep one per
        existing row, or a delete); any change made later gets a higher one.
        """
        with self._snapshot() as conn:
            ceiling = conn.execute("SELECT max(seq) FROM _khepri_pending_changes").fetchone()[0]
            self._formats = self._row_formats(conn)
            total = self._pending_total() if self.progress else 0
            if total and self.progress:
                self.progress.start(total)
            try:
                jobs = self._jobs(conn)
                if write:
                    self._stream(jobs, report)
                else:
                    for job in jobs:
                        self._tally(report, job, len(job.batch), self._rehearse_days(job))
            finally:
                if total and self.progress:
                    self.progress.stop()
        return ceiling

    def _row_formats(self, conn: sqlite3.Connection) -> dict[str, base.RowFormat]:
        """Ask the transport, before any batch is in flight, how each table's rows go."""
        tables = [
            table
            for table in PUSH_ORDER
            if conn.execute(
                "SELECT 1 FROM _khepri_pending_changes WHERE table_name = ? AND op = 'upsert' "
                "LIMIT 1",
                (table,),
            ).fetchone()
            or (table == "athletes" and self._link is not None)
        ]
        return {
            name: self._remote(
                lambda t=name: self.transport.row_format(t, declared(t).column_names)
            )
            for name in tables
        }

    def _jobs(self, conn: sqlite3.Connection) -> Iterator[_Job]:
        deletes = self._deletes(conn)
        for table in reversed(PUSH_ORDER):
            rows = deletes.get(table, [])
            for start in range(0, len(rows), self.batch_rows):
                yield _Job(table, "delete", rows[start : start + self.batch_rows])
        if self._link is not None:
            yield _Job("athletes", "upsert", [self._linked_athlete(conn, self._link)])
        for table in PUSH_ORDER:
            for batch in self._upserts(conn, table):
                yield _Job(table, "upsert", batch)

    def _linked_athlete(self, conn: sqlite3.Connection, link: _Link) -> _Change:
        """The athlete as it is to be pushed: owned by the user, updated now."""
        literals = {"auth_user_id": link.user_id, "updated_at": link.stamp}
        for value in literals.values():  # both are validated forms; never quotes inside
            assert "'" not in value
        overrides = {column: f"'{value}'" for column, value in literals.items()}
        encoded = row_sql(declared("athletes"), self._formats["athletes"], overrides)
        return conn.execute(
            f"SELECT t.id, {encoded} FROM athletes t WHERE t.id = ?", (link.athlete_id,)
        ).fetchone()

    def _stream(self, jobs: Iterator[_Job], report: SyncReport) -> None:
        """Send the batches one after another on a worker thread while the next one is read.

        At most one batch is in flight; whatever goes wrong with it is handled
        here, on the calling thread, once the worker is idle.
        """
        from concurrent.futures import Future, ThreadPoolExecutor

        running: tuple[_Job, Future[int]] | None = None
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="khepri-sync") as worker:
            for job in jobs:  # reading this batch overlaps the server's work on the last
                if running is not None:
                    self._settle(*running, report)
                running = (job, worker.submit(self._attempt, job))
            if running is not None:
                self._settle(*running, report)

    def _attempt(self, job: _Job) -> int:
        """One batch (on the worker thread); the transport keeps it all or nothing."""
        return self._apply(job.table, job.op, job.batch)

    def _settle(self, job: _Job, future: Any, report: SyncReport) -> None:
        conflicts: list[Conflict] = []
        try:
            done = future.result()
        except RemoteError as exc:
            done, conflicts = self._recover(job, exc)
        self._tally(report, job, done, conflicts)

    def _tally(self, report: SyncReport, job: _Job, done: int, conflicts: list[Conflict]) -> None:
        result = self._result(report, job.table)
        if job.op == "delete":
            result.deleted += done
        else:
            result.upserted += done
        for conflict in conflicts:
            self._conflict(report, conflict)
        if self.progress:
            self.progress.advance(job.table, len(job.batch))

    def _recover(self, job: _Job, exc: RemoteError) -> tuple[int, list[Conflict]]:
        """A batch failed: replace same-day check-ins and retry, or name the rows at fault."""
        if exc.kind not in base.ROW_KINDS:
            raise self._failure(exc) from None
        if (
            job.table == "daily_checkins"
            and job.op == "upsert"
            and exc.sqlstate == UNIQUE_VIOLATION
        ):
            clashes, ours = self._same_days(job.batch)
            if clashes or ours:
                try:
                    replaced = [*(c.remote_id for c in clashes), *ours]
                    self.transport.delete("daily_checkins", replaced)
                    return self._apply(job.table, job.op, job.batch), clashes
                except RemoteError as again:
                    if again.kind not in base.ROW_KINDS:
                        raise self._failure(again) from None
                    exc = again
        named = self._narrow(job.table, job.op, job.batch, MAX_NAMED_ROWS)
        raise self._row_failure(job.table, exc, named) from None

    def _same_days(self, batch: list[_Change]) -> tuple[list[Conflict], list[str]]:
        """Remote check-ins holding a day of ``batch`` under another id.

        Returns the ones to replace and report (not rows of this journal), and
        the ids of this journal's own rows pending a move to another day,
        which may go first because their own upsert puts them back. A remote
        row that is a journal row with nothing pending is left alone: the
        batch then fails and names it, rather than losing it remotely.
        """
        conn = self.journal.conn
        wanted: dict[str, dict[str, str]] = {}
        for row_id, athlete_id, day in conn.execute(
            "SELECT id, athlete_id, checkin_date FROM daily_checkins "
            "WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps([c[ROW_ID] for c in batch]),),
        ):
            wanted.setdefault(athlete_id, {})[day] = row_id
        found: list[tuple[str, str, str]] = []
        for athlete_id, days in wanted.items():
            remote = self._remote(
                lambda a=athlete_id, d=days: self.transport.checkins_on_days(a, list(d))
            )
            found.extend(
                (day, days[day], remote_id)
                for day, remote_id in remote.items()
                if remote_id != days[day]
            )
        clashes: list[Conflict] = []
        ours: list[str] = []
        for day, local_id, remote_id in sorted(found):
            local = conn.execute(
                "SELECT 1 FROM daily_checkins WHERE id = ?", (remote_id,)
            ).fetchone()
            if local is None:
                clashes.append(_same_day_conflict(day, local_id, remote_id))
                continue
            moving = conn.execute(
                "SELECT 1 FROM _khepri_pending_changes WHERE table_name = 'daily_checkins' "
                "AND row_id = ? AND op = 'upsert'",
                (remote_id,),
            ).fetchone()
            if moving is not None:
                ours.append(remote_id)
        return clashes, ours

    def _rehearse_days(self, job: _Job) -> list[Conflict]:
        """Dry run: the same-day conflicts this batch would meet."""
        if job.table != "daily_checkins" or job.op != "upsert":
            return []
        return self._same_days(job.batch)[0]

    def _narrow(
        self, table: str, op: str, batch: list[_Change], limit: int
    ) -> list[tuple[_Change, RemoteError]]:
        """Halve the batch (each try all or nothing) down to the rows that fail on their own."""
        if len(batch) == 1:
            try:
                self._apply(table, op, batch)
            except RemoteError as exc:
                if exc.kind not in base.ROW_KINDS:
                    raise self._failure(exc) from None
                return [(batch[0], exc)]
            return []
        middle = len(batch) // 2
        found: list[tuple[_Change, RemoteError]] = []
        for half in (batch[:middle], batch[middle:]):
            try:
                self._apply(table, op, half)
            except RemoteError as exc:
                if exc.kind not in base.ROW_KINDS:
                    raise self._failure(exc) from None
                found.extend(self._narrow(table, op, half, limit - len(found)))
                if len(found) >= limit:
                    break
        return found

    def _apply(self, table: str, op: str, batch: Sequence[_Change]) -> int:
        if op == "delete":
            return self.transport.delete(table, [c[ROW_ID] for c in batch])
        rows = [c[PAYLOAD] for c in batch]
        return self.transport.upsert(table, declared(table).column_names, rows)

    # -- reading the journal ---------------------------------------------------------

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """One consistent read of the journal while the push runs; writers are not blocked."""
        conn = self.journal.conn
        if conn.in_transaction:  # the dry run's rehearsal
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    def _deletes(self, conn: sqlite3.Connection) -> dict[str, list[_Change]]:
        """Pending deletes per table, in one pass over the pending changes."""
        deletes: dict[str, list[_Change]] = {}
        for table, row_id in conn.execute(
            "SELECT table_name, row_id FROM _khepri_pending_changes WHERE op = 'delete'"
        ):
            deletes.setdefault(table, []).append((row_id,))
        return deletes

    def _upserts(self, conn: sqlite3.Connection, table: str) -> Iterator[list[_Change]]:
        """Pending upserts of ``table``, each row encoded as the transport asked.

        A few changes are looked up one by one. When most of the table is
        pending one scan of it is cheaper, and when all of it is (a first
        push) the scan needs no look-up at all.
        """
        if table not in self._formats:  # nothing to upsert in this table
            return
        encoded = row_sql(declared(table), self._formats[table])
        pending = conn.execute(
            "SELECT count(*) FROM _khepri_pending_changes WHERE table_name = ? AND op = 'upsert'",
            (table,),
        ).fetchone()[0]
        if not pending:
            return
        size = 0  # counted only for many changes: a small push never reads the whole table
        if pending >= SCAN_AT_LEAST:
            size = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        linked = self._link.athlete_id if self._link and table == "athletes" else ""
        if pending == size:  # one pending upsert per row: every row
            sql = f"SELECT t.id, {encoded} FROM {table} t WHERE t.id IS NOT ?"
            params: tuple[str, ...] = (linked,)
        elif size and pending * 4 >= size:
            sql = (
                f"SELECT t.id, {encoded} FROM {table} t CROSS JOIN _khepri_pending_changes p "
                f"ON p.table_name = ? AND p.row_id = t.id WHERE p.op = 'upsert' AND t.id IS NOT ?"
            )
            params = (table, linked)
        else:
            sql = (
                f"SELECT t.id, {encoded} FROM _khepri_pending_changes p "
                f"JOIN {table} t ON t.id = p.row_id "
                f"WHERE p.table_name = ? AND p.op = 'upsert' AND t.id IS NOT ?"
            )
            params = (table, linked)
        # (the athlete being linked is sent on its own, see _linked_athlete)
        cursor = conn.execute(sql, params)
        while rows := cursor.fetchmany(self.batch_rows):
            yield rows

    # -- step 4: after the remote commit ------------------------------------------

    def _commit(self) -> None:
        try:
            self.transport.commit()
        except RemoteError as exc:
            raise SyncError(
                f"{exc.message} while committing: the server may or may not have kept this "
                f"push; the journal keeps its {self._pending_total()} pending change(s), and "
                f"'khepri sync' again pushes them without duplicates"
            ) from None

    def _record(self, ceiling: int | None, report: SyncReport) -> int:
        """Drop the pending changes the push carried (up to ``ceiling``); remember this sync."""
        summary = {
            "upserted": report.upserted,
            "deleted": report.deleted,
            "conflicts": len(report.conflicts),
        }
        with self.journal.transaction() as conn:
            top = conn.execute("SELECT max(seq) FROM _khepri_pending_changes").fetchone()[0]
            if ceiling is not None and top == ceiling:
                # Nothing changed during the push: everything pending went, drop it at once.
                conn.execute("DELETE FROM _khepri_pending_changes")
            elif ceiling is not None:
                conn.execute("DELETE FROM _khepri_pending_changes WHERE seq <= ?", (ceiling,))
            if self._link is not None:
                _persist_link(conn, self._link)
            state = {
                STATE_USER: report.user_id,
                STATE_AT: now_timestamp(),
                STATE_TARGET: report.target,
                STATE_SUMMARY: json.dumps(summary),
            }
            conn.executemany(
                "INSERT OR REPLACE INTO _khepri_sync_state (key, value) VALUES (?, ?)",
                state.items(),
            )
            return conn.execute("SELECT count(*) FROM _khepri_pending_changes").fetchone()[0]

    # -- errors --------------------------------------------------------------------

    def _remote(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except RemoteError as exc:
            raise self._failure(exc) from None

    def _failure(self, exc: RemoteError) -> SyncError:
        return SyncError(f"{exc.message}; {self._untouched()}")

    def _row_failure(
        self, table: str, exc: RemoteError, named: list[tuple[_Change, RemoteError]]
    ) -> SyncError:
        if not named:
            return SyncError(
                f"the server refused a batch of {table}: {exc.message}; {self._untouched()}"
            )
        first, first_exc = named[0]
        more = f" (and {len(named) - 1} more row(s) of {table})" if len(named) > 1 else ""
        if first_exc.kind == base.REFUSED:
            reason = (
                "row level security refused it (SQLSTATE 42501): it belongs to another "
                "Supabase user, or its athlete is not this user's"
            )
        elif table == "athletes" and first_exc.sqlstate == FOREIGN_KEY_VIOLATION:
            reason = (
                f"the server rejected it: {first_exc.message}: is {self._user} a user of this "
                f"Supabase project (dashboard: Authentication > Users)?"
            )
        else:
            reason = f"the server rejected it: {first_exc.message}"
        return SyncError(f"{table} row {first[ROW_ID]}{more}: {reason}; {self._untouched()}")

    def _untouched(self) -> str:
        return (
            f"nothing was pushed, and the journal keeps its {self._pending_total()} pending "
            f"change(s); run 'khepri sync' again when this is fixed"
        )

    def _pending_total(self) -> int:
        sql = "SELECT count(*) FROM _khepri_pending_changes"
        return self.journal.conn.execute(sql).fetchone()[0]

    def _conflict(self, report: SyncReport, conflict: Conflict) -> None:
        report.conflicts.append(conflict)
        self._result(report, conflict.table).conflicts += 1

    @staticmethod
    def _result(report: SyncReport, table: str) -> TableResult:
        return next(t for t in report.tables if t.table == table)


def _same_day_conflict(day: str, local_id: str, remote_id: str) -> Conflict:
    return Conflict(
        "daily_checkins",
        SAME_DAY,
        local_id,
        remote_id,
        day,
        f"check-in of {day}: the remote had another one for that day (id {remote_id}); "
        f"it was replaced by the journal's",
    )


def _adopt(conn: sqlite3.Connection, athlete: Row, user_id: str, athlete_id: str) -> None:
    """Give the athlete the id of the user's remote profile, and link it (caller's transaction)."""
    conn.execute(
        "UPDATE athletes SET id = ?, auth_user_id = ? WHERE id = ?",
        (athlete_id, user_id, athlete.id),
    )
    # ON UPDATE CASCADE re-keyed every child row and the triggers made them all pending.
    # The old id never existed remotely for this user: never push it as a delete.
    conn.execute(
        "DELETE FROM _khepri_pending_changes "
        "WHERE table_name = 'athletes' AND row_id = ? AND op = 'delete'",
        (athlete.id,),
    )


def _persist_link(conn: sqlite3.Connection, link: _Link) -> None:
    """After the remote commit: the journal's athlete is now the user's (caller's transaction).

    When the athlete did not change during the push, the local row gets exactly
    what was pushed (link and updated_at) and nothing is left pending for it;
    otherwise it keeps its newer change pending, now linked.
    """
    same = conn.execute(
        "UPDATE athletes SET auth_user_id = ?, updated_at = ? WHERE id = ? AND updated_at = ?",
        (link.user_id, link.stamp, link.athlete_id, link.previous),
    ).rowcount
    if same:
        conn.execute(
            "DELETE FROM _khepri_pending_changes "
            "WHERE table_name = 'athletes' AND row_id = ? AND op = 'upsert'",
            (link.athlete_id,),
        )
    else:
        conn.execute(
            "UPDATE athletes SET auth_user_id = ? WHERE id = ?", (link.user_id, link.athlete_id)
        )


def _local_athlete(conn: sqlite3.Connection) -> Row:
    from khepri_cli.db.repo_athletes import require_athlete

    return require_athlete(conn)
