"""The stand-in's PostgREST endpoints and gateway, over raw HTTP, on Khepri's schema."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import psycopg

from .conftest import REPRESENTATION, add_athlete, signed_in
from .standin import INVALID_KEY, NO_KEY


def exact(reply) -> list[dict]:
    """The JSON rows of a reply with numbers as Decimal, as they were written."""
    return json.loads(reply.body, parse_float=Decimal)


CHECKIN = {
    "checkin_date": "2026-11-25",
    "sleep_quality": 8,
    "sleep_hours": 7.5,
    "energy_level": 7,
    "soreness_areas": {"legs": 7, "back": 3},
    "hrv_ms": 62.4,
    "weight_kg": 72.35,
    "available_time_minutes": 90,
    "equipment_access": ["bike_trainer", "pool"],
    "travel_status": "home",
    "notes": 'Zürich 🚴, "quoted", back\\slash',
    "ai_recommendation": {"summary": "easy", "duration": 40, "nested": [1, None, True]},
    "ai_recommendation_generated_at": "2026-11-25T06:30:01.123456+00:00",
    "user_response": None,
}


def test_gateway_needs_a_project_key(standin, http):
    assert (
        http.get("/rest/v1/goals", key=None).status,
        http.get("/rest/v1/goals", key=None).json,
    ) == (
        401,
        NO_KEY,
    )
    wrong = http.get("/rest/v1/goals", key=None, headers={"apikey": "sb_secret_wrong"})
    assert (wrong.status, wrong.json) == (401, INVALID_KEY)
    as_param = http.get("/rest/v1/goals", key=None, params={"apikey": standin.keys.publishable})
    assert as_param.status == 401  # anon has no privileges on Khepri's tables
    assert as_param.json["code"] == "42501"
    assert http.get("/nowhere").status == 404


def test_rows_read_back_value_for_value(standin, http):
    user_id, token = signed_in(standin, http, "ada@example.com")
    athlete = add_athlete(
        http, token, user_id, display_name="Ada", weight_kg=72.5, daily_checkin_time="06:15:00"
    )
    posted = http.post(
        "/rest/v1/daily_checkins",
        token=token,
        json_body=[{"athlete_id": athlete, **CHECKIN}],
        headers=REPRESENTATION,
    )
    assert posted.status == 201, posted.body
    reply = http.get("/rest/v1/daily_checkins", token=token, params={"select": ",".join(CHECKIN)})
    assert reply.status == 200
    (row,) = exact(reply)
    assert row == json.loads(json.dumps(CHECKIN), parse_float=Decimal)
    assert exact(posted)[0]["sleep_hours"] == Decimal("7.5")
    (athlete_row,) = exact(http.get("/rest/v1/athletes", token=token))
    assert athlete_row["weight_kg"] == Decimal("72.50")  # numeric(5,2) as PostgreSQL prints it
    assert athlete_row["daily_checkin_time"] == "06:15:00"
    with psycopg.connect(standin.pg_url) as conn:
        stored = conn.execute(
            "SELECT sleep_hours, weight_kg, equipment_access, soreness_areas, notes,"
            " ai_recommendation_generated_at FROM daily_checkins"
        ).fetchone()
    assert stored == (
        Decimal("7.5"),
        Decimal("72.35"),
        ["bike_trainer", "pool"],
        {"legs": 7, "back": 3},
        CHECKIN["notes"],
        dt.datetime(2026, 11, 25, 6, 30, 1, 123456, tzinfo=dt.UTC),
    )


def test_filters_order_limit_offset_and_exact_count(standin, http):
    user_id, token = signed_in(standin, http, "ada@example.com")
    athlete = add_athlete(http, token, user_id)
    rows = [
        {
            "athlete_id": athlete,
            "checkin_date": f"2026-01-0{day}",
            "energy_level": day,
            "notes": note,
        }
        for day, note in [(1, "rest day"), (2, None), (3, "Long ride"), (4, None), (5, "rest")]
    ]
    assert http.post("/rest/v1/daily_checkins", token=token, json_body=rows).status == 201

    def dates(**params):
        reply = http.get(
            "/rest/v1/daily_checkins",
            token=token,
            params={"select": "checkin_date", "order": "checkin_date", **params},
        )
        assert reply.status == 200, reply.body
        return [r["checkin_date"][-1] for r in reply.json]

    assert dates(energy_level="eq.3") == ["3"]
    assert dates(energy_level="neq.3") == ["1", "2", "4", "5"]
    assert dates(energy_level="gt.3") == ["4", "5"]
    assert dates(energy_level="gte.3") == ["3", "4", "5"]
    assert dates(energy_level="lt.2") == ["1"]
    assert dates(energy_level="lte.2") == ["1", "2"]
    assert dates(checkin_date="in.(2026-01-02,2026-01-05)") == ["2", "5"]
    assert dates(notes="is.null") == ["2", "4"]
    assert dates(notes="not.is.null") == ["1", "3", "5"]
    assert dates(notes="like.rest*") == ["1", "5"]
    assert dates(notes="ilike.*RIDE") == ["3"]
    assert dates(order="checkin_date.desc", limit="2", offset="1") == ["4", "3"]
    assert dates(order="notes.asc.nullsfirst,checkin_date.desc")[:2] == ["4", "2"]

    page = http.get(
        "/rest/v1/daily_checkins",
        token=token,
        params={"select": "id", "limit": "2", "offset": "2"},
        headers={"Prefer": "count=exact"},
    )
    assert (page.status, page.headers["content-range"]) == (206, "2-3/5")
    assert page.headers["preference-applied"] == "count=exact"
    whole = http.get("/rest/v1/daily_checkins", token=token, headers={"Prefer": "count=exact"})
    assert (whole.status, whole.headers["content-range"]) == (200, "0-4/5")
    assert http.get("/rest/v1/daily_checkins", token=token).headers["content-range"] == "0-4/*"
    empty = http.get("/rest/v1/goals", token=token, headers={"Prefer": "count=exact"})
    assert (empty.status, empty.headers["content-range"], empty.json) == (200, "*/0", [])
    past = http.get(
        "/rest/v1/daily_checkins",
        token=token,
        params={"offset": "9"},
        headers={"Prefer": "count=exact"},
    )
    assert (past.status, past.json["code"]) == (416, "PGRST103")

    standin.rest.max_rows = 3  # Supabase's "max rows" (1000 by default) caps every answer
    assert len(http.get("/rest/v1/daily_checkins", token=token).json) == 3


def test_row_level_security_isolates_users(standin, http):
    ada, ada_token = signed_in(standin, http, "ada@example.com")
    bob, bob_token = signed_in(standin, http, "bob@example.com")
    ada_athlete = add_athlete(http, ada_token, ada, display_name="Ada")
    bob_athlete = add_athlete(http, bob_token, bob, display_name="Bob")

    seen = http.get("/rest/v1/athletes", token=ada_token, params={"select": "id"})
    assert seen.json == [{"id": ada_athlete}]
    patch = http.patch(
        "/rest/v1/athletes",
        token=ada_token,
        params={"id": f"eq.{bob_athlete}"},
        json_body={"display_name": "Hacked"},
        headers=REPRESENTATION,
    )
    assert (patch.status, patch.json) == (200, [])
    gone = http.delete("/rest/v1/athletes", token=ada_token, params={"id": f"eq.{bob_athlete}"})
    assert (gone.status, gone.headers["content-range"]) == (204, "*/*")
    refused = http.post(
        "/rest/v1/goals",
        token=ada_token,
        json_body={"athlete_id": bob_athlete, "goal_type": "race", "title": "Not mine"},
    )
    assert refused.status == 403
    assert refused.json == {
        "code": "42501",
        "details": None,
        "hint": None,
        "message": 'new row violates row-level security policy for table "goals"',
    }
    anon = http.post(
        "/rest/v1/goals",
        json_body={"athlete_id": bob_athlete, "goal_type": "race", "title": "Anon"},
    )
    assert (anon.status, anon.json["code"]) == (401, "42501")
    assert anon.json["message"] == "permission denied for table goals"
    service = http.get("/rest/v1/athletes", key="secret", params={"select": "display_name"})
    assert sorted(r["display_name"] for r in service.json) == ["Ada", "Bob"]
    legacy = http.get("/rest/v1/athletes", key="service_role", token=standin.keys.service_role)
    assert len(legacy.json) == 2


def test_bulk_upsert_on_conflict_id(standin, http):
    user_id, token = signed_in(standin, http, "ada@example.com")
    athlete = add_athlete(http, token, user_id)
    goals = [
        {"id": str(uuid.uuid4()), "athlete_id": athlete, "goal_type": "race", "title": f"G{i}"}
        for i in range(3)
    ]
    upsert = {"Prefer": "resolution=merge-duplicates, return=minimal"}
    created = http.post(
        "/rest/v1/goals", token=token, params={"on_conflict": "id"}, json_body=goals, headers=upsert
    )
    assert (created.status, created.body, created.headers["content-range"]) == (201, b"", "*/*")
    assert created.headers["preference-applied"] == "resolution=merge-duplicates, return=minimal"
    assert "content-type" not in created.headers

    goals[0]["title"] = "Renamed"
    updated = http.post(
        "/rest/v1/goals", token=token, params={"on_conflict": "id"}, json_body=goals, headers=upsert
    )
    assert updated.status == 200  # a merge that inserted nothing
    mixed = http.post(
        "/rest/v1/goals",
        token=token,
        params={"on_conflict": "id", "select": "title"},
        json_body=[goals[1], {**goals[1], "id": str(uuid.uuid4()), "title": "New"}],
        headers={"Prefer": "resolution=merge-duplicates,return=representation,count=exact"},
    )
    assert mixed.status == 201
    assert mixed.json == [{"title": "G1"}, {"title": "New"}]
    assert mixed.headers["content-range"] == "*/2"
    titles = http.get("/rest/v1/goals", token=token, params={"select": "title", "order": "title"})
    assert [r["title"] for r in titles.json] == ["G1", "G2", "New", "Renamed"]


def test_columns_parameter_picks_the_keys_and_allows_ragged_objects(standin, http):
    user_id, token = signed_in(standin, http, "ada@example.com")
    athlete = add_athlete(http, token, user_id)
    reply = http.post(
        "/rest/v1/goals",
        token=token,
        params={"columns": "athlete_id,goal_type,title,description", "select": "title,description"},
        json_body=[
            {"athlete_id": athlete, "goal_type": "race", "title": "A", "ignored": 1},
            {"athlete_id": athlete, "goal_type": "health", "title": "B", "description": "d"},
        ],
        headers=REPRESENTATION,
    )
    assert reply.status == 201, reply.body
    assert reply.json == [{"title": "A", "description": None}, {"title": "B", "description": "d"}]


def test_delete_by_id_list_returns_the_deleted_rows(standin, http):
    user_id, token = signed_in(standin, http, "ada@example.com")
    athlete = add_athlete(http, token, user_id)
    ids = [str(uuid.uuid4()) for _ in range(3)]
    rows = [{"id": i, "athlete_id": athlete, "goal_type": "race", "title": i[:4]} for i in ids]
    http.post("/rest/v1/goals", token=token, json_body=rows)
    reply = http.delete(
        "/rest/v1/goals",
        token=token,
        params={"id": f"in.({ids[0]},{ids[2]})", "select": "id"},
        headers=REPRESENTATION,
    )
    assert reply.status == 200
    assert sorted(r["id"] for r in reply.json) == sorted([ids[0], ids[2]])
    remaining = http.get("/rest/v1/goals", token=token, params={"select": "id"})
    assert remaining.json == [{"id": ids[1]}]


def test_patch_head_and_timestamp_filters(standin, http):
    user_id, token = signed_in(standin, http, "ada@example.com")
    athlete = add_athlete(http, token, user_id, display_name="Ada")
    (row,) = http.get("/rest/v1/athletes", token=token, params={"select": "updated_at"}).json
    since = {"updated_at": f"gt.{row['updated_at']}", "select": "display_name"}
    assert http.get("/rest/v1/athletes", token=token, params=since).json == []

    quiet = http.patch(
        "/rest/v1/athletes",
        token=token,
        params={"id": f"eq.{athlete}"},
        json_body={"ftp_watts": 250},
    )
    assert (quiet.status, quiet.body, quiet.headers["content-range"]) == (204, b"", "0-0/*")
    loud = http.patch(
        "/rest/v1/athletes",
        token=token,
        params={"id": f"eq.{athlete}", "select": "display_name,ftp_watts"},
        json_body={"display_name": "Ada L."},
        headers=REPRESENTATION,
    )
    assert (loud.status, loud.json) == (200, [{"display_name": "Ada L.", "ftp_watts": 250}])
    # the remote's own trigger moved updated_at, so the row is newer than before
    assert http.get("/rest/v1/athletes", token=token, params=since).json == [
        {"display_name": "Ada L."}
    ]
    head = http.request("HEAD", "/rest/v1/athletes", token=token, headers={"Prefer": "count=exact"})
    assert (head.status, head.body, head.headers["content-range"]) == (200, b"", "0-0/1")
