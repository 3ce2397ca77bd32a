"""``khepri login``, ``signup``, ``whoami`` and ``logout``: your Supabase account, the API way in."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from khepri_cli.cli.options import JsonOption
from khepri_cli.cli.state import AppState, state
from khepri_cli.errors import UsageProblem

login_app = typer.Typer()
signup_app = typer.Typer()
whoami_app = typer.Typer()
logout_app = typer.Typer()

EmailOption = Annotated[
    str | None,
    typer.Option(
        "--email", help="Your email address (asked for on a terminal).", show_default=False
    ),
]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of standard input (for scripts).",
    ),
]


def ask_credentials(
    app: AppState, email: str | None, password_stdin: bool, *, confirm: bool = False
) -> tuple[str, str]:
    """The email and password: from the options and stdin, or asked (the password hidden)."""
    if email is None:
        if not app.interactive:
            raise UsageProblem("--email is required when there is no terminal to ask on")
        email = typer.prompt("Email")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UsageProblem("--password-stdin: standard input holds no password")
        return email, password
    if not app.interactive:
        raise UsageProblem(
            "no terminal to ask the password on: give it on standard input with --password-stdin"
        )
    return email, typer.prompt("Password", hide_input=True, confirmation_prompt=confirm)


@login_app.command("login")
def login(
    ctx: typer.Context, email: EmailOption = None, password_stdin: PasswordStdin = False
) -> None:
    """Log in to your Supabase project with the email and password of the Khepri app.

    Keeps the session in a file only you can read, and links this journal to
    your account. The project comes from 'khepri config'. See docs/sync.md.

    Example:

        khepri login --email ada@example.com
    """
    from khepri_cli.render import account as render
    from khepri_cli.services import account as service

    app = state(ctx)
    email, password = ask_credentials(app, email, password_stdin)
    render.logged_in(service.login(app.journal(), email, password))


@signup_app.command("signup")
def signup(
    ctx: typer.Context, email: EmailOption = None, password_stdin: PasswordStdin = False
) -> None:
    """Create an account in your Supabase project (where the project allows sign-ups).

    When the project asks for the email address to be confirmed, open the
    link Supabase sends, then run 'khepri login'.

    Example:

        khepri signup --email ada@example.com
    """
    from khepri_cli.render import account as render
    from khepri_cli.services import account as service

    app = state(ctx)
    email, password = ask_credentials(app, email, password_stdin, confirm=True)
    render.signed_up(service.signup(app.journal(), email, password))


@whoami_app.command("whoami")
def whoami(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show who you are logged in as, checked with the server.

    Example:

        khepri whoami --json
    """
    from khepri_cli.render import account as render
    from khepri_cli.services import account as service

    render.identity(service.whoami(state(ctx).journal()), as_json)


@logout_app.command("logout")
def logout() -> None:
    """Log out: end the session on the server where possible, and remove it here.

    Example:

        khepri logout
    """
    from khepri_cli.render import account as render
    from khepri_cli.services import account as service

    render.logged_out(service.logout())
