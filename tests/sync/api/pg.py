"""Running requests on PostgreSQL the way PostgREST does, and its error mapping.

Each table request runs in one transaction on a pooled connection of the
database owner: ``SET LOCAL ROLE`` to the role of the request's JWT, the JWT's
claims in ``request.jwt.claims`` (``set_config(..., true)``, so they end with
the transaction) together with ``request.method`` and ``request.path``, and the
statement itself. Row Level Security is therefore PostgreSQL's own.

``PgError`` turns a PostgreSQL error into PostgREST's response: the body
``{code, details, hint, message}`` with PostgreSQL's SQLSTATE, message, detail
and hint, and the HTTP status from PostgREST's table
(``src/PostgREST/Error.hs``, ``mapSQLtoHTTP``; docs: references/errors.rst).
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

# (SQLSTATE or prefix, HTTP status), most specific first; anything else is 400.
_STATUS_BY_SQLSTATE: list[tuple[str, int]] = [
    ("23503", 409),
    ("23505", 409),
    ("25006", 405),
    ("53400", 500),
    ("57P01", 503),
    ("P0001", 400),
    ("42883", 404),
    ("42P01", 404),
    ("42P17", 500),
    ("08", 503),
    ("09", 500),
    ("0L", 403),
    ("0P", 403),
    ("25", 500),
    ("28", 403),
    ("2D", 500),
    ("38", 500),
    ("39", 500),
    ("3B", 500),
    ("40", 500),
    ("53", 503),
    ("54", 500),
    ("55", 500),
    ("57", 500),
    ("58", 500),
    ("F0", 500),
    ("HV", 500),
    ("P0", 500),
    ("XX", 500),
]


def http_status(sqlstate: str, message: str, *, authenticated: bool) -> int:
    """PostgREST's HTTP status for a PostgreSQL error."""
    if sqlstate == "42501":
        # insufficient_privilege: 403 with a JWT role, 401 for anonymous requests
        return 403 if authenticated else 401
    if sqlstate == "22023" and message.startswith("role") and message.endswith("does not exist"):
        return 401  # the JWT's role does not exist
    if sqlstate == "21000":
        return 400 if message.endswith("requires a WHERE clause") else 500
    for prefix, status in _STATUS_BY_SQLSTATE:
        if sqlstate.startswith(prefix):
            return status
    return 400


class ApiError(Exception):
    """An HTTP error response with a JSON body (and optional extra headers)."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def rest_error(
    status: int, code: str, message: str, details: Any = None, hint: Any = None
) -> ApiError:
    """An error in PostgREST's body shape."""
    return ApiError(status, {"code": code, "details": details, "hint": hint, "message": message})


def pg_error(exc: psycopg.Error, *, authenticated: bool) -> ApiError:
    """PostgREST's response for an error raised by PostgreSQL."""
    diag = exc.diag
    sqlstate = exc.sqlstate or "XX000"
    message = diag.message_primary or str(exc)
    error = rest_error(
        http_status(sqlstate, message, authenticated=authenticated),
        sqlstate,
        message,
        details=diag.message_detail,
        hint=diag.message_hint,
    )
    if error.status == 401:
        error.headers["WWW-Authenticate"] = "Bearer"
    return error


class Pool:
    """A few reusable connections to one database, opened on demand."""

    def __init__(self, url: str, size: int = 4) -> None:
        self._url = url
        self._idle: queue.LifoQueue[psycopg.Connection] = queue.LifoQueue()
        self._all: list[psycopg.Connection] = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(size)
        self._closed = False

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        if self._closed:
            raise RuntimeError("the stand-in has stopped")
        with self._slots:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                conn = psycopg.connect(self._url, autocommit=True)
                with self._lock:
                    self._all.append(conn)
            try:
                yield conn
            finally:
                if conn.closed or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    conn.close()
                    with self._lock:
                        self._all.remove(conn)
                else:
                    self._idle.put(conn)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        while not self._idle.empty():
            self._idle.get_nowait()


@contextmanager
def as_request(
    pool: Pool, role: str, claims: dict[str, Any], method: str, path: str
) -> Iterator[psycopg.Connection]:
    """One transaction as PostgREST runs a request of ``role`` with ``claims``.

    Commits when the block ends normally, rolls back when it raises.
    """
    with pool.connection() as conn, conn.transaction():
        conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)))
        conn.execute(
            "SELECT set_config('request.jwt.claims', %s, true),"
            " set_config('request.method', %s, true),"
            " set_config('request.path', %s, true),"
            " set_config('TimeZone', 'UTC', true)",
            (json.dumps(claims), method, path),
        )
        yield conn
