"""The sync engine: push the journal's pending changes to a remote, as one user, all or nothing.

What it does, in order (``SyncEngine.run``):

1. Opens the remote and starts ONE remote transaction acting as the Supabase
   Auth user, under row level security (the transport does that part).
2. Prepares the journal in ONE local transaction: links the athlete to the
   user (``auth_user_id``), adopts the id of a profile the remote already
   holds for that user, and adopts the id of a remote check-in that holds a
   day the journal also has (the local values then overwrite it). Each
   adoption is reported as a conflict.
3. Reads the pending changes (``_khepri_pending_changes``, filled by
   triggers) in one local read snapshot, and sends them in batches: deletes
   first, children before parents, so a day or an id that is freed can be
   taken again; then upserts keyed by id, parents before children.
4. Commits the remote transaction. Only then, in one local transaction, it
   drops the pending changes it pushed whose ``seq`` is unchanged (a row
   edited during the push keeps its newer pending change) and records the
   sync in ``_khepri_sync_state``.

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
from khepri_cli.domain.clock import now_timestamp
from khepri_cli.errors import KhepriError, SyncError
from khepri_cli.models.athlete import Athlete
from khepri_cli.models.checkin import DailyCheckin
from khepri_cli.models.common import Record
from khepri_cli.models.constraint import Constraint
from khepri_cli.models.goal import Goal
from khepri_cli.models.plan import TrainingPlan
from khepri_cli.sync.transports import base
from khepri_cli.sync.transports.base import RemoteError, Transport

MODELS: dict[str, type[Record]] = {
    model.table: model for model in (Athlete, Goal, Constraint, DailyCheckin, TrainingPlan)
}
PUSH_ORDER: tuple[str, ...] = tuple(MODELS)
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


@dataclass
class _Change:
    seq: int
    row_id: str
    payload: str | None = None  # JSON object text, for upserts


def row_json_sql(model: type[Record]) -> str:
    """SQLite expression turning a row ``t`` of ``model``'s table into its remote JSON object.

    JSON text columns are embedded as JSON (arrays stay arrays, so they
    become ``TEXT[]`` or ``JSONB`` remotely) and 0/1 become true/false.
    """
    parts = []
    for column in model.columns():
        if column in model.json_columns:
            expr = f"json(t.{column})"
        elif column in model.bool_columns:
            expr = f"json(CASE t.{column} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)"
        else:
            expr = f"t.{column}"
        parts.append(f"'{column}', {expr}")
    return f"json_object({', '.join(parts)})"


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

    # -- the whole run ----------------------------------------------------------

    def run(self, user_id: str, *, dry_run: bool = False) -> SyncReport:
        started = self.clock()
        conn = self.journal.conn
        athlete = _local_athlete(conn)
        report = SyncReport(
            target=self.transport.target,
            user_id=user_id,
            dry_run=dry_run,
            tables=[TableResult(t) for t in PUSH_ORDER],
        )
        if athlete.auth_user_id != user_id:
            report.linked = True
            report.linked_from = athlete.auth_user_id
        self._remote(self.transport.connect)
        try:
            self._remote(lambda: self.transport.begin(user_id))
            self._prepare(athlete, user_id, report, dry_run)
            if not dry_run:
                pushed = self._push(report)
                self._commit()
        except BaseException:
            self.transport.rollback()
            raise
        else:
            if dry_run:
                self.transport.rollback()
        finally:
            self.transport.close()
        if not dry_run:
            report.still_pending = self._record(pushed, report)
        report.seconds = self.clock() - started
        return report

    # -- step 2: link and adopt ------------------------------------------------

    def _prepare(self, athlete: Athlete, user_id: str, report: SyncReport, dry_run: bool) -> None:
        """Link the athlete, adopt the remote profile's id, settle same-day check-ins."""
        remote_athlete = self._remote(lambda: self.transport.athlete_id_for_user(user_id))
        athlete_id = athlete.id
        if remote_athlete is not None and remote_athlete != athlete.id:
            athlete_id = remote_athlete
            self._conflict(
                report,
                Conflict(
                    "athletes",
                    ADOPTED_PROFILE,
                    athlete.id,
                    remote_athlete,
                    None,
                    f"this Supabase user already has a profile remotely (id {remote_athlete}); "
                    f"the journal's profile takes that id and its values replace the remote ones",
                ),
            )
        clashes = self._same_day_clashes(athlete_id)
        for day, (local_id, remote_id) in sorted(clashes.items()):
            self._conflict(
                report,
                Conflict(
                    "daily_checkins",
                    SAME_DAY,
                    local_id,
                    remote_id,
                    day,
                    f"check-in of {day}: the remote already has one for that day "
                    f"(id {remote_id}); the journal's check-in takes that id and its values "
                    f"replace the remote ones",
                ),
            )
        if dry_run:
            self._rehearse(athlete, user_id, athlete_id, clashes, report)
        elif report.linked or athlete_id != athlete.id or clashes:
            with self.journal.transaction() as conn:
                _adopt(conn, athlete, user_id, athlete_id, clashes, report.linked)

    def _rehearse(
        self,
        athlete: Athlete,
        user_id: str,
        athlete_id: str,
        clashes: dict[str, tuple[str, str]],
        report: SyncReport,
    ) -> None:
        """Dry run: link and adopt inside a local transaction that is rolled back, and
        count what would be pushed then (adopting a profile makes every child row pending)."""
        conn = self.journal.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            _adopt(conn, athlete, user_id, athlete_id, clashes, report.linked)
            for table, ops in pending_counts(conn).items():
                result = self._result(report, table)
                result.upserted, result.deleted = ops["upsert"], ops["delete"]
        finally:
            conn.execute("ROLLBACK")

    def _same_day_clashes(self, athlete_id: str) -> dict[str, tuple[str, str]]:
        """``{day: (local id, remote id)}`` for pending check-ins whose day the remote holds
        under another id, unless that remote row is itself pending here (deleted or moved)."""
        conn = self.journal.conn
        local = {
            row[0]: row[1]
            for row in conn.execute(
                "SELECT c.checkin_date, c.id FROM _khepri_pending_changes p "
                "JOIN daily_checkins c ON c.id = p.row_id "
                "WHERE p.table_name = 'daily_checkins' AND p.op = 'upsert'"
            )
        }
        if not local:
            return {}
        remote = self._remote(lambda: self.transport.checkins_on_days(athlete_id, list(local)))
        clashes = {}
        for day, remote_id in remote.items():
            local_id = local.get(day)
            if local_id is None or local_id == remote_id:
                continue
            known = conn.execute(
                "SELECT 1 FROM _khepri_pending_changes WHERE table_name = 'daily_checkins' "
                "AND row_id = ? UNION ALL SELECT 1 FROM daily_checkins WHERE id = ?",
                (remote_id, remote_id),
            ).fetchone()
            if known is None:
                clashes[day] = (local_id, remote_id)
        return clashes

    def _conflict(self, report: SyncReport, conflict: Conflict) -> None:
        report.conflicts.append(conflict)
        self._result(report, conflict.table).conflicts += 1

    # -- step 3: push ------------------------------------------------------------

    def _push(self, report: SyncReport) -> list[int]:
        """Send every pending change; return the ``seq`` of each one sent."""
        pushed: list[int] = []
        with self._snapshot() as conn:
            counts = pending_counts(conn)
            total = sum(ops["upsert"] + ops["delete"] for ops in counts.values())
            if self.progress and total:
                self.progress.start(total)
            try:
                for op, tables in (("delete", PUSH_ORDER[::-1]), ("upsert", PUSH_ORDER)):
                    for table in tables:
                        for batch in self._pending(conn, table, op):
                            done = self._send(table, op, batch)
                            result = self._result(report, table)
                            if op == "delete":
                                result.deleted += done
                            else:
                                result.upserted += done
                            pushed.extend(c.seq for c in batch)
                            self._advance(table, len(batch))
            finally:
                if self.progress and total:
                    self.progress.stop()
        return pushed

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """One consistent read of the journal while the push runs; writers are not blocked."""
        conn = self.journal.conn
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    def _pending(self, conn: sqlite3.Connection, table: str, op: str) -> Iterator[list[_Change]]:
        if op == "delete":
            cursor = conn.execute(
                "SELECT seq, row_id FROM _khepri_pending_changes "
                "WHERE table_name = ? AND op = 'delete' ORDER BY seq",
                (table,),
            )
        else:
            cursor = conn.execute(
                f"SELECT p.seq, p.row_id, {row_json_sql(MODELS[table])} "
                f"FROM _khepri_pending_changes p JOIN {table} t ON t.id = p.row_id "
                f"WHERE p.table_name = ? AND p.op = 'upsert' ORDER BY p.seq",
                (table,),
            )
        while rows := cursor.fetchmany(self.batch_rows):
            yield [_Change(*row) for row in rows]

    def _send(self, table: str, op: str, batch: list[_Change]) -> int:
        """One batch in a savepoint; when rows are refused, find and name them."""
        try:
            with self.transport.savepoint():
                return self._apply(table, op, batch)
        except RemoteError as exc:
            if exc.kind not in base.ROW_KINDS:
                raise self._failure(exc) from None
            named = self._narrow(table, op, batch, MAX_NAMED_ROWS)
            raise self._row_failure(table, exc, named) from None

    def _narrow(
        self, table: str, op: str, batch: list[_Change], limit: int
    ) -> list[tuple[_Change, RemoteError]]:
        """Halve the batch (each half in a savepoint) down to the rows that fail on their own."""
        if len(batch) == 1:
            try:
                with self.transport.savepoint():
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
                with self.transport.savepoint():
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
            return self.transport.delete(table, [c.row_id for c in batch])
        body = base.json_array([c.payload for c in batch])
        return self.transport.upsert(table, MODELS[table].columns(), body)

    def _advance(self, table: str, rows: int) -> None:
        if self.progress:
            self.progress.advance(table, rows)

    # -- step 4: after the remote commit ------------------------------------------

    def _commit(self) -> None:
        try:
            self.transport.commit()
        except RemoteError as exc:
            pending = self._pending_total()
            raise SyncError(
                f"{exc.message} while committing: the server may or may not have kept this "
                f"push; the journal keeps its {pending} pending change(s), and 'khepri sync' "
                f"again pushes them without duplicates"
            ) from None

    def _record(self, pushed: list[int], report: SyncReport) -> int:
        """Drop the pushed pending changes still at the seq we sent; remember this sync."""
        summary = {
            "upserted": report.upserted,
            "deleted": report.deleted,
            "conflicts": len(report.conflicts),
        }
        with self.journal.transaction() as conn:
            conn.execute(
                "DELETE FROM _khepri_pending_changes WHERE seq IN (SELECT value FROM json_each(?))",
                (json.dumps(pushed),),
            )
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
        else:
            reason = f"the server rejected it: {first_exc.message}"
        return SyncError(f"{table} row {first.row_id}{more}: {reason}; {self._untouched()}")

    def _untouched(self) -> str:
        return (
            f"nothing was pushed, and the journal keeps its {self._pending_total()} pending "
            f"change(s); "
            f"run 'khepri sync' again when this is fixed"
        )

    def _pending_total(self) -> int:
        sql = "SELECT count(*) FROM _khepri_pending_changes"
        return self.journal.conn.execute(sql).fetchone()[0]

    @staticmethod
    def _result(report: SyncReport, table: str) -> TableResult:
        return next(t for t in report.tables if t.table == table)


def _adopt(
    conn: sqlite3.Connection,
    athlete: Athlete,
    user_id: str,
    athlete_id: str,
    clashes: dict[str, tuple[str, str]],
    link: bool,
) -> None:
    """The local side of linking and adopting, inside the caller's transaction."""
    if link:
        conn.execute("UPDATE athletes SET auth_user_id = ? WHERE id = ?", (user_id, athlete.id))
    if athlete_id != athlete.id:
        rekey(conn, "athletes", athlete.id, athlete_id)
        # The old id never existed remotely for this user: never push it as a delete.
        conn.execute(
            "DELETE FROM _khepri_pending_changes "
            "WHERE table_name = 'athletes' AND row_id = ? AND op = 'delete'",
            (athlete.id,),
        )
    for local_id, remote_id in clashes.values():
        rekey(conn, "daily_checkins", local_id, remote_id)


def rekey(conn: sqlite3.Connection, table: str, old_id: str, new_id: str) -> None:
    """Give a local row another id; ``ON UPDATE CASCADE`` carries it into child rows.

    The pending-change triggers record an upsert of the new id and a delete of
    the old one (and an upsert of every child row that moved with it).
    """
    conn.execute(f"UPDATE {table} SET id = ? WHERE id = ?", (new_id, old_id))


def _local_athlete(conn: sqlite3.Connection) -> Athlete:
    from khepri_cli.db.repo_athletes import get_athlete

    athlete = get_athlete(conn)
    if athlete is None:
        raise KhepriError("no athlete profile in this journal yet; run 'khepri init' first")
    return athlete
