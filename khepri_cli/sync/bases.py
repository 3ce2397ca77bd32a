"""What the journal knows the remote held after the last sync: the rows there, and their bases.

How much it knows depends on the *mode* of a sync with this remote:

* ``normal``: the bases recorded by the last sync with this remote and user;
* ``legacy``: a journal that pushed to this remote before bases were kept
  (Khepri 0.x): every row with nothing pending is what the remote got, so
  it is its own base; the first sync records them;
* ``full``: nothing (a journal that never met this remote, or whose user's
  profile there was made again): every row on both sides merges against an
  empty base, nothing counts as deleted on either side, and every journal row
  is sent.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from khepri_cli.db import repo_sync
from khepri_cli.schema import Table
from khepri_cli.sync.encoding import base_values

NORMAL, LEGACY, FULL = "normal", "legacy", "full"


def known_ids(conn: sqlite3.Connection, table: str, mode: str) -> set[str]:
    """The rows of ``table`` the journal knows the remote had after the last sync."""
    if mode == FULL:
        return set()
    known = repo_sync.base_ids(conn, table)
    if mode == LEGACY:
        known |= {
            row[0]
            for row in conn.execute(
                f"SELECT id FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM {repo_sync.PENDING} p "
                "WHERE p.table_name = ? AND p.row_id = t.id)",
                (table,),
            )
        }
    return known


def read_bases(
    conn: sqlite3.Connection,
    table: Table,
    mode: str,
    ids: Sequence[str],
    rows: Mapping[str, Mapping[str, Any]],
    pending: Mapping[str, str],
) -> dict[str, dict[str, Any]]:
    """The base (canonical values) of each of ``ids`` that has one.

    ``rows`` are the journal's rows among them, ``pending`` their pending
    operations (legacy mode takes a row with nothing pending as its own base).
    """
    if mode == FULL or not ids:
        return {}
    stored = repo_sync.bases_of(conn, table.name, ids)
    bases = {row_id: base_values(table, text) for row_id, text in stored.items()}
    if mode == LEGACY:
        for row_id, row in rows.items():
            if row_id not in bases and row_id not in pending:
                bases[row_id] = dict(row)
    return bases


def mode_for(
    state: Mapping[str, str], owner: str, target: str, user_id: str, linked: str | None
) -> str:
    """How much the journal knows of the remote ``target`` for ``user_id``, from its state.

    ``owner`` names the remote and user bases are recorded for; ``linked`` is
    the journal profile's ``auth_user_id``.
    """
    if state.get(repo_sync.STATE_BASES_FOR) == owner:
        return NORMAL
    pushed_before = (
        repo_sync.STATE_BASES_FOR not in state
        and state.get(repo_sync.STATE_TARGET) == target
        and state.get(repo_sync.STATE_USER) == user_id
        and linked == user_id
    )
    return LEGACY if pushed_before else FULL
