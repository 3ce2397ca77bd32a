"""Users, settings and the clock of the stand-in's Supabase Auth.

``create_user`` adds a user the way an administrator (or the dashboard) does:
a row in ``auth.users`` with a bcrypt password (pgcrypto's ``crypt``, as
GoTrue stores it) and, unless ``confirmed=False``, a confirmed email.
``user_json`` is a user as GoTrue's ``models.User`` marshals it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import psycopg


class Clock:
    """Wall-clock time plus an offset a test can advance (tokens expire by it)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), UTC)


@dataclass
class AuthSettings:
    """The project's Auth configuration, changeable per test."""

    signup_enabled: bool = True
    email_confirmation_required: bool = False
    jwt_exp: int = 3600
    refresh_token_rotation_enabled: bool = True
    refresh_token_reuse_interval: int = 10
    minimum_password_length: int = 6


class AuthError(Exception):
    def __init__(self, status: int, error_code: str, message: str, extra: Any = None):
        super().__init__(message)
        self.status, self.error_code, self.message, self.extra = status, error_code, message, extra


class OAuthError(Exception):
    def __init__(self, error: str, description: str = ""):
        super().__init__(description)
        self.error, self.description = error, description


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class UserRow(NamedTuple):
    id: Any
    aud: str
    role: str
    email: str
    email_confirmed_at: datetime | None
    confirmation_sent_at: datetime | None
    last_sign_in_at: datetime | None
    app_metadata: dict
    user_metadata: dict
    created_at: datetime
    updated_at: datetime
    banned_until: datetime | None
    has_password: bool


USER_COLUMNS = (
    "id, aud, role, email, email_confirmed_at, confirmation_sent_at, last_sign_in_at,"
    " raw_app_meta_data, raw_user_meta_data, created_at, updated_at, banned_until,"
    " encrypted_password IS NOT NULL"
)


def user_json(row: UserRow) -> dict[str, Any]:
    """A user as GoTrue's models.User marshals it."""
    uid, aud, role, email, confirmed, sent, last, app, meta, created, updated, _, _ = row
    identity = {
        "identity_id": str(uid),
        "id": str(uid),
        "user_id": str(uid),
        "identity_data": {
            "email": email,
            "email_verified": confirmed is not None,
            "phone_verified": False,
            "sub": str(uid),
        },
        "provider": "email",
        "last_sign_in_at": _time(last),
        "created_at": _time(created),
        "updated_at": _time(updated),
        "email": email,
    }
    user = {
        "id": str(uid),
        "aud": aud,
        "role": role,
        "email": email,
        "email_confirmed_at": _time(confirmed),
        "phone": "",
        "confirmation_sent_at": _time(sent),
        "confirmed_at": _time(confirmed),
        "last_sign_in_at": _time(last),
        "app_metadata": app,
        "user_metadata": meta,
        "identities": [identity],
        "created_at": _time(created),
        "updated_at": _time(updated),
        "is_anonymous": False,
    }
    return {k: v for k, v in user.items() if v is not None}


def create_user(
    pg_url: str,
    email: str,
    password: str,
    *,
    confirmed: bool = True,
    user_metadata: dict | None = None,
) -> str:
    """Add an Auth user who can sign in with ``password``; return the user's id.

    Builds on ``make_user`` of tests/sync/conftest.py for the row itself.
    """
    import json

    from ..conftest import make_user

    user_id = make_user(pg_url, email)
    with psycopg.connect(pg_url) as conn:
        conn.execute(
            "UPDATE auth.users SET encrypted_password ="
            " extensions.crypt(%s, extensions.gen_salt('bf')),"
            " email_confirmed_at = CASE WHEN %s THEN now() END,"
            " raw_user_meta_data = %s WHERE id = %s",
            (password, confirmed, json.dumps(user_metadata or {}), user_id),
        )
    return user_id
