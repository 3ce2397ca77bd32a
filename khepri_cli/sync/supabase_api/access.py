"""As whom table requests run: the logged-in user's session, or the secret key for a named user.

With the publishable (or legacy anon) key every table request carries the
user's access token, so PostgREST runs it as that user under Row Level
Security. A token the server refuses is refreshed once and the request sent
again; if that fails too, the user must log in again.

With a secret (or legacy service_role) key there is no user session: the
requests run as ``service_role``, which Row Level Security does not hold
back. Khepri accepts that only for a user named explicitly (``--user-id``)
and says, every time, that the database is not checking whose rows they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from khepri_cli.errors import UsageProblem
from khepri_cli.sync.settings import check_user_id
from khepri_cli.sync.supabase_api.auth import AuthApi
from khepri_cli.sync.supabase_api.project import Project
from khepri_cli.sync.supabase_api.session import SessionStore


class Credentials(Protocol):
    """The bearer token of table requests, and how to get a new one when it is refused."""

    user_id: str

    def token(self) -> str | None:
        """The access token to send (None: the API key alone)."""
        ...

    def renew(self, refused: str | None) -> str | None:
        """A new token after ``refused`` was refused; None when there is no other."""
        ...


class SessionCredentials:
    """The logged-in user's session, refreshed before it expires and when refused."""

    def __init__(self, project: Project, store: SessionStore, auth: AuthApi):
        self.project, self.store, self.auth = project, store, auth
        self.user_id = store.load(project.url).user_id

    def token(self) -> str:
        return self.store.fresh(self.project.url, self.auth.refresh).access_token

    def renew(self, refused: str | None) -> str | None:
        session = self.store.fresh(self.project.url, self.auth.refresh, stale_token=refused)
        return session.access_token


class SecretKeyCredentials:
    """The project's secret key acting for one named user; nothing to renew."""

    def __init__(self, user_id: str):
        self.user_id = user_id

    def token(self) -> None:
        return None

    def renew(self, refused: str | None) -> None:
        return None


@dataclass(frozen=True)
class Acting:
    """Who table requests act as, and the warning to show when RLS does not hold them."""

    credentials: Credentials
    user_id: str
    warning: str | None = None


def acting_as(project: Project, store: SessionStore, auth: AuthApi, user_id: str | None) -> Acting:
    """The credentials for ``user_id`` (``--user-id``), or for the logged-in user."""
    if project.key.bypasses_rls:
        if user_id is None:
            raise UsageProblem(
                f"the configured API key is the project's {project.key.name}, which bypasses Row "
                "Level Security: name the user to act for with --user-id, or configure the "
                "publishable key ('khepri config set key') and 'khepri login'"
            )
        user = check_user_id(user_id)
        return Acting(
            SecretKeyCredentials(user),
            user,
            f"using the {project.key.name}, which bypasses Row Level Security: the database "
            f"does not check that the rows are user {user}'s; only Khepri's own filters do",
        )
    credentials = SessionCredentials(project, store, auth)
    if user_id is not None and check_user_id(user_id) != credentials.user_id:
        raise UsageProblem(
            f"--user-id {user_id} is not the logged-in user ({credentials.user_id}); with the "
            f"{project.key.name} Khepri acts only as the user who logged in"
        )
    return Acting(credentials, credentials.user_id)
