"""One import in progress, inside the journal's write transaction: each row checked, decided
and written as it is read.

A file is refused for the same reasons, in the same words, as when it was
read whole and checked before anything was written; what a check needs of
the rows already read lives in temporary tables, not in memory:

- ``khepri_import_rows``: every row read so far (table, id, position in the
  file, label, whether the import added it; its ``athlete_id`` while the
  file's athlete is not known yet; whether it could not be written). It
  finds a repeated id, tells a check-in of the file from one the journal
  had, and lists the rows whose pending changes :mod:`khepri_cli.db.bulk`
  records at the end;
- ``khepri_import_refs``: references to a row not read yet (a plan's goal
  further down), resolved at the end;
- ``khepri_import_claims``: the UNIQUE values (a day) of rows that could not
  be written because the journal had them, for the rows after them;
- ``khepri_import_replaced``: the UNIQUE values updated rows had before:
  "the journal already has a check-in for that day" is about the journal
  before the import.

Problems within the file (a repeated id, a second athlete, two check-ins
for a day) end the import at once. Problems with the journal (another
athlete's file, a row of another athlete, a reference to nothing, a day the
journal has under another id) are kept, the first one, and raised at the
end, unless a problem within the file comes first: the file was always
checked whole before it was checked against the journal. Foreign keys are
checked at ``COMMIT`` (``defer_foreign_keys``), so tables may come in any
order; every reference has been checked before then.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import suppress
from typing import Any

from khepri_cli.db import store
from khepri_cli.db.bulk import LiftedInsertTriggers
from khepri_cli.domain import transfer as document
from khepri_cli.domain.clock import touch_timestamp
from khepri_cli.domain.transfer import TABLES, Tally
from khepri_cli.errors import KhepriError
from khepri_cli.schema import Table, table

ROWS = "temp.khepri_import_rows"
REFS = "temp.khepri_import_refs"
CLAIMS = "temp.khepri_import_claims"
REPLACED = "temp.khepri_import_replaced"

_TEMPORARY = (
    "CREATE TEMP TABLE khepri_import_rows (tbl TEXT NOT NULL, id TEXT NOT NULL,"
    " position INTEGER NOT NULL, label TEXT NOT NULL, added INTEGER NOT NULL,"
    " athlete_id TEXT, blocked INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (tbl, id)) WITHOUT ROWID",
    "CREATE TEMP TABLE khepri_import_refs (position INTEGER NOT NULL, label TEXT NOT NULL,"
    " col TEXT NOT NULL, value TEXT NOT NULL, target TEXT NOT NULL)",
    "CREATE TEMP TABLE khepri_import_claims (tbl TEXT NOT NULL, key TEXT NOT NULL,"
    " position INTEGER NOT NULL, label TEXT NOT NULL)",
    "CREATE INDEX temp.khepri_import_claims_key ON khepri_import_claims (tbl, key)",
    "CREATE TEMP TABLE khepri_import_replaced (tbl TEXT NOT NULL, key TEXT NOT NULL,"
    " id TEXT NOT NULL)",
)

TEMP_CACHE_KIB = 16384
"""The temporary tables' page cache: 100,000 rows fit; beyond, they spill to a file."""

_BEFORE_ALL = (0, 0)  # where another athlete's file ranks: before every row
_ATHLETE, _REFERENCE, _UNIQUE = 1, 2, 3  # the order of the checks of one row


class _TablePlan:
    """What the import needs of one table, worked out once."""

    def __init__(self, declared: Table, empty: bool):
        self.table = declared
        self.empty = empty  # before the import: every row of the file is then new
        self.writes = store.WholeRows(declared)
        self.references = [
            (c.name, c.references)
            for c in declared.columns
            if c.references is not None and c.references != "athletes"
        ]
        self.unique = [
            (
                unique,
                [declared.column(name).kind for name in unique],
                f"SELECT t.id, r.label, r.blocked FROM {declared.name} AS t LEFT JOIN {ROWS} AS r"
                " ON r.tbl = ? AND r.id = t.id WHERE "
                + " AND ".join(f"t.{name} = ?" for name in unique)
                + " AND t.id != ? LIMIT 1",
            )
            for unique in declared.unique
        ]

    def key(self, row: dict[str, Any], unique: tuple[str, ...], kinds: list[Any]) -> list[Any]:
        """The row's values of a UNIQUE constraint, as stored."""
        return [kind.to_sqlite(row[name]) for name, kind in zip(unique, kinds, strict=True)]


def _exists(conn: sqlite3.Connection, table_name: str, row_id: str) -> bool:
    sql = f"SELECT 1 FROM {table(table_name).name} WHERE id = ?"
    return conn.execute(sql, (row_id,)).fetchone() is not None


class ImportRun:
    """One import in progress, inside the journal's write transaction."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.position = 0  # of the row being read, counting every row of the file
        self.tallies: dict[str, Tally] = {}
        self.plans: dict[str, _TablePlan] = {}
        stored = conn.execute(
            "SELECT id, display_name FROM athletes ORDER BY created_at LIMIT 1"
        ).fetchone()
        self.journal_athlete = (stored[0], stored[1]) if stored else None
        self.file_athlete: str | None = None
        self.first_athlete = ""  # its label
        self.athletes_read = False  # the file's athletes list is complete
        self.problem: tuple[tuple[int, int], KhepriError] | None = None
        self.waiting = self.unresolved = self.claims = self.replaced = 0
        self.triggers = LiftedInsertTriggers(conn)
        conn.execute("PRAGMA defer_foreign_keys = ON")
        conn.execute(f"PRAGMA temp.cache_size = -{TEMP_CACHE_KIB}")
        for sql in _TEMPORARY:
            conn.execute(sql)

    def start_table(self, name: str) -> None:
        found = self.conn.execute(f"SELECT EXISTS (SELECT 1 FROM {table(name).name})").fetchone()
        self.plans[name] = _TablePlan(table(name), empty=not found[0])
        self.tallies[name] = Tally()

    def end_table(self, name: str) -> None:
        if name == "athletes":
            self.athletes_read = True

    def expected_athlete(self) -> str | None:
        """Whose rows these must be: the file's athlete, else the journal's."""
        if self.file_athlete is not None:
            return self.file_athlete
        return self.journal_athlete[0] if self.journal_athlete else None

    def _journal_problem(self, rank: int, error: KhepriError, *, first: bool = False) -> None:
        """Keep the first problem with the journal, to raise at the end."""
        where = _BEFORE_ALL if first else (self.position, rank)
        if self.problem is None or where < self.problem[0]:
            self.problem = (where, error)

    # -- one row -----------------------------------------------------------

    def add_row(self, name: str, index: int, raw: Any) -> None:
        """Check one row of the file against everything before it, decide, and write it."""
        plan = self.plans[name]
        label = document.row_label(name, index, raw.get("id") if isinstance(raw, dict) else None)
        row = document.check_row(name, raw, label)
        current = None if plan.empty else store.fetch(self.conn, plan.table, row["id"])
        self._remember(name, row, label, added=current is None)
        if name == "athletes":
            self._check_athlete(index, row, label)
        else:
            if self.athletes_read and row["athlete_id"] != self.expected_athlete():
                error = document.wrong_athlete(label, row["athlete_id"], self.expected_athlete())
                self._journal_problem(_ATHLETE, error)
            self._check_references(plan, row, label)
        self._write(plan, row, current, label)

    def _remember(self, name: str, row: dict[str, Any], label: str, *, added: bool) -> None:
        """Note the row; a second row of the table with its id ends the import."""
        waits = name != "athletes" and not self.athletes_read
        self.position += 1
        inserted = self.conn.execute(
            f"INSERT OR IGNORE INTO {ROWS} (tbl, id, position, label, added, athlete_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (name, row["id"], self.position, label, added, row["athlete_id"] if waits else None),
        )
        if inserted.rowcount == 0:
            first = self.conn.execute(
                f"SELECT label FROM {ROWS} WHERE tbl = ? AND id = ?", (name, row["id"])
            ).fetchone()[0]
            raise document.repeated_id(label, row["id"], first)
        self.waiting += waits

    def _check_athlete(self, index: int, row: dict[str, Any], label: str) -> None:
        if index > 0:
            raise document.second_athlete(label, self.first_athlete)
        self.file_athlete, self.first_athlete = row["id"], label
        if self.journal_athlete is not None and row["id"] != self.journal_athlete[0]:
            self._journal_problem(
                0, document.another_athlete(label, self.journal_athlete), first=True
            )

    def _check_references(self, plan: _TablePlan, row: dict[str, Any], label: str) -> None:
        """A reference must name a row in the file or the journal: now, or by the end."""
        for column, target in plan.references:
            value = row[column]
            if value is not None and not _exists(self.conn, target, value):
                self.conn.execute(
                    f"INSERT INTO {REFS} VALUES (?, ?, ?, ?, ?)",
                    (self.position, label, column, value, target),
                )
                self.unresolved += 1

    # -- writing, and the UNIQUE values it may clash on ------------------------

    def _write(self, plan: _TablePlan, row: dict[str, Any], current: Any, label: str) -> None:
        """New rows are inserted, changed rows replaced, identical rows left alone."""
        if plan.unique and (self.claims or self.replaced) and self._claimed(plan, row, label):
            return
        tally = self.tallies[plan.table.name]
        if current is not None and current == row:
            tally.unchanged += 1
            return
        if current is not None and row["updated_at"] == current["updated_at"]:
            row["updated_at"] = touch_timestamp(current["updated_at"])  # a change moves it
        try:
            if current is None:
                self.triggers.lift(plan.table.name)
                plan.writes.insert(self.conn, row)
            else:
                plan.writes.replace(self.conn, row)
        except sqlite3.IntegrityError:
            if not (plan.unique and self._held(plan, row, label)):
                raise
            return
        if current is None:
            tally.added += 1
            return
        tally.updated += 1
        for unique, kinds, _sql in plan.unique:
            before = plan.key(current, unique, kinds)
            if before != plan.key(row, unique, kinds):
                self.conn.execute(
                    f"INSERT INTO {REPLACED} VALUES (?, ?, ?)",
                    (plan.table.name, json.dumps(before), row["id"]),
                )
                self.replaced += 1

    def _claimed(self, plan: _TablePlan, row: dict[str, Any], label: str) -> bool:
        """UNIQUE values an earlier row of the file, not written, or the journal before the
        import held (on a row updated since), though no stored row holds them now."""
        for unique, kinds, _sql in plan.unique:
            key = json.dumps(plan.key(row, unique, kinds))
            earlier = self.conn.execute(
                f"SELECT label FROM {CLAIMS} WHERE tbl = ? AND key = ? ORDER BY position LIMIT 1",
                (plan.table.name, key),
            ).fetchone()
            if earlier is not None:
                raise document.same_in_file(
                    plan.table.name, unique, label, row[unique[-1]], earlier[0]
                )
            before = self.conn.execute(
                f"SELECT id FROM {REPLACED} WHERE tbl = ? AND key = ? AND id != ?",
                (plan.table.name, key, row["id"]),
            ).fetchone()
            if before is not None:
                self._block(plan, row, label, unique, key, before[0])
                return True
        return False

    def _held(self, plan: _TablePlan, row: dict[str, Any], label: str) -> bool:
        """After a write refused by a UNIQUE constraint: whose are the values? False: no one's."""
        for unique, kinds, sql in plan.unique:
            key = plan.key(row, unique, kinds)
            holder = self.conn.execute(sql, (plan.table.name, *key, row["id"])).fetchone()
            if holder is None:
                continue
            holder_id, holder_label, blocked = holder
            if holder_label is not None and not blocked:  # a row of this file
                raise document.same_in_file(
                    plan.table.name, unique, label, row[unique[-1]], holder_label
                )
            self._block(plan, row, label, unique, json.dumps(key), holder_id)
            return True
        return False

    def _block(
        self,
        plan: _TablePlan,
        row: dict[str, Any],
        label: str,
        unique: tuple[str, ...],
        key: str,
        other_id: str,
    ) -> None:
        """The journal had these values for another row: a problem, and the row stays unwritten."""
        error = document.taken_in_journal(plan.table.name, unique, label, row[unique[-1]], other_id)
        self._journal_problem(_UNIQUE, error)
        name = plan.table.name
        self.conn.execute(
            f"UPDATE {ROWS} SET blocked = 1, added = 0 WHERE tbl = ? AND id = ?", (name, row["id"])
        )
        self.conn.execute(
            f"INSERT INTO {CLAIMS} VALUES (?, ?, ?, ?)", (name, key, self.position, label)
        )
        self.claims += 1

    # -- the end -------------------------------------------------------------

    def finish(self) -> dict[str, Tally]:
        """The problems found on the way or only now; the bookkeeping; tallies in table order."""
        problems = [self.problem] if self.problem else []
        problems += self._waiting_problems()
        if problems:
            raise min(problems, key=lambda p: p[0])[1]
        for name in list(self.triggers.lifted):
            self.triggers.restore(
                name, f"SELECT id, position FROM {ROWS} WHERE tbl = ? AND added", (name,)
            )
        return {name: self.tallies[name] for name in TABLES if name in self.tallies}

    def _waiting_problems(self) -> list[tuple[tuple[int, int], KhepriError]]:
        """Rows read before their athlete was known; references to rows that never came."""
        found = []
        expected = self.expected_athlete()
        if self.waiting:
            wrong = self.conn.execute(
                f"SELECT position, label, athlete_id FROM {ROWS} WHERE athlete_id IS NOT NULL"
                " AND athlete_id IS NOT ? ORDER BY position LIMIT 1",
                (expected,),
            ).fetchone()
            if wrong is not None:
                error = document.wrong_athlete(wrong[1], wrong[2], expected)
                found.append(((wrong[0], _ATHLETE), error))
        if self.unresolved:
            for position, label, column, value, target in self.conn.execute(
                f"SELECT position, label, col, value, target FROM {REFS} ORDER BY position"
            ).fetchall():
                if not _exists(self.conn, target, value):
                    error = document.dangling(label, column, value, target)
                    found.append(((position, _REFERENCE), error))
                    break
        return found

    def close(self) -> None:
        """Drop the temporary tables (a transaction rolled back has dropped them already)."""
        with suppress(sqlite3.Error):
            for name in (ROWS, REFS, CLAIMS, REPLACED):
                self.conn.execute(f"DROP TABLE IF EXISTS {name}")
