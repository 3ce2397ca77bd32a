"""When ``khepri sync`` cannot finish: one clear line, exit 1, nothing lost, the password never shown.

Every fault leaves the journal byte for byte as it was (``snapshot()``), with
its pending changes, and the remote without any part of the push; running
the sync again completes it without duplicates.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from khepri_cli.sync.settings import (
    hide_secrets,
    mask_url,
    read_dotenv,
    resolve_target,
    url_secrets,
)

PASSWORD = "s3cret-Pa55w0rd"
UUID = "0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d"


def closed_port() -> int:
    """A local TCP port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_one_clean_line(run, *, exit_code: int = 1) -> str:
    assert run.exit_code == exit_code, run.output
    assert PASSWORD not in run.output
    assert "Traceback" not in run.output
    [line] = run.stderr.splitlines()
    assert line.startswith("khepri: error: ")
    return line


@pytest.fixture
def journal(athlete):
    """A journal with a profile and three check-ins, nothing pushed yet."""
    for day in ("2026-11-20", "2026-11-21", "2026-11-22"):
        athlete.ok("checkin", "--date", day, "--sleep-hours", "7.5", "--energy", "7")
    return athlete


def pending(khepri) -> int:
    return khepri.rows("SELECT count(*) AS n FROM _khepri_pending_changes")[0]["n"]


# -- where to, as whom: bad input ------------------------------------------------------


def test_no_target_is_a_usage_error(journal):
    before = journal.snapshot()
    line = assert_one_clean_line(journal("sync", "--user-id", UUID), exit_code=2)
    assert "where to sync?" in line and "'khepri login'" in line
    assert "--db-url or SUPABASE_DB_URL" in line
    assert journal.snapshot() == before


def test_a_bad_user_id_names_the_flag(journal):
    run = journal("sync", "--db-url", "postgresql://localhost/x", "--user-id", "nope")
    line = assert_one_clean_line(run, exit_code=2)
    assert "--user-id: 'nope' is not valid; must be the UUID of a Supabase Auth user" in line


def test_the_first_sync_needs_a_user_id(journal):
    run = journal("sync", "--db-url", f"postgresql://postgres:{PASSWORD}@127.0.0.1:1/x")
    line = assert_one_clean_line(run, exit_code=2)
    assert "pass --user-id with the UUID of your Supabase Auth user" in line


def test_a_url_that_is_not_postgres_is_refused_with_its_password_hidden(journal):
    run = journal("sync", "--db-url", f"mysql://root:{PASSWORD}@db/x", "--user-id", UUID)
    line = assert_one_clean_line(run, exit_code=2)
    assert "--db-url: 'mysql://root:***@db/x' is not valid; must be a PostgreSQL URL" in line


def test_the_url_comes_from_the_environment_then_dotenv(journal, tmp_path, monkeypatch):
    port_env, port_file = closed_port(), closed_port()
    (tmp_path / ".env").write_text(
        "# Supabase\n"
        "SUPABASE_URL=http://127.0.0.1:54321\n"
        f'export SUPABASE_DB_URL="postgresql://postgres:{PASSWORD}@127.0.0.1:{port_file}/db"  # local\n',
        encoding="utf-8",
    )
    line = assert_one_clean_line(journal("sync", "--user-id", UUID))
    assert (
        f"cannot reach the database at postgresql://postgres:***@127.0.0.1:{port_file}/db" in line
    )
    monkeypatch.setenv(
        "SUPABASE_DB_URL", f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port_env}/db"
    )
    line = assert_one_clean_line(journal("sync", "--user-id", UUID))
    assert f"127.0.0.1:{port_env}/db" in line
    line = assert_one_clean_line(
        journal("sync", "--user-id", UUID, "--db-url", "postgresql://127.0.0.1:1/flag")
    )
    assert "127.0.0.1:1/flag" in line


# -- the server cannot be used ------------------------------------------------------------


def test_an_unreachable_server_changes_nothing(journal):
    before = journal.snapshot()
    port = closed_port()
    url = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/postgres"
    line = assert_one_clean_line(journal("sync", "--db-url", url, "--user-id", UUID))
    assert (
        f"cannot reach the database at postgresql://postgres:***@127.0.0.1:{port}/postgres" in line
    )
    assert "nothing was pushed, and the journal keeps its 4 pending change(s)" in line
    assert journal.snapshot() == before


def test_a_first_sync_that_cannot_reach_the_server_leaves_no_journal_behind(khepri):
    url = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{closed_port()}/postgres"
    line = assert_one_clean_line(khepri("sync", "--db-url", url, "--user-id", UUID))
    assert "cannot reach the database" in line
    assert not khepri.db_path.exists()
    assert list(khepri.db_path.parent.glob(khepri.db_path.name + "*")) == []


def test_a_password_in_a_connection_string_never_shows_even_with_debug(journal):
    url = f"host=127.0.0.1 port={closed_port()} user=postgres password={PASSWORD}"
    run = journal("--debug", "sync", "--db-url", url, "--user-id", UUID)
    assert run.exit_code == 1
    assert PASSWORD not in run.output
    assert "password=***" in run.stderr


def test_without_psycopg_the_sync_says_how_to_install_it(journal, monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now raises ImportError
    before = journal.snapshot()
    run = journal("sync", "--db-url", "postgresql://127.0.0.1/x", "--user-id", UUID)
    line = assert_one_clean_line(run)
    assert line == (
        "khepri: error: syncing needs psycopg, which is not installed: "
        "pip install 'khepri-cli[sync]'"
    )
    assert journal.snapshot() == before


@pytest.mark.parametrize(
    "args",
    [
        ["sync", "status"],
        ["sync", "status", "--json"],
        ["sync", "conflicts"],
        ["sync", "--help"],
        ["profile"],
    ],
)
def test_commands_that_do_not_push_never_load_psycopg(journal, args):
    code = (
        "import sys\n"
        "from khepri_cli.cli.main import app\n"
        f"app({args!r}, standalone_mode=False)\n"
        "print('LOADED' if 'psycopg' in sys.modules else 'NOT LOADED')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip().splitlines()[-1] == "NOT LOADED", done.stderr


# -- against a real server --------------------------------------------------------------


def test_a_login_the_server_refuses_is_reported_without_the_password(journal, pg_url):
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(pg_url)
    url = (
        f"postgresql://no_such_role:{PASSWORD}@{params['host']}:{params.get('port', 5432)}/"
        f"{params['dbname']}"
    )
    line = assert_one_clean_line(journal("sync", "--db-url", url, "--user-id", UUID))
    assert "refused the login" in line and "no_such_role:***@" in line
    assert psycopg  # the server was reachable: this is the login path, not the network


def test_a_wrong_password_is_reported_without_it(journal, pg_url):
    """Needs a server that checks passwords on 127.0.0.1 (md5 or scram in pg_hba.conf)."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    with psycopg.connect(pg_url) as conn:
        methods = {
            r[0]
            for r in conn.execute(
                "SELECT auth_method FROM pg_hba_file_rules WHERE type IN ('host', 'hostssl')"
            )
        }
        if not methods & {"md5", "scram-sha-256", "password"}:
            pytest.skip(f"pg_hba.conf asks no password on TCP (methods: {sorted(methods)})")
        role = "khepri_pw_test"
        conn.execute(f"DROP ROLE IF EXISTS {role}")
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'right-one'")
    try:
        params = conninfo_to_dict(pg_url)
        url = f"postgresql://{role}:{PASSWORD}@{params['host']}:{params.get('port', 5432)}/{params['dbname']}"
        line = assert_one_clean_line(journal("sync", "--db-url", url, "--user-id", UUID))
        assert "refused the login" in line
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f"DROP ROLE IF EXISTS {role}")


def remote_counts(pg_url: str) -> dict[str, int]:
    import psycopg

    tables = ("athletes", "goals", "constraints", "daily_checkins", "training_plans")
    with psycopg.connect(pg_url) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM public.{t}").fetchone()[0] for t in tables}


def local_counts(khepri) -> dict[str, int]:
    tables = ("athletes", "goals", "constraints", "daily_checkins", "training_plans")
    return {t: khepri.rows(f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in tables}


def distinct_remote_days(pg_url: str) -> int:
    import psycopg

    with psycopg.connect(pg_url) as conn:
        return conn.execute(
            "SELECT count(DISTINCT (athlete_id, checkin_date)) FROM public.daily_checkins"
        ).fetchone()[0]


def add_days(khepri, count: int) -> None:
    """``count`` more check-ins, one per day before 2026-01-01, with plain SQL (fast)."""
    import sqlite3

    conn = sqlite3.connect(khepri.db_path)
    with conn:
        athlete_id = conn.execute("SELECT id FROM athletes").fetchone()[0]
        conn.execute(
            """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
            INSERT INTO daily_checkins (id, athlete_id, checkin_date, energy_level, sleep_hours,
                                        soreness_areas, equipment_access, notes)
            SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
                         substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2) ||
                         '-' || hex(randomblob(6))),
                   ?, date('2026-01-01', '-' || i || ' days'), 1 + i % 10, (i % 240) / 10.0,
                   json_object('legs', 1 + i % 10), json_array('pool'), 'jour ' || i
            FROM n
            """,
            (count, athlete_id),
        )
    conn.close()


def test_a_connection_dropped_mid_push_keeps_everything_and_a_rerun_completes(
    journal, pg_url, monkeypatch
):
    import psycopg

    from khepri_cli.sync.transports.postgres import PostgresTransport

    from .conftest import make_user

    user = make_user(pg_url, "ada@example.com")
    before = journal.snapshot()
    original = PostgresTransport.upsert
    killed: list[int] = []

    def terminate_then_upsert(self, table, columns, rows_json):
        if table == "daily_checkins" and not killed:  # the profile is already sent
            pid = self._conn.info.backend_pid
            with psycopg.connect(pg_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            killed.append(pid)
        return original(self, table, columns, rows_json)

    monkeypatch.setattr(PostgresTransport, "upsert", terminate_then_upsert)
    line = assert_one_clean_line(journal("sync", "--db-url", pg_url, "--user-id", user))
    assert killed
    assert "the connection to " in line and "dropped" in line
    assert "nothing was pushed, and the journal keeps its 4 pending change(s)" in line
    assert journal.snapshot() == before
    assert set(remote_counts(pg_url).values()) == {0}

    monkeypatch.setattr(PostgresTransport, "upsert", original)
    journal.ok("sync", "--db-url", pg_url, "--user-id", user)
    assert remote_counts(pg_url) == local_counts(journal)
    assert pending(journal) == 0


def test_a_backend_terminated_from_another_connection_during_a_large_push(journal, pg_url):
    import psycopg

    from .conftest import make_user

    user = make_user(pg_url, "ada@example.com")
    add_days(journal, 20_000)
    before = journal.snapshot()
    done = threading.Event()
    killed: list[int] = []

    def killer() -> None:
        with psycopg.connect(pg_url, autocommit=True) as admin:
            while not done.is_set():
                row = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = 'khepri-sync' "
                    "AND datname = current_database() "  # not another test session's push
                    "AND state = 'active' AND query LIKE 'INSERT INTO public.daily_checkins%'"
                ).fetchone()
                if row is not None:
                    admin.execute("SELECT pg_terminate_backend(%s)", (row[0],))
                    killed.append(row[0])
                    return
                time.sleep(0.005)

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        run = journal("sync", "--db-url", pg_url, "--user-id", user)
    finally:
        done.set()
        thread.join()
    assert killed, "the push ended before the killer saw it (machine too fast for 20,000 rows?)"
    line = assert_one_clean_line(run)
    assert "dropped" in line
    assert journal.snapshot() == before
    assert remote_counts(pg_url)["daily_checkins"] == 0

    journal.ok("sync", "--db-url", pg_url, "--user-id", user)
    assert remote_counts(pg_url) == local_counts(journal)
    assert distinct_remote_days(pg_url) == 20_003
    again = journal.ok("sync", "--db-url", pg_url)
    assert "Nothing to pull or push" in again.stderr


def test_a_statement_timeout_is_reported_and_a_rerun_completes(journal, pg_url):
    from .conftest import make_user

    user = make_user(pg_url, "ada@example.com")
    add_days(journal, 5000)
    before = journal.snapshot()
    impatient = pg_url + " options='-c statement_timeout=1'"
    line = assert_one_clean_line(journal("sync", "--db-url", impatient, "--user-id", user))
    assert "cancelled" in line and "statement timeout" in line
    assert journal.snapshot() == before
    assert set(remote_counts(pg_url).values()) == {0}
    journal.ok("sync", "--db-url", pg_url, "--user-id", user)
    assert remote_counts(pg_url) == local_counts(journal)


def test_rows_a_remote_constraint_refuses_are_named_and_kept_and_the_rest_goes(journal, pg_url):
    import psycopg

    from .conftest import make_user

    user = make_user(pg_url, "ada@example.com")
    journal.ok("goals", "add", "health", "Sleep more")
    with psycopg.connect(pg_url) as conn:
        conn.execute(
            "ALTER TABLE public.daily_checkins "
            "ADD CONSTRAINT energy_at_most_6 CHECK (energy_level <= 6)"
        )
    run = journal("sync", "--db-url", pg_url, "--user-id", user)
    assert run.exit_code == 0, run.output
    days = journal.rows("SELECT id FROM daily_checkins ORDER BY checkin_date")
    kept = [line for line in run.stderr.splitlines() if line.startswith("kept pending:")]
    assert [line.split()[4].rstrip(":") for line in kept] == [d["id"] for d in days]
    assert all('violates check constraint "energy_at_most_6"' in line for line in kept)
    assert remote_counts(pg_url) == {**local_counts(journal), "daily_checkins": 0}
    assert pending(journal) == 3  # the three days, nothing else

    with psycopg.connect(pg_url) as conn:
        conn.execute("ALTER TABLE public.daily_checkins DROP CONSTRAINT energy_at_most_6")
    again = journal.ok("sync", "--db-url", pg_url)
    assert "kept pending" not in again.stderr
    assert remote_counts(pg_url) == local_counts(journal)
    assert pending(journal) == 0


def test_a_user_id_unknown_to_supabase_auth_is_named(journal, pg_url):
    before = journal.snapshot()
    line = assert_one_clean_line(journal("sync", "--db-url", pg_url, "--user-id", UUID))
    athlete = journal.rows("SELECT id FROM athletes")[0]["id"]
    assert f"athletes row {athlete}: the server rejected it" in line
    assert 'violates foreign key constraint "athletes_auth_user_id_fkey"' in line
    assert f"is {UUID} a user of this Supabase project" in line
    assert journal.snapshot() == before


def test_a_database_without_the_khepri_schema_says_how_to_apply_it(journal, pg_server_url):
    import secrets

    import psycopg

    from .conftest import database_url

    name = f"khepri_test_{secrets.token_hex(6)}"
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = database_url(pg_server_url, name)
        before = journal.snapshot()
        line = assert_one_clean_line(journal("sync", "--db-url", url, "--user-id", UUID))
        assert "the database is not set up for Khepri" in line
        assert "khepri supabase schema | psql" in line
        assert journal.snapshot() == before
    finally:
        with psycopg.connect(pg_server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_dry_run_against_an_unreachable_server_fails_the_same_way(journal):
    url = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{closed_port()}/x"
    before = journal.snapshot()
    line = assert_one_clean_line(journal("sync", "--db-url", url, "--user-id", UUID, "--dry-run"))
    assert "cannot reach the database" in line
    assert journal.snapshot() == before


# -- masking, unit by unit ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            f"postgresql://postgres:{PASSWORD}@db.abc.supabase.co:5432/postgres",
            "postgresql://postgres:***@db.abc.supabase.co:5432/postgres",
        ),
        (
            "postgresql://postgres.abc:p%40ss%3Aw0rd@pooler.supabase.com:6543/postgres",
            "postgresql://postgres.abc:***@pooler.supabase.com:6543/postgres",
        ),
        (
            "postgres://u@h/d?password=xyz&sslmode=require",
            "postgres://u@h/d?password=***&sslmode=require",
        ),
        ("host=h user=u password='a b c' dbname=d", "host=h user=u password=*** dbname=d"),
        ("postgresql://u@h/d", "postgresql://u@h/d"),
    ],
)
def test_mask_url(url, shown):
    assert mask_url(url) == shown


def test_every_spelling_of_the_password_is_hidden_in_any_text():
    url = "postgresql://postgres:p%40ss%3Aw0rd@h:5432/d"
    secrets = url_secrets(url)
    assert {"p%40ss%3Aw0rd", "p@ss:w0rd"} <= set(secrets)
    text = 'FATAL: password "p@ss:w0rd" for "postgresql://postgres:p%40ss%3Aw0rd@h:5432/d"'
    assert (
        hide_secrets(text, secrets)
        == 'FATAL: password "***" for "postgresql://postgres:***@h:5432/d"'
    )


def test_a_short_password_is_hidden_without_mangling_words():
    target = resolve_target("postgresql://u:pg@h/d")
    assert target.hide("pg is wrong for postgresql at pg") == "*** is wrong for postgresql at ***"


def test_repr_of_a_target_never_shows_the_password():
    target = resolve_target(f"postgresql://u:{PASSWORD}@h/d")
    assert PASSWORD not in repr(target)


def test_read_dotenv_understands_the_usual_forms(tmp_path: Path):
    env = tmp_path / ".env"
    env.write_text(
        "# comment\n"
        "\n"
        "PLAIN=value\n"
        "export EXPORTED=yes\n"
        "SPACED = spaced value  # trailing comment\n"
        "SINGLE='single # quoted'\n"
        'DOUBLE="a # b"\n'
        'ESCAPED="pa\\"ss\\\\word"  # comment\n'
        "EMPTY=\n"
        "URL=postgresql://u:p#w@h/d\n"
        "not a line\n",
        encoding="utf-8",
    )
    values = read_dotenv(env)
    assert values["PLAIN"] == "value"
    assert values["EXPORTED"] == "yes"
    assert values["SPACED"] == "spaced value"
    assert values["SINGLE"] == "single # quoted"
    assert values["DOUBLE"] == "a # b"
    assert values["ESCAPED"] == 'pa"ss\\word'
    assert values["EMPTY"] == ""
    assert values["URL"] == "postgresql://u:p#w@h/d"
    assert "not a line" not in json.dumps(values)
    assert read_dotenv(tmp_path / "missing.env") == {}
