"""When ``khepri sync`` over the API meets trouble: one line, exit 1, the journal and its pending
changes kept, no token, key or password shown (not even with ``--debug``); a rerun converges.

Over the API each request commits on its own, so what arrived before a failure stays on the
remote; the rerun pulls it back, finds it equal, and sends the rest.
"""

from __future__ import annotations

import json
import socket
from datetime import date

import pytest

from khepri_cli.db import store
from khepri_cli.db.connection import open_journal
from khepri_cli.domain.rows import make
from khepri_cli.schema import table as declared
from khepri_cli.sync.supabase_api.session import SessionStore

from ..two_way import App
from .conftest import PASSWORD
from .test_sync_api import fill, remote_equals_journal

psycopg = pytest.importorskip("psycopg")


def pending(khepri) -> int:
    return khepri.rows("SELECT count(*) AS n FROM _khepri_pending_changes")[0]["n"]


def one_line(run, exit_code: int = 1) -> str:
    assert run.exit_code == exit_code, run.output
    assert "Traceback" not in run.output
    [line] = run.stderr.splitlines()
    assert line.startswith("khepri: error: ")
    return line


def secrets_of(standin) -> list[str]:
    session = SessionStore().find()
    return [
        standin.keys.publishable,
        standin.keys.secret,
        PASSWORD,
        session.access_token,
        session.refresh_token,
    ]


def test_a_server_that_keeps_failing_keeps_every_pending_change_and_a_rerun_converges(
    ada, configured, pauses
):
    fill(ada.khepri)
    waiting = pending(ada.khepri)
    configured.faults.fail(100, 503, method="POST", path="/rest/v1/goals")
    line = one_line(ada.khepri("sync"))
    assert "cannot write goals" in line and "503" in line and "tried 4 times" in line
    assert "what was sent before stays remotely" in line
    assert f"the journal keeps its {waiting} pending change(s)" in line
    assert pending(ada.khepri) == waiting
    assert len(pauses) == 3  # bounded retries, with waits between them
    app = App(configured.pg_url, ada.user_id)
    assert len(app.raw("athletes")) == 1 and app.raw("goals") == {}  # the profile went first

    configured.faults.clear()
    ada.khepri.ok("sync")
    assert pending(ada.khepri) == 0
    remote_equals_journal(app, ada.khepri)


def test_a_dropped_connection_and_rate_limits_are_retried(ada, configured, pauses):
    fill(ada.khepri)
    configured.faults.drop(1, method="POST", path="/rest/v1/daily_checkins")
    configured.faults.rate_limit(2, retry_after=3, method="GET")
    ada.khepri.ok("sync")
    assert pauses[:2] == [3, 3]  # Retry-After honoured
    remote_equals_journal(App(configured.pg_url, ada.user_id), ada.khepri)


def test_an_expired_access_token_is_refreshed_and_the_new_refresh_token_kept(ada, configured):
    fill(ada.khepri)
    before = SessionStore().find()
    configured.clock.advance(2 * 3600)  # past the access token's expiry
    ada.khepri.ok("sync")
    after = SessionStore().find()
    assert after.access_token != before.access_token
    assert after.refresh_token != before.refresh_token  # rotated, and saved
    refreshes = configured.log.matching("POST", "/auth/v1/token")
    assert [r.query["grant_type"] for r in refreshes][-1] == ["refresh_token"]
    remote_equals_journal(App(configured.pg_url, ada.user_id), ada.khepri)


def test_a_session_ended_on_the_server_says_to_log_in_again(ada, configured, http):
    fill(ada.khepri)
    before = ada.khepri.snapshot()
    token = SessionStore().find().access_token
    assert http.post("/auth/v1/logout", params={"scope": "global"}, token=token).status == 204
    configured.clock.advance(2 * 3600)
    line = one_line(ada.khepri("sync"))
    assert "khepri login" in line
    assert ada.khepri.snapshot() == before


def test_a_row_of_another_user_is_refused_by_rls_named_and_kept(ada, configured):
    bo = configured.create_user("bo@example.com", PASSWORD)
    theirs = App(configured.pg_url, bo)
    their_profile = theirs.profile(display_name="Bo")
    their_goal = theirs.insert(
        "goals", athlete_id=their_profile, goal_type="health", title="Bo's goal", priority="A"
    )
    ada.khepri.ok("goals", "add", "health", "Sleep more")
    journal = open_journal(ada.khepri.db_path)
    with journal.transaction() as conn:  # a row that somehow carries the id of Bo's goal
        mine = conn.execute("SELECT id FROM athletes").fetchone()[0]
        values = {"id": their_goal, "athlete_id": mine, "goal_type": "health", "title": "Copy"}
        store.insert_whole(conn, declared("goals"), [make(declared("goals"), values)])
    journal.close()

    waiting = pending(ada.khepri)
    line = one_line(ada.khepri("sync"))
    assert f"goals row {their_goal}: row level security refused it (SQLSTATE 42501)" in line
    assert "it belongs to another Supabase user" in line
    assert f"the journal keeps its {waiting} pending change(s)" in line
    assert pending(ada.khepri) == waiting
    assert theirs.raw("goals")[their_goal]["title"] == "Bo's goal"  # untouched


def test_an_unreachable_project_changes_nothing(ada, monkeypatch):
    fill(ada.khepri)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    before = ada.khepri.snapshot()
    # The session is for the configured URL: a moved project is a new login, so move the session too.
    session = SessionStore().find()
    moved = type(session)(**{**session.__dict__, "project_url": f"http://127.0.0.1:{port}"})
    SessionStore().save(moved)
    monkeypatch.setenv("SUPABASE_URL", f"http://127.0.0.1:{port}")
    line = one_line(ada.khepri("sync"))
    assert f"127.0.0.1:{port}" in line and "cannot" in line
    assert ada.khepri.snapshot() == before


def test_no_secret_is_printed_even_with_debug(ada, configured, pauses):
    fill(ada.khepri)
    configured.faults.fail(100, 500, method="POST")
    run = ada.khepri("--debug", "sync")
    assert run.exit_code == 1
    for secret in secrets_of(configured):
        assert secret not in run.output


def test_a_check_in_the_remote_refuses_is_kept_and_the_rest_goes(ada, configured):
    with psycopg.connect(configured.pg_url, autocommit=True) as conn:
        conn.execute(
            "ALTER TABLE public.daily_checkins ADD CONSTRAINT bench_no_low_energy "
            "CHECK (energy_level IS NULL OR energy_level > 2) NOT VALID"
        )
    try:
        ada.khepri.ok("checkin", "--date", "2026-11-23", "--energy", "2")
        ada.khepri.ok("checkin", "--date", "2026-11-24", "--energy", "7")
        report = json.loads(ada.khepri.ok("sync", "--json").stdout)
        [kept] = report["kept"]
        assert kept["table"] == "daily_checkins"
        assert "bench_no_low_energy" in kept["reason"]
        days = [
            r["checkin_date"]
            for r in App(configured.pg_url, ada.user_id).raw("daily_checkins").values()
        ]
        assert days == [str(date(2026, 11, 24))]
    finally:
        with psycopg.connect(configured.pg_url, autocommit=True) as conn:
            conn.execute("ALTER TABLE public.daily_checkins DROP CONSTRAINT bench_no_low_energy")
