"""``khepri supabase``: helpers for the Supabase project that ``khepri sync`` pushes to."""

from __future__ import annotations

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

        khepri supabase schema | \\
            psql -v ON_ERROR_STOP=1 --single-transaction "$SUPABASE_DB_URL"
    """


@app.command("schema")
def schema(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the SQL to this file instead of printing it ('-' for stdout).",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the --output file if it already exists.")
    ] = False,
) -> None:
    """Print the Postgres schema (tables, checks, RLS policies) for a Supabase project.

    Apply it once to an empty project, in the SQL editor or with psql.

    Example:

        khepri supabase schema | \\
            psql -v ON_ERROR_STOP=1 --single-transaction "$SUPABASE_DB_URL"
        khepri supabase schema -o khepri_schema.sql
    """
    from khepri_cli.services import supabase as service

    if output is None or str(output) == "-":
        service.print_schema()
        return
    from khepri_cli.render.console import say

    written = service.write_schema(output, force=force)
    say(f"Wrote the Khepri schema to {written}")
