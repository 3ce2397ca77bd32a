"""The Supabase side of Khepri: the Postgres schema that ships with the package.

``schema_text`` is every remote migration in order; ``missing`` connects to a
remote and finds the migrations it still lacks. Nothing here prints: the CLI
shows what these return.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from khepri_cli import sql
from khepri_cli.errors import KhepriError, UsageProblem
from khepri_cli.sql import Migration

if TYPE_CHECKING:
    from khepri_cli.sync.settings import Target

CONNECT_TIMEOUT_SECONDS = 10
INSTALL_HINT = (
    "reading the database needs psycopg, which is not installed: pip install 'khepri-cli[sync]'"
)


def schema_text() -> str:
    """The whole Postgres schema: every migration in the installed package, in order."""
    return sql.whole_schema()


@dataclass(frozen=True)
class RemoteMigrations:
    """What a remote has of Khepri's migrations."""

    target: str  # the URL with its password masked
    missing: list[Migration] = field(default_factory=list)  # oldest first
    total: int = 0  # how many migrations Khepri has

    @property
    def up_to_date(self) -> bool:
        return not self.missing

    @property
    def script(self) -> str:
        """The SQL of the missing migrations, in order ('' when up to date)."""
        return sql.whole_schema(self.missing) if self.missing else ""


def missing(db_url: str | None) -> RemoteMigrations:
    """Connect to ``--db-url`` (or SUPABASE_DB_URL) and find the migrations it lacks."""
    from khepri_cli.sync.settings import ENV_NAME, URL_EXAMPLE, resolve_target

    try:
        target = resolve_target(db_url)
    except UsageProblem:
        raise UsageProblem(
            f"--missing: which database? pass --db-url or set {ENV_NAME} "
            f"(in the environment or in a .env file here), e.g. {URL_EXAMPLE}"
        ) from None
    migrations = sql.MIGRATIONS
    catalogue, recorded = _read_remote(target, sql.catalogue_sql(sql.probe_tables(migrations)))
    try:
        lacking = sql.missing_migrations(catalogue, recorded, migrations)
    except sql.PartialMigration as exc:
        raise KhepriError(
            f"the database at {target.masked} {exc}; it was changed by hand, so Khepri "
            f"cannot tell what to add: compare it with 'khepri supabase schema'"
        ) from None
    return RemoteMigrations(target.masked, lacking, len(migrations))


def _read_remote(target: Target, catalogue_query: str) -> tuple[dict, set[str]]:
    """The catalogue of the probed tables, and the versions the Supabase CLI recorded."""
    try:
        import psycopg
    except ImportError:
        raise KhepriError(INSTALL_HINT) from None
    options: dict[str, Any] = {
        "autocommit": True,
        "application_name": "khepri-supabase-schema",
        "prepare_threshold": None,  # Supabase's pooler (transaction mode) forbids them
    }
    try:
        if "connect_timeout" not in psycopg.conninfo.conninfo_to_dict(target.url):
            options["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
        conn = psycopg.connect(target.url, **options)
    except psycopg.Error as exc:
        # libpq: 'connection failed: connection to server at "h", port p failed: <why>\n<hint>'
        said = " ".join(str(exc).strip().split("failed: ")[-1].split("\n")[0].split())
        raise KhepriError(
            target.hide(
                f"cannot connect to the database at {target.masked} ({said or type(exc).__name__})"
            )
        ) from None
    try:
        with conn:
            catalogue = sql.catalogue_from_rows(conn.execute(catalogue_query).fetchall())
            try:
                recorded = {row[0] for row in conn.execute(sql.RECORDED_VERSIONS_SQL)}
            except (psycopg.errors.UndefinedTable, psycopg.errors.InsufficientPrivilege):
                recorded = set()  # never used the Supabase CLI, or may not read its table
    except psycopg.Error as exc:
        said = " ".join(str(exc).split()) or type(exc).__name__
        raise KhepriError(
            target.hide(f"cannot read the schema of the database at {target.masked}: {said}")
        ) from None
    return catalogue, recorded


def write_schema(path: Path, *, force: bool, text: str | None = None) -> Path:
    """Write ``text`` (default: the whole schema) to ``path`` in one step: complete or untouched."""
    text = schema_text() if text is None else text
    path = path.expanduser()
    if path.is_dir():
        raise UsageProblem(f"--output: {path} is a directory; give a file name")
    if path.exists() and not force:
        raise UsageProblem(f"--output: {path} already exists; add --force to overwrite it")
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageProblem(f"--output: the folder {directory} does not exist")
    tmp = directory / f".{path.name}.{os.getpid()}.tmp"
    try:
        try:
            with open(tmp, "x", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise KhepriError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
