"""The Supabase Auth (GoTrue) part of the stand-in, under ``/auth/v1``.

Follows supabase/auth (internal/api/token.go, tokens/service.go RefreshTokenGrant,
signup.go, logout.go, errors.go) for the endpoints a CLI uses:

* ``POST /token?grant_type=password``: 200 with ``access_token`` (HS256 JWT:
  ``sub``, ``role``, ``email``, ``aud``, ``exp``, ``iat``, ``session_id`` ...),
  ``token_type: bearer``, ``expires_in``, ``expires_at``, ``refresh_token`` and
  ``user``; 400 ``invalid_credentials`` "Invalid login credentials" for an
  unknown email or a wrong password alike, 400 ``email_not_confirmed``.
* ``POST /token?grant_type=refresh_token``: rotation. The token used is
  revoked and a child issued. A revoked token is answered with the session's
  current token when it is that token's parent (the client lost the answer),
  with a new child within ``refresh_token_reuse_interval`` seconds of its
  revocation, and otherwise with 400 ``refresh_token_already_used`` after
  revoking every token of the session. Unknown tokens: 400
  ``refresh_token_not_found``. Concurrent refreshes of one token are
  serialised by a row lock, so both get the same new token.
* ``GET /user`` and ``POST /logout?scope=global|local|others`` need a valid
  access token of a live session: 401 ``no_authorization`` without one, 403
  ``bad_jwt`` for a bad or expired one, 403 ``session_not_found`` after logout.
  Logout deletes sessions (and with them their refresh tokens) and answers 204.
  An access token stays valid for PostgREST until it expires, as on Supabase.
* ``POST /signup``: 422 ``signup_disabled`` when sign-ups are off; with email
  confirmation required, 200 with the user and no session; else 200 with a
  session. 422 ``user_already_exists`` for a confirmed email when no
  confirmation is required, 422 ``weak_password`` below the minimum length.

Errors use GoTrue's original body ``{"code": <status>, "error_code", "msg"}``,
or ``{"code": <error_code>, "message"}`` when the request sends
``X-Supabase-Api-Version: 2024-01-01`` (as supabase-js and supabase_auth do),
which is echoed back. OAuth-style errors (``refresh_token required``,
unsupported grant) are ``{"error", "error_description"}``.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from typing import Any

import psycopg

from . import jwt
from .auth_users import (
    USER_COLUMNS,
    AuthError,
    AuthSettings,
    Clock,
    OAuthError,
    UserRow,
    user_json,
)
from .pg import Pool
from .wire import Request, Response

API_VERSION_HEADER = "X-Supabase-Api-Version"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AuthApi:
    """Answers Supabase Auth requests for one database."""

    def __init__(self, pool: Pool, keys: jwt.ProjectKeys, clock: Clock, base_url: str):
        self.pool, self.keys, self.clock, self.base_url = pool, keys, clock, base_url
        self.settings = AuthSettings()

    def handle(self, request: Request) -> Response:
        version = request.headers.get(API_VERSION_HEADER, "")
        new_format = version >= "2024-01-01" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", version)
        echo = {API_VERSION_HEADER: "2024-01-01"} if new_format else {}
        route = (request.method, request.path.removeprefix("/auth/v1").rstrip("/"))
        handlers = {
            ("POST", "/token"): self._token,
            ("GET", "/user"): self._user,
            ("POST", "/logout"): self._logout,
            ("POST", "/signup"): self._signup,
        }
        try:
            handler = handlers.get(route)
            if handler is None:
                raise AuthError(404, "not_found", "Not Found")
            response = handler(request)
        except AuthError as exc:
            if new_format:
                body: dict[str, Any] = {"code": exc.error_code, "message": exc.message}
            else:
                body = {"code": exc.status, "error_code": exc.error_code, "msg": exc.message}
            if exc.extra:
                body |= exc.extra
            return Response.json(exc.status, body, echo)
        except OAuthError as exc:
            body = {"error": exc.error}
            if exc.description:
                body["error_description"] = exc.description
            return Response.json(400, body, echo)
        response.headers |= echo
        return response

    # -- helpers -------------------------------------------------------------

    def _params(self, request: Request) -> dict[str, Any]:
        try:
            params = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError) as exc:
            raise AuthError(
                400, "bad_json", f"Could not parse request body as JSON: {exc}"
            ) from None
        if not isinstance(params, dict):
            raise AuthError(400, "bad_json", "Could not parse request body as JSON")
        return params

    def _load_user(self, conn: psycopg.Connection, where: str, value: Any) -> UserRow | None:
        row = conn.execute(f"SELECT {USER_COLUMNS} FROM auth.users WHERE {where}", (value,))
        found = row.fetchone()
        return None if found is None else UserRow(*found)

    def _issue(self, conn: psycopg.Connection, user: UserRow, session_id: Any, token: str) -> dict:
        """The token response for ``user`` in ``session_id`` with refresh ``token``."""
        now = int(self.clock.now())
        expires_at = now + self.settings.jwt_exp
        claims = {
            "iss": f"{self.base_url}/auth/v1",
            "sub": str(user.id),
            "aud": user.aud,
            "exp": expires_at,
            "iat": now,
            "email": user.email,
            "phone": "",
            "app_metadata": user.app_metadata,
            "user_metadata": user.user_metadata,
            "role": user.role,
            "aal": "aal1",
            "amr": [{"method": "password", "timestamp": now}],
            "session_id": str(session_id),
            "is_anonymous": False,
        }
        return {
            "access_token": jwt.encode(claims, self.keys.jwt_secret),
            "token_type": "bearer",
            "expires_in": self.settings.jwt_exp,
            "expires_at": expires_at,
            "refresh_token": token,
            "user": user_json(user),
        }

    def _new_session(self, conn: psycopg.Connection, user: UserRow) -> dict:
        now = self.clock.datetime()
        conn.execute(
            "UPDATE auth.users SET last_sign_in_at = %s, updated_at = %s WHERE id = %s",
            (now, now, user.id),
        )
        user = self._load_user(conn, "id = %s", user.id)
        session_id = conn.execute(
            "INSERT INTO auth.sessions (user_id, created_at, updated_at) VALUES (%s, %s, %s)"
            " RETURNING id",
            (user.id, now, now),
        ).fetchone()[0]
        token = self._insert_token(conn, user.id, session_id, None)
        return self._issue(conn, user, session_id, token)

    def _insert_token(self, conn, user_id, session_id, parent: str | None) -> str:
        token = secrets.token_urlsafe(9)
        now = self.clock.datetime()
        conn.execute(
            "INSERT INTO auth.refresh_tokens (token, user_id, session_id, parent, created_at,"
            " updated_at) VALUES (%s, %s, %s, %s, %s, %s)",
            (token, user_id, session_id, parent, now, now),
        )
        return token

    def authenticate(self, conn: psycopg.Connection, request: Request) -> tuple[UserRow, Any]:
        """The user and session of the request's access token (GoTrue's requireAuthentication)."""
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else ""
        if not token or token.startswith("sb_"):
            raise AuthError(401, "no_authorization", "This endpoint requires a valid Bearer token")
        try:
            claims = jwt.decode(token, self.keys.jwt_secret, now=self.clock.now())
        except jwt.JwtError as exc:
            reason = {
                "JWT expired": "token has invalid claims: token is expired",
                "JWT cryptographic operation failed": "token signature is invalid: signature is invalid",
            }.get(exc.message, "token is malformed: could not JSON decode header")
            raise AuthError(
                403, "bad_jwt", f"invalid JWT: unable to parse or verify signature, {reason}"
            ) from None
        if not claims.get("sub"):
            raise AuthError(403, "bad_jwt", "invalid claim: missing sub claim")
        user = self._load_user(conn, "id = %s", claims["sub"])
        if user is None:
            raise AuthError(403, "user_not_found", "User from sub claim in JWT does not exist")
        session = conn.execute(
            "SELECT id FROM auth.sessions WHERE id = %s AND user_id = %s",
            (claims.get("session_id"), user.id),
        ).fetchone()
        if session is None:
            raise AuthError(
                403, "session_not_found", "Session from session_id claim in JWT does not exist"
            )
        return user, session[0]

    # -- endpoints -----------------------------------------------------------

    def _token(self, request: Request) -> Response:
        grant = request.param("grant_type")
        if grant == "password":
            return self._password_grant(request)
        if grant == "refresh_token":
            return self._refresh_grant(request)
        raise OAuthError("unsupported_grant_type")

    def _password_grant(self, request: Request) -> Response:
        params = self._params(request)
        email, password = params.get("email") or "", params.get("password") or ""
        if email and params.get("phone"):
            raise AuthError(
                422,
                "validation_failed",
                "Only an email address or phone number should be provided on login.",
            )
        if not email:
            raise AuthError(400, "validation_failed", "missing email or phone")
        with self.pool.connection() as conn, conn.transaction():
            user = self._load_user(conn, "lower(email) = lower(%s)", email)
            if user is None or not user.has_password:
                raise AuthError(400, "invalid_credentials", "Invalid login credentials")
            if user.banned_until is not None and user.banned_until > self.clock.datetime():
                raise AuthError(400, "user_banned", "User is banned")
            valid = conn.execute(
                "SELECT encrypted_password = extensions.crypt(%s, encrypted_password)"
                " FROM auth.users WHERE id = %s",
                (password, user.id),
            ).fetchone()[0]
            if not valid:
                raise AuthError(400, "invalid_credentials", "Invalid login credentials")
            if user.email_confirmed_at is None:
                raise AuthError(400, "email_not_confirmed", "Email not confirmed")
            return Response.json(200, self._new_session(conn, user))

    def _refresh_grant(self, request: Request) -> Response:
        token = self._params(request).get("refresh_token") or ""
        if not token:
            raise OAuthError("invalid_request", "refresh_token required")
        with self.pool.connection() as conn, conn.transaction():
            outcome = self._rotate(conn, token)
        if isinstance(outcome, AuthError):
            raise outcome  # after the commit: a detected reuse stays revoked
        return Response.json(200, outcome)

    def _rotate(self, conn: psycopg.Connection, token: str) -> dict | AuthError:
        """Swap ``token`` for its successor (GoTrue's RefreshTokenGrant, v1 tokens)."""
        row = conn.execute(
            "SELECT user_id, session_id, revoked, updated_at FROM auth.refresh_tokens"
            " WHERE token = %s FOR UPDATE",
            (token,),
        ).fetchone()
        if row is None:
            raise AuthError(
                400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found"
            )
        user_id, session_id, revoked, updated_at = row
        user = self._load_user(conn, "id = %s", user_id)
        if user.banned_until is not None and user.banned_until > self.clock.datetime():
            raise AuthError(400, "user_banned", "Invalid Refresh Token: User Banned")
        issued = None
        if revoked:
            active = conn.execute(
                "SELECT token, parent FROM auth.refresh_tokens WHERE session_id = %s"
                " AND NOT revoked ORDER BY id DESC LIMIT 1",
                (session_id,),
            ).fetchone()
            if active is not None and active[1] == token:
                issued = active[0]  # the client lost the last answer: give it again
            elif (
                self.clock.now()
                > updated_at.timestamp() + self.settings.refresh_token_reuse_interval
            ):
                if self.settings.refresh_token_rotation_enabled:
                    conn.execute(
                        "UPDATE auth.refresh_tokens SET revoked = true WHERE session_id = %s",
                        (session_id,),
                    )
                return AuthError(
                    400, "refresh_token_already_used", "Invalid Refresh Token: Already Used"
                )
        now = self.clock.datetime()
        if issued is None:
            conn.execute(
                "UPDATE auth.refresh_tokens SET revoked = true, updated_at = %s WHERE token = %s",
                (now, token),
            )
            issued = self._insert_token(conn, user_id, session_id, token)
        conn.execute(
            "UPDATE auth.sessions SET refreshed_at = %s, updated_at = %s WHERE id = %s",
            (now, now, session_id),
        )
        return self._issue(conn, user, session_id, issued)

    def _user(self, request: Request) -> Response:
        with self.pool.connection() as conn, conn.transaction():
            user, _ = self.authenticate(conn, request)
            return Response.json(200, user_json(user))

    def _logout(self, request: Request) -> Response:
        scope = request.param("scope") or "global"
        if scope not in ("global", "local", "others"):
            raise AuthError(400, "validation_failed", f'Unsupported logout scope "{scope}"')
        with self.pool.connection() as conn, conn.transaction():
            user, session_id = self.authenticate(conn, request)
            if scope == "local":
                conn.execute("DELETE FROM auth.sessions WHERE id = %s", (session_id,))
            elif scope == "others":
                conn.execute(
                    "DELETE FROM auth.sessions WHERE user_id = %s AND id <> %s",
                    (user.id, session_id),
                )
            else:
                conn.execute("DELETE FROM auth.sessions WHERE user_id = %s", (user.id,))
        return Response(204)

    def _signup(self, request: Request) -> Response:
        if not self.settings.signup_enabled:
            raise AuthError(422, "signup_disabled", "Signups not allowed for this instance")
        params = self._params(request)
        email, password = (params.get("email") or "").strip().lower(), params.get("password") or ""
        data = params.get("data") or {}
        if len(password) < self.settings.minimum_password_length:
            message = (
                f"Password should be at least {self.settings.minimum_password_length} characters."
            )
            raise AuthError(
                422, "weak_password", message, {"weak_password": {"reasons": ["length"]}}
            )
        if not _EMAIL.match(email):
            raise AuthError(
                400, "validation_failed", "Unable to validate email address: invalid format"
            )
        confirm = not self.settings.email_confirmation_required
        now = self.clock.datetime()
        with self.pool.connection() as conn, conn.transaction():
            user = self._load_user(conn, "lower(email) = lower(%s)", email)
            if user is not None:
                if user.email_confirmed_at is not None and confirm:
                    raise AuthError(422, "user_already_exists", "User already registered")
                if user.email_confirmed_at is not None:
                    # GoTrue answers with an obfuscated user, so the reply does not tell
                    # whether the address is registered.
                    fake = user_json(user) | {"id": str(uuid.uuid4()), "identities": []}
                    return Response.json(200, fake)
                return Response.json(200, user_json(user))
            user_id = conn.execute(
                "INSERT INTO auth.users (email, encrypted_password, raw_user_meta_data,"
                " email_confirmed_at, confirmation_sent_at, created_at, updated_at)"
                " VALUES (%s, extensions.crypt(%s, extensions.gen_salt('bf')), %s, %s, %s, %s, %s)"
                " RETURNING id",
                (
                    email,
                    password,
                    json.dumps(data),
                    now if confirm else None,
                    None if confirm else now,
                    now,
                    now,
                ),
            ).fetchone()[0]
            user = self._load_user(conn, "id = %s", user_id)
            if confirm:
                return Response.json(200, self._new_session(conn, user))
            return Response.json(200, user_json(user))
