"""PostgREST's schema cache: the tables and columns of the exposed schema.

PostgREST reads the catalogue once at start-up and again on a reload
(``NOTIFY pgrst, 'reload schema'``; docs: references/schema_cache.rst). Until
then a new table is unknown (PGRST205) and a new column cannot be written
(PGRST204), while a dropped column still passes the cache and fails in
PostgreSQL (42703). The stand-in keeps the same snapshot: ``load`` at start,
``StandIn.reload_schema()`` when a test changes the schema.

The "Perhaps you meant the table ..." hint of PGRST205 follows PostgREST's
fuzzy search with a minimum score of 0.75; the score here is one minus the
edit distance over the longer name (PostgREST uses a fuzzy set; the hint is
the same for the near misses a test makes).
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from .pg import rest_error


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str  # format_type(), e.g. "numeric(5,2)", "text[]"
    nullable: bool
    default: str | None


@dataclass(frozen=True)
class Table:
    name: str
    columns: dict[str, Column]
    primary_key: tuple[str, ...]
    comment: str | None


_TABLES_SQL = """
SELECT c.relname, obj_description(c.oid, 'pg_class')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relkind IN ('r', 'v', 'm', 'f', 'p')
ORDER BY c.relname
"""

_COLUMNS_SQL = """
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = %s AND c.relkind IN ('r', 'v', 'm', 'f', 'p')
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum
"""

_PRIMARY_KEYS_SQL = """
SELECT c.relname, a.attname
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
WHERE n.nspname = %s AND i.indisprimary
ORDER BY c.relname, array_position(i.indkey::int2[], a.attnum)
"""


class SchemaCache:
    """A snapshot of the tables and columns of one schema."""

    def __init__(self, schema: str, tables: dict[str, Table]) -> None:
        self.schema = schema
        self.tables = tables

    @classmethod
    def load(cls, conn: psycopg.Connection, schema: str = "public") -> SchemaCache:
        comments = dict(conn.execute(_TABLES_SQL, (schema,)).fetchall())
        columns: dict[str, dict[str, Column]] = {name: {} for name in comments}
        for table, name, data_type, nullable, default in conn.execute(_COLUMNS_SQL, (schema,)):
            columns[table][name] = Column(name, data_type, nullable, default)
        keys: dict[str, list[str]] = {}
        for table, name in conn.execute(_PRIMARY_KEYS_SQL, (schema,)):
            keys.setdefault(table, []).append(name)
        tables = {
            name: Table(name, columns[name], tuple(keys.get(name, ())), comments[name])
            for name in comments
        }
        return cls(schema, tables)

    def table(self, name: str) -> Table:
        """The table ``name``, or PostgREST's PGRST205 error."""
        try:
            return self.tables[name]
        except KeyError:
            hint = self._near_table(name)
            raise rest_error(
                404,
                "PGRST205",
                f"Could not find the table '{self.schema}.{name}' in the schema cache",
                hint=f"Perhaps you meant the table '{self.schema}.{hint}'" if hint else None,
            ) from None

    def column_or_error(self, table: Table, name: str) -> Column:
        """A column known to the cache, or PostgREST's PGRST204 error."""
        try:
            return table.columns[name]
        except KeyError:
            raise rest_error(
                400,
                "PGRST204",
                f"Could not find the '{name}' column of '{table.name}' in the schema cache",
            ) from None

    def _near_table(self, name: str) -> str | None:
        best, best_score = None, 0.0
        for candidate in self.tables:
            score = 1 - _distance(name, candidate) / max(len(name), len(candidate), 1)
            if score > best_score:
                best, best_score = candidate, score
        return best if best_score >= 0.75 else None


def _distance(a: str, b: str) -> int:
    """Levenshtein distance."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
