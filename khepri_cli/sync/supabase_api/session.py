"""The signed-in session: kept in one private file, refreshed before use, safely between processes.

``session.json`` in Khepri's configuration folder holds the project URL, the
user (id and email), the access token, the refresh token and when the access
token expires (on this machine's clock: the server's ``expires_in`` counted
from when the answer arrived). It is written 0600 in one step and refused
when read if others could read it.

Supabase Auth rotates refresh tokens: each refresh returns a new one and
retires the old. Two commands refreshing at once must not both spend the
same token and keep different answers, so a refresh happens under a lock on
``session.lock``: the command that gets the lock first refreshes and saves;
the next one re-reads the file under the lock, finds a fresh session and
uses it without asking the server. Standard library only: refreshing is
handed in as a function, so this module never loads an HTTP client.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from khepri_cli.errors import KhepriError, StorageError
from khepri_cli.sync.supabase_api import files
from khepri_cli.sync.supabase_api.errors import RUN_LOGIN, SESSION_ENDED_CODES, ApiError
from khepri_cli.sync.transports import base

SESSION_FILE = "session.json"
LOCK_FILE = "session.lock"
REFRESH_MARGIN_SECONDS = 60.0
"""An access token expiring sooner than this is refreshed before it is used."""

Refresh = Callable[[str], dict[str, Any]]
"""Swap a refresh token for a new token answer (``AuthApi.refresh``)."""


class NotLoggedIn(KhepriError):
    """No usable session for the configured project."""


@dataclass(frozen=True)
class Session:
    """One signed-in user of one project; tokens never show in a repr."""

    project_url: str
    user_id: str
    email: str
    expires_at: float  # seconds since the epoch, on this machine's clock
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)

    @classmethod
    def from_grant(cls, project_url: str, grant: dict[str, Any], now: float) -> Session:
        """The session in a token answer of Supabase Auth (password or refresh grant)."""
        try:
            user = grant["user"]
            expires_in = float(grant.get("expires_in") or 3600)
            return cls(
                project_url=project_url,
                user_id=str(user["id"]),
                email=str(user.get("email") or ""),
                expires_at=now + expires_in,
                access_token=str(grant["access_token"]),
                refresh_token=str(grant["refresh_token"]),
            )
        except (KeyError, TypeError, ValueError):
            raise ApiError(
                base.NOT_SUPABASE,
                f"{project_url} answered the sign-in without a session; is it a Supabase project?",
            ) from None

    @classmethod
    def from_json(cls, value: dict[str, Any], path: Path) -> Session:
        try:
            return cls(**{name: value[name] for name in cls.__dataclass_fields__})
        except (KeyError, TypeError):
            raise StorageError(f"{path} is not a Khepri session; run 'khepri login'") from None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def expiring(self, now: float, margin: float = REFRESH_MARGIN_SECONDS) -> bool:
        return self.expires_at - margin <= now

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.access_token, self.refresh_token)


class SessionStore:
    """The session file of one configuration folder."""

    def __init__(self, folder: Path | None = None, *, clock: Callable[[], float] = time.time):
        folder = folder or files.config_dir()
        self.path = folder / SESSION_FILE
        self.lock_path = folder / LOCK_FILE
        self.clock = clock

    def find(self, *, check_mode: bool = True) -> Session | None:
        """The saved session, whatever its project; None when nobody is logged in."""
        value = files.read_private_json(self.path, check_mode=check_mode)
        return None if value is None else Session.from_json(value, self.path)

    def load(self, project_url: str) -> Session:
        """The session for ``project_url``, or NotLoggedIn saying what to do."""
        session = self.find()
        if session is None:
            raise NotLoggedIn(f"not logged in to {project_url}; {RUN_LOGIN}")
        if session.project_url != project_url:
            raise NotLoggedIn(
                f"you are logged in to {session.project_url}, not to {project_url}; "
                f"{RUN_LOGIN} (or change the project with 'khepri config set url')"
            )
        return session

    def save(self, session: Session) -> None:
        files.write_private_json(self.path, session.to_json())

    def clear(self) -> bool:
        """Forget the session; False when there was none."""
        return files.remove_file(self.path)

    def fresh(
        self, project_url: str, refresh: Refresh, *, stale_token: str | None = None
    ) -> Session:
        """A session whose access token is not about to expire (refreshed if it was).

        ``stale_token``: an access token the server has just refused; unless
        another command has replaced it meanwhile, it is refreshed now whatever
        its expiry says.
        """
        session = self.load(project_url)
        if not self._needs_refresh(session, stale_token):
            return session
        with files.locked(self.lock_path):
            current = self.load(project_url)  # another command may have refreshed it
            if not self._needs_refresh(current, stale_token):
                return current
            try:
                grant = refresh(current.refresh_token)
            except ApiError as exc:
                if exc.code in SESSION_ENDED_CODES:  # the server has ended it for good
                    self.clear()
                raise
            renewed = Session.from_grant(current.project_url, grant, self.clock())
            self.save(renewed)
            return renewed

    def _needs_refresh(self, session: Session, stale_token: str | None) -> bool:
        if stale_token is not None:
            return session.access_token == stale_token
        return session.expiring(self.clock())
