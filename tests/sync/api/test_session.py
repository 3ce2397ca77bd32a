"""Sessions in use: an expiring access token is refreshed before a request and the rotated
refresh token saved; a token the server refuses is refreshed once; a session the server has
ended asks for a new login; two processes refreshing at once spend the refresh token once."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import textwrap
import time

import pytest

from khepri_cli.sync.supabase_api.client import open_api
from khepri_cli.sync.supabase_api.errors import ApiError
from khepri_cli.sync.supabase_api.session import NotLoggedIn, SessionStore
from khepri_cli.sync.transports import base

from .conftest import Http


def saved(khepri_home) -> dict:
    return json.loads((khepri_home / ".config" / "khepri" / "session.json").read_text())


def expire_locally(khepri_home) -> dict:
    """Make the saved session look expired to this machine; returns it as it was."""
    path = khepri_home / ".config" / "khepri" / "session.json"
    before = json.loads(path.read_text())
    path.write_text(json.dumps(before | {"expires_at": time.time() - 1}))
    return before


def read_athletes() -> list[dict]:
    with open_api() as api:
        return [row for page in api.rest.select("athletes", ["id"]) for row in page]


def requests(standin) -> list[tuple[str, str, int | None]]:
    return [(e.method, e.path, e.status) for e in standin.log.all()]


def test_an_expired_access_token_is_refreshed_before_use_and_the_new_tokens_saved(
    ada, configured, khepri_home
):
    before = expire_locally(khepri_home)
    configured.clock.advance(3700)
    configured.log.clear()
    assert read_athletes() == []
    assert requests(configured) == [
        ("POST", "/auth/v1/token", 200),
        ("GET", "/rest/v1/athletes", 200),
    ]
    refresh, read = configured.log.all()
    assert refresh.query == {"grant_type": ["refresh_token"]}
    assert refresh.json == {"refresh_token": before["refresh_token"]}
    after = saved(khepri_home)
    assert after["refresh_token"] != before["refresh_token"]  # rotated, and kept
    assert read.headers["authorization"] == f"Bearer {after['access_token']}"
    assert after["expires_at"] > time.time() + 3000
    path = khepri_home / ".config" / "khepri" / "session.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = Http(configured).post(
        "/auth/v1/token",
        params={"grant_type": "refresh_token"},
        json_body={"refresh_token": after["refresh_token"]},
    )
    assert again.status == 200  # the saved token is the live one


def test_a_token_the_server_refuses_is_refreshed_once_and_the_request_sent_again(
    ada, configured, khepri_home
):
    configured.clock.advance(3700)  # expired for the server, not yet for this machine
    configured.log.clear()
    assert read_athletes() == []
    assert requests(configured) == [
        ("GET", "/rest/v1/athletes", 401),
        ("POST", "/auth/v1/token", 200),
        ("GET", "/rest/v1/athletes", 200),
    ]


def test_refused_again_after_the_refresh_asks_for_a_login(ada, configured):
    expired = {"code": "PGRST303", "details": None, "hint": None, "message": "JWT expired"}
    configured.faults.fail(2, 401, expired, path="/rest/v1/athletes")
    configured.log.clear()
    with pytest.raises(ApiError) as failed:
        read_athletes()
    assert failed.value.kind == base.AUTH
    assert failed.value.message == (
        "cannot read athletes: your Supabase session has ended (JWT expired); run 'khepri login'"
    )
    assert [e.path for e in configured.log.all()] == [
        "/rest/v1/athletes",
        "/auth/v1/token",
        "/rest/v1/athletes",
    ]


def test_a_session_ended_on_the_server_is_forgotten_and_asks_for_a_login(
    ada, configured, khepri_home
):
    token = saved(khepri_home)["access_token"]
    ended = Http(configured).post("/auth/v1/logout", token=token, params={"scope": "global"})
    assert ended.status == 204
    expire_locally(khepri_home)
    run = ada.khepri("whoami")
    assert (run.exit_code, run.stderr) == (
        1,
        "khepri: error: cannot refresh the session: your Supabase session has ended "
        "(Invalid Refresh Token: Refresh Token Not Found); run 'khepri login'\n",
    )
    assert not (khepri_home / ".config" / "khepri" / "session.json").exists()


def test_a_session_of_another_project_is_not_used(ada, configured, monkeypatch):
    monkeypatch.setenv("SUPABASE_URL", "https://other.supabase.co")
    with pytest.raises(NotLoggedIn) as refused:
        open_api()
    assert refused.value.message == (
        f"you are logged in to {configured.url}, not to https://other.supabase.co; run 'khepri "
        "login' (or change the project with 'khepri config set url')"
    )


def test_the_secret_key_acts_only_for_a_named_user_and_says_rls_is_bypassed(
    configured, monkeypatch
):
    from khepri_cli.errors import UsageProblem

    user_id = configured.create_user("ada@example.com", "pw123456")
    monkeypatch.delenv("SUPABASE_PUBLISHABLE_KEY")
    from khepri_cli.sync.supabase_api.project import save

    save("key", configured.keys.secret)
    with pytest.raises(UsageProblem) as unnamed:
        open_api()
    assert "bypasses Row Level Security: name the user to act for with --user-id" in (
        unnamed.value.message
    )
    configured.log.clear()
    with open_api(user_id=user_id.upper()) as api:
        assert api.user_id == user_id
        assert api.warning == (
            "using the secret key, which bypasses Row Level Security: the database does not "
            f"check that the rows are user {user_id}'s; only Khepri's own filters do"
        )
        assert [r for page in api.rest.select("athletes", ["id"]) for r in page] == []
    (sent,) = configured.log.all()
    assert sent.headers["apikey"] == configured.keys.secret
    assert "authorization" not in sent.headers  # no user token: the key acts as service_role


def test_the_publishable_key_acts_only_as_the_logged_in_user(ada):
    from khepri_cli.errors import UsageProblem

    with pytest.raises(UsageProblem) as other:
        open_api(user_id="0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d")
    assert "is not the logged-in user" in other.value.message


REFRESHING_PROCESS = textwrap.dedent(
    """
    import hashlib, json, sys, time
    from pathlib import Path
    from khepri_cli.sync.supabase_api.client import open_api

    ready, go = Path(sys.argv[1]), Path(sys.argv[2])
    api = open_api()
    ready.write_text("ready")
    while not go.exists():
        time.sleep(0.01)
    rows = [r for page in api.rest.select("athletes", ["id"]) for r in page]
    token = api.acting.credentials.token()
    api.close()
    print(json.dumps({"rows": len(rows), "token": hashlib.sha256(token.encode()).hexdigest()}))
    """
)


def test_two_processes_refreshing_at_once_spend_the_refresh_token_once(
    ada, configured, khepri_home, tmp_path
):
    before = expire_locally(khepri_home)
    configured.clock.advance(3700)
    configured.faults.delay(1.0, path="/auth/v1/token")  # the first refresh takes its time
    configured.log.clear()
    go = tmp_path / "go"
    processes = []
    for n in range(2):
        ready = tmp_path / f"ready{n}"
        processes.append(
            (
                ready,
                subprocess.Popen(
                    [sys.executable, "-c", REFRESHING_PROCESS, str(ready), str(go)],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    deadline = time.monotonic() + 30
    while not all(ready.exists() for ready, _ in processes) and time.monotonic() < deadline:
        time.sleep(0.02)
    go.write_text("go")
    results = []
    for _, process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        results.append(json.loads(out))
    refreshes = configured.log.matching("POST", "/auth/v1/token")
    assert len(refreshes) == 1  # the second process found the first one's session
    assert refreshes[0].json == {"refresh_token": before["refresh_token"]}
    after = saved(khepri_home)
    token_hash = hashlib.sha256(after["access_token"].encode()).hexdigest()
    assert [r["token"] for r in results] == [token_hash, token_hash]
    reads = configured.log.matching("GET", "/rest/v1/athletes")
    assert [r.status for r in reads] == [200, 200]
    assert {r.headers["authorization"] for r in reads} == {f"Bearer {after['access_token']}"}


def test_the_store_refreshes_under_the_lock_only_when_due(tmp_path):
    from khepri_cli.sync.supabase_api.session import Session

    now = [1000.0]
    store = SessionStore(tmp_path, clock=lambda: now[0])
    store.save(Session("https://p.supabase.co", "u", "e@x.y", 2000.0, "a1", "r1"))
    calls = []

    def refresh(token):
        calls.append(token)
        return {
            "access_token": "a2",
            "refresh_token": "r2",
            "expires_in": 3600,
            "user": {"id": "u", "email": "e@x.y"},
        }

    assert store.fresh("https://p.supabase.co", refresh).access_token == "a1"
    now[0] = 1950.0  # within the margin
    assert store.fresh("https://p.supabase.co", refresh).access_token == "a2"
    assert calls == ["r1"]
    assert store.fresh("https://p.supabase.co", refresh, stale_token="a1").access_token == "a2"
    assert calls == ["r1"]  # someone already replaced the refused token
    assert store.fresh("https://p.supabase.co", refresh, stale_token="a2").access_token == "a2"
    assert calls == ["r1", "r2"]
    assert "a2" not in repr(store.find()) and "r2" not in repr(store.find())
