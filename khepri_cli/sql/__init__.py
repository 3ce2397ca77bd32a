"""SQL shipped with Khepri: the Postgres schema of the Supabase backend, as migrations.

The remote schema is a sequence of migrations, each a file in
``khepri_cli/sql/migrations/`` named ``<version>_<name>.sql``, where the
version is a 14-digit UTC timestamp: the name the Supabase CLI expects and the
version it records in ``supabase_migrations.schema_migrations``. Each has a
relative symlink of the same name in the repository's ``supabase/migrations/``,
so ``supabase db push`` and ``khepri supabase schema`` apply the same bytes.
The files ship inside the package, so an installed Khepri prints them without
a checkout.

A migration, once released, never changes (projects have applied it): the
schema moves on by adding the next file and one line to :data:`MIGRATIONS`.
Each line names what its migration creates (``"table"`` or
``"table.column"``), which tells whether a remote already has it even when it
was applied with psql and left no row in ``schema_migrations``.

Pure standard library: nothing here connects anywhere. The services read a
remote with :func:`catalogue_sql` and :data:`RECORDED_VERSIONS_SQL` and hand
the answers to :func:`missing_migrations`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Catalogue = Mapping[str, Mapping[str, str]]
"""What a remote has in schema ``public``: table -> column -> type (``format_type``)."""


@dataclass(frozen=True)
class Migration:
    """One remote migration: ``migrations/<version>_<name>.sql``."""

    version: str
    """14-digit UTC timestamp, e.g. ``20260201000000``: orders the migrations."""
    name: str
    """snake_case, e.g. ``initial_schema``."""
    creates: tuple[str, ...]
    """What it adds, as ``"table"`` or ``"table.column"``: all present iff it was applied."""

    @property
    def filename(self) -> str:
        return f"{self.version}_{self.name}.sql"

    @property
    def label(self) -> str:
        return f"{self.version}_{self.name}"

    def sql(self) -> str:
        """The text of the migration, read from the installed package."""
        from importlib.resources import files

        return files(__name__).joinpath("migrations", self.filename).read_text(encoding="utf-8")

    def found(self, catalogue: Catalogue) -> tuple[list[str], list[str]]:
        """Which of :attr:`creates` the catalogue has, and which it lacks."""
        present, absent = [], []
        for item in self.creates:
            table, _, column = item.partition(".")
            have = table in catalogue and (not column or column in catalogue[table])
            (present if have else absent).append(item)
        return present, absent


# The index: every remote migration, oldest first. Add a line for each new file.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "20260201000000",
        "initial_schema",
        creates=("athletes", "goals", "constraints", "daily_checkins", "training_plans"),
    ),
    Migration("20261129214721", "activities", creates=("activities",)),
)


def schema_tables() -> dict[str, tuple[str, ...]]:
    """The Khepri tables of a remote at the head of :data:`MIGRATIONS`, with their columns.

    They are the journal's own tables and columns (one declaration,
    ``khepri_cli/schema``), in foreign-key order; tests/sync/test_migrations.py
    compares them with the catalogue of a database built from :data:`MIGRATIONS`,
    so the SQL cannot drift from the declaration.
    """
    from khepri_cli.schema import TABLES

    return {table.name: table.column_names for table in TABLES}


def initial_schema() -> str:
    """The text of the first migration, exactly as shipped."""
    return MIGRATIONS[0].sql()


def whole_schema(migrations: Sequence[Migration] | None = None) -> str:
    """Every migration in order (default: all of :data:`MIGRATIONS`), one SQL script.

    With one migration this is its file byte for byte; more are separated by
    a blank line, each ending with a newline.
    """
    texts = [m.sql() for m in (MIGRATIONS if migrations is None else migrations)]
    return "\n".join(text if text.endswith("\n") else text + "\n" for text in texts)


class PartialMigration(Exception):
    """A remote has part of what a migration creates: Khepri cannot tell what to add."""

    def __init__(self, migration: Migration, present: list[str], absent: list[str]):
        self.migration = migration
        self.present = present
        self.absent = absent
        super().__init__(
            f"has part of migration {migration.label} "
            f"(has {', '.join(present)}; lacks {', '.join(absent)})"
        )


def missing_migrations(
    catalogue: Catalogue,
    recorded: Iterable[str] = (),
    migrations: Sequence[Migration] | None = None,
) -> list[Migration]:
    """The migrations a remote still lacks, oldest first.

    A migration counts as applied when ``recorded`` (the versions in the
    remote's ``supabase_migrations.schema_migrations``, if it has that table)
    holds its version, or when the catalogue has everything it creates.
    :class:`PartialMigration` when it has some of that but not all and no
    record says it was applied.
    """
    done = set(recorded)
    lacking = []
    for migration in MIGRATIONS if migrations is None else migrations:
        if migration.version in done:
            continue
        present, absent = migration.found(catalogue)
        if not absent:
            continue
        if present:
            raise PartialMigration(migration, present, absent)
        lacking.append(migration)
    return lacking


# -- reading a remote -------------------------------------------------------------

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def catalogue_sql(tables: Iterable[str]) -> str:
    """SQL answering (table, column, type) for those of ``tables`` in schema ``public``.

    Reads ``pg_catalog``, which shows every table whatever the privileges of
    the role asking (``information_schema`` would hide columns the role may
    not use). A table without columns answers one row with NULL column and type.
    """
    names = sorted(set(tables))
    for name in names:
        if not _IDENTIFIER.match(name):
            raise ValueError(f"not a plain table name: {name!r}")
    listed = ", ".join(f"'{name}'" for name in names)
    return (
        "SELECT c.relname::text, a.attname::text, "
        "pg_catalog.format_type(a.atttypid, a.atttypmod) "
        "FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_catalog.pg_attribute a "
        "ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') "
        f"AND c.relname IN ({listed}) "
        "ORDER BY c.relname, a.attnum"
    )


def catalogue_from_rows(rows: Iterable[Sequence[str | None]]) -> dict[str, dict[str, str]]:
    """The rows of :func:`catalogue_sql` as table -> column -> type, columns in order."""
    catalogue: dict[str, dict[str, str]] = {}
    for table, column, type_name in rows:
        columns = catalogue.setdefault(str(table), {})
        if column is not None:
            columns[str(column)] = str(type_name)
    return catalogue


def probe_tables(migrations: Sequence[Migration] | None = None) -> list[str]:
    """Every table the migrations' probes name."""
    return sorted(
        {
            item.partition(".")[0]
            for m in (MIGRATIONS if migrations is None else migrations)
            for item in m.creates
        }
    )


RECORDED_VERSIONS_SQL = "SELECT version::text FROM supabase_migrations.schema_migrations"
"""The versions the Supabase CLI recorded; fails when the remote has no such table."""
