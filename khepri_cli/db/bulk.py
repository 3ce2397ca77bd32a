"""Adding many rows in one transaction without firing two triggers per row, and without
losing anything the triggers guarantee.

Every journal table has two INSERT triggers (db/migrations.py, their text in
db/frozen_sql.py): m003's (m005's for activities)
``<table>_pending_insert`` records a new row as a pending change for
``khepri sync``, and m004's ``<table>_real_calendar_insert`` refuses days and
times that do not exist. Fired for each of 100,000 imported rows they cost
more than the rows' own writing (measured: 44 µs a check-in with them, 17
without). For the rows an import adds, :class:`LiftedInsertTriggers`
replaces them, inside the import's own write transaction:

- before a table's first new row, it drops the two triggers, after checking
  that their text is exactly m003's and m004's (a later migration that
  changes one leaves that trigger in place and firing);
- at the end, it records the pending changes of all the table's new rows in
  two statements that leave ``_khepri_pending_changes`` as the trigger would
  (one ``upsert`` per row; the rows' ``seq`` numbers follow the order they
  were added in, after those of rows updated by the same import), and
  creates the triggers again from their own stored text.

Why this keeps every guarantee:

- the pending changes are written in the same transaction as the rows, so a
  committed row always has its pending change, exactly as with the trigger;
- the calendar check is not needed for these rows: each was built by
  :func:`khepri_cli.domain.rows.whole_row`, whose date and timestamp kinds
  only ever produce real days and times;
- no other writer ever runs without the triggers: a journal has one writer
  at a time and the import holds the write lock from ``BEGIN IMMEDIATE`` to
  ``COMMIT``, by when the triggers are back; other connections read the last
  committed schema, triggers included;
- a failure, Ctrl-C or crash anywhere before ``COMMIT`` rolls the whole
  transaction back, the dropped triggers with it (SQLite's schema changes
  are transactional).
"""

from __future__ import annotations

import sqlite3

PENDING = "_khepri_pending_changes"


def _lifted_triggers(table_name: str) -> dict[str, str]:
    """The INSERT triggers this module may stand in for: name -> their migrations' text."""
    # The very functions that wrote them (m003, m004, m005): frozen with the migrations.
    from khepri_cli.db.frozen_sql import calendar_guards, pending_triggers

    try:
        scripts = pending_triggers(table_name) + calendar_guards(table_name)
    except KeyError:  # a table no migration gave these triggers: not ours to stand in for
        return {}
    wanted = {f"{table_name}_pending_insert", f"{table_name}_real_calendar_insert"}
    found, statement = {}, ""
    for piece in scripts.split(";"):
        statement += piece + ";"
        if sqlite3.complete_statement(statement):
            text = statement.strip().removesuffix(";")
            name = text.split()[2] if text.startswith("CREATE TRIGGER") else None
            if name in wanted:
                found[name] = text
            statement = ""
    return found


class LiftedInsertTriggers:
    """The INSERT triggers lifted so far in this transaction, and what replaces them."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.lifted: dict[str, list[str]] = {}  # table -> the SQL that creates its triggers again

    def lift(self, table_name: str) -> None:
        """Drop the table's two INSERT triggers (once), if they are exactly the known ones."""
        if table_name in self.lifted:
            return
        expected = _lifted_triggers(table_name)
        stored = dict(
            self.conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                (table_name,),
            ).fetchall()
        )
        if len(expected) != 2 or any(stored.get(n) != sql for n, sql in expected.items()):
            self.lifted[table_name] = []  # not the triggers we know: they stay and fire
            return
        for name in expected:
            self.conn.execute(f"DROP TRIGGER {name}")
        self.lifted[table_name] = list(expected.values())

    def restore(self, table_name: str, added: str, params: tuple[object, ...] = ()) -> None:
        """Record the pending changes of the rows added and create the triggers again.

        ``added`` is a query of those rows, columns ``id`` and ``position`` (the
        order they were added in).
        """
        recreate = self.lifted.pop(table_name, [])
        if not recreate:
            return
        self.conn.execute(
            f"DELETE FROM {PENDING} WHERE table_name = ? AND row_id IN (SELECT id FROM ({added}))",
            (table_name, *params),
        )
        self.conn.execute(
            f"INSERT INTO {PENDING} (table_name, row_id, op) "
            f"SELECT ?, id, 'upsert' FROM ({added}) ORDER BY position",
            (table_name, *params),
        )
        for sql in recreate:
            self.conn.execute(sql)
