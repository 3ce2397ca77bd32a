"""``khepri supabase``: helpers for the Supabase project that ``khepri sync`` pushes to."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def supabase() -> None:
    """Set up the Supabase project that 'khepri sync' pushes to.

    Example:

        khepri supabase schema | psql -v ON_ERROR_STOP=1 --single-transaction "$SUPABASE_DB_URL"
    """


@app.command("schema")
def schema(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the SQL to this file instead of printing it ('-' for stdout).",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the --output file if it already exists.")
    ] = False,
    missing: Annotated[
        bool,
        typer.Option(
            "--missing",
            help="Only the migrations the database (--db-url or $SUPABASE_DB_URL) lacks.",
        ),
    ] = False,
    db_url: Annotated[
        str | None,
        typer.Option(
            "--db-url",
            help="PostgreSQL URL of the database to compare with --missing "
            "(default: $SUPABASE_DB_URL, or SUPABASE_DB_URL in ./.env).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print the Postgres schema (tables, checks, RLS policies) for a Supabase project.

    Without --missing: every migration, in order, for a new project. With
    --missing: only what the database lacks, to upgrade a project that has
    an older Khepri schema; nothing is printed when it is up to date.

    Example:

        khepri supabase schema | psql -v ON_ERROR_STOP=1 --single-transaction "$SUPABASE_DB_URL"
        khepri supabase schema --missing | psql -v ON_ERROR_STOP=1 --single-transaction "$SUPABASE_DB_URL"
        khepri supabase schema -o khepri_schema.sql
    """
    from khepri_cli.errors import UsageProblem
    from khepri_cli.render.console import say
    from khepri_cli.services import supabase as service

    if db_url is not None and not missing:
        raise UsageProblem("--db-url: only used with --missing")
    text, what = service.schema_text(), "the Khepri schema"
    if missing:
        remote = service.missing(db_url)
        if remote.up_to_date:
            say(f"The database at {remote.target} is up to date: it has all Khepri migrations.")
            return
        text, what = remote.script, "the migration(s) it lacks"
        names = ", ".join(m.label for m in remote.missing)
        say(
            f"The database at {remote.target} lacks {len(remote.missing)} of {remote.total} "
            f"Khepri migration(s): {names}"
        )
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        return
    say(f"Wrote {what} to {service.write_schema(output, force=force, text=text)}")
