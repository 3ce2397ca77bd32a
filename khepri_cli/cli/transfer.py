"""``khepri export`` and ``khepri import``: the whole journal out as JSON, and back in."""

from __future__ import annotations

from typing import Annotated

import typer

from khepri_cli.cli.options import WORDS
from khepri_cli.cli.state import state
from khepri_cli.schema import TABLE_NAMES

export_app = typer.Typer(add_completion=False)
import_app = typer.Typer(add_completion=False)

TableOption = Annotated[
    list[str] | None,
    typer.Option(
        "--table",
        "-t",
        metavar="TABLE",
        help=f"Export only this table (repeat, or separate with commas): {', '.join(TABLE_NAMES)}.",
        show_default=False,
    ),
]
OutputOption = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write to this file (replaced atomically) instead of standard output.",
        show_default=False,
    ),
]
FileArgument = Annotated[
    str,
    typer.Argument(
        metavar="FILE",
        click_type=WORDS,
        help="The JSON document written by 'khepri export', or - for standard input.",
        show_default=False,
    ),
]


@export_app.command("export")
def export(ctx: typer.Context, table: TableOption = None, output: OutputOption = None) -> None:
    """Export your journal as one JSON document (all tables, or those given with --table).

    Rows keep their ids and timestamps, so 'khepri import' restores them exactly.

    Example:

        khepri export -o khepri-backup.json
    """
    from pathlib import Path

    from khepri_cli.domain.transfer import export_summary, pick_tables
    from khepri_cli.render.console import printable_json, say, stream_out
    from khepri_cli.services import transfer as service

    tables = pick_tables(table)
    journal = state(ctx).journal()
    if output is None or output == "-":
        stream_out(
            lambda write: service.export_journal(
                journal, tables, lambda text: write(printable_json(text))
            )
        )
        return
    counts = service.export_to_file(journal, tables, Path(output))
    say(export_summary(counts, output))


@import_app.command("import")
def import_(ctx: typer.Context, file: FileArgument) -> None:
    """Import a document written by 'khepri export' (all or nothing).

    Every row is checked before anything is written. New rows are added,
    rows that differ are replaced by the file's version, identical rows are
    left untouched, so importing the same file twice changes nothing.

    Example:

        khepri --db restored.db import khepri-backup.json
    """
    from khepri_cli.db.connection import default_db_path
    from khepri_cli.domain.transfer import import_summary
    from khepri_cli.render.console import say
    from khepri_cli.services import transfer as service

    app_state = state(ctx)
    journal_path = app_state.db_path or default_db_path()
    name, tallies = service.import_file(file, journal_path, app_state.journal)
    for line in import_summary(name, tallies):
        say(line)
