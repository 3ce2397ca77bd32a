"""A minimal copy of PostgREST's OpenAPI root (``GET /rest/v1/``).

PostgREST answers the root with a Swagger 2.0 document (docs:
references/api/openapi.rst; src/PostgREST/Response/OpenAPI.hs): a path per
table with its verbs, and under ``definitions`` each table's columns as
``properties`` with ``format`` (the PostgreSQL type) and ``type`` (the JSON
type), ``required`` for NOT NULL columns without a default, and a
description marking the primary key. The stand-in builds the same parts from
its schema cache; it leaves out what a client has no use for (parameters,
responses, RPC).
"""

from __future__ import annotations

import re
from typing import Any

from .schema_cache import Column, SchemaCache

_JSON_TYPES = {
    "integer": "integer",
    "bigint": "integer",
    "smallint": "integer",
    "numeric": "number",
    "real": "number",
    "double precision": "number",
    "boolean": "boolean",
    "json": None,
    "jsonb": None,
}


def _property(column: Column, primary_key: tuple[str, ...]) -> dict[str, Any]:
    base = re.sub(r"\(.*\)", "", column.data_type)
    prop: dict[str, Any] = {"format": base}
    if base.endswith("[]"):
        element = _JSON_TYPES.get(base[:-2], "string") or "string"
        prop |= {"type": "array", "items": {"type": element}}
    elif base in _JSON_TYPES:
        if _JSON_TYPES[base]:
            prop["type"] = _JSON_TYPES[base]
    else:
        prop["type"] = "string"
    if column.default is not None:
        prop["default"] = column.default
    if column.name in primary_key:
        prop["description"] = "Note:\nThis is a Primary Key.<pk/>"
    return prop


def document(cache: SchemaCache, host: str) -> dict[str, Any]:
    definitions = {}
    paths: dict[str, Any] = {"/": {"get": {"produces": ["application/openapi+json"]}}}
    for name, table in cache.tables.items():
        definitions[name] = {
            "description": table.comment,
            "required": [
                c.name for c in table.columns.values() if not c.nullable and c.default is None
            ],
            "properties": {c.name: _property(c, table.primary_key) for c in table.columns.values()},
            "type": "object",
        }
        verbs = ("get", "post", "delete", "patch")
        paths[f"/{name}"] = {verb: {"tags": [name]} for verb in verbs}
    return {
        "swagger": "2.0",
        "info": {"title": "standard public schema", "version": "13.0.0 (stand-in)"},
        "host": host,
        "basePath": "/",
        "schemes": ["http"],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "paths": paths,
        "definitions": definitions,
    }
