"""A loopback stand-in for a Supabase project's API: Auth and PostgREST on real PostgreSQL.

``StandIn(pg_url)`` serves, on ``http://127.0.0.1:<ephemeral port>``, what a
CLI client of Supabase needs: ``/auth/v1`` (auth.py) and ``/rest/v1``
(rest.py), behind a gateway that behaves like Supabase's:

* every request needs a key of the project in the ``apikey`` header (or the
  ``apikey`` query parameter): without one 401 ``{"message": "No API key found
  in request", "hint": "No `apikey` request header or url param was found."}``,
  with a wrong one 401 ``{"message": "Invalid API key", ...}``;
* the publishable key (``sb_publishable_...``) and the legacy ``anon`` JWT
  mean the role ``anon``; the secret key (``sb_secret_...``) and the legacy
  ``service_role`` JWT mean ``service_role``, which bypasses RLS;
* a table request runs as the role of ``Authorization: Bearer <access token>``
  when one is sent (PostgREST checks its signature and ``exp`` with 30 s of
  leeway: 401 PGRST301 / PGRST303 "JWT expired"), else as the key's role;
* ``GET /rest/v1/`` (the OpenAPI root) is refused to every key but a secret
  one, as hosted Supabase does since April 2026. The body a refusal carries
  differs between Supabase's announcement and what projects were measured to
  answer; ``openapi_refusal`` picks one ("measured" by default, see below).

Faults (faults.py), a request-size limit (``max_body_bytes`` → 413) and a log
of every request (``log``) serve a client's tests. ``clock.advance(s)`` moves
the time tokens are issued and checked at, so expiry needs no sleeping.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import psycopg

from . import jwt
from .auth import AuthApi
from .auth_users import Clock, create_user
from .faults import Faults
from .pg import ApiError, Pool
from .rest import RestApi
from .wire import Headers, LoggedRequest, Request, RequestLog, Response

SETUP_SQL = Path(__file__).with_name("auth_schema.sql")

NO_KEY = {
    "message": "No API key found in request",
    "hint": "No `apikey` request header or url param was found.",
}
INVALID_KEY = {
    "message": "Invalid API key",
    "hint": "Double check your Supabase `anon` or `service_role` API key.",
}
# GET /rest/v1/ without a secret key. "announced": the body in Supabase's
# changelog 42949 (2026-02-17); "measured": what a project created after the
# change answered (401 for both keys), as recorded by a third party.
OPENAPI_REFUSALS = {
    "announced": {
        "publishable": {
            "message": "Access to schema is forbidden",
            "hint": "Accessing the schema via the Data API is only allowed using a secret API key.",
        },
    },
    "measured": {
        "publishable": {
            "message": "Secret API key required",
            "hint": "Only secret API keys can be used for this endpoint.",
        },
        "anon": {
            "message": "Invalid API key",
            "hint": "Only the `service_role` API key can be used for this endpoint.",
        },
    },
}


def prepare_database(pg_url: str) -> None:
    """Add the stand-in's Auth columns and tables to a test database (once)."""
    with psycopg.connect(pg_url) as conn:
        conn.execute(SETUP_SQL.read_text(encoding="utf-8"))


class StandIn:
    """One stand-in project; ``start()`` it, ``stop()`` it (or use it as a context manager)."""

    def __init__(self, pg_url: str, *, max_rows: int | None = 1000) -> None:
        self.pg_url = pg_url
        self.keys = jwt.ProjectKeys()
        self.clock = Clock()
        self.log = RequestLog()
        self.faults = Faults()
        self.max_body_bytes: int | None = None
        self.openapi_refusal = "measured"
        self._pool = Pool(pg_url)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.standin = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.auth = AuthApi(self._pool, self.keys, self.clock, self.url)
        self.rest = RestApi(self._pool, max_rows=max_rows)
        self._thread: threading.Thread | None = None

    # -- life cycle ----------------------------------------------------------

    def start(self) -> StandIn:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._pool.close()

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- for tests -------------------------------------------------------------

    def create_user(self, email: str, password: str, **kwargs: Any) -> str:
        """Add an Auth user who can sign in with ``password``; return its id."""
        return create_user(self.pg_url, email, password, **kwargs)

    def reload_schema(self) -> None:
        """Re-read tables and columns, as ``NOTIFY pgrst, 'reload schema'`` makes PostgREST do."""
        self.rest.reload_schema()

    def access_token(self, user_id: str, *, expires_in: int = 3600, **claims: Any) -> str:
        """A token signed with the project's secret, for tests that need odd claims."""
        now = int(self.clock.now())
        base = {"sub": user_id, "role": "authenticated", "aud": "authenticated", "iat": now}
        return jwt.encode(base | {"exp": now + expires_in} | claims, self.keys.jwt_secret)

    # -- requests --------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """The gateway: the key, then the service behind it."""
        if self.max_body_bytes is not None and len(request.body) > self.max_body_bytes:
            return Response.json(413, {"message": "Payload too large"})
        apikey = request.headers.get("apikey") or request.param("apikey")
        if not apikey:
            return Response.json(401, NO_KEY)
        key_role = self.keys.role_of(apikey)
        if key_role is None:
            return Response.json(401, INVALID_KEY)
        try:
            if request.path.startswith("/auth/v1/"):
                return self.auth.handle(request)
            if request.path == "/rest/v1" or request.path.startswith("/rest/v1/"):
                return self._rest(request, apikey, key_role)
            return Response.json(404, {"message": "no Route matched with those values"})
        except ApiError as exc:
            return Response.json(exc.status, exc.body, exc.headers)

    def _rest(self, request: Request, apikey: str, key_role: str) -> Response:
        if request.path.rstrip("/") == "/rest/v1" and key_role != "service_role":
            kind = "anon" if self.keys.is_legacy(apikey) else "publishable"
            refusals = OPENAPI_REFUSALS[self.openapi_refusal]
            return Response.json(401, refusals.get(kind, refusals["publishable"]))
        role, claims = key_role, self._key_claims(apikey, key_role)
        header = request.headers.get("authorization", "")
        if header[:7].lower() == "bearer ":
            token = header[7:].strip()
            token_role = self.keys.role_of(token) if token.startswith("sb_") else None
            if token.startswith("sb_") and token_role is None:
                return Response.json(401, INVALID_KEY)
            if token_role is not None:
                role, claims = token_role, self._key_claims(token, token_role)
            else:
                try:
                    claims = jwt.decode(
                        token, self.keys.jwt_secret, now=self.clock.now(), leeway=30
                    )
                except jwt.JwtError as exc:
                    error = (
                        f'Bearer error="invalid_token", error_description={json.dumps(exc.message)}'
                    )
                    body = {"code": exc.code, "details": None, "hint": None, "message": exc.message}
                    return Response.json(401, body, {"WWW-Authenticate": error} | _proxy(exc.code))
                role = claims.get("role") or "anon"
        try:
            return self.rest.handle(request, role, claims)
        except ApiError as exc:
            exc.headers |= _proxy(exc.body["code"])
            raise

    def _key_claims(self, key: str, role: str) -> dict[str, Any]:
        if key.startswith("sb_"):
            return {"iss": "supabase", "role": role}
        return jwt.decode(key, self.keys.jwt_secret, now=self.clock.now())


def _proxy(code: str) -> dict[str, str]:
    """PostgREST names its error code in ``Proxy-Status`` (Error.hs, errorResponseFor)."""
    return {"Proxy-Status": f"PostgREST; error={code}"}


class _Handler(BaseHTTPRequestHandler):
    """Reads a request, applies faults, logs it, and writes the stand-in's answer."""

    protocol_version = "HTTP/1.1"
    server_version = "standin"
    timeout = 30  # an idle keep-alive connection ends its thread after this

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log is the stand-in's record

    def _serve(self) -> None:
        standin: StandIn = self.server.standin  # type: ignore[attr-defined]
        split = urlsplit(self.path)
        query: dict[str, list[str]] = {}
        for key, value in parse_qsl(split.query, keep_blank_values=True):
            query.setdefault(key, []).append(value)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = Headers(self.headers.items())
        entry = LoggedRequest(self.command, split.path, query, headers, body)
        standin.log.add(entry)
        fault = standin.faults.take(self.command, split.path)
        if fault is not None and fault.kind == "drop":
            entry.fault = "drop"
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault is not None and fault.kind == "delay":
            entry.fault = f"delay {fault.seconds}s"
            time.sleep(fault.seconds)
        if fault is not None and fault.kind == "fail":
            entry.fault = f"fail {fault.status}"
            response = Response.json(fault.status, fault.body, fault.headers)
        else:
            try:
                response = standin.handle(Request(self.command, split.path, query, headers, body))
            except Exception as exc:  # a bug in the stand-in: answer, and let the test see it
                entry.fault = f"stand-in error: {exc!r}"
                response = Response.json(500, {"message": f"stand-in error: {exc!r}"})
        entry.status = response.status
        try:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. its timeout)

    do_GET = do_HEAD = do_POST = do_PATCH = do_DELETE = do_PUT = do_OPTIONS = _serve
