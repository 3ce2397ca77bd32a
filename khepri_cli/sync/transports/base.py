"""The one seam between the sync engine and a remote: the :class:`Transport` protocol.

The engine decides everything that is the same whatever the remote is: what
changed on either side, how rows merge, in what order they go, how they are
batched, what is kept back and what is reported. A transport only knows how
to talk to one kind of remote: PostgreSQL over its wire protocol
(:mod:`.postgres`), or Supabase's HTTP API (PostgREST, through
``khepri_cli.sync.supabase_api``). It acts as one Supabase Auth user, under
row level security, the way the app's API does.

What a transport must provide (docs/sync.md, "Writing a transport"):

* **Reads** speak the remote's own column names and JSON values, as
  PostgREST answers them: text, numbers (``int``, ``float`` or ``Decimal``),
  booleans, ``null``, dates and times and timestamps as ISO 8601 text (a
  timestamp with its offset), arrays as lists and JSON documents as
  dicts/lists. :meth:`Transport.select` filters with the few
  :class:`Filter` operators PostgREST has (``eq``, ``gt``, ``in``); an ``in``
  filter may hold thousands of ids, which the transport splits as its wire
  needs.
* **Writes** take rows already encoded, one text per row, in the format the
  transport asks for with :meth:`Transport.row_format`; the engine has SQLite
  build that text, so a push of 100,000 rows makes no Python object per value:

  * ``json``: a JSON object keyed by the remote's column names (dates and
    timestamps as ISO text, arrays and documents as JSON, booleans as
    true/false). A batch of them, joined into one JSON array, is the body
    PostgREST takes for a bulk upsert.
  * ``csv``: one line of PostgreSQL's ``COPY ... (FORMAT csv)``, the fastest
    way into PostgreSQL. Each column is encoded by its remote kind: ``raw``
    (numbers, uuids, dates, times, booleans: never quoted), ``text``
    (quoted, for text and JSON documents) or ``array`` (a quoted ``TEXT[]``
    literal).

  Every write call is all or nothing on its own: when it fails, nothing of
  it stays, and the connection stays usable (the engine then retries halves
  of the batch to name the rows at fault). An upsert writes only the
  columns it is given: the remote's own columns are left alone.
* **Transactions**: a *transactional* transport (PostgreSQL) runs
  everything between :meth:`Transport.begin` and :meth:`Transport.commit`
  as one remote transaction, all or nothing. A transport that is not (the
  HTTP API: PostgREST has no transaction across requests) commits each write
  call on its own; ``begin``/``commit``/``rollback`` then do nothing, and a
  failure part-way leaves the earlier writes applied. The engine keeps the
  journal's pending changes and bases as they were until the end, so a
  rerun pulls back what did arrive, finds it equal, and sends the rest.
* **Failures** are raised as :class:`RemoteError` with a ``kind`` the engine
  acts on; a transport masks its own secrets in every message it raises.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, runtime_checkable

# What went wrong, as the engine needs to know it.
UNREACHABLE = "unreachable"  # cannot connect at all
AUTH = "auth"  # connected, but the credentials were refused
LOST = "lost"  # the connection dropped mid-way
TIMEOUT = "timeout"  # a statement was cancelled (statement_timeout), or no answer came in time
REFUSED = "refused"  # row level security refused a row (SQLSTATE 42501)
REJECTED = "rejected"  # a constraint refused a row (SQLSTATE class 23)
SCHEMA = "schema"  # the remote lacks the Khepri tables or columns
CHANGED = "changed"  # rows the sync read were changed by someone else before it wrote them
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

Catalogue = dict[str, dict[str, str | None]]
"""What a remote has: table -> column -> type (None where the transport cannot tell)."""


@dataclass(frozen=True)
class RowFormat:
    """How a transport wants one table's rows encoded: ``json``, or ``csv`` with column kinds."""

    kind: str = JSON_ROWS
    columns: Mapping[str, str] = field(default_factory=dict)  # csv: column -> RAW/TEXT/ARRAY


EQ, GT, IN = "eq", "gt", "in"


class Filter(NamedTuple):
    """One condition of a read, as PostgREST spells them: ``column=eq.value`` and so on."""

    column: str
    op: str  # EQ, GT or IN
    value: str | tuple[str, ...]


def eq(column: str, value: str) -> Filter:
    return Filter(column, EQ, value)


def gt(column: str, value: str) -> Filter:
    return Filter(column, GT, value)


def in_(column: str, values: Sequence[str]) -> Filter:
    return Filter(column, IN, tuple(values))


class RemoteError(Exception):
    """A remote operation failed; ``message`` is safe to show (secrets masked)."""

    def __init__(self, kind: str, message: str, sqlstate: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.sqlstate = sqlstate


@runtime_checkable
class Transport(Protocol):
    """How the engine reads and writes one remote, as one user."""

    @property
    def target(self) -> str:
        """Where this transport points, fit to show (password masked); it names the remote."""
        ...

    @property
    def transactional(self) -> bool:
        """True when everything from :meth:`begin` to :meth:`commit` is all or nothing."""
        ...

    def connect(self) -> None:
        """Open the connection; raise :class:`RemoteError` (unreachable, auth) on failure."""
        ...

    def close(self) -> None:
        """Close the connection; never raises."""
        ...

    def begin(self, user_id: str) -> None:
        """Start acting as Supabase Auth user ``user_id`` under RLS (a transaction, if any)."""
        ...

    def commit(self) -> None:
        """Make everything since :meth:`begin` permanent, or raise and keep nothing."""
        ...

    def rollback(self) -> None:
        """Drop everything since :meth:`begin` that is not yet permanent; never raises."""
        ...

    def catalogue(self, wanted: Mapping[str, Sequence[str]]) -> Catalogue:
        """Which of ``wanted``'s tables the remote has, with (at least) those of their columns."""
        ...

    def clock(self) -> str:
        """The remote's time now (ISO 8601 with its offset): where the next pull starts."""
        ...

    def select(
        self, table: str, columns: Sequence[str], filters: Sequence[Filter]
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of the rows of ``table`` matching every filter: ``columns`` of each."""
        ...

    def changes(
        self, table: str, columns: Sequence[str], owner: Filter, changed: Filter
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """The rows of ``table`` matching ``owner`` and ``changed`` (``columns`` of each), and
        the ids of every row matching ``owner``: what a pull compares with what it knew.

        Two reads of the same rows; a transport that can do both in one (one
        scan of the table, one round trip) should.
        """
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
