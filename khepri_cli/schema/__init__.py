"""The declaration of the journal's schema: tables, columns, kinds and value rules.

Standard library only and cheap to import: the morning check-in reads it on
every run. Everything that needs a fact about a table or column reads it
from here (see docs/development.md, "Adding a table").
"""

from __future__ import annotations

from khepri_cli.schema.model import AUTOMATIC, Column, Row, Table
from khepri_cli.schema.tables import TABLES

TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in TABLES)
"""The table names, in foreign-key order (parents first)."""

_BY_NAME = {t.name: t for t in TABLES}


def table(name: str) -> Table:
    """The declared table called ``name`` (KeyError for any other name)."""
    return _BY_NAME[name]


__all__ = ["AUTOMATIC", "TABLES", "TABLE_NAMES", "Column", "Row", "Table", "table"]
