"""The Supabase API of one project for one user: what the sync's HTTP transport is built on.

::

    with open_api(user_id=None) as api:        # the logged-in user (or --user-id)
        api.catalogue({"goals": ["id", "title"]})      # {table: {column: type or None}}
        for page in api.rest.select("goals", ["id", "title"], [gt("updated_at", since)]):
            ...
        api.rest.upsert("goals", columns, encoded_rows)  # JSON texts, one per row
        api.rest.delete("goals", ids)

Every failure is an :class:`~.errors.ApiError`, a
:class:`~khepri_cli.sync.transports.base.RemoteError` with its kind; a
missing or unusable session is a :class:`~.session.NotLoggedIn` before any
request is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from khepri_cli.sync.supabase_api.access import Acting, acting_as
from khepri_cli.sync.supabase_api.auth import AuthApi
from khepri_cli.sync.supabase_api.catalogue import Catalogue, learn_catalogue
from khepri_cli.sync.supabase_api.http import Connection
from khepri_cli.sync.supabase_api.project import Project, resolve_project
from khepri_cli.sync.supabase_api.rest import RestApi
from khepri_cli.sync.supabase_api.session import SessionStore


class Api:
    """Auth and the tables of one project, acting as one user."""

    def __init__(self, connection: Connection, acting: Acting, **rest_options: Any):
        self.connection = connection
        self.project = connection.project
        self.acting = acting
        self.auth = AuthApi(connection)
        self.rest = RestApi(connection, acting.credentials, **rest_options)

    @property
    def user_id(self) -> str:
        return self.acting.user_id

    @property
    def warning(self) -> str | None:
        """Set when the key bypasses Row Level Security: show it to the user."""
        return self.acting.warning

    def catalogue(self, wanted: Mapping[str, Iterable[str]]) -> Catalogue:
        """Which of ``wanted``'s tables and columns the remote has (see :mod:`.catalogue`)."""
        return learn_catalogue(self.rest, wanted, use_openapi=self.project.key.bypasses_rls)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_api(
    project: Project | None = None,
    *,
    user_id: str | None = None,
    store: SessionStore | None = None,
    connection_options: Mapping[str, Any] | None = None,
    **rest_options: Any,
) -> Api:
    """The configured project's API as ``user_id`` (secret key) or the logged-in user."""
    project = project or resolve_project()
    store = store or SessionStore()
    connection = Connection(project, **(connection_options or {}))
    try:
        acting = acting_as(project, store, AuthApi(connection), user_id)
    except BaseException:
        connection.close()
        raise
    return Api(connection, acting, **rest_options)
