"""The remote's tables and columns, learnt through the API: probes with ``select=...&limit=0``
for publishable keys (the OpenAPI root is refused to them), the OpenAPI root for secret keys,
in the catalogue shape the PostgreSQL way produces: ``{table: {column: type or None}}``."""

from __future__ import annotations

import psycopg
import pytest

from khepri_cli.schema import TABLES
from khepri_cli.sync.supabase_api.catalogue import openapi_catalogue
from khepri_cli.sync.supabase_api.client import open_api
from khepri_cli.sync.supabase_api.http import Connection

from .conftest import configure, project

WANTED = {table.name: list(table.column_names) for table in TABLES}


@pytest.fixture
def configured(own_standin, monkeypatch):
    """These tests change the schema: a stand-in on a database of their own."""
    return configure(own_standin, monkeypatch)


def alter(standin, *statements: str) -> None:
    with psycopg.connect(standin.pg_url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)
    standin.reload_schema()


def pg_catalogue(standin) -> dict[str, dict[str, str]]:
    """What the PostgreSQL way reads: every column of the public tables, with its type."""
    with psycopg.connect(standin.pg_url) as conn:
        rows = conn.execute(
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname, a.attnum"
        ).fetchall()
    catalogue: dict[str, dict[str, str]] = {}
    for table, column, type_name in rows:
        catalogue.setdefault(table, {})[column] = type_name
    return catalogue


def learn(wanted=WANTED) -> dict:
    with open_api() as api:
        return api.catalogue(wanted)


def test_probes_find_every_table_and_column_in_the_shape_of_the_postgres_way(ada, configured):
    configured.log.clear()
    catalogue = learn()
    assert catalogue == {
        table: dict.fromkeys(columns) for table, columns in pg_catalogue(configured).items()
    }
    requests = configured.log.all()
    assert [(r.method, r.path) for r in requests] == [
        ("GET", f"/rest/v1/{table.name}") for table in TABLES
    ]
    goals = next(r for r in requests if r.path == "/rest/v1/goals")
    assert goals.query == {"select": [",".join(WANTED["goals"])], "limit": ["0"]}
    assert goals.headers["authorization"].startswith("Bearer ")
    assert all(r.path != "/rest/v1/" for r in requests)  # never the OpenAPI root


def test_a_column_missing_remotely_and_a_renamed_one(ada, configured):
    alter(
        configured,
        "ALTER TABLE goals DROP COLUMN race_location",
        "ALTER TABLE training_plans RENAME COLUMN title TO name",
    )
    wanted = {"goals": WANTED["goals"], "training_plans": [*WANTED["training_plans"], "name"]}
    configured.log.clear()
    catalogue = learn(wanted)
    assert list(catalogue["goals"]) == [c for c in WANTED["goals"] if c != "race_location"]
    assert "title" not in catalogue["training_plans"] and "name" in catalogue["training_plans"]
    assert set(catalogue["goals"]) == set(pg_catalogue(configured)["goals"])
    probes = [(r.path, r.status) for r in configured.log.all()]
    assert probes == [
        ("/rest/v1/goals", 400),
        ("/rest/v1/goals", 200),
        ("/rest/v1/training_plans", 400),
        ("/rest/v1/training_plans", 200),
    ]


def test_a_table_missing_remotely_is_left_out(ada, configured):
    alter(configured, "DROP TABLE training_plans")
    catalogue = learn()
    assert set(catalogue) == {"athletes", "goals", "constraints", "daily_checkins", "activities"}
    assert set(catalogue) == set(pg_catalogue(configured))


def test_an_error_that_does_not_name_the_column_falls_back_to_one_probe_each(ada, configured):
    odd = {"code": "42703", "details": None, "hint": None, "message": "some column is missing"}
    configured.faults.fail(1, 400, odd, path="/rest/v1/goals")
    configured.log.clear()
    catalogue = learn({"goals": ["id", "title", "nope"]})
    assert catalogue == {"goals": {"id": None, "title": None}}
    assert [r.query["select"] for r in configured.log.all()] == [
        ["id,title,nope"],
        ["id"],
        ["title"],
        ["nope"],
    ]


def test_the_openapi_root_is_refused_to_the_publishable_key_and_never_asked(ada, configured):
    connection = Connection(project(configured))
    try:
        assert openapi_catalogue(connection) is None
    finally:
        connection.close()
    (refused,) = configured.log.matching("GET", "/rest/v1/")
    assert refused.status == 401
    configured.log.clear()
    learn()
    assert all(r.path != "/rest/v1/" for r in configured.log.all())


def test_a_secret_key_reads_the_openapi_root_with_types(configured, monkeypatch):
    from khepri_cli.sync.supabase_api.project import save

    user_id = configured.create_user("ada@example.com", "pw123456")
    monkeypatch.delenv("SUPABASE_PUBLISHABLE_KEY")
    save("key", configured.keys.secret)
    alter(configured, "ALTER TABLE goals DROP COLUMN race_location")
    configured.log.clear()
    with open_api(user_id=user_id) as api:
        catalogue = api.catalogue(WANTED)
    (root,) = configured.log.all()
    assert (root.method, root.path, root.status) == ("GET", "/rest/v1/", 200)
    assert root.headers["apikey"] == configured.keys.secret
    assert catalogue["goals"]["id"] == "uuid"
    assert catalogue["athletes"]["weight_kg"] == "numeric"
    assert catalogue["constraints"]["injury_restrictions"] == "text[]"
    assert "race_location" not in catalogue["goals"]
    assert {t: set(c) for t, c in catalogue.items()} == {
        t: set(c) for t, c in pg_catalogue(configured).items()
    }


def test_a_secret_key_refused_the_root_falls_back_to_probes(configured, monkeypatch):
    from khepri_cli.sync.supabase_api.project import save

    user_id = configured.create_user("ada@example.com", "pw123456")
    monkeypatch.delenv("SUPABASE_PUBLISHABLE_KEY")
    save("key", configured.keys.secret)
    configured.faults.fail(
        1, 401, {"message": "Secret API key required"}, method="GET", path="/rest/v1/"
    )
    with open_api(user_id=user_id) as api:
        catalogue = api.catalogue({"goals": ["id", "title"]})
    assert catalogue == {"goals": {"id": None, "title": None}}
