"""``khepri sync``, ``sync status`` and ``sync conflicts``: the journal and the Supabase project, made one."""

from __future__ import annotations

from typing import Annotated

import typer

from khepri_cli.cli.options import JsonOption
from khepri_cli.cli.state import state

app = typer.Typer(add_completion=False)  # its help is the docstring of sync() below

DbUrl = Annotated[
    str | None,
    typer.Option(
        "--db-url",
        metavar="URL",
        help="PostgreSQL URL of your Supabase database (default: $SUPABASE_DB_URL, "
        "or SUPABASE_DB_URL in ./.env).",
        show_default=False,
    ),
]
UserId = Annotated[
    str | None,
    typer.Option(
        "--user-id",
        metavar="UUID",
        help="UUID of your Supabase Auth user: needed once over PostgreSQL, then remembered; "
        "with the API, only with a secret key (the logged-in user otherwise).",
        show_default=False,
    ),
]
Via = Annotated[
    str | None,
    typer.Option(
        "--via",
        metavar="api|postgres",
        help="The Supabase API as the logged-in user ('khepri login'), or the PostgreSQL "
        "database (--db-url). Default: the API when you are logged in, else PostgreSQL.",
        show_default=False,
    ),
]
DryRun = Annotated[
    bool,
    typer.Option("--dry-run", help="Show what would be pulled and pushed; write nothing anywhere."),
]


@app.callback(invoke_without_command=True)
def sync(
    ctx: typer.Context,
    db_url: DbUrl = None,
    user_id: UserId = None,
    via: Via = None,
    dry_run: DryRun = False,
    as_json: JsonOption = False,
) -> None:
    """Bring your Supabase project's changes here and send the journal's there.

    Runs as your Supabase user under row level security: through the
    Supabase API after 'khepri login', or straight to the project's
    PostgreSQL database (in one transaction) with --db-url. Rows changed on
    both sides are merged value by value; 'khepri sync conflicts' lists
    where both changed. 'khepri sync status' shows what is waiting. See
    docs/sync.md.

    Example:

        khepri login && khepri sync
        khepri sync --db-url "$SUPABASE_DB_URL" \\
            --user-id 0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d
    """
    if ctx.invoked_subcommand is not None:
        return
    from khepri_cli.render import sync as render
    from khepri_cli.services import sync as service

    progress = None if as_json else render.progress()
    if dry_run:  # writes nothing, so makes no journal either
        journal = state(ctx).journal()
        result = service.sync(
            journal, db_url=db_url, user_id=user_id, via=via, dry_run=True, progress=progress
        )
    else:
        with state(ctx).journal_made_if_missing() as journal:
            result = service.sync(
                journal, db_url=db_url, user_id=user_id, via=via, progress=progress
            )
    render.report(result, as_json)


@app.command("status")
def status(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show the changes waiting to be pushed, the last sync and what the remote was.

    Reads only the journal: no network.

    Example:

        khepri sync status --json
    """
    from khepri_cli.render import sync as render
    from khepri_cli.services import sync as service

    render.status(service.status(state(ctx).journal()), as_json)


@app.command("conflicts")
def conflicts(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the conflicts syncs met: rows changed on both sides, and how each was settled.

    Both values are kept: the one here and the one there.

    Example:

        khepri sync conflicts --json
    """
    from khepri_cli.render import sync as render
    from khepri_cli.services import sync as service

    render.conflicts(service.conflicts(state(ctx).journal()), as_json)
