"""What the Supabase API answers when something fails, as one line and a RemoteError kind.

Every failure the client meets becomes an :class:`ApiError`, a
:class:`~khepri_cli.sync.transports.base.RemoteError` with the kind the sync
engine acts on, the HTTP status, the server's error code (a PostgREST
``PGRST...`` code, a SQLSTATE, or a Supabase Auth ``error_code``) and, for
429 and 503, the ``Retry-After`` the server asked for. Messages are built from
our own words and the server's ``message``; no token, key or password is ever
part of one.

The bodies understood (each as the service sends it):

* PostgREST: ``{"code", "message", "details", "hint"}``;
* Supabase Auth: ``{"code": <error_code>, "message"}`` (API version
  2024-01-01, which the client asks for), the older ``{"code": <status>,
  "error_code", "msg"}``, and OAuth's ``{"error", "error_description"}``;
* the gateway: ``{"message", "hint"}`` (e.g. "Invalid API key").
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from khepri_cli.sync.transports import base
from khepri_cli.sync.transports.base import RemoteError

SESSION_ENDED_CODES = frozenset(
    {
        "refresh_token_not_found",
        "refresh_token_already_used",
        "session_not_found",
        "session_expired",
        "bad_jwt",
        "no_authorization",
        "user_not_found",
        "invalid_grant",
    }
)
"""Supabase Auth refusing the session itself: only a new login helps."""
JWT_REFUSED_CODES = frozenset({"PGRST301", "PGRST302", "PGRST303"})
"""PostgREST refusing the access token (bad, missing, expired): refresh once and retry."""
SCHEMA_CODES = frozenset({"PGRST204", "PGRST205", "42703", "42P01"})
_TRANSIENT_SQLSTATE_CLASSES = ("08", "40", "53", "57P")
RUN_LOGIN = "run 'khepri login'"


class ApiError(RemoteError):
    """A failed request to the Supabase API; ``message`` is one line, safe to show."""

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
        said: str | None = None,
    ):
        sqlstate = code if code and len(code) == 5 and not code.startswith("PGRST") else None
        super().__init__(kind, message, sqlstate)
        self.status = status
        self.code = code
        self.retry_after = retry_after
        self.said = said  # the server's own message, e.g. "column goals.x does not exist"

    @property
    def token_refused(self) -> bool:
        """PostgREST refused the access token: a refreshed one may pass."""
        return self.status == 401 and self.code in JWT_REFUSED_CODES


@dataclass(frozen=True)
class ErrorBody:
    """The parts of an error body the client uses, whichever service sent it."""

    code: str | None
    message: str
    details: str | None = None


def parse_error_body(content: bytes) -> ErrorBody | None:
    """The error in a JSON body; None when the body is not a JSON object."""
    try:
        value = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(value, dict):
        return None
    if "error" in value and "message" not in value and "msg" not in value:  # OAuth style
        text = value.get("error_description") or value.get("error")
        return ErrorBody(_text(value.get("error")), _text(text) or "")
    code = value.get("error_code") or value.get("code")
    message = value.get("message") or value.get("msg") or ""
    return ErrorBody(
        None if code is None else str(code), _one_line(_text(message)), _text(value.get("details"))
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def is_transient(status: int, body: ErrorBody | None) -> bool:
    """Worth trying again: rate limits, gateways, and server errors that are not the query's fault."""
    if status in (429, 502, 503, 504):
        return True
    if status != 500:
        return False
    code = body.code if body else None
    if code is None or not (len(code) == 5 and not code.startswith("PGRST")):
        return True  # no SQLSTATE: the server, not the statement, failed
    return code.startswith(_TRANSIENT_SQLSTATE_CLASSES)


def http_error(
    status: int,
    body: ErrorBody | None,
    *,
    what: str,
    url: str,
    table: str | None = None,
    retry_after: float | None = None,
    tries: int = 1,
) -> ApiError:
    """The ApiError for an HTTP error answer to ``what`` (e.g. "sign in", "read goals")."""
    code = body.code if body else None
    said = body.message if body and body.message else f"HTTP {status}"
    kind, message = _classify(status, code, said, what=what, url=url, table=table)
    if kind in (base.RATE_LIMITED, base.UNAVAILABLE) and tries > 1:
        message += f" (tried {tries} times)"
    if kind == base.RATE_LIMITED and retry_after is not None and tries == 1:
        message += f" (it asked to wait {retry_after:g} s)"
    return ApiError(
        kind, message, status=status, code=code, retry_after=retry_after, said=body and body.message
    )


def _classify(
    status: int, code: str | None, said: str, *, what: str, url: str, table: str | None
) -> tuple[str, str]:
    if status in (413, 414):
        return base.TOO_LARGE, f"cannot {what}: the request is larger than {url} accepts ({status})"
    if status == 429:
        return (
            base.RATE_LIMITED,
            f"cannot {what}: {url} is limiting how often it may be called (429 {said}); "
            "wait a minute and try again",
        )
    if status >= 500 and code not in ("57014",):
        return (
            base.UNAVAILABLE,
            f"cannot {what}: {url} is failing ({status} {said}); try again later",
        )
    if status == 401 and said in ("Invalid API key", "No API key found in request"):
        return (
            base.AUTH,
            f"cannot {what}: {url} refused the API key ({said}); check 'khepri config': it must "
            "be this project's publishable key (dashboard: Project Settings > API Keys)",
        )
    if code in JWT_REFUSED_CODES or code in SESSION_ENDED_CODES:
        return base.AUTH, f"cannot {what}: your Supabase session has ended ({said}); {RUN_LOGIN}"
    if code == "invalid_credentials":
        return base.AUTH, f"cannot {what}: wrong email or password"
    if code == "email_not_confirmed":
        return (
            base.AUTH,
            f"cannot {what}: this email address is not confirmed yet; open the link in the "
            "confirmation email from Supabase, then run 'khepri login' again",
        )
    if code == "user_banned":
        return base.AUTH, f"cannot {what}: this user is banned from the project"
    if code == "signup_disabled":
        return (
            base.AUTH,
            f"cannot {what}: this project does not allow sign-ups; ask its owner to invite you",
        )
    if code in ("user_already_exists", "email_exists"):
        return base.REJECTED, f"cannot {what}: this email is already registered; {RUN_LOGIN}"
    if code in ("weak_password", "validation_failed", "email_address_invalid"):
        return base.REJECTED, f"cannot {what}: {said}"
    if code in ("over_request_rate_limit", "over_email_send_rate_limit"):
        return base.RATE_LIMITED, f"cannot {what}: {said}; wait a while and try again"
    if code == "42501" or status == 403:
        where = f" of {table}" if table else ""
        return (
            base.REFUSED,
            f"row level security refused a row{where} (SQLSTATE 42501: {said}): it belongs to "
            "another Supabase user, or its athlete is not yours",
        )
    if code and code.startswith("23"):
        where = f"{table}: " if table else ""
        return base.REJECTED, f"{where}the server rejected a row (SQLSTATE {code}: {said})"
    if code in SCHEMA_CODES:
        return base.SCHEMA, f"cannot {what}: {said}"
    if code == "57014":
        return base.TIMEOUT, f"cannot {what}: the database cancelled the statement ({said})"
    if (code is None and status in (404, 405)) or 300 <= status < 400:
        return (
            base.NOT_SUPABASE,
            f"{url} does not answer as a Supabase API (HTTP {status} to {what}); the project URL "
            "looks like https://<project-ref>.supabase.co",
        )
    return base.OTHER, f"cannot {what}: {url} answered {status}: {said}"


def not_json(status: int, content_type: str, *, what: str, url: str) -> ApiError:
    """A success answer that is not JSON: the URL is some other web server."""
    shown = content_type.split(";")[0].strip() or "no content type"
    return ApiError(
        base.NOT_SUPABASE,
        f"{url} does not answer as a Supabase API (HTTP {status} {shown} to {what}); the "
        "project URL looks like https://<project-ref>.supabase.co",
        status=status,
    )
