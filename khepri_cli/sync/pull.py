"""Phase 1 of a sync: read what the remote holds for the user, before anything is decided.

:func:`fetch_profile` and :func:`fetch_rows` ask the remote, through the
transport, for

* the user's profile (the root row whose ``auth_user_id`` is the user);
* the rows of every other table that belong to that profile and changed
  since the last complete pull (``updated_at`` after the watermark, less a
  safety overlap for transactions that committed late), or all of them the
  first time;
* the ids of every such row: compared with the rows the journal knows were
  there (their bases), they tell which rows were deleted remotely, and which
  ones appeared without a recent ``updated_at`` (those are fetched too).

Nothing is written anywhere here; :mod:`khepri_cli.sync.plan` decides what
the rows mean for the journal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from khepri_cli.schema.kinds import format_timestamp, parse_timestamp
from khepri_cli.sync.mapping import LINK_COLUMN, OWNER_COLUMN, RemoteMap, RemoteTable
from khepri_cli.sync.transports.base import Filter, Transport, eq, gt, in_

OVERLAP = timedelta(minutes=5)
"""How far before the watermark a pull looks again: a row written by a transaction that
began before the last pull but committed after it carries an ``updated_at`` from before."""


@dataclass
class Fetched:
    """What the remote holds for the user, as far as this sync needs to know."""

    clock: str
    """The remote's time when the pull began: the next pull's watermark."""
    profile: dict[str, Any] | None = None
    """The user's root row (the remote's columns and values), if the remote has one."""
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Table -> the remote rows fetched: changed since the watermark, or unknown to the journal."""
    ids: dict[str, set[str]] = field(default_factory=dict)
    """Table -> the id of every row of the user's there."""
    known: dict[str, set[str]] = field(default_factory=dict)
    """Table -> the rows the journal knew were there (compared with ``ids``)."""


def fetch_profile(transport: Transport, remote: RemoteMap, user_id: str) -> Fetched:
    """The remote's clock and the user's profile there (the root row whose link is the user)."""
    fetched = Fetched(clock=transport.clock())
    root = remote.root
    if root is not None:
        link = [eq(root.remote(LINK_COLUMN), user_id)]
        profiles = [row for page in _select(transport, root, link) for row in page]
        fetched.profile = profiles[0] if profiles else None
    return fetched


def fetch_rows(
    transport: Transport,
    remote: RemoteMap,
    fetched: Fetched,
    *,
    since: str | None,
    known: Callable[[str], set[str]],
) -> None:
    """The user's rows below the profile: those changed since ``since`` (all of them without
    it), the ids of all, and every row the journal does not know (``known(table)``)."""
    if fetched.profile is None or remote.root is None:
        return
    owner_id = str(fetched.profile[remote.root.remote("id")])
    after = None if since is None else format_timestamp(parse_timestamp(since) - OVERLAP)
    for table in remote.owned:
        mine = [eq(table.remote(OWNER_COLUMN), owner_id)]
        fetched.known[table.name] = known(table.name)
        if after is None or table.stamp is None:
            rows = [row for page in _select(transport, table, mine) for row in page]
            fetched.rows[table.name] = rows
            fetched.ids[table.name] = {str(r[table.remote("id")]) for r in rows}
            continue
        columns = list(table.columns.values())
        rows, listed = transport.changes(table.name, columns, mine[0], gt(table.stamp, after))
        ids = set(listed)
        unseen = ids - fetched.known[table.name] - {str(r[table.remote("id")]) for r in rows}
        if unseen:
            found = _select(transport, table, [*mine, in_(table.remote("id"), sorted(unseen))])
            rows += [row for page in found for row in page]
        fetched.rows[table.name] = rows
        fetched.ids[table.name] = ids


def _select(transport: Transport, table: RemoteTable, filters: list[Filter]):
    return transport.select(table.name, list(table.columns.values()), filters)
