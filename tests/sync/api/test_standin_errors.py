"""PostgREST's errors as the stand-in gives them, its schema cache and its OpenAPI root."""

from __future__ import annotations

import uuid

import psycopg

from .conftest import add_athlete, signed_in
from .standin import OPENAPI_REFUSALS


def error(reply) -> tuple[int, str, str]:
    return reply.status, reply.json["code"], reply.json["message"]


def test_unknown_tables_and_columns(standin, http):
    _, token = signed_in(standin, http, "ada@example.com")
    table = http.get("/rest/v1/goal", token=token)
    assert table.status == 404
    assert table.json == {
        "code": "PGRST205",
        "details": None,
        "hint": "Perhaps you meant the table 'public.goals'",
        "message": "Could not find the table 'public.goal' in the schema cache",
    }
    assert http.get("/rest/v1/zzz", token=token).json["hint"] is None
    select = http.get("/rest/v1/goals", token=token, params={"select": "id,nope"})
    assert error(select) == (400, "42703", "column goals.nope does not exist")
    where = http.get("/rest/v1/goals", token=token, params={"nope": "eq.1"})
    assert error(where) == (400, "42703", "column goals.nope does not exist")
    insert = http.post("/rest/v1/goals", token=token, json_body={"title": "x", "nope": 1})
    assert insert.json == {
        "code": "PGRST204",
        "details": None,
        "hint": None,
        "message": "Could not find the 'nope' column of 'goals' in the schema cache",
    }
    assert insert.status == 400
    assert insert.headers["proxy-status"] == "PostgREST; error=PGRST204"
    columns = http.post("/rest/v1/goals", token=token, params={"columns": "nope"}, json_body={})
    assert error(columns)[:2] == (400, "PGRST204")


def test_bodies_postgrest_refuses(standin, http):
    _, token = signed_in(standin, http, "ada@example.com")
    ragged = http.post(
        "/rest/v1/goals", token=token, json_body=[{"title": "a"}, {"goal_type": "b"}]
    )
    assert ragged.json == {
        "code": "PGRST102",
        "details": None,
        "hint": None,
        "message": "All object keys must match",
    }
    broken = http.post(
        "/rest/v1/goals", token=token, body=b"[{", headers={"Content-Type": "application/json"}
    )
    assert error(broken) == (400, "PGRST102", "Empty or invalid json")
    parse = http.get("/rest/v1/goals", token=token, params={"title": "equals.x"})
    assert error(parse)[:2] == (400, "PGRST100")


def test_constraint_violations_map_to_postgrest_statuses(standin, http):
    user_id, token = signed_in(standin, http, "ada@example.com")
    athlete = add_athlete(http, token, user_id)
    day = {"athlete_id": athlete, "checkin_date": "2026-01-01"}
    assert http.post("/rest/v1/daily_checkins", token=token, json_body=day).status == 201

    unique = http.post("/rest/v1/daily_checkins", token=token, json_body=day)
    assert error(unique)[:2] == (409, "23505")
    # PostgreSQL leaves the key's values out of the detail under RLS, so Supabase does too.
    assert unique.json["message"] == (
        'duplicate key value violates unique constraint "daily_checkins_athlete_id_checkin_date_key"'
    )
    assert unique.json["details"] is None
    as_owner = http.post("/rest/v1/daily_checkins", key="secret", json_body=day)
    assert as_owner.json["details"] == (
        f"Key (athlete_id, checkin_date)=({athlete}, 2026-01-01) already exists."
    )
    missing_parent = http.post(
        "/rest/v1/goals",
        key="secret",
        json_body={"athlete_id": str(uuid.uuid4()), "goal_type": "race", "title": "x"},
    )
    assert error(missing_parent)[:2] == (409, "23503")
    check = http.post(
        "/rest/v1/goals",
        token=token,
        json_body={"athlete_id": athlete, "goal_type": "x", "title": "t"},
    )
    assert error(check) == (
        400,
        "23514",
        'new row for relation "goals" violates check constraint "goals_goal_type_check"',
    )
    not_null = http.post(
        "/rest/v1/goals",
        token=token,
        json_body={"athlete_id": athlete, "goal_type": "race", "title": None},
    )
    assert error(not_null)[:2] == (400, "23502")
    syntax = http.get("/rest/v1/goals", token=token, params={"id": "eq.not-a-uuid"})
    assert error(syntax) == (400, "22P02", 'invalid input syntax for type uuid: "not-a-uuid"')


def test_bad_and_expired_tokens_get_postgrest_jwt_errors(standin, http):
    user_id, token = signed_in(standin, http, "ada@example.com")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    bad = http.get("/rest/v1/goals", token=forged)
    assert error(bad) == (401, "PGRST301", "JWT cryptographic operation failed")
    parts = http.get("/rest/v1/goals", token="abc")
    assert error(parts) == (401, "PGRST301", "Expected 3 parts in JWT; got 1")
    standin.clock.advance(3600 + 20)  # within PostgREST's 30 s of allowed clock skew
    assert http.get("/rest/v1/goals", token=token).status == 200
    standin.clock.advance(20)
    expired = http.get("/rest/v1/goals", token=token)
    assert error(expired) == (401, "PGRST303", "JWT expired")
    assert expired.headers["www-authenticate"] == (
        'Bearer error="invalid_token", error_description="JWT expired"'
    )
    odd_role = http.get("/rest/v1/goals", token=standin.access_token(user_id, role="nobody"))
    assert error(odd_role) == (401, "22023", 'role "nobody" does not exist')


def test_safeupdate_refuses_unfiltered_deletes_when_on(standin, http):
    _, token = signed_in(standin, http, "ada@example.com")
    assert http.delete("/rest/v1/goals", token=token).status == 204
    standin.rest.safeupdate = True
    refused = http.delete("/rest/v1/goals", token=token)
    assert error(refused) == (400, "21000", "DELETE requires a WHERE clause")


def test_schema_cache_changes_only_on_reload(standin, http):
    user_id, token = signed_in(standin, http, "ada@example.com")
    athlete = add_athlete(http, token, user_id)
    with psycopg.connect(standin.pg_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE goals ADD COLUMN race_discipline text")
    goal = {"athlete_id": athlete, "goal_type": "race", "title": "t", "race_discipline": "running"}
    stale = http.post("/rest/v1/goals", token=token, json_body=goal)
    assert error(stale)[:2] == (400, "PGRST204")
    standin.reload_schema()
    assert http.post("/rest/v1/goals", token=token, json_body=goal).status == 201
    assert (
        "race_discipline"
        in http.get("/rest/v1/", key="secret").json["definitions"]["goals"]["properties"]
    )

    with psycopg.connect(standin.pg_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE goals DROP COLUMN race_discipline")
    dropped = http.get("/rest/v1/goals", token=token, params={"select": "race_discipline"})
    assert error(dropped) == (400, "42703", "column goals.race_discipline does not exist")
    probe = http.get("/rest/v1/goals", token=token, params={"select": "id,title", "limit": "0"})
    assert (probe.status, probe.json) == (200, [])


def test_openapi_root_is_for_secret_keys_only(standin, http):
    publishable = http.get("/rest/v1/")
    assert (publishable.status, publishable.json) == (
        401,
        OPENAPI_REFUSALS["measured"]["publishable"],
    )
    anon = http.get("/rest/v1/", key="anon")
    assert (anon.status, anon.json["message"]) == (401, "Invalid API key")
    assert "service_role" in anon.json["hint"]
    standin.openapi_refusal = "announced"
    assert http.get("/rest/v1/").json["message"] == "Access to schema is forbidden"
    _, token = signed_in(standin, http, "ada@example.com")
    assert http.get("/rest/v1/goals", token=token).status == 200  # tables are unaffected

    for key in ("secret", "service_role"):
        spec = http.get("/rest/v1/", key=key)
        assert spec.status == 200
        assert spec.headers["content-type"] == "application/openapi+json; charset=utf-8"
    athletes = spec.json["definitions"]["athletes"]
    assert athletes["required"] == ["auth_user_id"]
    assert athletes["properties"]["id"]["format"] == "uuid"
    assert athletes["properties"]["id"]["description"] == "Note:\nThis is a Primary Key.<pk/>"
    assert athletes["properties"]["weight_kg"] == {"format": "numeric", "type": "number"}
    assert spec.json["definitions"]["constraints"]["properties"]["injury_restrictions"] == {
        "format": "text[]",
        "type": "array",
        "items": {"type": "string"},
    }
    assert set(spec.json["definitions"]) == {
        "athletes",
        "goals",
        "constraints",
        "daily_checkins",
        "training_plans",
        "activities",
    }
