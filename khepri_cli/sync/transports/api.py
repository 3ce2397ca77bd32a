"""The sync engine's transport over the Supabase API: PostgREST, as the logged-in user.

Every table request carries the user's access token (refreshed as needed by
:mod:`khepri_cli.sync.supabase_api`), so PostgREST runs it as that user
under Row Level Security, as it runs the Khepri app's. The engine's reads
become ``GET`` with PostgREST filters, its upserts ``POST`` with
``on_conflict=id`` and ``Prefer: resolution=merge-duplicates``, its deletes
``DELETE ... id=in.(...)``, each batch split under the request-size limits.

PostgREST has no transaction across requests: each request is one
transaction on the server, so this transport is not *transactional*
(``begin``/``commit``/``rollback`` do nothing, and a failure part-way leaves
the earlier writes there; the engine keeps the journal's pending changes
until the end, so a rerun finds them and converges).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from khepri_cli.schema import TABLE_NAMES
from khepri_cli.sync.transports import base
from khepri_cli.sync.transports.base import Filter, RemoteError

if TYPE_CHECKING:
    from khepri_cli.sync.supabase_api.client import Api


class ApiTransport:
    """One project's tables through its API, as the user the :class:`Api` acts for."""

    transactional = False

    def __init__(self, api: Api):
        self._api = api

    @property
    def target(self) -> str:
        return self._api.project.url

    @property
    def user_id(self) -> str:
        """The user every request acts as: the logged-in one, or ``--user-id`` with a secret key."""
        return self._api.user_id

    def connect(self) -> None:
        """Nothing to open: the first request connects (and says so when it cannot)."""

    def close(self) -> None:
        self._api.close()

    def begin(self, user_id: str) -> None:
        if user_id != self._api.user_id:
            raise RemoteError(
                base.AUTH,
                f"the API acts as user {self._api.user_id}, not {user_id}; "
                "log in as that user ('khepri login')",
            )

    def commit(self) -> None:
        """Each request was committed by the server as it went."""

    def rollback(self) -> None:
        """What was sent stays: PostgREST commits every request on its own."""

    # -- reads ---------------------------------------------------------------------

    def catalogue(self, wanted: Mapping[str, Sequence[str]]) -> base.Catalogue:
        return self._api.catalogue(wanted)

    def clock(self) -> str:
        """The server's time, from the ``Date`` of an answer (whole seconds, never ahead)."""
        response = self._api.rest.request(
            "GET",
            TABLE_NAMES[0],
            what="read the server's clock",
            params=[("select", "id"), ("limit", "0")],
        )
        stamp = _http_date(response.headers.get("Date"))
        return (stamp or datetime.now(UTC)).isoformat()

    def select(
        self, table: str, columns: Sequence[str], filters: Sequence[Filter]
    ) -> Iterator[list[dict[str, Any]]]:
        plain = [_param(f) for f in filters if f.op != base.IN]
        lists = [f for f in filters if f.op == base.IN]
        if not lists:
            yield from self._api.rest.select(table, columns, plain)
            return
        first, *more = lists  # one list is split to fit URLs; any other goes whole
        plain += [_param(f) for f in more]
        yield from self._api.rest.select_in(table, columns, first.column, first.value, plain)

    def changes(
        self, table: str, columns: Sequence[str], owner: Filter, changed: Filter
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """Two reads (PostgREST cannot answer both in one): the changed rows, then every id."""
        rows = [row for page in self.select(table, columns, [owner, changed]) for row in page]
        ids = [str(row["id"]) for page in self.select(table, ["id"], [owner]) for row in page]
        return rows, ids

    # -- writes --------------------------------------------------------------------

    def row_format(self, table: str, columns: Sequence[str]) -> base.RowFormat:
        return base.RowFormat(base.JSON_ROWS)

    def upsert(self, table: str, columns: Sequence[str], rows: Sequence[str]) -> int:
        return self._api.rest.upsert(table, columns, rows)

    def delete(self, table: str, ids: Sequence[str]) -> int:
        return self._api.rest.delete(table, ids)


def _param(condition: Filter) -> tuple[str, str]:
    column, op, value = condition
    if op not in (base.EQ, base.GT):
        raise ValueError(f"no such filter: {op}")
    return column, f"{op}.{value}"


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        stamp = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)
