"""One HTTP connection to a Supabase project: keys, timeouts, retries, and failures as ApiError.

Built on httpx (see docs/sync.md, "The API way in", for why not the official
clients): TLS certificates are verified (certifi's roots, or
``SSL_CERT_FILE``), every request has a timeout, redirects are not followed,
and connections are kept alive between requests.

A request that fails for a reason that may pass (429, 502-504, a 500 that is
not the statement's fault, a timeout, a dropped or refused connection) is
tried again, at most :attr:`RetryPolicy.attempts` times in all, after the
``Retry-After`` the server asked for, else after an exponential backoff
with jitter. A request that is not idempotent (sign-up) is tried again only
when the server cannot have acted on it (429, 503, no connection made).
Everything else fails at once with an :class:`~.errors.ApiError`.
"""

from __future__ import annotations

import random
import socket
import ssl
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from khepri_cli import __version__
from khepri_cli.sync.supabase_api.errors import (
    ApiError,
    http_error,
    is_transient,
    not_json,
    parse_error_body,
)
from khepri_cli.sync.supabase_api.project import Project
from khepri_cli.sync.transports import base

# httpx imports its own command line (click, rich, pygments) whenever those are installed, as
# they are next to Khepri: that doubled the import (bench/api_client_bench.py). Khepri never
# runs it; marked absent, httpx skips it.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
import httpx  # noqa: E402

CLIENT_INFO = f"khepri-cli/{__version__}"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
"""Seconds: 10 to connect, 30 for each read or write (a bulk upsert takes a few)."""

Params = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failing request is tried again."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    """A server asking for a longer wait than this gets an error instead of a stalled sync."""

    def delay(self, retry: int, retry_after: float | None) -> float | None:
        """Seconds to wait before retry number ``retry`` (1, 2, ...); None: do not retry."""
        if retry >= self.attempts:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


def pause(seconds: float) -> None:
    """Wait between tries (a module function, so tests can count the waits instead)."""
    time.sleep(seconds)


class Connection:
    """Requests to one project's API with its key; raises ApiError, returns 2xx answers."""

    def __init__(
        self,
        project: Project,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
    ):
        self.project = project
        self.retry = retry or RetryPolicy()
        self.sleep = sleep or pause
        self._client = httpx.Client(
            base_url=project.url,
            timeout=timeout,
            follow_redirects=False,
            headers={
                "apikey": project.key.value,
                "Accept": "application/json",
                "User-Agent": CLIENT_INFO,
                "X-Client-Info": CLIENT_INFO,
            },
        )

    def close(self) -> None:
        self._client.close()

    def send(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: Params = (),
        body: bytes | None = None,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
        table: str | None = None,
    ) -> httpx.Response:
        """Send one request (retrying as the policy says); the 2xx answer, or ApiError."""
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if body is not None:
            sent.setdefault("Content-Type", "application/json")
        tries = 0
        while True:
            tries += 1
            try:
                response = self._client.request(
                    method, path, params=list(params), content=body, headers=sent
                )
            except httpx.HTTPError as exc:
                failure, again = self._transport_failure(exc, what, idempotent)
                retry_after = None
            else:
                if response.status_code < 300:
                    return response
                parsed = parse_error_body(response.content)
                retry_after = _retry_after(response.headers.get("Retry-After"))
                failure = http_error(
                    response.status_code,
                    parsed,
                    what=what,
                    url=self.project.url,
                    table=table,
                    retry_after=retry_after,
                    tries=tries,
                )
                status = response.status_code
                again = is_transient(status, parsed) and (idempotent or status in (429, 503))
            wait = self.retry.delay(tries, retry_after) if again else None
            if wait is None:
                raise failure
            self.sleep(wait)

    def json(self, response: httpx.Response, *, what: str) -> Any:
        """The JSON of a 2xx answer (numbers with a fraction as Decimal, exactly as sent)."""
        content_type = response.headers.get("Content-Type", "")
        if "json" not in content_type:
            raise not_json(response.status_code, content_type, what=what, url=self.project.url)
        from decimal import Decimal

        try:
            return response.json(parse_float=Decimal)
        except ValueError:
            raise not_json(
                response.status_code, content_type, what=what, url=self.project.url
            ) from None

    def _transport_failure(
        self, exc: httpx.HTTPError, what: str, idempotent: bool
    ) -> tuple[ApiError, bool]:
        """The ApiError for a request that got no answer, and whether to try again."""
        url, host = self.project.url, self._client.base_url.host
        if isinstance(exc, httpx.TimeoutException):
            seconds = _timeout_seconds(exc, self._client.timeout)
            never_sent = isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
            return ApiError(
                base.TIMEOUT,
                f"cannot {what}: no answer from {url} within {seconds:g} s; "
                "check your network, or try again later",
            ), idempotent or never_sent
        if isinstance(exc, httpx.ConnectError):
            reason = _root_cause(exc)
            if isinstance(reason, ssl.SSLCertVerificationError):
                why = reason.verify_message or "certificate verify failed"
                return ApiError(
                    base.UNREACHABLE,
                    f"cannot {what}: the TLS certificate of {host} is not trusted ({why}); "
                    "Khepri always verifies it",
                ), False
            if isinstance(reason, socket.gaierror):
                if reason.errno == socket.EAI_AGAIN:
                    return ApiError(
                        base.UNREACHABLE,
                        f"cannot {what}: looking up {host} failed for now (DNS); check your network",
                    ), True
                return ApiError(
                    base.UNREACHABLE,
                    f"cannot {what}: the host name {host} does not resolve; check the project URL "
                    "('khepri config') and your network",
                ), False
            why = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
            return ApiError(
                base.UNREACHABLE,
                f"cannot {what}: cannot connect to {url} ({why}); check the URL and your network",
            ), True
        if isinstance(exc, httpx.TransportError):  # dropped mid-request, protocol error
            return ApiError(
                base.LOST,
                f"cannot {what}: the connection to {url} broke before an answer came "
                f"({type(exc).__name__})",
            ), idempotent
        return ApiError(base.OTHER, f"cannot {what}: {type(exc).__name__}"), False


def _root_cause(exc: BaseException) -> BaseException:
    seen = exc
    while seen.__cause__ is not None or seen.__context__ is not None:
        seen = seen.__cause__ or seen.__context__  # type: ignore[assignment]
        if isinstance(seen, OSError):
            return seen
    return seen


def _timeout_seconds(exc: httpx.TimeoutException, timeout: httpx.Timeout) -> float:
    if isinstance(exc, httpx.ConnectTimeout):
        return timeout.connect or 0
    if isinstance(exc, httpx.WriteTimeout):
        return timeout.write or 0
    if isinstance(exc, httpx.PoolTimeout):
        return timeout.pool or 0
    return timeout.read or 0


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())
