"""A real PostgreSQL that looks like a Supabase project, one fresh database per test.

Fixtures:

* ``pg_server_url`` (session): the server, from ``$KHEPRI_TEST_POSTGRES_URL``
  (default ``postgresql://postgres@127.0.0.1:5432/postgres``). When it cannot be
  reached the test is skipped, or fails when ``KHEPRI_REQUIRE_POSTGRES=1`` (CI).
* ``pg_url``: a new database ``khepri_test_<random>`` with the test ``auth``
  schema (``supabase_auth.sql``) and Khepri's schema from the installed package
  applied; dropped again after the test.
* ``pg_empty_url``: the same without Khepri's schema, like a new Supabase project.

Helpers (import them with ``from .conftest import make_user, acting_as``):

* ``make_user(pg_url, email)`` adds a row to ``auth.users`` and returns its id.
* ``acting_as(conn, user_id, role="authenticated")`` runs a block the way
  PostgREST runs a request: ``SET LOCAL ROLE`` plus the JWT claims, in one
  transaction that is rolled back when the block fails.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import psycopg

DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
AUTH_SQL = Path(__file__).with_name("supabase_auth.sql")


def _unavailable(reason: str) -> None:
    if os.environ.get("KHEPRI_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required (KHEPRI_REQUIRE_POSTGRES=1): {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """URL of a PostgreSQL server we may create databases on."""
    url = os.environ.get("KHEPRI_TEST_POSTGRES_URL", DEFAULT_SERVER_URL)
    try:
        import psycopg
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[dev]')")
    try:
        with psycopg.connect(url, connect_timeout=5, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        _unavailable(
            f"no PostgreSQL at {url} ({first_line}); set KHEPRI_TEST_POSTGRES_URL to run these tests"
        )
    return url


def database_url(server_url: str, dbname: str) -> str:
    """``server_url`` with its database name replaced by ``dbname``."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(server_url)
    params["dbname"] = dbname
    return make_conninfo(**params)


@contextmanager
def fresh_database(server_url: str, *, khepri_schema: bool = True) -> Iterator[str]:
    """A new database ``khepri_test_<random>`` with the auth stand-in (and Khepri's schema).

    Dropped again afterwards, even if connections are still open.
    """
    import psycopg
    from psycopg import sql

    from khepri_cli.sql import initial_schema

    name = f"khepri_test_{secrets.token_hex(6)}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = database_url(server_url, name)
    try:
        with psycopg.connect(url) as conn:
            conn.execute(AUTH_SQL.read_text(encoding="utf-8"))
            if khepri_schema:
                conn.execute(initial_schema())
        yield url
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def pg_url(pg_server_url: str) -> Iterator[str]:
    """A fresh database holding Supabase's auth stand-in and Khepri's schema."""
    with fresh_database(pg_server_url) as url:
        yield url


@pytest.fixture
def pg_empty_url(pg_server_url: str) -> Iterator[str]:
    """A fresh database like a new Supabase project: the auth stand-in, no Khepri tables."""
    with fresh_database(pg_server_url, khepri_schema=False) as url:
        yield url


def make_user(pg_url: str, email: str) -> str:
    """Add a Supabase Auth user; return its id as a string."""
    import psycopg

    with psycopg.connect(pg_url) as conn:
        row = conn.execute(
            "INSERT INTO auth.users (email) VALUES (%s) RETURNING id", (email,)
        ).fetchone()
    assert row is not None
    return str(row[0])


@contextmanager
def acting_as(
    conn: psycopg.Connection, user_id: str | None, role: str = "authenticated"
) -> Iterator[psycopg.Connection]:
    """Run the block as PostgREST would for a request of ``user_id`` with ``role``.

    ``user_id=None`` means no JWT subject (e.g. the anon role). Everything runs
    in one transaction (a savepoint when one is open), so a statement that
    fails undoes the block and the role and claims end with it.
    """
    if role not in ("anon", "authenticated", "service_role"):
        raise ValueError(f"unknown role {role!r}")
    claims = {"role": role}
    if user_id is not None:
        claims["sub"] = user_id
    with conn.transaction():
        conn.execute(f"SET LOCAL ROLE {role}")
        conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps(claims),))
        yield conn
        # Inside an outer transaction this block is a savepoint, whose release
        # keeps SET LOCAL: step back to the connecting user explicitly.
        conn.execute("RESET ROLE")
        conn.execute("SELECT set_config('request.jwt.claims', '', true)")
