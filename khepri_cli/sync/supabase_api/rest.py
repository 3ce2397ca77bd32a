"""PostgREST, the tables of the Supabase API, as one user: read, upsert, delete.

* :meth:`RestApi.select` reads with ``select=``, filters (:func:`eq`,
  :func:`gt`, :func:`in_`), ``order=id`` and ``limit``, page after page. Pages
  follow the id (``id=gt.<last id>``) rather than ``offset``, so rows written
  meanwhile never shift a page. However many rows are asked for, a project
  answers at most its "max rows" (1,000 by default): the first page asks for a
  count, and a page shorter than asked while more rows match teaches the
  client the project's limit.
* :meth:`RestApi.upsert` posts rows (JSON objects, already encoded, as the
  sync engine's ``json`` row format gives them) with ``on_conflict=id``,
  ``columns=`` (only the columns given are written: an update leaves the
  others alone) and ``Prefer: resolution=merge-duplicates``. Bodies stay
  under :data:`MAX_BODY_BYTES`; a 413 splits the batch in halves and lowers
  the limit for the rest of the run.
* :meth:`RestApi.delete` deletes ``id=in.(...)``; id lists stay under
  :data:`MAX_URL_BYTES` of URL (414 splits them too).

Each request is one transaction on the server; a call that takes several
requests is not one. A token the server refuses is renewed once (see
:mod:`.access`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from urllib.parse import quote

import httpx

from khepri_cli.sync.supabase_api.access import Credentials
from khepri_cli.sync.supabase_api.errors import ApiError
from khepri_cli.sync.supabase_api.http import Connection, Params
from khepri_cli.sync.transports import base

PAGE_ROWS = 1000
MAX_BODY_BYTES = 1_000_000
"""Target size of one upsert body; Supabase's gateway accepts more, proxies on the way may not."""
MAX_URL_BYTES = 6_000
"""Target length of the query string of one request; many proxies stop at 8 KiB."""
_TABLE = re.compile(r"^[a-z_][a-z0-9_]*$")
_RESERVED = re.compile(r'[,()":\\\s]')


def eq(column: str, value: str) -> tuple[str, str]:
    return column, f"eq.{value}"


def gt(column: str, value: str) -> tuple[str, str]:
    return column, f"gt.{value}"


def in_(column: str, values: Sequence[str]) -> tuple[str, str]:
    """``column=in.(a,b,...)``; values with PostgREST's reserved characters are quoted."""
    return column, f"in.({','.join(_listed(v) for v in values)})"


def _listed(value: str) -> str:
    if _RESERVED.search(value) is None:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class RestApi:
    """The tables of one project, as the user of ``credentials``."""

    def __init__(
        self,
        connection: Connection,
        credentials: Credentials,
        *,
        page_rows: int = PAGE_ROWS,
        max_body_bytes: int = MAX_BODY_BYTES,
        max_url_bytes: int = MAX_URL_BYTES,
    ):
        self.connection = connection
        self.credentials = credentials
        self.page_rows = page_rows
        self.max_body_bytes = max_body_bytes
        self.max_url_bytes = max_url_bytes

    # -- reads ---------------------------------------------------------------------

    def select(
        self, table: str, columns: Sequence[str], filters: Params = ()
    ) -> Iterator[list[dict]]:
        """Pages of the rows of ``table`` matching every filter, in id order."""
        wanted = list(dict.fromkeys(["id", *columns]))
        limit, last, total, seen = self.page_rows, None, None, 0
        what = f"read {table}"
        while True:
            params = [("select", ",".join(wanted)), *filters]
            if last is not None:
                params.append(("id", f"gt.{last}"))
            params += [("order", "id.asc"), ("limit", str(limit))]
            headers = {"Prefer": "count=exact"} if last is None else None
            response = self.request("GET", table, what=what, params=params, headers=headers)
            page = self.connection.json(response, what=what)
            if last is None:
                total = _total(response)
                if total is not None and 0 < len(page) < min(limit, total):
                    limit = len(page)  # the project's "max rows" is lower than asked
            if not page:
                return
            seen += len(page)
            yield page
            if total is not None and (seen >= total or len(page) < limit):
                return  # without a count, only an empty page says it was the last
            last = page[-1]["id"]

    def select_in(
        self,
        table: str,
        columns: Sequence[str],
        column: str,
        values: Sequence[str],
        filters: Params = (),
    ) -> Iterator[list[dict]]:
        """Pages of the rows whose ``column`` is one of ``values`` (lists split by URL size)."""
        for chunk in self._url_chunks(values):
            yield from self.select(table, columns, [*filters, in_(column, chunk)])

    def probe(self, table: str, columns: Sequence[str]) -> None:
        """``select=<columns>&limit=0``: fails (SCHEMA) if the table or a column is missing."""
        params = [("select", ",".join(columns)), ("limit", "0")]
        self.request("GET", table, what=f"read the columns of {table}", params=params)

    # -- writes --------------------------------------------------------------------

    def upsert(self, table: str, columns: Sequence[str], rows: Sequence[str]) -> int:
        """Insert or update (by id) these encoded rows, writing only ``columns``; how many."""
        done, chunk, size = 0, [], 2
        for row in rows:
            length = len(row.encode()) + 1
            if chunk and size + length > self.max_body_bytes:
                done += self._upsert_chunk(table, columns, chunk)
                chunk, size = [], 2
            chunk.append(row)
            size += length
        if chunk:
            done += self._upsert_chunk(table, columns, chunk)
        return done

    def _upsert_chunk(self, table: str, columns: Sequence[str], rows: list[str]) -> int:
        body = ("[" + ",".join(rows) + "]").encode()
        params = [("on_conflict", "id"), ("columns", ",".join(columns))]
        prefer = {"Prefer": "resolution=merge-duplicates,return=minimal,count=exact"}
        try:
            response = self.request(
                "POST", table, what=f"write {table}", params=params, body=body, headers=prefer
            )
        except ApiError as exc:
            if exc.kind != base.TOO_LARGE:
                raise
            if len(rows) == 1:
                row_id = json.loads(rows[0]).get("id")
                raise ApiError(
                    base.TOO_LARGE,
                    f"{table} row {row_id} alone ({len(body):,} bytes) is larger than "
                    f"{self.connection.project.url} accepts in one request",
                    status=exc.status,
                ) from None
            self.max_body_bytes = min(self.max_body_bytes, len(body) // 2)
            middle = len(rows) // 2
            return self.upsert(table, columns, rows[:middle]) + self.upsert(
                table, columns, rows[middle:]
            )
        counted = _total(response)
        return len(rows) if counted is None else counted

    def delete(self, table: str, ids: Sequence[str]) -> int:
        """Delete the rows with these ids that the user may delete; how many went."""
        return sum(self._delete_chunk(table, chunk) for chunk in self._url_chunks(ids))

    def _delete_chunk(self, table: str, ids: Sequence[str]) -> int:
        prefer = {"Prefer": "return=minimal,count=exact"}
        try:
            response = self.request(
                "DELETE",
                table,
                what=f"delete from {table}",
                params=[in_("id", ids)],
                headers=prefer,
            )
        except ApiError as exc:
            if exc.kind != base.TOO_LARGE or len(ids) == 1:
                raise
            self.max_url_bytes = min(self.max_url_bytes, _url_bytes(ids) // 2)
            return self.delete(table, ids[: len(ids) // 2]) + self.delete(
                table, ids[len(ids) // 2 :]
            )
        counted = _total(response)
        return len(ids) if counted is None else counted

    def _url_chunks(self, values: Sequence[str]) -> Iterator[list[str]]:
        chunk: list[str] = []
        size = 0
        for value in values:
            length = len(quote(_listed(value), safe="")) + 3  # and an encoded comma
            if chunk and size + length > self.max_url_bytes:
                yield chunk
                chunk, size = [], 0
            chunk.append(value)
            size += length
        if chunk:
            yield chunk

    # -- one request, as the user ------------------------------------------------------

    def request(
        self,
        method: str,
        table: str,
        *,
        what: str,
        params: Params = (),
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """One table request with the user's token; a refused token is renewed once."""
        if not _TABLE.match(table):
            raise ValueError(f"not a table name: {table!r}")
        path = f"/rest/v1/{table}"
        token = self.credentials.token()
        renewed = False
        while True:
            try:
                return self.connection.send(
                    method,
                    path,
                    what=what,
                    params=params,
                    body=body,
                    token=token,
                    headers=headers,
                    table=table,
                )
            except ApiError as exc:
                if renewed or not exc.token_refused:
                    raise
                token, renewed = self.credentials.renew(token), True
                if token is None:
                    raise


def _url_bytes(values: Sequence[str]) -> int:
    return sum(len(quote(_listed(v), safe="")) + 3 for v in values)


def _total(response: httpx.Response) -> int | None:
    """The count after the slash of ``Content-Range`` (``0-99/1234``, ``*/5``), if given."""
    _, _, total = response.headers.get("Content-Range", "").partition("/")
    return int(total) if total.isdigit() else None
