"""Phase 4 of a sync: once the remote has what was sent, write the outcome into the journal.

One local transaction, after the remote committed:

1. the pull's plan is written: the adopted profile id, the rows merged or
   brought from the remote, the rows deleted there. A row changed here by
   another command while the sync ran is left as it is (its newer change
   stays pending and merges at the next sync);
2. the pending changes the sync carried are dropped, with the echoes of its
   own writes here; those it kept back stay (rows kept back become pending),
   and changes made meanwhile stay;
3. rows in sync again are their own bases (explicit ones go); a row the
   sync could not bring in line keeps what the remote holds as its base;
   rows gone from the remote lose theirs;
4. the conflicts are recorded, the profile's link kept, the watermark of
   the pull and the facts of the sync stored.

Any failure before this leaves the journal exactly as it was; a failure
inside it rolls it back whole (the remote then holds what was pushed, and
the next sync finds it equal).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from khepri_cli.db import repo_sync, store
from khepri_cli.db.connection import Journal
from khepri_cli.domain.clock import now_timestamp
from khepri_cli.sync import encoding
from khepri_cli.sync import report as r
from khepri_cli.sync.bases import FULL
from khepri_cli.sync.mapping import LINK_COLUMN, RemoteMap
from khepri_cli.sync.outgoing import Link
from khepri_cli.sync.plan import PullPlan, RowPlan
from khepri_cli.sync.push import Push


def record(
    journal: Journal,
    *,
    remote: RemoteMap,
    plan: PullPlan,
    push: Push,
    report: r.SyncReport,
    ceiling: int,
    catalogue: dict[str, Any] | None,
) -> int:
    """Write the sync's outcome; return how many changes made meanwhile are still pending."""
    with journal.transaction() as conn:
        before = repo_sync.mark_changed_after(conn, ceiling)
        changed = repo_sync.keys(conn, repo_sync.CHANGED)
        if plan.mode == FULL:
            repo_sync.drop_all_bases(conn)
        repo_sync.note_keys(conn, repo_sync.KEPT, push.kept)
        repo_sync.drop_carried_bases(conn, ceiling)
        repo_sync.drop_carried(conn, ceiling)
        written = _apply(conn, remote, plan, changed, report.user_id)
        if push.link is not None and remote.root is not None:
            _persist_link(conn, remote.root.name, push.link)
        repo_sync.drop_echoes(conn, before)
        waiting = _bases(conn, remote, plan, push, written, changed)
        repo_sync.add_conflicts(conn, _conflict_rows(report.conflicts))
        _remember(conn, report, plan, catalogue, waiting)
        return len(changed)


def _apply(
    conn: sqlite3.Connection,
    remote: RemoteMap,
    plan: PullPlan,
    changed: set[tuple[str, str]],
    user_id: str,
) -> set[tuple[str, str]]:
    """Write the plan here; return the rows now in the journal under their planned id."""
    written: set[tuple[str, str]] = set()
    if plan.adopt is not None and remote.root is not None:
        old, new = plan.adopt
        conn.execute(
            f"UPDATE {remote.root.name} SET id = ?, {LINK_COLUMN} = ? WHERE id = ?",
            (new, user_id, old),
        )  # ON UPDATE CASCADE re-keys every row below it
    for table in reversed(remote.tables.values()):  # deletes first: they free days and ids
        for item in plan.rows:
            if (
                item.table == table.name
                and item.delete_here
                and (table.name, item.row_id) not in changed
            ):
                store.delete(conn, table.table, item.row_id)
    for table in remote.tables.values():
        mine = [p for p in plan.rows if p.table == table.name and p.values is not None]
        taken = _keys_held(conn, table.table, changed)
        inserts = []
        for item in sorted(mine, key=lambda p: not p.update):  # updates first: they free keys
            if (table.name, item.local_id or item.row_id) in changed:
                continue  # changed here meanwhile: it merges at the next sync
            if taken & _keys(table.table, item.values):
                continue  # another row took its day meanwhile: idem
            if item.update:
                _update(conn, table.table, item)
            else:
                inserts.append(item.values)
            written.add((table.name, item.row_id))
        store.insert_whole(conn, table.table, inserts)
    return written


def _update(conn: sqlite3.Connection, table: Any, item: RowPlan) -> None:
    """A journal row takes the merged values (and, merged into the remote's row, its id)."""
    if item.local_id is not None:
        conn.execute(f"UPDATE {table.name} SET id = ? WHERE id = ?", (item.row_id, item.local_id))
    store.replace_whole(conn, table, [item.values])


def _keys_held(conn: sqlite3.Connection, table: Any, changed: set[tuple[str, str]]) -> set[tuple]:
    """The unique keys held by rows changed meanwhile (a plan's row must not take them)."""
    ids = [row_id for name, row_id in changed if name == table.name]
    if not ids or not table.unique:
        return set()
    rows = [store.fetch(conn, table, row_id) for row_id in ids]
    return {key for row in rows if row is not None for key in _keys(table, row)}


def _keys(table: Any, row: Any) -> set[tuple]:
    """Each unique key of ``row``, numbered (one set to intersect, whatever the keys)."""
    return {(n, *(row.get(c) for c in unique)) for n, unique in enumerate(table.unique)}


def _bases(
    conn: sqlite3.Connection,
    remote: RemoteMap,
    plan: PullPlan,
    push: Push,
    written: set[tuple[str, str]],
    changed: set[tuple[str, str]],
) -> list[tuple[str, str]]:
    """The rows the pull spoke for, and those deleted there, get their bases right.

    A row the journal and the remote now hold alike is its own base; any
    other keeps what the remote holds: the row pulled (or merged and sent),
    when it was not sent there. A row changed here meanwhile keeps the base
    it had (what it was before this sync) and is returned: the next pull
    reads it again and merges it with that change. So are the rows held back
    (a remote value the journal refuses), which are read again until fixed.
    """
    gone = [(p.table, p.row_id) for p in plan.rows if p.forget]
    gone += [(p.table, p.local_id) for p in plan.rows if p.local_id is not None]
    repo_sync.drop_bases(conn, [*gone, *push.deleted])
    in_sync, parted, waiting = [], [], []
    for item in plan.rows:
        key = (item.table, item.row_id)
        if item.remote is None:
            continue
        if key in changed:  # not written: it keeps the base it had, and is read again
            if item.update and item.local_id is None:
                waiting.append(key)
            continue
        if not (key in written or item.values is None):
            continue  # not in the journal under this id (its day was taken meanwhile)
        table = remote.tables[item.table]
        sent = item.push is not None and key not in push.kept
        if table.reshaped and sent:
            continue  # its base was noted as it was sent
        if (sent or item.push is None) and not table.reshaped:
            if item.update:  # in sync: its own base; an explicit one it had goes
                in_sync.append(key)
            continue  # (a new row has none)
        parted.append((*key, encoding.storage_json(table.table, item.remote)))
    repo_sync.drop_bases(conn, in_sync)
    repo_sync.put_bases(conn, parted)
    repo_sync.keep_sent_bases(conn)
    return sorted({*waiting, *plan.held})  # held back from both sides: read again too


def _conflict_rows(conflicts: Iterable[r.Conflict]) -> list[tuple]:
    at = now_timestamp()

    def shown(value: Any, column: str | None) -> str | None:
        return None if column is None else json.dumps(value, ensure_ascii=False)

    return [
        (
            at,
            c.table,
            c.row_id,
            c.kind,
            c.column,
            shown(c.local, c.column),
            shown(c.remote, c.column),
            c.kept,
            c.detail,
        )
        for c in conflicts
    ]


def _persist_link(conn: sqlite3.Connection, table: str, link: Link) -> None:
    """The profile pushed linked to the user: the journal's row is now the user's too.

    When the profile did not change during the push, the local row gets exactly
    what was pushed (link and updated_at); otherwise it keeps its newer change
    pending, now linked.
    """
    same = conn.execute(
        f"UPDATE {table} SET {LINK_COLUMN} = ?, updated_at = ? WHERE id = ? AND updated_at = ?",
        (link.user_id, link.stamp, link.athlete_id, link.previous),
    ).rowcount
    if not same:
        conn.execute(
            f"UPDATE {table} SET {LINK_COLUMN} = ? WHERE id = ?", (link.user_id, link.athlete_id)
        )


def _remember(
    conn: sqlite3.Connection,
    report: r.SyncReport,
    plan: PullPlan,
    catalogue: dict[str, Any] | None,
    waiting: list[tuple[str, str]],
) -> None:
    summary = {
        "pulled": report.pulled,
        "upserted": report.upserted,
        "deleted": report.deleted,
        "conflicts": len(report.conflicts),
        "kept": report.kept_rows,
    }
    repo_sync.write_state(
        conn,
        {
            repo_sync.STATE_USER: report.user_id,
            repo_sync.STATE_AT: now_timestamp(),
            repo_sync.STATE_TARGET: report.target,
            repo_sync.STATE_SUMMARY: json.dumps(summary),
            repo_sync.STATE_PULLED_AT: plan.clock,
            repo_sync.STATE_BASES_FOR: bases_for(report.target, report.user_id),
            repo_sync.STATE_READ_AGAIN: json.dumps(waiting) if waiting else None,
        },
    )
    if catalogue is not None:
        repo_sync.save_catalogue(conn, report.target, catalogue)


def bases_for(target: str, user_id: str) -> str:
    """Who the bases belong to: one remote, one user."""
    return f"{user_id} {target}"
