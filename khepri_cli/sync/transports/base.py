"""The one seam between the sync engine and a remote: the :class:`Transport` protocol.

The engine decides everything that is the same whatever the remote is: which
rows changed, in what order they go, how they are batched, how conflicts are
resolved and what is reported. A transport only knows how to talk to one kind
of remote: PostgreSQL over its wire protocol today, Supabase's HTTP API
(PostgREST, through ``khepri_cli.sync.supabase_api``) next. It acts as one Supabase Auth user, under row level
security, the way the app's API does.

Rows cross the seam already encoded, one text per row, in the format the
transport asks for with :meth:`Transport.row_format`; the engine has SQLite
build that text, so a push of 100,000 rows makes no Python object per value:

* ``json``: a JSON object keyed by column name, in the remote's types
  (dates and timestamps as ISO text, arrays and documents as JSON, booleans
  as true/false). A batch of them, joined into one JSON array, is the body
  PostgREST takes for a bulk upsert.
* ``csv``: one line of PostgreSQL's ``COPY ... (FORMAT csv)``, the fastest
  way into PostgreSQL. Each column is encoded by its remote kind: ``raw``
  (numbers, uuids, dates, times, booleans: never quoted), ``text`` (quoted,
  for text and JSON documents) or ``array`` (a quoted ``TEXT[]`` literal).

Every write call is all or nothing: when it fails, nothing of it stays in
the transaction, which stays usable (the engine then retries halves of the
batch to name the rows at fault). Failures are raised as
:class:`RemoteError` with a ``kind`` the engine turns into one line for the
user. A transport masks its own secrets in every message it raises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

# What went wrong, as the engine needs to know it.
UNREACHABLE = "unreachable"  # cannot connect at all
AUTH = "auth"  # connected, but the credentials were refused
LOST = "lost"  # the connection dropped mid-way
TIMEOUT = "timeout"  # a statement was cancelled (statement_timeout), or no answer came in time
REFUSED = "refused"  # row level security refused a row (SQLSTATE 42501)
REJECTED = "rejected"  # a constraint refused a row (SQLSTATE class 23)
SCHEMA = "schema"  # the remote lacks the Khepri tables or columns
RATE_LIMITED = "rate_limited"  # the server kept answering 429 (Too Many Requests)
UNAVAILABLE = "unavailable"  # the server kept failing (HTTP 5xx)
TOO_LARGE = "too_large"  # one row alone is over the server's request-size limit (413)
NOT_SUPABASE = "not_supabase"  # the URL answers, but not as a Supabase API
OTHER = "other"

ROW_KINDS = frozenset({REFUSED, REJECTED})
"""Failures caused by particular rows: the engine narrows the batch down to name them."""


JSON_ROWS = "json"
CSV_ROWS = "csv"
RAW, TEXT, ARRAY = "raw", "text", "array"


@dataclass(frozen=True)
class RowFormat:
    """How a transport wants one table's rows encoded: ``json``, or ``csv`` with column kinds."""

    kind: str = JSON_ROWS
    columns: Mapping[str, str] = field(default_factory=dict)  # csv: column -> RAW/TEXT/ARRAY


class RemoteError(Exception):
    """A remote operation failed; ``message`` is safe to show (secrets masked)."""

    def __init__(self, kind: str, message: str, sqlstate: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.sqlstate = sqlstate


@runtime_checkable
class Transport(Protocol):
    """How the engine reads and writes one remote, as one user, inside one transaction."""

    @property
    def target(self) -> str:
        """Where this transport points, fit to show (password masked)."""
        ...

    def connect(self) -> None:
        """Open the connection; raise :class:`RemoteError` (unreachable, auth) on failure."""
        ...

    def close(self) -> None:
        """Close the connection; never raises."""
        ...

    def begin(self, user_id: str) -> None:
        """Start a transaction acting as Supabase Auth user ``user_id`` under RLS."""
        ...

    def commit(self) -> None:
        """Make everything since :meth:`begin` permanent, or raise and keep nothing."""
        ...

    def rollback(self) -> None:
        """Drop everything since :meth:`begin`; never raises."""
        ...

    def athlete_id_for_user(self, user_id: str) -> str | None:
        """The id of the remote athlete row whose ``auth_user_id`` is ``user_id``, if any."""
        ...

    def checkins_on_days(self, athlete_id: str, days: Sequence[str]) -> dict[str, str]:
        """Remote check-ins of ``athlete_id`` on any of ``days``: ``{day: id}``."""
        ...

    def row_format(self, table: str, columns: Sequence[str]) -> RowFormat:
        """How rows of ``table`` must be encoded for :meth:`upsert`."""
        ...

    def upsert(self, table: str, columns: Sequence[str], rows: Sequence[str]) -> int:
        """Insert or update (keyed by ``id``) these encoded rows, all or none; return how many."""
        ...

    def delete(self, table: str, ids: Sequence[str]) -> int:
        """Delete the rows with these ids that the user can see, all or none; return how many."""
        ...
