"""Rows between the journal's storage and a transport's wire: encoding, bases, remote values.

* :func:`row_sql` is the SQLite expression that encodes a stored row as the
  transport asks (:class:`~khepri_cli.sync.transports.base.RowFormat`), under
  the remote's column names: a push of 100,000 rows has SQLite write the
  text and makes no Python object per value.
* :func:`encode_row` does the same from Python values, for the few rows that
  are reshaped on the way (training plans on the live backend) or merged in
  memory.
* :func:`storage_json` writes a row's *base* (its values as the remote holds
  them) as a JSON object of SQLite storage values, as the journal's write
  path keeps one; :func:`base_values` reads one back.
* :func:`journal_value` turns a value as a remote sends it (JSON, numbers
  maybe as ``Decimal``) into what the journal's rules take.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from khepri_cli.schema import Column, Table
from khepri_cli.sync.transports import base

_JSON_KINDS = ("json", "text_array")


def row_sql(
    table: Table,
    columns: Mapping[str, str],
    fmt: base.RowFormat,
    *,
    alias: str = "t",
    overrides: Mapping[str, str] | None = None,
) -> str:
    """SQLite expression encoding a stored row ``alias`` of ``table`` as the transport asks.

    ``columns`` maps each journal column to send to its remote name, in the
    order to send them. ``overrides`` replaces a column's expression (an SQL
    literal, e.g. the user id a profile is linked to). JSON: JSON text
    columns are embedded as JSON and 0/1 become true/false. CSV: see
    :func:`_csv_field`.
    """
    exprs = {name: f"{alias}.{name}" for name in columns} | dict(overrides or {})
    if fmt.kind == base.JSON_ROWS:
        parts = []
        for name, remote in columns.items():
            expr, kind = exprs[name], table.column(name).kind.name
            if kind in _JSON_KINDS:
                expr = f"json({expr})"
            elif kind == "boolean":
                expr = f"json(CASE {expr} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)"
            parts.append(f"'{remote}', {expr}")
        return f"json_object({', '.join(parts)})"
    fields = [
        _csv_field(exprs[name], fmt.columns.get(remote, base.TEXT))
        for name, remote in columns.items()
    ]
    return " || ',' || ".join(fields) + " || char(10)"


def _csv_field(expr: str, kind: str) -> str:
    """One CSV field: NULL is an empty field, any text is quoted (so '' stays '')."""
    if kind == base.RAW:  # numbers, uuids, dates, times, 0/1: nothing to quote
        return f"coalesce({expr}, '')"
    if kind == base.ARRAY:
        expr = _array_literal(expr)
    return f"""coalesce('"' || replace({expr}, '"', '""') || '"', '')"""


def _array_literal(expr: str) -> str:
    """A JSON array of strings as a PostgreSQL array literal.

    A JSON array whose only escapes are ``\\"`` and ``\\\\`` is already the array
    literal once its brackets become braces (both quote elements and escape
    the same two characters; JSON null is NULL in both). Anything else (a
    newline written as ``\\n``, ``\\u00e9``) is rebuilt element by element.
    """
    rebuilt = (
        "(SELECT '{' || coalesce(group_concat(CASE j.type WHEN 'null' THEN 'NULL' ELSE "
        """'"' || replace(replace(j.value, '\\', '\\\\'), '"', '\\"') || '"' END, ','), '') """
        f"|| '}}' FROM json_each({expr}) AS j)"
    )
    return (
        f"CASE WHEN {expr} IS NULL THEN NULL "
        f"""WHEN {expr} GLOB '*\\[^"\\]*' THEN {rebuilt} """
        f"ELSE '{{' || substr({expr}, 2, length({expr}) - 2) || '}}' END"
    )


def encode_row(values: Mapping[str, Any], fmt: base.RowFormat) -> str:
    """One row of canonical values keyed by remote column, encoded as :func:`row_sql` would."""
    if fmt.kind == base.JSON_ROWS:
        plain = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
        return json.dumps(plain, ensure_ascii=False, separators=(",", ":"))
    fields = [_csv_value(v, fmt.columns.get(k, base.TEXT)) for k, v in values.items()]
    return ",".join(fields) + "\n"


def _csv_value(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "t" if value else "f"
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, float):
        text = repr(value)
    elif kind == base.ARRAY:
        items = ("NULL" if v is None else '"' + _escape_element(v) + '"' for v in value)
        text = "{" + ",".join(items) + "}"
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)  # as the journal stores it
    else:
        text = str(value)
    if kind == base.RAW:
        return text
    return '"' + text.replace('"', '""') + '"'


def _escape_element(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


# -- bases ------------------------------------------------------------------------


def storage_json(table: Table, row: Mapping[str, Any]) -> str:
    """A row's base from canonical values, as the journal's write path keeps one
    (:func:`khepri_cli.db.repo_sync.capture_bases`): SQLite storage values, the id aside."""
    stored = {c.name: c.kind.to_sqlite(row.get(c.name)) for c in table.columns if c.name != "id"}
    return json.dumps(stored, ensure_ascii=False, separators=(",", ":"))


def base_values(table: Table, text: str) -> dict[str, Any]:
    """A base written by :func:`base_sql` or :func:`storage_json`, as canonical values."""
    stored = json.loads(text)
    return {
        name: table.column(name).kind.from_sqlite(value)
        for name, value in stored.items()
        if table.has(name)
    }


# -- values from a remote -----------------------------------------------------------


def journal_value(column: Column, value: Any) -> Any:
    """A value as a remote sends it, in the plain form the journal's rules check.

    Numbers may arrive as ``Decimal`` (the Supabase API keeps them exact):
    the journal holds decimals as floats, rounded to their scale by the rule
    of their column; inside JSON documents they become floats too.
    """
    if isinstance(value, Decimal):
        return float(value)
    if column.kind.name in _JSON_KINDS and isinstance(value, dict | list):
        return _plain(value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
