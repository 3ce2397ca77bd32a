"""The official Supabase Python clients against the stand-in.

``supabase_auth`` (sign-in, refresh, sign-out) and ``postgrest`` (select with
filters, upsert on ``on_conflict``, delete) are not dependencies of Khepri;
these tests run only where they are installed (``pip install supabase_auth
postgrest``) and show that the stand-in speaks the protocol those clients
expect, and how the clients surface what the CLI must handle.
"""

from __future__ import annotations

import uuid

import pytest

from .conftest import add_athlete

supabase_auth = pytest.importorskip(
    "supabase_auth", reason="the official client supabase_auth is not installed (not a dependency)"
)
postgrest = pytest.importorskip(
    "postgrest", reason="the official client postgrest is not installed (not a dependency)"
)


@pytest.fixture
def auth_client(standin):
    client = supabase_auth.SyncGoTrueClient(
        url=f"{standin.url}/auth/v1",
        headers={"apikey": standin.keys.publishable},
        auto_refresh_token=False,
        persist_session=False,
    )
    yield client
    client.close()


def rest_client(standin, token: str):
    client = postgrest.SyncPostgrestClient(
        f"{standin.url}/rest/v1", headers={"apikey": standin.keys.publishable}
    )
    return client.auth(token)


def test_sign_in_refresh_and_sign_out(standin, auth_client):
    user_id = standin.create_user("ada@example.com", "pw123456")
    signed_in = auth_client.sign_in_with_password(
        {"email": "ada@example.com", "password": "pw123456"}
    )
    assert signed_in.user.id == user_id
    first = signed_in.session
    assert first.expires_in == 3600

    refreshed = auth_client.refresh_session(first.refresh_token)
    assert refreshed.session.refresh_token != first.refresh_token
    assert refreshed.user.email == "ada@example.com"
    (sent,) = standin.log.matching("POST", "/auth/v1/token")[-1:]
    assert sent.query == {"grant_type": ["refresh_token"]}
    assert sent.headers["x-supabase-api-version"] == "2024-01-01"

    auth_client.sign_out()
    (logout,) = standin.log.matching("POST", "/auth/v1/logout")
    assert logout.query == {"scope": ["global"]}
    assert logout.headers["authorization"] == f"Bearer {refreshed.session.access_token}"
    assert logout.status == 204
    with pytest.raises(supabase_auth.errors.AuthApiError) as caught:
        auth_client.refresh_session(refreshed.session.refresh_token)
    assert (caught.value.status, caught.value.code) == (400, "refresh_token_not_found")


def test_auth_errors_surface_with_status_and_code(standin, auth_client):
    standin.create_user("ada@example.com", "pw123456")
    with pytest.raises(supabase_auth.errors.AuthApiError) as caught:
        auth_client.sign_in_with_password({"email": "ada@example.com", "password": "wrong"})
    assert (caught.value.status, caught.value.code) == (400, "invalid_credentials")
    assert caught.value.message == "Invalid login credentials"


def test_select_upsert_and_delete(standin, http, auth_client):
    user_id = standin.create_user("ada@example.com", "pw123456")
    token = auth_client.sign_in_with_password(
        {"email": "ada@example.com", "password": "pw123456"}
    ).session.access_token
    athlete = add_athlete(http, token, user_id)
    client = rest_client(standin, token)
    goals = [
        {"id": str(uuid.uuid4()), "athlete_id": athlete, "goal_type": "race", "title": f"G{i}"}
        for i in range(3)
    ]
    client.from_("goals").upsert(
        goals, on_conflict="id", returning=postgrest.ReturnMethod.minimal
    ).execute()
    (upsert,) = standin.log.matching("POST", "/rest/v1/goals")
    assert upsert.query["on_conflict"] == ["id"]
    assert "resolution=merge-duplicates" in upsert.headers["prefer"]
    assert upsert.status == 201

    goals[0]["title"] = "Renamed"
    client.from_("goals").upsert(goals, on_conflict="id").execute()
    rows = (
        client.from_("goals")
        .select("id,title")
        .eq("athlete_id", athlete)
        .in_("title", ["Renamed", "G1"])
        .order("title")
        .execute()
    )
    assert [r["title"] for r in rows.data] == ["G1", "Renamed"]

    deleted = client.from_("goals").delete().in_("id", [goals[0]["id"], goals[2]["id"]]).execute()
    assert sorted(r["id"] for r in deleted.data) == sorted([goals[0]["id"], goals[2]["id"]])
    left = client.from_("goals").select("id", count=postgrest.CountMethod.exact).execute()
    assert (left.count, left.data) == (1, [{"id": goals[1]["id"]}])


def test_postgrest_errors_carry_the_body_but_not_the_status(standin, http, auth_client):
    standin.create_user("ada@example.com", "pw123456")
    token = auth_client.sign_in_with_password(
        {"email": "ada@example.com", "password": "pw123456"}
    ).session.access_token
    client = rest_client(standin, token)
    with pytest.raises(postgrest.APIError) as caught:
        client.from_("goals").select("id,nope").execute()
    assert (caught.value.code, caught.value.message) == (
        "42703",
        "column goals.nope does not exist",
    )
    assert not hasattr(caught.value, "status")

    standin.faults.rate_limit(1, retry_after=7)
    with pytest.raises(postgrest.APIError) as limited:
        client.from_("goals").insert({"title": "x"}).execute()
    # The gateway's body has no code: the client has no status, and Retry-After is lost.
    assert limited.value.code is None
    assert limited.value.message == "Too Many Requests"


def test_postgrest_timeouts_and_its_own_retry_of_reads(standin, auth_client):
    import httpx

    standin.create_user("ada@example.com", "pw123456")
    token = auth_client.sign_in_with_password(
        {"email": "ada@example.com", "password": "pw123456"}
    ).session.access_token
    client = postgrest.SyncPostgrestClient(
        f"{standin.url}/rest/v1",
        headers={"apikey": standin.keys.publishable},
        http_client=httpx.Client(timeout=0.3),
    ).auth(token)
    standin.faults.delay(1.0)
    with pytest.raises(httpx.ReadTimeout):  # a timeout is httpx's exception, not APIError
        client.from_("goals").select("id").execute()

    standin.faults.fail(1, 503, path="/rest/v1/goals")
    assert client.from_("goals").select("id").execute().data == []  # retried after 1 s
    tries = standin.log.matching("GET", "/rest/v1/goals")[-2:]
    assert [t.status for t in tries] == [503, 200]
    assert tries[1].headers["x-retry-count"] == "1"
