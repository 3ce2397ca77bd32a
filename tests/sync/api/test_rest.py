"""PostgREST through Khepri's client: the requests it sends, paging, batching and splitting,
and how refusals by Row Level Security and by constraints come back."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import psycopg
import pytest

from khepri_cli.sync.supabase_api.client import open_api
from khepri_cli.sync.supabase_api.errors import ApiError
from khepri_cli.sync.supabase_api.rest import eq, gt, in_
from khepri_cli.sync.transports import base

from .conftest import PASSWORD, Http

GOAL_COLUMNS = ["id", "athlete_id", "goal_type", "title"]


def encoded(rows: list[dict]) -> list[str]:
    return [json.dumps(row) for row in rows]


def remote_athlete(api) -> str:
    athlete_id = str(uuid.uuid4())
    row = {"id": athlete_id, "auth_user_id": api.user_id, "display_name": "Ada"}
    assert api.rest.upsert("athletes", list(row), encoded([row])) == 1
    return athlete_id


def goals(athlete_id: str, count: int, **values) -> list[dict]:
    return [
        {
            "id": str(uuid.UUID(int=n + 1)),
            "athlete_id": athlete_id,
            "goal_type": "race",
            "title": f"Goal {n}",
            **values,
        }
        for n in range(count)
    ]


@pytest.fixture
def api(ada):
    with open_api() as client:
        yield client


def test_upsert_posts_on_conflict_id_only_the_given_columns_and_merge_duplicates(api, configured):
    athlete_id = remote_athlete(api)
    rows = goals(athlete_id, 3)
    configured.log.clear()
    assert api.rest.upsert("goals", GOAL_COLUMNS, encoded(rows)) == 3
    (sent,) = configured.log.all()
    assert (sent.method, sent.path, sent.status) == ("POST", "/rest/v1/goals", 201)
    assert sent.query == {"on_conflict": ["id"], "columns": ["id,athlete_id,goal_type,title"]}
    assert sent.headers["prefer"] == "resolution=merge-duplicates,return=minimal,count=exact"
    assert sent.headers["apikey"] == configured.keys.publishable
    assert sent.headers["authorization"].startswith("Bearer ey")
    assert sent.headers["content-type"] == "application/json"
    assert sent.json == rows


def test_an_update_writes_only_the_columns_given(api, configured):
    athlete_id = remote_athlete(api)
    (goal,) = goals(athlete_id, 1)
    api.rest.upsert("goals", GOAL_COLUMNS, encoded([goal]))
    with psycopg.connect(configured.pg_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE goals SET description = 'the app wrote this' WHERE id = %s", (goal["id"],)
        )
    renamed = goal | {"title": "Renamed"}
    assert api.rest.upsert("goals", GOAL_COLUMNS, encoded([renamed])) == 1
    [[row]] = list(api.rest.select("goals", ["title", "description"], [eq("id", goal["id"])]))
    assert row == {"id": goal["id"], "title": "Renamed", "description": "the app wrote this"}


def test_select_filters_and_pages_by_id_under_the_projects_max_rows(api, configured):
    athlete_id = remote_athlete(api)
    api.rest.upsert(
        "goals",
        [*GOAL_COLUMNS, "perf_target_value"],
        encoded(goals(athlete_id, 10, perf_target_value=12.35)),
    )
    configured.rest.max_rows = 4  # the project answers at most 4 rows, whatever is asked
    api.rest.page_rows = 6
    configured.log.clear()
    pages = list(
        api.rest.select(
            "goals",
            ["title", "perf_target_value"],
            [eq("athlete_id", athlete_id), gt("updated_at", "2020-01-01T00:00:00+00:00")],
        )
    )
    assert [len(p) for p in pages] == [4, 4, 2]
    rows = [r for p in pages for r in p]
    assert [r["id"] for r in rows] == sorted(g["id"] for g in goals(athlete_id, 10))
    assert rows[0]["perf_target_value"] == Decimal("12.35")  # exactly as stored, no float
    first, second, third = configured.log.all()
    assert first.query == {
        "select": ["id,title,perf_target_value"],
        "athlete_id": [f"eq.{athlete_id}"],
        "updated_at": ["gt.2020-01-01T00:00:00+00:00"],
        "order": ["id.asc"],
        "limit": ["6"],
    }
    assert first.headers["prefer"] == "count=exact"
    assert "prefer" not in second.headers
    assert second.query["id"] == [f"gt.{rows[3]['id']}"]
    assert second.query["limit"] == ["4"]  # learnt from the first page
    assert third.query["id"] == [f"gt.{rows[7]['id']}"]


def test_select_in_and_delete_split_long_id_lists_by_url_size(api, configured):
    athlete_id = remote_athlete(api)
    rows = goals(athlete_id, 12)
    api.rest.upsert("goals", GOAL_COLUMNS, encoded(rows))
    ids = [r["id"] for r in rows]
    api.rest.max_url_bytes = 200  # five encoded ids per request
    configured.log.clear()
    found = [r["id"] for page in api.rest.select_in("goals", ["title"], "id", ids) for r in page]
    assert sorted(found) == sorted(ids)
    reads = configured.log.matching("GET", "/rest/v1/goals")
    assert [len(r.query["id"][0].split(",")) for r in reads] == [5, 5, 2]
    mine = api.rest.select_in("goals", ["title"], "id", ids[:3], [eq("athlete_id", athlete_id)])
    assert len([r for page in mine for r in page]) == 3
    assert configured.log.all()[-1].query["athlete_id"] == [f"eq.{athlete_id}"]

    configured.log.clear()
    assert api.rest.delete("goals", [*ids, str(uuid.uuid4())]) == 12
    deletes = configured.log.all()
    assert [d.method for d in deletes] == ["DELETE"] * 3
    assert deletes[0].query == {"id": [f"in.({','.join(ids[:5])})"]}
    assert deletes[0].headers["prefer"] == "return=minimal,count=exact"
    assert list(api.rest.select("goals", ["title"])) == []


def test_in_lists_quote_what_postgrest_reserves():
    assert in_("title", ["a", "b,c", 'say "hi"']) == ("title", 'in.(a,"b,c","say \\"hi\\"")')


def test_a_413_splits_the_batch_and_lowers_the_limit_for_the_rest(api, configured):
    athlete_id = remote_athlete(api)
    rows = goals(athlete_id, 16, description="x" * 200)
    configured.max_body_bytes = 1500  # about five of these rows
    configured.log.clear()
    assert api.rest.upsert("goals", [*GOAL_COLUMNS, "description"], encoded(rows)) == 16
    statuses = [e.status for e in configured.log.all()]
    assert statuses[0] == 413 and statuses.count(201) >= 4
    assert all(len(e.body) <= 1500 for e in configured.log.all() if e.status == 201)
    assert api.rest.max_body_bytes < 1500
    assert len([r for p in api.rest.select("goals", ["title"]) for r in p]) == 16


def test_one_row_over_the_limit_is_named(api, configured):
    athlete_id = remote_athlete(api)
    (row,) = goals(athlete_id, 1, description="x" * 3000)
    configured.max_body_bytes = 1000
    with pytest.raises(ApiError) as failed:
        api.rest.upsert("goals", [*GOAL_COLUMNS, "description"], encoded([row]))
    assert failed.value.kind == base.TOO_LARGE
    assert failed.value.message.startswith(f"goals row {row['id']} alone (")
    assert failed.value.message.endswith(
        f"bytes) is larger than {configured.url} accepts in one request"
    )


def test_row_level_security_refuses_another_users_row(api, configured):
    bob = configured.create_user("bob@example.com", PASSWORD)
    token = Http(configured).sign_in("bob@example.com", PASSWORD)["access_token"]
    from .conftest import add_athlete

    bobs_athlete = add_athlete(Http(configured), token, bob)
    remote_athlete(api)
    with pytest.raises(ApiError) as refused:
        api.rest.upsert("goals", GOAL_COLUMNS, encoded(goals(bobs_athlete, 1)))
    assert (refused.value.kind, refused.value.status, refused.value.sqlstate) == (
        base.REFUSED,
        403,
        "42501",
    )
    assert refused.value.message == (
        "row level security refused a row of goals (SQLSTATE 42501: new row violates row-level "
        'security policy for table "goals"): it belongs to another Supabase user, or its athlete '
        "is not yours"
    )


def test_a_unique_violation_is_a_rejected_row_with_its_sqlstate(api):
    athlete_id = remote_athlete(api)
    day = {"athlete_id": athlete_id, "checkin_date": "2026-11-25"}
    columns = ["id", "athlete_id", "checkin_date"]
    api.rest.upsert("daily_checkins", columns, encoded([{"id": str(uuid.uuid4()), **day}]))
    with pytest.raises(ApiError) as rejected:
        api.rest.upsert("daily_checkins", columns, encoded([{"id": str(uuid.uuid4()), **day}]))
    assert (rejected.value.kind, rejected.value.status, rejected.value.sqlstate) == (
        base.REJECTED,
        409,
        "23505",
    )
    assert rejected.value.message.startswith(
        "daily_checkins: the server rejected a row (SQLSTATE 23505: duplicate key value"
    )


def test_a_column_unknown_to_the_api_is_a_schema_error(api):
    athlete_id = remote_athlete(api)
    with pytest.raises(ApiError) as failed:
        api.rest.upsert(
            "goals", [*GOAL_COLUMNS, "season_id"], encoded(goals(athlete_id, 1, season_id=None))
        )
    assert (failed.value.kind, failed.value.code) == (base.SCHEMA, "PGRST204")
    assert failed.value.message == (
        "cannot write goals: Could not find the 'season_id' column of 'goals' in the schema cache"
    )
