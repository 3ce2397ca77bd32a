"""Which tables and columns the remote has, learnt through the API: ``{table: {column: type}}``.

The same shape the PostgreSQL way reads from ``pg_catalog`` (a table the
remote lacks is not in it), so the code that classifies a remote's schema
works on either. Two ways to learn it:

* **Probing** (any key): for each table, ``GET /rest/v1/<table>?select=<the
  columns wanted>&limit=0``. A missing table answers 404 ``PGRST205``; a
  missing column 400 ``42703`` "column <table>.<column> does not exist": the
  column is dropped from the list and the table probed again, until the
  probe passes. Types are not told this way: each column maps to ``None``.
  Only the columns asked about are learnt (the PostgreSQL way lists all).
* **The OpenAPI root** ``GET /rest/v1/``, which lists every table and
  column with its type. Hosted Supabase has answered it only to secret keys
  since April 2026, so it is asked only with such a key; if it is refused
  anyway, probing takes over.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from khepri_cli.sync.supabase_api.errors import ApiError
from khepri_cli.sync.supabase_api.http import Connection
from khepri_cli.sync.supabase_api.rest import RestApi

Catalogue = dict[str, dict[str, str | None]]
MISSING_TABLE_CODES = frozenset({"PGRST205", "42P01"})
_MISSING_COLUMN = re.compile(r'column (?:"?[\w$]+"?\.)?"?([\w$]+)"? does not exist')


def learn_catalogue(
    rest: RestApi, wanted: Mapping[str, Iterable[str]], *, use_openapi: bool = False
) -> Catalogue:
    """The tables of ``wanted`` the remote has, with those of their columns it has."""
    if use_openapi:
        described = openapi_catalogue(rest.connection)
        if described is not None:
            return {table: described[table] for table in wanted if table in described}
    catalogue: Catalogue = {}
    for table, columns in wanted.items():
        present = probe_columns(rest, table, columns)
        if present is not None:
            catalogue[table] = dict.fromkeys(present)
    return catalogue


def probe_columns(rest: RestApi, table: str, columns: Iterable[str]) -> list[str] | None:
    """Those of ``columns`` that ``table`` has (in the order given); None if there is no table."""
    remaining = list(dict.fromkeys(columns))
    while True:
        try:
            rest.probe(table, remaining or ["*"])
            return remaining
        except ApiError as exc:
            if exc.code in MISSING_TABLE_CODES:
                return None
            if exc.code != "42703":
                raise
            match = _MISSING_COLUMN.search(exc.said or "")
            if match is None or match.group(1) not in remaining:
                return _one_by_one(rest, table, remaining)
            remaining.remove(match.group(1))


def _one_by_one(rest: RestApi, table: str, columns: list[str]) -> list[str]:
    """When the error does not name the column: probe each column alone."""
    present = []
    for column in columns:
        try:
            rest.probe(table, [column])
        except ApiError as exc:
            if exc.code != "42703":
                raise
            continue
        present.append(column)
    return present


def openapi_catalogue(connection: Connection) -> Catalogue | None:
    """Every table and column (type: the ``format`` PostgREST states) from the OpenAPI root.

    None when the key may not read it (hosted Supabase refuses it to
    publishable keys).
    """
    what = "read the API's description"
    try:
        response = connection.send(
            "GET", "/rest/v1/", what=what, headers={"Accept": "application/openapi+json"}
        )
    except ApiError as exc:
        if exc.status in (401, 403):
            return None
        raise
    document = connection.json(response, what=what)
    definitions = document.get("definitions") if isinstance(document, dict) else None
    if not isinstance(definitions, dict):
        return None
    return {
        table: {
            column: (spec.get("format") if isinstance(spec, dict) else None)
            for column, spec in (definition.get("properties") or {}).items()
        }
        for table, definition in definitions.items()
        if isinstance(definition, dict)
    }
