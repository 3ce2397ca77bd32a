"""A real PostgreSQL that looks like a Supabase project, a database as new for each test.

Fixtures:

* ``pg_server_url`` (session): the server, from ``$KHEPRI_TEST_POSTGRES_URL``
  (default ``postgresql://postgres@127.0.0.1:5432/postgres``). When it cannot be
  reached the test is skipped, or fails when ``KHEPRI_REQUIRE_POSTGRES=1`` (CI).
* ``pg_url``: a database ``khepri_test_<random>`` with the test ``auth``
  schema (``supabase_auth.sql``) and every Khepri migration from the installed
  package applied, and no rows.
* ``pg_empty_url``: the same without Khepri's schema, like a new Supabase project.
* ``pg_live_url``: the live Khepri backend as ``upstream.md`` describes it
  (``live_khepri_schema.sql``, every step up to 14).
* ``pg_at_step``: a factory; ``pg_at_step(n)`` is a new database at step ``n``
  (1..14) of upstream.md's "How the backend grew"; step 1 is the seed, i.e.
  Khepri's first migration.
* ``pg_databases`` (session): the factory behind them all.

A test gets a database exactly as new, but it is rarely built for it:

* The first database of each kind (``build_sql``) in a session is built by
  running its SQL, and its fingerprint is taken (``FINGERPRINT_SQL``: a hash
  of everything but the rows: schemas, tables, columns, defaults,
  constraints, indexes, triggers, policies, functions, types, extensions,
  privileges, database settings).
* After each test, a background thread readies its database for the next
  test of the kind: when the fingerprint is unchanged (the test only wrote
  rows) it closes what the test left connected and empties every table
  (``TRUNCATE ... RESTART IDENTITY CASCADE``); otherwise (the test changed the
  schema, say) it drops the database and makes a copy of the kind's template
  (``CREATE DATABASE ... TEMPLATE``). A template
  (``khepri_tpl_<epoch>_<random>_<kind>``) is built once per session when
  first needed and refuses connections, since nobody may be connected to a
  template while it is copied.

Emptying a database takes a few hundredths of a second; copying one about a
tenth or more (PostgreSQL writes the whole copy, ~8 MB of catalogues, to its
WAL); building one from its SQL more still. Names are random per session, so
two test sessions on one server never share a database or a template; roles
are cluster-wide, and ``supabase_auth.sql`` creates them race-free.
Everything is dropped when the session ends; a template left behind by a
crashed session is dropped by a later session after a day.

Helpers (import them with ``from .conftest import make_user, acting_as``):

* ``make_user(pg_url, email)`` adds a row to ``auth.users`` and returns its id.
* ``acting_as(conn, user_id, role="authenticated")`` runs a block the way
  PostgREST runs a request: ``SET LOCAL ROLE`` plus the JWT claims, in one
  transaction that is rolled back when the block fails.
* ``live_schema_steps()`` is ``live_khepri_schema.sql`` cut into its steps.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import psycopg

DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
AUTH_SQL = Path(__file__).with_name("supabase_auth.sql")
LIVE_SQL = Path(__file__).with_name("live_khepri_schema.sql")
LIVE_STEPS = range(1, 15)  # upstream.md: step 1 is the seed, 14 the live backend of April 2026
TEMPLATE_PREFIX = "khepri_tpl_"
STALE_TEMPLATE_SECONDS = 24 * 3600


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


_STEP = re.compile(r"^-- step (\d+):", re.MULTILINE)


def live_schema_steps() -> tuple[str, dict[int, str]]:
    """``live_khepri_schema.sql`` as its prelude and its steps 2..14, each SQL of its own."""
    text = LIVE_SQL.read_text(encoding="utf-8")
    marks = list(_STEP.finditer(text))
    steps = {
        int(mark.group(1)): text[mark.start() : nxt.start() if nxt else len(text)]
        for mark, nxt in zip(marks, [*marks[1:], None], strict=True)
    }
    assert sorted(steps) == list(LIVE_STEPS)[1:], sorted(steps)
    return text[: marks[0].start()], steps


def build_sql(kind: str) -> list[str]:
    """The SQL that makes a new database into ``kind``, in order.

    ``empty``: the auth stand-in; ``khepri``: plus every Khepri migration;
    ``step<N>``: the auth stand-in, the first migration and live steps 2..N;
    ``live``: ``step14``.
    """
    from khepri_cli.sql import initial_schema, whole_schema

    auth = AUTH_SQL.read_text(encoding="utf-8")
    if kind == "empty":
        return [auth]
    if kind == "khepri":
        return [auth, whole_schema()]
    if kind == "live":
        kind = f"step{LIVE_STEPS[-1]}"
    match = re.fullmatch(r"step(\d+)", kind)
    if not match or int(match.group(1)) not in LIVE_STEPS:
        raise ValueError(f"unknown kind of test database: {kind!r}")
    step = int(match.group(1))
    prelude, steps = live_schema_steps()
    chunks = [steps[n] for n in range(2, step + 1)]
    return [auth, initial_schema(), *([prelude + "".join(chunks)] if chunks else [])]


# Everything a test could change in a database besides its rows, as one hash:
# schemas, relations, columns, defaults, constraints, indexes, triggers, policies,
# functions, types, extensions, privileges and database settings. Rows are not in it.
FINGERPRINT_SQL = """
WITH ns AS (
    SELECT oid, nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND nspname NOT LIKE 'pg\\_temp\\_%' AND nspname NOT LIKE 'pg\\_toast\\_temp\\_%'
), rel AS (
    SELECT c.* FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
)
SELECT md5(string_agg(item, E'\\n' ORDER BY item)) FROM (
    SELECT 'n ' || nspname || ' ' || coalesce(n.nspacl::text, '') FROM pg_namespace n
        WHERE n.oid IN (SELECT oid FROM ns)
    UNION ALL SELECT 'r ' || oid::regclass::text || ' ' || relkind::text || ' '
        || coalesce(relacl::text, '') || relrowsecurity::text || relforcerowsecurity::text
        || coalesce(reloptions::text, '') || relreplident::text FROM rel
    UNION ALL SELECT 'a ' || a.attrelid::regclass::text || ' ' || a.attnum || ' ' || a.attname
        || ' ' || format_type(a.atttypid, a.atttypmod) || a.attnotnull::text
        || a.attisdropped::text || coalesce(a.attacl::text, '') || a.attidentity::text
        || a.attgenerated::text || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
        FROM pg_attribute a JOIN rel ON rel.oid = a.attrelid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attnum > 0
    UNION ALL SELECT 'c ' || conrelid::regclass::text || ' ' || conname || ' '
        || pg_get_constraintdef(oid) || convalidated::text
        FROM pg_constraint WHERE connamespace IN (SELECT oid FROM ns)
    UNION ALL SELECT 'i ' || pg_get_indexdef(indexrelid) FROM pg_index
        WHERE indrelid IN (SELECT oid FROM rel)
    UNION ALL SELECT 't ' || pg_get_triggerdef(oid) || tgenabled::text FROM pg_trigger
        WHERE tgrelid IN (SELECT oid FROM rel) AND NOT tgisinternal
    UNION ALL SELECT 'p ' || polrelid::regclass::text || ' ' || polname || polcmd::text
        || polpermissive::text || polroles::text
        || coalesce(pg_get_expr(polqual, polrelid), '')
        || coalesce(pg_get_expr(polwithcheck, polrelid), '') FROM pg_policy
    UNION ALL SELECT 'w ' || ev_class::regclass::text || ' ' || pg_get_ruledef(oid) FROM pg_rewrite
        WHERE ev_class IN (SELECT oid FROM rel)
    UNION ALL SELECT 'f ' || p.oid::regprocedure::text || md5(p.prosrc)
        || coalesce(p.proacl::text, '') || coalesce(p.proconfig::text, '')
        || p.prosecdef::text || p.provolatile::text
        FROM pg_proc p WHERE p.pronamespace IN (SELECT oid FROM ns)
    UNION ALL SELECT 'y ' || t.oid::regtype::text || t.typtype::text FROM pg_type t
        WHERE t.typnamespace IN (SELECT oid FROM ns) AND t.typrelid = 0
    UNION ALL SELECT 'e ' || extname || extversion FROM pg_extension
    UNION ALL SELECT 'd ' || defaclrole::regrole::text || defaclnamespace || defaclobjtype::text
        || defaclacl::text FROM pg_default_acl
    UNION ALL SELECT 's ' || setrole || ' ' || setconfig::text FROM pg_db_role_setting
        WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
    UNION ALL SELECT 'b ' || datallowconn::text || datconnlimit || coalesce(datacl::text, '')
        FROM pg_database WHERE datname = current_database()
    UNION ALL SELECT 'o ' || count(*) FROM pg_largeobject_metadata
) AS items (item)
"""

# Every table of the user's schemas, for TRUNCATE.
TABLES_SQL = """
SELECT string_agg(c.oid::regclass::text, ', ') FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'
"""


class DatabaseFactory:
    """The test databases of one session, and the templates they are copied from."""

    def __init__(self, server_url: str):
        import psycopg

        # The background thread uses this module object: a test that hides psycopg
        # (monkeypatching sys.modules) must not break the databases of the next tests.
        self._psycopg = psycopg
        self.server_url = server_url
        self.session = f"{TEMPLATE_PREFIX}{int(time.time())}_{secrets.token_hex(4)}"
        self._templates: dict[str, str] = {}  # kind -> template database
        self._fingerprints: dict[str, str] = {}  # kind -> FINGERPRINT_SQL of a new one
        self._ready: dict[str, list[Future[str]]] = {}  # kind -> databases for the next tests
        self._lock = threading.Lock()  # templates are built by either thread
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="khepri-pg")
        self._drop_stale()

    @contextmanager
    def database(self, kind: str) -> Iterator[str]:
        """A database ``khepri_test_<random>`` of ``kind`` (see :func:`build_sql`), as new.

        The first database of a kind is built by running its SQL. After a test,
        a background thread gets the database ready for the next test of its
        kind: if its schema, privileges and settings are still exactly those of
        a new one (:data:`FINGERPRINT_SQL`), it empties every table; otherwise it
        drops it and copies the kind's template (``CREATE DATABASE ... TEMPLATE``).
        """
        ready = self._ready.setdefault(kind, [])
        name = ready.pop(0).result() if ready else None
        if name is None and kind not in self._fingerprints:
            name = self._build(kind, self._new_name())
        elif name is None:  # a second database of the kind in one test
            name = self._copy(self._template(kind))
        try:
            yield database_url(self.server_url, name)
        finally:
            ready.append(self._background.submit(self._renew, kind, name))

    def close(self) -> None:
        """Drop every database and template of this session; raise what went wrong."""
        problems: list[BaseException] = []
        names: list[str] = []
        for futures in self._ready.values():
            for future in futures:
                try:
                    names.append(future.result())
                except Exception as exc:
                    problems.append(exc)
        self._background.shutdown(wait=True)
        for name in [*names, *self._templates.values()]:
            try:
                self._drop(name)
            except Exception as exc:
                problems.append(exc)
        if problems:
            raise problems[0]

    def _renew(self, kind: str, name: str) -> str:
        """``name`` emptied if only its rows changed, else a new copy of the template."""
        psycopg = self._psycopg

        try:
            with psycopg.connect(database_url(self.server_url, name), autocommit=True) as conn:
                conn.execute(  # whatever the test left open must not hold a lock
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                if conn.execute(FINGERPRINT_SQL).fetchone()[0] == self._fingerprints[kind]:
                    conn.execute("SET lock_timeout = '5s'")
                    tables = conn.execute(TABLES_SQL).fetchone()[0]
                    if tables:
                        conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
                    return name
        except psycopg.Error:
            pass  # e.g. a lock still held: fall back to a copy
        self._drop(name)
        return self._copy(self._template(kind))

    def _template(self, kind: str) -> str:
        with self._lock:
            if kind not in self._templates:
                name = self._build(kind, f"{self.session}_{kind}")
                # Nobody may be connected to a template while it is copied: forbid it.
                self._admin("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false", name)
                self._templates[kind] = name
            return self._templates[kind]

    def _build(self, kind: str, name: str) -> str:
        psycopg = self._psycopg

        scripts = build_sql(kind)
        self._admin("CREATE DATABASE {}", name)
        try:
            with psycopg.connect(database_url(self.server_url, name), autocommit=True) as conn:
                with conn.transaction():
                    for script in scripts:
                        conn.execute(script)
                fingerprint = conn.execute(FINGERPRINT_SQL).fetchone()[0]
        except BaseException:
            self._drop(name)
            raise
        self._fingerprints.setdefault(kind, fingerprint)
        return name

    def _new_name(self) -> str:
        return f"khepri_test_{secrets.token_hex(6)}"

    def _copy(self, template: str) -> str:
        name = self._new_name()
        self._admin("CREATE DATABASE {} TEMPLATE {}", name, template)
        return name

    def _drop(self, name: str) -> None:
        self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)

    def _drop_stale(self) -> None:
        """Templates of sessions that died more than a day ago (the name holds the epoch)."""
        rows = self._admin(
            rf"SELECT datname FROM pg_database WHERE datname ~ '^{TEMPLATE_PREFIX}\d'"
        )
        for (name,) in rows:
            match = re.match(rf"{TEMPLATE_PREFIX}(\d+)_", name)
            if match and time.time() - int(match.group(1)) > STALE_TEMPLATE_SECONDS:
                self._drop(name)

    def _admin(self, template: str, *names: str) -> list:
        """One statement on the server's own database, on a connection of its own (any thread).

        ``template`` holds ``{}`` for each of ``names``, quoted as identifiers.
        """
        psycopg = self._psycopg
        sql = psycopg.sql

        statement = sql.SQL(template).format(*map(sql.Identifier, names))
        with psycopg.connect(self.server_url, autocommit=True) as conn:
            cursor = conn.execute(statement)
            return cursor.fetchall() if cursor.description else []


@pytest.fixture(scope="session")
def pg_databases(pg_server_url: str) -> Iterator[DatabaseFactory]:
    """This session's test databases and templates; all dropped when the session ends."""
    factory = DatabaseFactory(pg_server_url)
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture
def pg_url(pg_databases: DatabaseFactory) -> Iterator[str]:
    """A fresh database holding Supabase's auth stand-in and Khepri's schema."""
    with pg_databases.database("khepri") as url:
        yield url


@pytest.fixture
def pg_empty_url(pg_databases: DatabaseFactory) -> Iterator[str]:
    """A fresh database like a new Supabase project: the auth stand-in, no Khepri tables."""
    with pg_databases.database("empty") as url:
        yield url


@pytest.fixture
def pg_live_url(pg_databases: DatabaseFactory) -> Iterator[str]:
    """A fresh database at the live Khepri schema of upstream.md (step 14)."""
    with pg_databases.database("live") as url:
        yield url


@pytest.fixture
def pg_at_step(pg_databases: DatabaseFactory) -> Iterator[Callable[[int], str]]:
    """``pg_at_step(n)``: a fresh database at step ``n`` (1..14) of upstream.md."""
    with ExitStack() as stack:

        def at_step(step: int) -> str:
            return stack.enter_context(pg_databases.database(f"step{step}"))

        yield at_step


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


@pytest.fixture(params=["seed", "live"])
def remote(request):
    """The Khepri app on a remote (``two_way.App``, as a new user ada@example.com): the seed
    schema, or the live backend upgraded as docs/supabase.md says (``--missing``)."""
    from .two_way import App, with_khepri_migrations

    url = request.getfixturevalue("pg_url" if request.param == "seed" else "pg_live_url")
    if request.param == "live":
        with_khepri_migrations(url)
    return App(url, make_user(url, "ada@example.com"))
