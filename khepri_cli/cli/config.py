"""``khepri config``: the Supabase project (URL and publishable key) that login and sync use."""

from __future__ import annotations

from typing import Annotated

import typer

from khepri_cli.cli.options import JsonOption

app = typer.Typer(add_completion=False)  # its help is the docstring of config() below

SettingName = Annotated[
    str, typer.Argument(help="Which setting: url or key.", show_default=False, metavar="url|key")
]


@app.callback(invoke_without_command=True)
def config(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show the Supabase project Khepri talks to, and where each setting comes from.

    SUPABASE_URL and SUPABASE_PUBLISHABLE_KEY (or SUPABASE_ANON_KEY) in the
    environment win, then the same names in ./.env, then what was saved with
    'khepri config set'. The key is shown masked.

    Example:

        khepri config set url https://abcd.supabase.co
    """
    if ctx.invoked_subcommand is not None:
        return
    from khepri_cli.render import account as render
    from khepri_cli.services import api_config as service

    render.config(service.show(), as_json)


@app.command("set")
def set_(
    name: SettingName,
    value: Annotated[
        str,
        typer.Argument(help="The value, or - to read it from standard input.", show_default=False),
    ],
) -> None:
    """Save the project URL or API key in Khepri's configuration (a file only you can read).

    Example:

        khepri config set url https://abcd.supabase.co
        khepri config set key sb_publishable_...
    """
    import sys

    from khepri_cli.render import account as render
    from khepri_cli.services import api_config as service

    if value == "-":
        value = sys.stdin.readline().strip()
    render.saved(service.save(name, value))


@app.command("unset")
def unset(name: SettingName) -> None:
    """Forget a saved project URL or API key.

    Example:

        khepri config unset key
    """
    from khepri_cli.render import account as render
    from khepri_cli.services import api_config as service

    render.unset(name, service.unset(name))
