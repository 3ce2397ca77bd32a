"""The PostgREST part of the stand-in: ``/rest/v1/<table>`` on real PostgreSQL.

Follows PostgREST 13 as Supabase runs it (docs: references/api/tables_views.rst,
preferences.rst; source: src/PostgREST/Response.hs, RangeQuery.hs):

* GET/HEAD read with ``select``, filters, ``order``, ``limit``/``offset``;
  every answer has ``Content-Range`` (``0-9/*``, ``*/0`` ...); ``Prefer:
  count=exact`` adds the total, with 206 when the page is not all of it and 416
  (PGRST103) past the end. Like Supabase's default "max rows" of 1000, no
  answer holds more than ``max_rows`` rows.
* POST inserts one object or an array of objects whose keys all match
  (PGRST102 "All object keys must match"), or the keys named by ``columns=``;
  a key that is not a column of the schema cache is PGRST204. ``Prefer:
  resolution=merge-duplicates`` (or ``ignore-duplicates``) makes it an upsert
  on ``on_conflict=`` or the primary key. 201, or 200 for a merge that inserted
  nothing; ``return=representation`` gives the rows back.
* PATCH updates the filtered rows with one object; DELETE deletes them.
  200 with ``return=representation``, else 204.
* Rows are turned into JSON by PostgreSQL (``json_agg``), as PostgREST does,
  so numerics, dates, timestamps, arrays and JSON arrive exactly as PostgREST
  sends them. ``Preference-Applied`` names the preferences honoured.
* ``GET /rest/v1/`` is the OpenAPI (Swagger 2.0) description of the tables;
  the gateway in standin.py decides which keys may read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from .pg import ApiError, Pool, as_request, pg_error, rest_error
from .rest_query import Query, unsupported
from .schema_cache import SchemaCache, Table
from .wire import Request, Response

EXPOSED_SCHEMAS = ("public", "graphql_public")
_PREFERENCE_ORDER = ("resolution", "missing", "return", "count", "tx", "handling")


@dataclass
class Prefer:
    """The first value of each preference in the ``Prefer`` headers."""

    values: dict[str, str]

    @classmethod
    def parse(cls, header: str | None) -> Prefer:
        values: dict[str, str] = {}
        for item in (header or "").split(","):
            name, _, value = item.strip().partition("=")
            if name and value and name not in values:
                values[name] = value
        return cls(values)

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def applied(self, *names: str) -> dict[str, str]:
        """The ``Preference-Applied`` header for the preferences ``names`` that were given."""
        accepted = {
            "resolution": ("merge-duplicates", "ignore-duplicates"),
            "missing": ("default", "null"),
            "return": ("representation", "minimal", "headers-only"),
            "count": ("exact", "planned", "estimated"),
            "tx": ("commit", "rollback"),
            "handling": ("strict", "lenient"),
        }
        parts = [
            f"{name}={self.values[name]}"
            for name in _PREFERENCE_ORDER
            if name in names and self.values.get(name) in accepted[name]
        ]
        return {"Preference-Applied": ", ".join(parts)} if parts else {}


def content_range(lower: int, upper: int, total: int | None) -> str:
    """PostgREST's ``Content-Range`` value (RangeQuery.contentRangeH)."""
    shown = f"{lower}-{upper}" if total != 0 and lower <= upper else "*"
    return f"{shown}/{'*' if total is None else total}"


class RestApi:
    """Answers PostgREST requests for one database."""

    def __init__(self, pool: Pool, *, max_rows: int | None = 1000, safeupdate: bool = False):
        self.pool = pool
        self.max_rows = max_rows
        self.safeupdate = safeupdate
        self.cache = self.load_schema()

    def load_schema(self) -> SchemaCache:
        with self.pool.connection() as conn:
            return SchemaCache.load(conn)

    def reload_schema(self) -> None:
        self.cache = self.load_schema()

    def handle(self, request: Request, role: str, claims: dict[str, Any]) -> Response:
        name = request.path.removeprefix("/rest/v1").strip("/")
        if "/" in name:
            if name.startswith("rpc/"):
                raise unsupported("functions (/rpc)")
            raise rest_error(404, "PGRST125", "Invalid path specified in request URL")
        profile = request.headers.get(
            "content-profile" if request.method in ("POST", "PATCH", "DELETE") else "accept-profile"
        )
        if profile is not None and profile not in EXPOSED_SCHEMAS:
            raise rest_error(
                406,
                "PGRST106",
                f"Invalid schema: {profile}",
                hint="Only the following schemas are exposed: " + ", ".join(EXPOSED_SCHEMAS),
            )
        if name == "":
            if request.method not in ("GET", "HEAD"):
                raise rest_error(405, "PGRST117", f"Unsupported HTTP method: {request.method}")
            return self.openapi(request)
        cache = self.cache if profile in (None, "public") else SchemaCache(profile, {})
        table = cache.table(name)
        query = Query.parse(request.query)
        prefer = Prefer.parse(", ".join(v for k, v in request.headers.items() if k == "prefer"))
        handler = {
            "GET": self._read,
            "HEAD": self._read,
            "POST": self._insert,
            "PATCH": self._update,
            "DELETE": self._delete,
        }.get(request.method)
        if handler is None:
            raise rest_error(405, "PGRST117", f"Unsupported HTTP method: {request.method}")
        try:
            with as_request(self.pool, role, claims, request.method, request.path) as conn:
                return handler(conn, request, table, query, prefer)
        except psycopg.Error as exc:
            if exc.sqlstate is None:
                raise
            raise pg_error(exc, authenticated=role != "anon") from None

    # -- reads ---------------------------------------------------------------

    def _read(self, conn, request: Request, table: Table, query: Query, prefer: Prefer) -> Response:
        relation = _relation(table)
        where, params = query.where(relation)
        limit = query.limit
        if self.max_rows is not None:
            limit = self.max_rows if limit is None else min(limit, self.max_rows)
        page = sql.SQL(
            "SELECT coalesce(json_agg(_postgrest_t), '[]')::text, count(*) FROM ("
            "SELECT {select} FROM {relation}{where}{order}{limit} OFFSET {offset}) _postgrest_t"
        ).format(
            select=query.select_list(relation),
            relation=relation,
            where=where,
            order=query.order_by(relation),
            limit=sql.SQL("") if limit is None else sql.SQL(" LIMIT {}").format(limit),
            offset=query.offset,
        )
        body, count = conn.execute(page, params).fetchone()
        total = None
        if prefer.get("count") in ("exact", "planned", "estimated"):
            counted = sql.SQL("SELECT count(*) FROM {}{}").format(relation, where)
            total = conn.execute(counted, params).fetchone()[0]
        lower, upper = query.offset, query.offset + count - 1
        status = 200
        if total is not None and lower > total:
            raise ApiError(
                416,
                {
                    "code": "PGRST103",
                    "details": f"An offset of {lower} was requested, but there are only {total} rows.",
                    "hint": None,
                    "message": "Requested range not satisfiable",
                },
                {"Content-Range": content_range(lower, upper, total)},
            )
        if total is not None and count < total:
            status = 206
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Content-Range": content_range(lower, upper, total),
            **prefer.applied("count"),
        }
        return Response(status, b"" if request.method == "HEAD" else body.encode(), headers)

    # -- writes --------------------------------------------------------------

    def _insert(self, conn, request: Request, table: Table, query: Query, prefer: Prefer):
        rows = _json_body(request)
        rows = rows if isinstance(rows, list) else [rows]
        if not all(isinstance(row, dict) for row in rows):
            raise rest_error(400, "PGRST102", "All object keys must match")
        if query.columns is not None:
            columns = query.columns
        else:
            columns = list(rows[0]) if rows else []
            if any(set(row) != set(columns) for row in rows):
                raise rest_error(400, "PGRST102", "All object keys must match")
        for column in columns:
            self.cache.column_or_error(table, column)
        resolution = prefer.get("resolution")
        if not rows:
            inserted = total = 0
            body = "[]"
        else:
            if not columns:
                raise unsupported("inserting objects without keys")
            relation = _relation(table)
            names = sql.SQL(", ").join(map(sql.Identifier, columns))
            conflict = sql.SQL("")
            if resolution in ("merge-duplicates", "ignore-duplicates"):
                target = sql.SQL(", ").join(
                    map(sql.Identifier, query.on_conflict or table.primary_key)
                )
                if resolution == "ignore-duplicates":
                    conflict = sql.SQL(" ON CONFLICT ({}) DO NOTHING").format(target)
                else:
                    updates = sql.SQL(", ").join(
                        sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in columns
                    )
                    conflict = sql.SQL(" ON CONFLICT ({}) DO UPDATE SET {}").format(target, updates)
            mutation = sql.SQL(
                "INSERT INTO {relation} ({names}) SELECT {names}"
                " FROM json_populate_recordset(NULL::{relation}, %s::json) _{conflict}"
                " RETURNING *, (xmax = 0) AS pgrst_standin_inserted"
            ).format(relation=relation, names=names, conflict=conflict)
            body, total, inserted = _run_mutation(conn, mutation, [json.dumps(rows)], query, table)
        status = 201
        if resolution == "merge-duplicates" and inserted == 0:
            status = 200
        headers = {"Content-Range": content_range(1, 0, _count(prefer, total))}
        headers |= prefer.applied(
            *(("resolution",) if table.primary_key or query.on_conflict else ()),
            "missing",
            "return",
            "count",
        )
        return _mutation_response(status, body, headers, prefer)

    def _update(self, conn, request: Request, table: Table, query: Query, prefer: Prefer):
        values = _json_body(request)
        if not isinstance(values, dict):
            raise rest_error(400, "PGRST102", "Empty or invalid json")
        for column in values:
            self.cache.column_or_error(table, column)
        if not query.filters and self.safeupdate:
            raise rest_error(400, "21000", "UPDATE requires a WHERE clause")
        relation = _relation(table)
        where, params = query.where(relation)
        if values:
            assignments = sql.SQL(", ").join(
                sql.SQL("{0} = _.{0}").format(sql.Identifier(c)) for c in values
            )
            mutation = sql.SQL(
                "UPDATE {relation} SET {assignments}"
                " FROM (SELECT * FROM json_populate_record(NULL::{relation}, %s::json)) _"
                "{where} RETURNING {relation}.*, false AS pgrst_standin_inserted"
            ).format(relation=relation, assignments=assignments, where=where)
            body, total, _ = _run_mutation(
                conn, mutation, [json.dumps(values), *params], query, table
            )
        else:
            body, total = "[]", 0
        headers = {"Content-Range": content_range(0, total - 1, _count(prefer, total))}
        headers |= prefer.applied("missing", "return", "count")
        status = 200 if prefer.get("return") == "representation" else 204
        return _mutation_response(status, body, headers, prefer)

    def _delete(self, conn, request: Request, table: Table, query: Query, prefer: Prefer):
        if not query.filters and self.safeupdate:
            raise rest_error(400, "21000", "DELETE requires a WHERE clause")
        relation = _relation(table)
        where, params = query.where(relation)
        mutation = sql.SQL(
            "DELETE FROM {relation}{where} RETURNING {relation}.*, false AS pgrst_standin_inserted"
        ).format(relation=relation, where=where)
        body, total, _ = _run_mutation(conn, mutation, params, query, table)
        headers = {"Content-Range": content_range(1, 0, _count(prefer, total))}
        headers |= prefer.applied("return", "count")
        status = 200 if prefer.get("return") == "representation" else 204
        return _mutation_response(status, body, headers, prefer)

    # -- OpenAPI ---------------------------------------------------------------

    def openapi(self, request: Request) -> Response:
        from .openapi import document

        body = json.dumps(document(self.cache, request.headers.get("host", "localhost")))
        headers = {"Content-Type": "application/openapi+json; charset=utf-8"}
        return Response(200, b"" if request.method == "HEAD" else body.encode(), headers)


def _relation(table: Table) -> sql.Composable:
    return sql.SQL("{}.{}").format(sql.Identifier("public"), sql.Identifier(table.name))


def _json_body(request: Request) -> Any:
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise rest_error(400, "PGRST102", "Empty or invalid json") from None


def _count(prefer: Prefer, total: int) -> int | None:
    return total if prefer.get("count") in ("exact", "planned", "estimated") else None


def _run_mutation(conn, mutation, params: list[Any], query: Query, table: Table):
    """Run ``mutation`` (which RETURNs rows and an inserted flag); body, rows, inserted."""
    source = sql.Identifier("pgrst_source")
    statement = sql.SQL(
        "WITH pgrst_source AS ({mutation}) SELECT"
        " (SELECT coalesce(json_agg(_postgrest_t), '[]')::text"
        " FROM (SELECT {select} FROM pgrst_source) _postgrest_t),"
        " (SELECT count(*) FROM pgrst_source),"
        " (SELECT count(*) FROM pgrst_source WHERE pgrst_standin_inserted)"
    ).format(mutation=mutation, select=query.select_list(source, list(table.columns)))
    return conn.execute(statement, params).fetchone()


def _mutation_response(status: int, body: str, headers: dict[str, str], prefer: Prefer):
    if prefer.get("return") == "representation":
        headers["Content-Type"] = "application/json; charset=utf-8"
        return Response(status, body.encode(), headers)
    return Response(status, b"", headers)
