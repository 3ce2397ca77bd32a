"""Use cases of the Supabase account: log in, sign up, who am I, log out.

The API way in for athletes who have an account in the Khepri app but not
the project's database password. Each use case reads the project from the
configuration (:mod:`khepri_cli.sync.supabase_api.project`), talks to its
Auth API, keeps the session in the private session file, and returns what
happened; nothing here prints. Any failure of the API becomes an
:class:`~khepri_cli.errors.AccountError` whose message holds no password,
token or key.

Logging in links the journal to the user: the athlete's ``auth_user_id``
(through the store, so the next sync pushes it) and the user the journal
syncs as (``_khepri_sync_state``), which is what a sync of a journal without
a profile yet adopts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from khepri_cli.db.connection import Journal
from khepri_cli.errors import AccountError
from khepri_cli.sync.settings import hide_secrets

if TYPE_CHECKING:
    from khepri_cli.sync.supabase_api.http import Connection
    from khepri_cli.sync.supabase_api.project import Project
    from khepri_cli.sync.supabase_api.session import Session


@dataclass(frozen=True)
class JournalLink:
    """What logging in did to the journal's link to a Supabase user."""

    user_id: str
    athlete: str | None  # the athlete's name (or id); None when the journal has no profile yet
    previous_user_id: str | None = None
    changed: bool = False


@dataclass(frozen=True)
class Login:
    session: Session
    link: JournalLink


@dataclass(frozen=True)
class SignUp:
    email: str
    confirmation_required: bool
    login: Login | None  # signed in straight away when no confirmation is required


@dataclass(frozen=True)
class Identity:
    session: Session
    user: dict[str, Any]  # the user as Supabase Auth describes it
    linked: bool  # the journal's athlete is linked to this user


@dataclass(frozen=True)
class Logout:
    email: str | None  # None when nobody was logged in
    project_url: str | None
    signed_out_on_server: bool = False
    server_problem: str | None = None  # why the server could not end the session


def login(journal: Journal, email: str, password: str) -> Login:
    """Sign in with email and password, keep the session, link the journal to the user."""
    from khepri_cli.sync.supabase_api.auth import AuthApi
    from khepri_cli.sync.supabase_api.session import Session, SessionStore

    project = _project()
    with _connection(project, password) as connection:
        grant = AuthApi(connection).sign_in(email.strip(), password)
        session = Session.from_grant(project.url, grant, time.time())
    SessionStore().save(session)
    return Login(session, link_journal(journal, session.user_id))


def signup(journal: Journal, email: str, password: str) -> SignUp:
    """Create an account; signed in at once unless the project wants the email confirmed."""
    from khepri_cli.sync.supabase_api.auth import AuthApi
    from khepri_cli.sync.supabase_api.session import Session, SessionStore

    project = _project()
    with _connection(project, password) as connection:
        answer = AuthApi(connection).sign_up(email.strip(), password)
        if "access_token" not in answer:
            return SignUp(email.strip(), confirmation_required=True, login=None)
        session = Session.from_grant(project.url, answer, time.time())
    SessionStore().save(session)
    return SignUp(session.email, False, Login(session, link_journal(journal, session.user_id)))


def whoami(journal: Journal) -> Identity:
    """The logged-in user as the server knows them (the session refreshed if it was due)."""
    from khepri_cli.db.repo_athletes import get_athlete
    from khepri_cli.sync.supabase_api.auth import AuthApi
    from khepri_cli.sync.supabase_api.session import SessionStore

    project = _project()
    store = SessionStore()
    store.load(project.url)  # not logged in: say so before any request
    with _connection(project) as connection:
        auth = AuthApi(connection)
        session = store.fresh(project.url, auth.refresh)
        user = auth.user(session.access_token)
    athlete = get_athlete(journal.conn)
    return Identity(session, user, athlete is not None and athlete.auth_user_id == session.user_id)


def logout() -> Logout:
    """End the session on the server where it can, and forget it here in any case."""
    from khepri_cli.sync.supabase_api import files
    from khepri_cli.sync.supabase_api.auth import AuthApi
    from khepri_cli.sync.supabase_api.errors import ApiError
    from khepri_cli.sync.supabase_api.project import resolve_project
    from khepri_cli.sync.supabase_api.session import SessionStore

    store = SessionStore()
    with files.locked(store.lock_path):  # no refresh may write it back meanwhile
        session = store.find(check_mode=False)  # an unsafe file is the more reason to end it
        if session is None:
            return Logout(None, None)
        try:
            project = resolve_project()
            if project.url != session.project_url:
                raise AccountError(f"the configured project is {project.url}")
            with _connection(project, *session.secrets) as connection:
                auth = AuthApi(connection)
                token = session.access_token
                if session.expiring(time.time()):
                    token = auth.refresh(session.refresh_token)["access_token"]
                auth.sign_out(token)
            problem = None
        except (AccountError, ApiError) as exc:
            problem = exc.message
        except Exception as exc:  # no configuration: the session still goes
            problem = getattr(exc, "message", None) or type(exc).__name__
        store.clear()
    return Logout(session.email, session.project_url, problem is None, problem)


def link_journal(journal: Journal, user_id: str) -> JournalLink:
    """Make ``user_id`` the journal's Supabase user: its athlete's link, and its sync user."""
    from khepri_cli.db import store
    from khepri_cli.db.repo_athletes import get_athlete
    from khepri_cli.db.repo_sync import STATE_USER

    with journal.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO _khepri_sync_state (key, value) VALUES (?, ?)",
            (STATE_USER, user_id),
        )
        athlete = get_athlete(conn)
        if athlete is None:
            return JournalLink(user_id, None)
        name = athlete.display_name or athlete.id
        if athlete.auth_user_id == user_id:
            return JournalLink(user_id, name, user_id)
        store.update(conn, athlete, {"auth_user_id": user_id})
        return JournalLink(user_id, name, athlete.auth_user_id, changed=True)


def _project() -> Project:
    from khepri_cli.sync.supabase_api.project import resolve_project

    return resolve_project()


@contextmanager
def _connection(project: Project, *secrets: str) -> Iterator[Connection]:
    """A connection to ``project``; its failures leave as AccountError, secrets masked."""
    from khepri_cli.sync.supabase_api.errors import ApiError
    from khepri_cli.sync.supabase_api.http import Connection

    connection = Connection(project)
    try:
        yield connection
    except ApiError as exc:
        hidden = (project.key.value, *secrets)
        raise AccountError(hide_secrets(exc.message, tuple(s for s in hidden if s))) from None
    finally:
        connection.close()
