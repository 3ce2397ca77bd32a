"""Supabase Auth (GoTrue) for a command-line user: sign in, refresh, who am I, sign out, sign up.

The endpoints, as Supabase Auth documents them (``/auth/v1``):

* ``POST /token?grant_type=password`` ``{"email", "password"}``: a session;
* ``POST /token?grant_type=refresh_token`` ``{"refresh_token"}``: the next
  session (the refresh token is rotated: the old one is spent);
* ``GET /user`` with the access token: the user;
* ``POST /logout?scope=local`` with the access token: ends this session only
  (the app on the phone stays signed in);
* ``POST /signup`` ``{"email", "password"}``: a user, with a session unless
  the project asks for the email address to be confirmed first.

Requests carry ``X-Supabase-Api-Version: 2024-01-01``, which makes errors
come back as ``{"code": <error_code>, "message"}``. Answers are returned as
the JSON Supabase sent; :mod:`.session` keeps what a session needs.
"""

from __future__ import annotations

import json
from typing import Any

from khepri_cli.sync.supabase_api.errors import not_json
from khepri_cli.sync.supabase_api.http import Connection

API_VERSION = {"X-Supabase-Api-Version": "2024-01-01"}


class AuthApi:
    """The Auth endpoints of one project."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def sign_in(self, email: str, password: str) -> dict[str, Any]:
        """The token answer of a password sign-in."""
        return self._post(
            "/auth/v1/token",
            {"email": email, "password": password},
            params=[("grant_type", "password")],
            what="sign in",
        )

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        """The token answer that replaces the session of ``refresh_token``."""
        return self._post(
            "/auth/v1/token",
            {"refresh_token": refresh_token},
            params=[("grant_type", "refresh_token")],
            what="refresh the session",
        )

    def user(self, access_token: str) -> dict[str, Any]:
        response = self.connection.send(
            "GET", "/auth/v1/user", what="read the user", token=access_token, headers=API_VERSION
        )
        return self.connection.json(response, what="read the user")

    def sign_out(self, access_token: str) -> None:
        """End this session on the server (``scope=local``)."""
        self.connection.send(
            "POST",
            "/auth/v1/logout",
            params=[("scope", "local")],
            what="sign out",
            token=access_token,
            headers=API_VERSION,
        )

    def sign_up(self, email: str, password: str) -> dict[str, Any]:
        """A new user: a token answer, or the user alone when the email must be confirmed."""
        return self._post(
            "/auth/v1/signup",
            {"email": email, "password": password},
            what="sign up",
            idempotent=False,  # tried again only when the server cannot have acted on it
        )

    def _post(
        self,
        path: str,
        body: dict[str, Any],
        *,
        what: str,
        params: list[tuple[str, str]] | None = None,
        idempotent: bool = True,
    ) -> dict[str, Any]:
        response = self.connection.send(
            "POST",
            path,
            what=what,
            params=params or (),
            body=json.dumps(body).encode(),
            headers=API_VERSION,
            idempotent=idempotent,
        )
        answer = self.connection.json(response, what=what)
        if not isinstance(answer, dict):
            url = self.connection.project.url
            raise not_json(response.status_code, "a JSON array", what=what, url=url)
        return answer
