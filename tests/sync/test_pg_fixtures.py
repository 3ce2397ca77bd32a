"""The test databases themselves: every test gets one exactly as new, however it was made.

conftest.DatabaseFactory reuses a database whose schema a test left alone
(emptying its tables) and replaces one whose schema it changed (a copy of a
template). These tests hold it to "exactly as new".
"""

from __future__ import annotations

import threading

import pytest

from .conftest import FINGERPRINT_SQL, DatabaseFactory, make_user

psycopg = pytest.importorskip("psycopg")


def fingerprint(url: str) -> str:
    with psycopg.connect(url) as conn:
        return conn.execute(FINGERPRINT_SQL).fetchone()[0]


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT c.oid::regclass::text FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'r' AND n.nspname IN ('public', 'auth')"
            )
        ]
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def test_rows_a_test_wrote_are_gone_for_the_next_one(pg_databases: DatabaseFactory):
    with pg_databases.database("khepri") as first:
        new = fingerprint(first)
        user = make_user(first, "ada@example.com")
        with psycopg.connect(first) as conn:
            conn.execute("INSERT INTO athletes (auth_user_id) VALUES (%s)", (user,))
    with pg_databases.database("khepri") as second:
        assert set(counts(second).values()) == {0}
        assert fingerprint(second) == new
        make_user(second, "ada@example.com")  # the unique email is free again


def test_a_changed_schema_is_never_handed_on(pg_databases: DatabaseFactory):
    with pg_databases.database("khepri") as first:
        new = fingerprint(first)
        with psycopg.connect(first) as conn:
            conn.execute("ALTER TABLE goals ADD CONSTRAINT no_marathons CHECK (title <> 'x')")
            conn.execute("INSERT INTO auth.users (email) VALUES ('ada@example.com')")
    with pg_databases.database("khepri") as second:
        assert second != first  # a new copy of the template
        assert fingerprint(second) == new
        assert set(counts(second).values()) == {0}


def test_a_connection_left_open_in_a_transaction_does_not_block_the_next_test(
    pg_databases: DatabaseFactory,
):
    with pg_databases.database("khepri") as first:
        leftover = psycopg.connect(first)
        leftover.execute("LOCK TABLE athletes IN ACCESS EXCLUSIVE MODE")  # and never commits
    try:
        with pg_databases.database("khepri") as second:
            assert set(counts(second).values()) == {0}
    finally:
        leftover.close()


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE public.extra (id int)",
        "ALTER TABLE public.goals ADD COLUMN extra text",
        "ALTER TABLE public.goals ALTER COLUMN description SET DEFAULT 'x'",
        "ALTER TABLE public.goals ALTER COLUMN description SET NOT NULL",
        "ALTER TABLE public.goals DROP CONSTRAINT goals_title_check",
        "CREATE INDEX extra_idx ON public.goals (description)",
        "DROP TRIGGER goals_set_updated_at ON public.goals",
        "ALTER TABLE public.goals DISABLE TRIGGER goals_set_updated_at",
        "DROP POLICY goals_select_own ON public.goals",
        "ALTER TABLE public.goals DISABLE ROW LEVEL SECURITY",
        "GRANT SELECT ON public.goals TO anon",
        "REVOKE DELETE ON public.goals FROM authenticated",
        "CREATE FUNCTION public.extra() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE OR REPLACE FUNCTION public.khepri_set_updated_at() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END; $$",
        "CREATE SCHEMA supabase_migrations",
        "CREATE TYPE public.mood AS ENUM ('ok')",
        "CREATE VIEW public.extra_view AS SELECT 1 AS one",
        "CREATE SEQUENCE public.extra_seq",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM anon",
        "ALTER DATABASE {db} SET statement_timeout = '1s'",
    ],
)
def test_the_fingerprint_sees_what_a_test_could_change(pg_url, statement):
    before = fingerprint(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(statement.replace("{db}", conn.info.dbname))
    assert fingerprint(pg_url) != before


def test_the_fingerprint_ignores_rows(pg_url):
    before = fingerprint(pg_url)
    make_user(pg_url, "ada@example.com")
    assert fingerprint(pg_url) == before


def test_databases_made_in_the_background_are_the_same_as_built_ones(pg_databases, pg_url):
    """A copy of the template and a database built by the SQL have one fingerprint."""
    with pg_databases.database("khepri") as url, psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE public.extra (id int)")  # forces a copy next time
    with pg_databases.database("khepri") as copy:
        assert fingerprint(copy) == fingerprint(pg_url)


def test_two_sessions_never_share_names(pg_server_url):
    one = DatabaseFactory(pg_server_url)
    two = DatabaseFactory(pg_server_url)
    try:
        assert one.session != two.session
        names = []

        def take(factory: DatabaseFactory) -> None:
            with factory.database("empty") as url:
                names.append(url)

        threads = [threading.Thread(target=take, args=(f,)) for f in (one, two)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(set(names)) == 2
    finally:
        one.close()
        two.close()
