"""The stand-in's Supabase Auth endpoints, over raw HTTP."""

from __future__ import annotations

import base64
import json
import threading

import psycopg

from .conftest import Http
from .standin import INVALID_KEY, NO_KEY, StandIn

TOKEN = "/auth/v1/token"
PASSWORD = {"grant_type": "password"}
REFRESH = {"grant_type": "refresh_token"}


def claims_of(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def refresh(http: Http, token: str):
    return http.post(TOKEN, params=REFRESH, json_body={"refresh_token": token})


def tokens_of_session(standin: StandIn, session_id: str) -> list[tuple[str, str | None, bool]]:
    with psycopg.connect(standin.pg_url) as conn:
        return conn.execute(
            "SELECT token, parent, revoked FROM auth.refresh_tokens WHERE session_id = %s"
            " ORDER BY id",
            (session_id,),
        ).fetchall()


def test_password_grant_returns_a_session_with_a_signed_access_token(standin, http):
    user_id = standin.create_user("ada@example.com", "correct horse")
    session = http.sign_in("ada@example.com", "correct horse")
    assert session["token_type"] == "bearer"
    assert session["expires_in"] == 3600
    assert session["user"]["id"] == user_id
    assert session["user"]["email"] == "ada@example.com"
    assert session["user"]["aud"] == "authenticated"
    assert session["user"]["email_confirmed_at"].endswith("Z")
    claims = claims_of(session["access_token"])
    assert claims["sub"] == user_id
    assert claims["role"] == "authenticated"
    assert claims["aud"] == "authenticated"
    assert claims["email"] == "ada@example.com"
    assert claims["exp"] == session["expires_at"] == claims["iat"] + 3600
    assert claims["iss"] == f"{standin.url}/auth/v1"
    with psycopg.connect(standin.pg_url) as conn:
        sessions = conn.execute("SELECT id::text FROM auth.sessions WHERE user_id = %s", (user_id,))
        assert sessions.fetchall() == [(claims["session_id"],)]
    assert tokens_of_session(standin, claims["session_id"]) == [
        (session["refresh_token"], None, False)
    ]


def test_wrong_password_and_unknown_email_get_the_same_invalid_credentials_error(standin, http):
    standin.create_user("ada@example.com", "correct horse")
    for email, password in [("ada@example.com", "wrong"), ("nobody@example.com", "correct horse")]:
        reply = http.post(TOKEN, params=PASSWORD, json_body={"email": email, "password": password})
        assert reply.status == 400
        assert reply.json == {
            "code": 400,
            "error_code": "invalid_credentials",
            "msg": "Invalid login credentials",
        }


def test_api_version_2024_01_01_gets_the_newer_error_body_and_the_header_back(standin, http):
    reply = http.post(
        TOKEN,
        params=PASSWORD,
        json_body={"email": "nobody@example.com", "password": "x"},
        headers={"X-Supabase-Api-Version": "2024-01-01"},
    )
    assert reply.status == 400
    assert reply.json == {"code": "invalid_credentials", "message": "Invalid login credentials"}
    assert reply.headers["x-supabase-api-version"] == "2024-01-01"


def test_unconfirmed_email_cannot_sign_in(standin, http):
    standin.create_user("new@example.com", "correct horse", confirmed=False)
    reply = http.post(
        TOKEN, params=PASSWORD, json_body={"email": "new@example.com", "password": "correct horse"}
    )
    assert (reply.status, reply.json["error_code"], reply.json["msg"]) == (
        400,
        "email_not_confirmed",
        "Email not confirmed",
    )


def test_auth_needs_a_key_of_the_project(standin, http):
    body = {"email": "a@example.com", "password": "x"}
    missing = http.post(TOKEN, params=PASSWORD, json_body=body, key=None)
    assert (missing.status, missing.json) == (401, NO_KEY)
    wrong = http.post(
        TOKEN, params=PASSWORD, json_body=body, key=None, headers={"apikey": "sb_publishable_x"}
    )
    assert (wrong.status, wrong.json) == (401, INVALID_KEY)


def test_refresh_rotates_the_token_and_revokes_the_old_one(standin, http):
    standin.create_user("ada@example.com", "pw123456")
    first = http.sign_in("ada@example.com", "pw123456")
    second = refresh(http, first["refresh_token"])
    assert second.status == 200
    assert second.json["refresh_token"] != first["refresh_token"]
    assert (
        claims_of(second.json["access_token"])["session_id"]
        == (claims_of(first["access_token"])["session_id"])
    )
    session_id = claims_of(first["access_token"])["session_id"]
    assert tokens_of_session(standin, session_id) == [
        (first["refresh_token"], None, True),
        (second.json["refresh_token"], first["refresh_token"], False),
    ]


def test_reusing_the_parent_of_the_active_token_returns_the_active_token(standin, http):
    """The client lost the answer of its last refresh: GoTrue gives the same token again."""
    standin.create_user("ada@example.com", "pw123456")
    first = http.sign_in("ada@example.com", "pw123456")
    second = refresh(http, first["refresh_token"]).json
    standin.clock.advance(3600)  # no time limit on this case
    again = refresh(http, first["refresh_token"])
    assert again.status == 200
    assert again.json["refresh_token"] == second["refresh_token"]


def test_reuse_of_an_older_token_within_the_interval_is_allowed_after_it_refused(standin, http):
    standin.create_user("ada@example.com", "pw123456")
    first = http.sign_in("ada@example.com", "pw123456")["refresh_token"]
    second = refresh(http, first).json["refresh_token"]
    third = refresh(http, second).json["refresh_token"]
    standin.clock.advance(5)  # within the 10 s reuse interval
    reused = refresh(http, first)
    assert reused.status == 200
    assert reused.json["refresh_token"] not in (first, second, third)

    standin.clock.advance(11)  # past it: reuse of a revoked token revokes the session
    refused = refresh(http, second)
    assert refused.status == 400
    assert refused.json == {
        "code": 400,
        "error_code": "refresh_token_already_used",
        "msg": "Invalid Refresh Token: Already Used",
    }
    newest = refresh(http, reused.json["refresh_token"])
    assert newest.status == 400
    assert newest.json["error_code"] == "refresh_token_already_used"


def test_two_clients_refreshing_the_same_token_at_once_get_the_same_new_token(standin, http):
    standin.create_user("ada@example.com", "pw123456")
    first = http.sign_in("ada@example.com", "pw123456")
    replies: list = []
    threads = [
        threading.Thread(target=lambda: replies.append(refresh(http, first["refresh_token"])))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status for r in replies] == [200, 200]
    assert replies[0].json["refresh_token"] == replies[1].json["refresh_token"]
    session_id = claims_of(first["access_token"])["session_id"]
    active = [t for t, _, revoked in tokens_of_session(standin, session_id) if not revoked]
    assert active == [replies[0].json["refresh_token"]]


def test_unknown_and_missing_refresh_tokens(standin, http):
    unknown = refresh(http, "no-such-token")
    assert unknown.status == 400
    assert unknown.json == {
        "code": 400,
        "error_code": "refresh_token_not_found",
        "msg": "Invalid Refresh Token: Refresh Token Not Found",
    }
    missing = http.post(TOKEN, params=REFRESH, json_body={})
    assert missing.status == 400
    assert missing.json == {
        "error": "invalid_request",
        "error_description": "refresh_token required",
    }


def test_get_user_needs_a_valid_unexpired_access_token(standin, http):
    user_id = standin.create_user("ada@example.com", "pw123456")
    session = http.sign_in("ada@example.com", "pw123456")
    me = http.get("/auth/v1/user", token=session["access_token"])
    assert (me.status, me.json["id"], me.json["email"]) == (200, user_id, "ada@example.com")

    none = http.get("/auth/v1/user")
    assert (none.status, none.json["error_code"]) == (401, "no_authorization")
    assert none.json["msg"] == "This endpoint requires a valid Bearer token"
    garbage = http.get("/auth/v1/user", token="not.a.jwt")
    assert (garbage.status, garbage.json["error_code"]) == (403, "bad_jwt")
    standin.clock.advance(3601)
    expired = http.get("/auth/v1/user", token=session["access_token"])
    assert (expired.status, expired.json["error_code"]) == (403, "bad_jwt")
    assert expired.json["msg"].endswith("token is expired")


def test_logout_ends_the_session_but_not_the_access_token_at_postgrest(standin, http):
    standin.create_user("ada@example.com", "pw123456")
    session = http.sign_in("ada@example.com", "pw123456")
    out = http.post("/auth/v1/logout", token=session["access_token"])
    assert (out.status, out.body) == (204, b"")
    me = http.get("/auth/v1/user", token=session["access_token"])
    assert (me.status, me.json["error_code"]) == (403, "session_not_found")
    assert refresh(http, session["refresh_token"]).json["error_code"] == "refresh_token_not_found"
    # PostgREST checks only the signature and expiry, as on Supabase.
    assert http.get("/rest/v1/athletes", token=session["access_token"]).status == 200


def test_logout_scopes(standin, http):
    standin.create_user("ada@example.com", "pw123456")
    one, two, three = (http.sign_in("ada@example.com", "pw123456") for _ in range(3))
    bad = http.post("/auth/v1/logout", params={"scope": "everything"}, token=one["access_token"])
    assert (bad.status, bad.json["error_code"]) == (400, "validation_failed")

    assert (
        http.post("/auth/v1/logout", params={"scope": "local"}, token=one["access_token"]).status
        == 204
    )
    assert refresh(http, one["refresh_token"]).status == 400
    assert refresh(http, two["refresh_token"]).status == 200

    assert (
        http.post("/auth/v1/logout", params={"scope": "others"}, token=three["access_token"]).status
        == 204
    )
    assert http.get("/auth/v1/user", token=two["access_token"]).status == 403
    assert http.get("/auth/v1/user", token=three["access_token"]).status == 200


def test_signup_with_and_without_email_confirmation(standin, http):
    body = {"email": "New@Example.com", "password": "pw123456"}
    signed_up = http.post("/auth/v1/signup", json_body=body)
    assert signed_up.status == 200
    assert signed_up.json["user"]["email"] == "new@example.com"
    assert claims_of(signed_up.json["access_token"])["sub"] == signed_up.json["user"]["id"]
    again = http.post("/auth/v1/signup", json_body=body)
    assert (again.status, again.json["error_code"]) == (422, "user_already_exists")

    standin.auth.settings.email_confirmation_required = True
    pending = http.post(
        "/auth/v1/signup", json_body={"email": "b@example.com", "password": "pw123456"}
    )
    assert pending.status == 200
    assert "access_token" not in pending.json
    assert pending.json["email"] == "b@example.com"
    assert "email_confirmed_at" not in pending.json
    sign_in = http.post(
        TOKEN, params=PASSWORD, json_body={"email": "b@example.com", "password": "pw123456"}
    )
    assert sign_in.json["error_code"] == "email_not_confirmed"


def test_signup_refusals(standin, http):
    weak = http.post("/auth/v1/signup", json_body={"email": "a@example.com", "password": "123"})
    assert weak.status == 422
    assert weak.json["error_code"] == "weak_password"
    assert weak.json["weak_password"] == {"reasons": ["length"]}
    standin.auth.settings.signup_enabled = False
    off = http.post("/auth/v1/signup", json_body={"email": "a@example.com", "password": "pw123456"})
    assert off.status == 422
    assert off.json == {
        "code": 422,
        "error_code": "signup_disabled",
        "msg": "Signups not allowed for this instance",
    }
