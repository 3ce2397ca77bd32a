"""What a sync did: per table, the conflicts it met and what it kept back.

Plain dataclasses the engine fills and the renderers read; ``to_json`` is
the ``khepri sync --json`` document.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

# Conflict kinds, as --json and ``khepri sync conflicts`` name them.
BOTH_CHANGED = "both_changed"  # one column changed on both sides to different values
ADOPTED_PROFILE = "adopted_profile"  # the user's remote profile had another id: the journal took it
MADE_ON_BOTH_SIDES = "made_on_both_sides"  # e.g. a day checked in here and there: one row now
DELETED_THERE = "deleted_there"  # deleted remotely, changed here: kept and sent again
DELETED_HERE = "deleted_here"  # deleted here, changed remotely: brought back


class Progress(Protocol):
    """Where the engine reports how far a push has got (a progress bar, or nothing)."""

    def start(self, total: int) -> None: ...

    def advance(self, table: str, rows: int) -> None: ...

    def stop(self) -> None: ...


@dataclass
class TableResult:
    table: str
    pulled: int = 0  # remote rows written here (new or changed there)
    removed: int = 0  # rows deleted here because they were deleted there
    upserted: int = 0  # rows written there
    deleted: int = 0  # rows deleted there
    conflicts: int = 0
    kept: int = 0  # changes that could not move: still pending

    @property
    def pushed(self) -> int:
        return self.upserted + self.deleted

    @property
    def pulled_total(self) -> int:
        return self.pulled + self.removed


@dataclass
class Conflict:
    """Something both sides did to the same row, and how the sync settled it."""

    table: str
    kind: str
    row_id: str  # the row's id after the sync
    detail: str
    column: str | None = None  # BOTH_CHANGED: the column
    local: Any = None  # BOTH_CHANGED: the journal's value (JSON form)
    remote: Any = None  # BOTH_CHANGED: the remote's value (JSON form)
    kept: str | None = None  # BOTH_CHANGED: "local" or "remote"
    local_id: str | None = None  # the journal's id of a row that took the remote's id


@dataclass
class Kept:
    """Changes that could not move, still pending: one row, or a whole table (``row_id`` None)."""

    table: str
    row_id: str | None
    reason: str
    rows: int = 1


@dataclass
class SyncReport:
    target: str
    user_id: str
    dry_run: bool
    tables: list[TableResult]
    remote: str = ""  # what the remote is (remote_schema's description)
    conflicts: list[Conflict] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # things worth knowing, one line each
    linked_from: str | None = None  # the journal's previous auth_user_id when it was relinked
    linked: bool = False  # True when this run linked (or would link) the athlete to the user
    still_pending: int = 0  # changes made during the sync, left for the next one
    seconds: float = 0.0

    @property
    def pulled(self) -> int:
        return sum(t.pulled_total for t in self.tables)

    @property
    def upserted(self) -> int:
        return sum(t.upserted for t in self.tables)

    @property
    def deleted(self) -> int:
        return sum(t.deleted for t in self.tables)

    @property
    def kept_rows(self) -> int:
        return sum(k.rows for k in self.kept)

    def table(self, name: str) -> TableResult:
        return next(t for t in self.tables if t.table == name)

    def add_conflict(self, conflict: Conflict) -> None:
        self.conflicts.append(conflict)
        self.table(conflict.table).conflicts += 1

    def add_kept(self, kept: Kept) -> None:
        self.kept.append(kept)
        self.table(kept.table).kept += kept.rows

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "user_id": self.user_id,
            "dry_run": self.dry_run,
            "remote": self.remote,
            "tables": [asdict(t) for t in self.tables],
            "conflicts": [asdict(c) for c in self.conflicts],
            "kept": [asdict(k) for k in self.kept],
            "notes": list(self.notes),
            "linked": self.linked,
            "linked_from": self.linked_from,
            "still_pending": self.still_pending,
            "seconds": round(self.seconds, 3),
        }
