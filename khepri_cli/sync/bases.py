"""What the journal knows the remote held after the last sync: which rows, and their bases.

A row's *base* is what the remote held of it after the last sync that saw
it. Most rows need no copy of it: a row with nothing pending is, by
construction, what the remote holds (every sync ends with the rows it
pushed or pulled in sync), so it is its own base. The journal keeps an
explicit base only where the row and the remote part ways: the first time
a row in sync changes here (the one write path keeps what it was,
:func:`khepri_cli.db.repo_sync.capture_bases`), a row the sync could not
bring in line, and plans on the live backend (which read back other than
they were sent). A push of 100,000 rows therefore writes no base at all.

How much the journal knows depends on the *mode* of a sync with a remote:

* ``normal``: the bases above, recorded with this remote and user (also a
  journal that pushed to this remote before bases were kept);
* ``full``: nothing: a journal that never met this remote, or whose user's
  profile there was made again. Every row on both sides merges against an
  empty base, nothing counts as deleted on either side, every row is sent.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from khepri_cli.db import repo_sync
from khepri_cli.schema import Table
from khepri_cli.sync.encoding import base_values

NORMAL, FULL = "normal", "full"


def mode_for(
    state: Mapping[str, str], owner: str, target: str, user_id: str, linked: str | None
) -> tuple[str, bool]:
    """(mode, whether the last pull's watermark holds) for the remote ``target`` and ``user_id``.

    ``owner`` names the remote and user the bases were recorded with;
    ``linked`` is the journal profile's ``auth_user_id``.
    """
    if state.get(repo_sync.STATE_BASES_FOR) == owner:
        return NORMAL, True
    pushed_before = (  # by a Khepri that only pushed: its rows in sync are what it pushed
        repo_sync.STATE_BASES_FOR not in state
        and state.get(repo_sync.STATE_TARGET) == target
        and state.get(repo_sync.STATE_USER) == user_id
        and linked == user_id
    )
    return (NORMAL, False) if pushed_before else (FULL, False)


def read_again(state: Mapping[str, str]) -> dict[str, set[str]]:
    """Rows the last sync could not merge here (changed here meanwhile), by table: the pull
    counts them as unknown, so it reads them again."""
    found: dict[str, set[str]] = {}
    for table, row_id in json.loads(state.get(repo_sync.STATE_READ_AGAIN) or "[]"):
        found.setdefault(table, set()).add(row_id)
    return found


def known_ids(conn: sqlite3.Connection, table: str, mode: str) -> set[str]:
    """The rows of ``table`` the journal knows the remote had after the last sync."""
    return set() if mode == FULL else repo_sync.known_ids(conn, table)


def read_bases(
    conn: sqlite3.Connection,
    table: Table,
    mode: str,
    rows: Mapping[str, Mapping[str, Any]],
    pending: Mapping[str, str],
    ids: Sequence[str] = (),
) -> dict[str, dict[str, Any]]:
    """The base (canonical values) of each row of ``rows`` and of ``ids`` that has one.

    ``rows`` are journal rows (canonical values) by id, ``pending`` their
    pending operations: a row with none is its own base.
    """
    wanted = [*rows, *(i for i in ids if i not in rows)]
    if mode == FULL or not wanted:
        return {}
    stored = repo_sync.bases_of(conn, table.name, wanted)
    bases = {row_id: base_values(table, text) for row_id, text in stored.items()}
    for row_id, row in rows.items():
        if row_id not in bases and row_id not in pending:
            bases[row_id] = dict(row)
    return bases
