"""What PostgreSQL (and libpq) said, as a :class:`~.base.RemoteError` of the kind the engine acts on.

One line each, in the words a person can act on, with the target's password
hidden by the caller (``hide``). psycopg is imported by the caller, only
when a sync connects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from khepri_cli.sync.transports import base
from khepri_cli.sync.transports.base import RemoteError

Hide = Callable[[str], str]

_LOST_STATES = ("57P01", "57P02", "57P03", "08000", "08003", "08006")
_SCHEMA_STATES = ("42P01", "42703", "42883", "3F000", "42704", "22023")
_REFUSED_LOGIN = (
    "password authentication failed",
    "authentication failed",
    "no pg_hba.conf entry",
    "role",
    "password is required",
    "tenant or user not found",
)
APPLY_SCHEMA = (
    'apply the schema first: khepri supabase schema | psql "$SUPABASE_DB_URL" '
    "(see docs/supabase.md)"
)


def connect_error(exc: Exception, where: str, hide: Hide) -> RemoteError:
    """A connection that could not be made: unreachable, or the login refused."""
    text = first_line(exc)
    # libpq's text: 'connection failed: connection to server at "h", port p failed: FATAL: ...'
    said = text.split("failed: ")[-1].strip()
    lowered = said.lower()
    if "fatal" in lowered and any(words in lowered for words in _REFUSED_LOGIN):
        message = (
            f"the database at {where} refused the login ({said}); "
            f"check the user and password in the URL"
        )
        return RemoteError(base.AUTH, hide(message))
    if "fatal" in lowered:
        return RemoteError(base.OTHER, hide(f"the database at {where} said: {said}"))
    return RemoteError(
        base.UNREACHABLE,
        hide(f"cannot reach the database at {where} ({said}); check the URL and your network"),
    )


def statement_error(
    psycopg: Any, exc: Exception, what: str, where: str, connection_gone: bool, hide: Hide
) -> RemoteError:
    """A statement that failed: which kind of failure, and the server's words."""
    errors = psycopg.errors
    text = first_line(exc)
    state = getattr(exc, "sqlstate", None)
    diag = getattr(exc, "diag", None)
    detail = getattr(diag, "message_detail", None) if diag else None
    if detail and detail.startswith("Failing row contains"):
        detail = None  # the whole row again, and the row is named anyway
    full = f"{text} ({detail})" if detail else text
    lost = isinstance(exc, errors.AdminShutdown | errors.OperationalError) and (
        connection_gone or state in _LOST_STATES[:3]
    )
    if lost or state in _LOST_STATES:
        kind, message = base.LOST, f"the connection to {where} dropped ({text})"
    elif isinstance(exc, errors.QueryCanceled) or state == "57014":
        kind, message = (
            base.TIMEOUT,
            f"the server cancelled the statement to {what} ({text}); "
            f"the server's statement timeout is shorter than this sync needs",
        )
    elif state in ("40001", "40P01"):
        kind, message = base.CHANGED, f"could not {what}: {text}"
    elif state == "42501" and "row-level security" in text:
        kind, message = base.REFUSED, full
    elif state == "42501":
        kind, message = (
            base.SCHEMA,
            f"the role authenticated may not {what} ({text}); grant it as in docs/supabase.md",
        )
    elif state in ("22023", "42704") and 'role "authenticated"' in text:
        kind, message = (
            base.SCHEMA,
            f"the database has no role authenticated ({text}): sync needs a Supabase "
            f"project's database (see docs/supabase.md)",
        )
    elif state in _SCHEMA_STATES:
        kind, message = (
            base.SCHEMA,
            f"the database is not set up for Khepri ({text}); {APPLY_SCHEMA}",
        )
    elif state is not None and state[:2] in ("23", "22"):  # constraint, or a bad value
        kind, message = base.REJECTED, full
    else:
        kind, message = base.OTHER, f"could not {what}: {full}"
    return RemoteError(kind, hide(message), state)


def first_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0].strip()
