"""HS256 JSON Web Tokens with the standard library, and the project's API keys.

Supabase Auth signs access tokens with the project's JWT secret (HS256 for
projects on the legacy shared secret), and PostgREST verifies them with the
same secret. The legacy ``anon`` and ``service_role`` API keys are themselves
such tokens (claims ``iss: supabase``, ``role``, ``iat``, ``exp``); the newer
``sb_publishable_...`` and ``sb_secret_...`` keys are opaque strings that the
API gateway maps to the roles ``anon`` and ``service_role``.

``decode`` reports failures with the reason PostgREST 13 gives for them
(``src/PostgREST/Error.hs``: ``JwtDecodeErr`` → PGRST301, ``JwtClaimsErr`` →
PGRST303), so the REST layer can answer with PostgREST's own messages.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from typing import Any


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(claims: dict[str, Any], secret: str) -> str:
    """A compact HS256 JWS of ``claims``."""
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(signature)}"


class JwtError(Exception):
    """A token PostgREST would refuse; ``code`` is PGRST301 or PGRST303."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def decode(token: str, secret: str, *, now: float, leeway: float = 0.0) -> dict[str, Any]:
    """The claims of ``token`` if its HS256 signature and ``exp`` are valid.

    ``leeway`` is the clock skew allowed on ``exp`` (PostgREST allows 30 s).
    """
    if token == "":
        raise JwtError("PGRST301", "Empty JWT is sent in Authorization header")
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtError("PGRST301", f"Expected 3 parts in JWT; got {len(parts)}")
    try:
        header = json.loads(_unb64url(parts[0]))
        signature = _unb64url(parts[2])
    except (ValueError, UnicodeDecodeError) as exc:
        raise JwtError("PGRST301", "JWT couldn't be decoded") from exc
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise JwtError("PGRST301", "Wrong or unsupported encoding algorithm")
    expected = hmac.new(secret.encode(), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256)
    if not hmac.compare_digest(expected.digest(), signature):
        raise JwtError("PGRST301", "JWT cryptographic operation failed")
    try:
        claims = json.loads(_unb64url(parts[1]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise JwtError("PGRST303", "Parsing claims failed") from exc
    if not isinstance(claims, dict):
        raise JwtError("PGRST303", "Parsing claims failed")
    exp = claims.get("exp")
    if exp is not None:
        if not isinstance(exp, int | float) or isinstance(exp, bool):
            raise JwtError("PGRST303", "The JWT 'exp' claim must be a number")
        if now > exp + leeway:
            raise JwtError("PGRST303", "JWT expired")
    return claims


@dataclass(frozen=True)
class ProjectKeys:
    """The API keys of one stand-in project, all derived from its JWT secret.

    ``publishable`` and ``secret`` have the documented ``sb_publishable_`` /
    ``sb_secret_`` prefixes; ``anon`` and ``service_role`` are the legacy JWT
    keys. The gateway maps each to a database role.
    """

    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    publishable: str = field(default_factory=lambda: "sb_publishable_" + secrets.token_urlsafe(22))
    secret: str = field(default_factory=lambda: "sb_secret_" + secrets.token_urlsafe(22))
    issued_at: int = 1_700_000_000

    @property
    def anon(self) -> str:
        return self._legacy("anon")

    @property
    def service_role(self) -> str:
        return self._legacy("service_role")

    def _legacy(self, role: str) -> str:
        claims = {
            "iss": "supabase",
            "ref": "standin",
            "role": role,
            "iat": self.issued_at,
            "exp": self.issued_at + 10 * 365 * 24 * 3600 * 3,
        }
        return encode(claims, self.jwt_secret)

    def role_of(self, apikey: str) -> str | None:
        """``anon`` or ``service_role`` for a key of this project, else None."""
        if hmac.compare_digest(apikey, self.publishable) or hmac.compare_digest(apikey, self.anon):
            return "anon"
        if hmac.compare_digest(apikey, self.secret) or hmac.compare_digest(
            apikey, self.service_role
        ):
            return "service_role"
        return None

    def is_legacy(self, apikey: str) -> bool:
        return apikey in (self.anon, self.service_role)
