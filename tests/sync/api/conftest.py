"""Fixtures for tests that talk to a Supabase project over its HTTP API.

* ``standin``: a started ``StandIn`` (one for the whole run, on its own test
  database with Khepri's schema and the stand-in's Auth tables), emptied of
  users and rows and reset to its defaults before each test: creating and
  dropping a database per test costs about a second. A test that changes the
  schema fails at teardown; it takes ``own_standin`` instead, on a database
  of its own. ``standin.url`` is the project URL;
  ``standin.keys.publishable`` / ``.secret`` / ``.anon`` / ``.service_role``
  its keys; ``standin.create_user(email, password)`` adds a user;
  ``standin.auth.settings`` the Auth configuration (sign-ups, confirmation,
  token lifetime, reuse interval); ``standin.faults`` queues faults;
  ``standin.max_body_bytes`` limits bodies (413); ``standin.log`` records every
  request; ``standin.clock.advance(s)`` moves time; ``standin.reload_schema()``
  after changing tables.
* ``http``: a minimal client (``http.client`` of the standard library) bound
  to the stand-in, that sends the publishable key unless told otherwise, so
  tests show exactly which headers go out.

For Khepri's own client (``khepri_cli.sync.supabase_api``):

* ``configured``: the stand-in configured the way a user does it, with
  ``SUPABASE_URL`` and ``SUPABASE_PUBLISHABLE_KEY`` in the environment;
  returns the stand-in. A module whose tests change the schema overrides it
  with ``configure(own_standin, monkeypatch)``.
* ``pauses``: the waits between retries, recorded instead of slept.
* ``project(standin, key="publishable")``: a checked ``Project`` for a key.
* ``ada``: a user ``ada@example.com`` / ``pw123456`` of the stand-in, logged in
  through ``khepri login`` (journal with a profile), as ``Ada(user_id, khepri)``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from http import client as http_client
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from .standin import StandIn, prepare_database


@dataclass
class Reply:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Http:
    """Raw HTTP to the stand-in; ``key`` is "publishable", "secret", "anon", "service_role" or None."""

    def __init__(self, standin: StandIn) -> None:
        self.standin = standin
        self.netloc = urlsplit(standin.url).netloc

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | list[tuple[str, str]] | None = None,
        json_body: Any = None,
        body: bytes | None = None,
        key: str | None = "publishable",
        token: str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10,
    ) -> Reply:
        sent = {"Accept": "application/json"}
        if key is not None:
            sent["apikey"] = getattr(self.standin.keys, key)
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        sent |= headers or {}
        target = path + ("?" + urlencode(params) if params else "")
        conn = http_client.HTTPConnection(self.netloc, timeout=timeout)
        try:
            conn.request(method, target, body=body, headers=sent)
            response = conn.getresponse()
            return Reply(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            conn.close()

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Reply:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Reply:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.request("DELETE", path, **kwargs)

    def sign_in(self, email: str, password: str) -> dict[str, Any]:
        """The session of a password sign-in (asserting it succeeds)."""
        reply = self.post(
            "/auth/v1/token",
            params={"grant_type": "password"},
            json_body={"email": email, "password": password},
        )
        assert reply.status == 200, reply.body
        return reply.json


REPRESENTATION = {"Prefer": "return=representation"}


def signed_in(standin: StandIn, http: Http, email: str) -> tuple[str, str]:
    """A new user's id and access token."""
    user_id = standin.create_user(email, "pw123456")
    return user_id, http.sign_in(email, "pw123456")["access_token"]


def add_athlete(http: Http, token: str, user_id: str, **values) -> str:
    reply = http.post(
        "/rest/v1/athletes",
        token=token,
        json_body={"auth_user_id": user_id, **values},
        headers=REPRESENTATION,
    )
    assert reply.status == 201, reply.body
    return reply.json[0]["id"]


@pytest.fixture(scope="session")
def shared_standin(pg_databases) -> Iterator[StandIn]:
    """One stand-in project for the run (tests take it through ``standin``)."""
    with pg_databases.database("khepri") as url:
        prepare_database(url)
        with StandIn(url) as server:
            yield server


def reset(standin: StandIn) -> None:
    """No users, no rows, no faults, an empty log and the default settings."""
    import psycopg

    from .auth_users import AuthSettings

    with psycopg.connect(standin.pg_url, autocommit=True) as conn:
        conn.execute(
            "TRUNCATE auth.users, public.athletes, public.goals, public.constraints, "
            "public.daily_checkins, public.training_plans CASCADE"
        )
    standin.faults.clear()
    standin.log.clear()
    standin.auth.settings = AuthSettings()
    standin.clock.offset = 0.0
    standin.max_body_bytes = None
    standin.openapi_refusal = "measured"
    standin.rest.max_rows = 1000
    standin.rest.safeupdate = False


def configure(standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> StandIn:
    """Make ``standin`` the configured project: its URL and publishable key in the environment."""
    monkeypatch.setenv("SUPABASE_URL", standin.url)
    monkeypatch.setenv("SUPABASE_PUBLISHABLE_KEY", standin.keys.publishable)
    return standin


@pytest.fixture
def configured(standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> StandIn:
    """The stand-in as the configured project (see the module docstring)."""
    return configure(standin, monkeypatch)


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The client's waits between retries, recorded instead of slept."""
    from khepri_cli.sync.supabase_api import http as client_http

    waited: list[float] = []
    monkeypatch.setattr(client_http, "pause", waited.append)
    return waited


def project(standin: StandIn, key: str = "publishable"):
    """A checked Project for the stand-in with one of its keys."""
    from khepri_cli.sync.supabase_api.project import Project, check_key

    return Project(standin.url, check_key(getattr(standin.keys, key)))


PASSWORD = "pw123456"


@dataclass
class Ada:
    user_id: str
    khepri: Any  # tests/conftest.py's Khepri driver


@pytest.fixture
def ada(configured: StandIn, athlete) -> Ada:
    """ada@example.com, logged in with 'khepri login' on a journal with a profile."""
    user_id = configured.create_user("ada@example.com", PASSWORD)
    athlete.ok("login", "--email", "ada@example.com", "--password-stdin", input=PASSWORD + "\n")
    return Ada(user_id, athlete)


def _columns(standin: StandIn) -> dict[str, list[str]]:
    return {name: list(table.columns) for name, table in standin.rest.cache.tables.items()}


@pytest.fixture
def standin(shared_standin: StandIn) -> Iterator[StandIn]:
    """The run's stand-in project, emptied and reset to its defaults."""
    reset(shared_standin)
    schema = _columns(shared_standin)
    yield shared_standin
    shared_standin.reload_schema()
    assert _columns(shared_standin) == schema, "the test changed the schema: use own_standin"


@pytest.fixture
def own_standin(pg_url: str) -> Iterator[StandIn]:
    """A stand-in project on a fresh database of its own, for a test that changes the schema."""
    prepare_database(pg_url)
    with StandIn(pg_url) as server:
        yield server


@pytest.fixture
def http(standin: StandIn) -> Http:
    return Http(standin)
