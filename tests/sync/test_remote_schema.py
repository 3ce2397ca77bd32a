"""khepri_cli.sync.remote_schema: telling a seed remote from the live Khepri backend.

Hand-written catalogues first (no database), then the real catalogues of the
seed (``pg_url``), the live backend (``pg_live_url``) and every step between.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from khepri_cli.sql import schema_tables
from khepri_cli.sync import remote_schema
from khepri_cli.sync.remote_schema import (
    LIVE_PLAN_STATUSES,
    PLAN_RENAMES,
    SEED_PLAN_STATUSES,
    catalogue_from_rows,
    classify,
)

TS = "timestamp with time zone"


def seed_catalogue() -> dict[str, dict[str, str]]:
    return {table: dict.fromkeys(columns, "text") for table, columns in schema_tables().items()}


def live_catalogue(step: int = 14) -> dict[str, dict[str, str]]:
    """A catalogue as upstream.md's backend has it at ``step`` (>= 6)."""
    catalogue = seed_catalogue()
    catalogue["training_plans"] = {
        PLAN_RENAMES.get(column, column): "text" for column in schema_tables()["training_plans"]
    }
    for number, items in remote_schema.LIVE_STEPS:
        if number > step:
            break
        for item in items:
            table, _, column = item.partition(".")
            catalogue.setdefault(table, {"id": "uuid"})
            if column:
                catalogue[table][column] = TS
    return catalogue


# --- hand-written catalogues ----------------------------------------------------------------


def test_the_seed_schema():
    remote = classify(seed_catalogue())
    assert remote.description == "seed schema"
    assert remote.is_seed and not remote.is_live and remote.complete
    assert remote.plans_shape == "seed"
    assert remote.plan_statuses == SEED_PLAN_STATUSES
    assert remote.plan_statuses_unsure == ()
    assert remote.upstream_step == 1
    assert remote.missing_tables == [] and remote.missing_columns == []
    for table, columns in schema_tables().items():
        assert remote.columns(table) == {c: c for c in columns}
        assert remote.tables[table].extra == ()


def test_the_live_schema():
    remote = classify(live_catalogue())
    assert remote.description == (
        "live Khepri schema (training_plans renamed; plans may be active, completed or cancelled)"
    )
    assert remote.is_live and not remote.is_seed
    assert remote.plans_shape == "live"
    assert remote.plan_statuses == LIVE_PLAN_STATUSES
    assert remote.plan_statuses_unsure == ()
    assert remote.upstream_step == 14
    plans = remote.columns("training_plans")
    assert plans["title"] == "name"
    assert plans["duration_weeks"] == "total_weeks"
    assert plans["target_goal_id"] == "goal_id"
    assert plans["phases"] == "periodization"
    assert plans["adjustments_log"] == "adaptations"
    assert plans["status"] == "status"
    # the app's own columns are extra: a sync must never write them
    assert set(remote.tables["athletes"].extra) == {
        "intervals_webhook_registered",
        "intervals_last_synced_activities",
        "intervals_last_synced_events",
        "intervals_last_synced_wellness",
    }
    assert set(remote.tables["goals"].extra) == {"season_id", "race_discipline"}
    assert "seasons" in remote.app_tables and "workouts" in remote.app_tables


@pytest.mark.parametrize("step", [6, 7, 8, 9])
def test_before_step_10_paused_may_or_may_not_be_accepted(step):
    remote = classify(live_catalogue(step))
    assert remote.upstream_step == 6  # steps 7-9 leave no trace in the columns
    assert remote.plan_statuses == LIVE_PLAN_STATUSES
    assert remote.plan_statuses_unsure == ("paused",)
    assert remote.description.endswith("active, completed or cancelled, perhaps paused)")


def test_app_tables_before_the_rename():
    catalogue = seed_catalogue()
    catalogue.update({"conversations": {"id": "uuid"}, "messages": {"id": "uuid"}})
    remote = classify(catalogue)
    assert remote.upstream_step == 2
    assert remote.plans_shape == "seed"
    assert remote.plan_statuses == SEED_PLAN_STATUSES
    assert remote.description == "live Khepri schema before the training_plans rename"
    assert not remote.is_seed and not remote.is_live and remote.complete


def test_no_khepri_tables():
    remote = classify({"profiles": {"id": "uuid"}})
    assert remote.description == "no Khepri tables (apply the schema: khepri supabase schema)"
    assert remote.missing_tables == list(schema_tables())
    assert remote.plans_shape == "absent"
    assert remote.plan_statuses is None
    assert remote.upstream_step is None


def test_a_missing_table_and_missing_columns_are_named():
    catalogue = seed_catalogue()
    del catalogue["training_plans"]
    del catalogue["athletes"]["lthr"]
    del catalogue["goals"]["priority"]
    remote = classify(catalogue)
    assert remote.missing_tables == ["training_plans"]
    assert remote.missing_columns == ["athletes.lthr", "goals.priority"]
    assert remote.plans_shape == "absent" and remote.plan_statuses is None
    assert remote.description == (
        "seed schema; lacks table training_plans; lacks columns athletes.lthr, goals.priority"
    )
    assert "lthr" not in remote.columns("athletes")
    assert not remote.complete and not remote.is_seed


def test_many_missing_columns_are_cut_short():
    catalogue = seed_catalogue()
    catalogue["daily_checkins"] = {"id": "uuid", "athlete_id": "uuid", "checkin_date": "date"}
    description = classify(catalogue).description
    assert description.startswith("seed schema; lacks columns daily_checkins.sleep_quality, ")
    assert description.endswith(" and 13 more")


def test_a_live_remote_missing_a_renamed_column():
    catalogue = live_catalogue()
    del catalogue["training_plans"]["adaptations"]
    remote = classify(catalogue)
    assert remote.plans_shape == "live"
    assert remote.missing_columns == ["training_plans.adjustments_log"]
    assert remote.description.endswith("; lacks column training_plans.adjustments_log")


def test_a_half_renamed_plans_table():
    catalogue = seed_catalogue()
    plans = catalogue["training_plans"]
    plans["name"] = plans.pop("title")  # renamed one column and stopped
    remote = classify(catalogue)
    assert remote.plans_shape == "mixed"
    assert remote.plan_statuses is None
    assert remote.columns("training_plans")["title"] == "name"
    assert remote.columns("training_plans")["phases"] == "phases"
    assert remote.description.startswith(
        "Khepri schema with training_plans partly renamed (has duration_weeks, target_goal_id, "
    )


def test_a_plans_table_without_any_of_the_renamed_columns():
    catalogue = seed_catalogue()
    catalogue["training_plans"] = {"id": "uuid", "athlete_id": "uuid"}
    remote = classify(catalogue)
    assert remote.plans_shape == "unknown"
    assert remote.description.startswith("Khepri schema with training_plans in an unknown shape; ")


def test_json_view():
    view = classify(live_catalogue(8)).to_json()
    assert view["plans_shape"] == "live"
    assert view["plan_statuses"] == list(LIVE_PLAN_STATUSES)
    assert view["plan_statuses_unsure"] == ["paused"]
    assert view["upstream_step"] == 6
    assert view["missing_tables"] == [] and view["missing_columns"] == []


def test_catalogue_rows_keep_column_order_and_empty_tables():
    rows = [("goals", "id", "uuid"), ("goals", "title", "text"), ("empty", None, None)]
    assert catalogue_from_rows(rows) == {"goals": {"id": "uuid", "title": "text"}, "empty": {}}


def test_the_module_imports_no_database_driver():
    code = (
        "import sys, khepri_cli.sync.remote_schema; "
        "print(sorted(m for m in ('psycopg', 'sqlite3', 'pydantic') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- real catalogues ----------------------------------------------------------------------


def read_catalogue(url: str) -> dict[str, dict[str, str]]:
    psycopg = pytest.importorskip("psycopg")
    with psycopg.connect(url) as conn:
        return catalogue_from_rows(conn.execute(remote_schema.CATALOGUE_SQL).fetchall())


def test_the_seed_database_reads_as_the_seed_schema(pg_url):
    catalogue = read_catalogue(pg_url)
    assert {t: list(c) for t, c in catalogue.items()} == {
        t: list(c) for t, c in schema_tables().items()
    }
    assert catalogue["athletes"]["weight_kg"] == "numeric(5,2)"
    assert catalogue["constraints"]["injury_restrictions"] == "text[]"
    remote = classify(catalogue)
    assert remote.is_seed
    assert remote.description == "seed schema"


LIVE = "live Khepri schema (training_plans renamed; plans may be active, completed or cancelled)"


def test_the_live_database_reads_as_the_live_schema(pg_live_url):
    remote = classify(read_catalogue(pg_live_url))
    assert remote.upstream_step == 14
    assert remote.plan_statuses == LIVE_PLAN_STATUSES and remote.plan_statuses_unsure == ()
    assert set(remote.app_tables) == set(remote_schema.APP_TABLES)
    assert remote.tables["training_plans"].types["periodization"] == "jsonb"
    # the app's backend has no Khepri sessions until Khepri's second migration is applied
    assert remote.missing_tables == ["activities"] and remote.missing_columns == []
    assert remote.description == f"{LIVE}; lacks table activities"
    import psycopg

    from khepri_cli.sql import MIGRATIONS

    with psycopg.connect(pg_live_url) as conn:
        conn.execute(MIGRATIONS[1].sql())
    remote = classify(read_catalogue(pg_live_url))
    assert remote.is_live and remote.description == LIVE


def test_an_empty_project_has_no_khepri_tables(pg_empty_url):
    assert read_catalogue(pg_empty_url) == {}
    assert classify({}).upstream_step is None


# A catalogue sees step 4 (an extension) and steps 7-9 (rules) only by what came before.
SEEN_AS = {1: 1, 2: 2, 3: 3, 4: 3, 5: 5, 6: 6, 7: 6, 8: 6, 9: 6, 10: 10, 11: 11, 12: 12, 13: 13}


@pytest.mark.parametrize(("step", "seen"), SEEN_AS.items())
def test_each_step_of_the_live_backend_is_recognised(pg_at_step, step, seen):
    remote = classify(read_catalogue(pg_at_step(step)))
    assert remote.upstream_step == seen
    # the steps are the app's backend: Khepri's sessions come with its own second migration
    assert remote.missing_tables == ["activities"] and remote.missing_columns == []
    assert remote.plans_shape == ("live" if step >= 6 else "seed")
    assert (remote.plans_shape == "seed" and not remote.app_tables) == (step == 1)
