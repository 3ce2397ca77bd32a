"""The test database at the live Khepri schema behaves as shared/upstream.md says.

``pg_live_url`` is the remote a user of the Khepri app meets (steps 1-14 of
"How the backend grew", built by live_khepri_schema.sql); ``pg_at_step(n)``
stops at step ``n``. These tests prove the stand-in is faithful before other
tests lean on it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import LIVE_STEPS, acting_as, live_schema_steps, make_user

psycopg = pytest.importorskip("psycopg")
errors = psycopg.errors

SEED_TABLES = ("athletes", "goals", "constraints", "daily_checkins", "training_plans")
APP_TABLES = (
    "conversations",
    "messages",
    "intervals_credentials",
    "embeddings",
    "seasons",
    "race_blocks",
    "workouts",
    "plan_adaptations",
    "sync_log",
)
PERIODIZATION = {
    "total_weeks": 12,
    "phases": [
        {
            "phase": "base",
            "weeks": 4,
            "focus": "aerobic_endurance",
            "intensity_distribution": [80, 15, 5],
        },
        {
            "phase": "build",
            "weeks": 6,
            "focus": "threshold_work",
            "intensity_distribution": [70, 20, 10],
        },
        {"phase": "taper", "weeks": 2, "focus": "recovery", "intensity_distribution": [90, 5, 5]},
    ],
    "weekly_volumes": [{"week": 1, "volume_multiplier": 0.8, "phase": "base"}],
}


@pytest.fixture
def live(pg_live_url: str):
    with psycopg.connect(pg_live_url, autocommit=True) as conn:
        yield conn


def columns(conn: Any, table: str) -> dict[str, tuple[str, bool, str | None]]:
    """column -> (type, nullable, default) of a public table."""
    rows = conn.execute(
        """
        SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid)
        FROM pg_attribute a
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum
        """,
        (f"public.{table}",),
    ).fetchall()
    return {name: (type_name, nullable, default) for name, type_name, nullable, default in rows}


def athlete_with_goal(conn: Any, user: str) -> tuple[str, str]:
    with acting_as(conn, user):
        athlete = conn.execute(
            "INSERT INTO athletes (auth_user_id) VALUES (%s) RETURNING id::text", (user,)
        ).fetchone()[0]
        goal = conn.execute(
            "INSERT INTO goals (athlete_id, goal_type, title) VALUES (%s, 'race', 'Nice 70.3') "
            "RETURNING id::text",
            (athlete,),
        ).fetchone()[0]
    return athlete, goal


def insert_plan(conn: Any, athlete: str, **values: Any) -> str:
    row = {
        "athlete_id": athlete,
        "name": "Build to Nice",
        "total_weeks": 12,
        "start_date": "2026-12-01",
        "end_date": "2027-02-22",  # 83 days: ceil(83 / 7) = 12 weeks
        "periodization": json.dumps(PERIODIZATION),
        **values,
    }
    names = ", ".join(row)
    marks = ", ".join(["%s"] * len(row))
    return conn.execute(
        f"INSERT INTO training_plans ({names}) VALUES ({marks}) RETURNING id::text",
        list(row.values()),
    ).fetchone()[0]


# --- the file and its steps -------------------------------------------------------------


def test_the_file_has_every_step_from_2_to_14_in_order():
    prelude, steps = live_schema_steps()
    assert list(steps) == list(LIVE_STEPS)[1:]
    assert "CREATE FUNCTION pg_temp.owner_only" in prelude
    assert "RENAME COLUMN title TO name" in steps[6]


@pytest.mark.parametrize("step", LIVE_STEPS)
def test_a_database_can_be_built_at_every_step(pg_at_step, step):
    with psycopg.connect(pg_at_step(step)) as conn:
        tables = {
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        }
        plans = columns(conn, "training_plans")
        # pg_temp helpers of the build never stay behind
        assert conn.execute(
            "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname LIKE 'pg_temp%'"
        ).fetchone() == (0,)
    assert set(SEED_TABLES) <= tables
    assert ("name" in plans) == (step >= 6)
    assert ("title" in plans) == (step < 6)
    assert ("seasons" in tables) == (step >= 10)


# --- training_plans -----------------------------------------------------------------------


def test_training_plans_columns_are_renamed_and_the_old_ones_gone(live):
    plans = columns(live, "training_plans")
    assert list(plans) == [
        "id",
        "athlete_id",
        "name",
        "description",
        "total_weeks",
        "start_date",
        "end_date",
        "goal_id",
        "status",
        "periodization",
        "weekly_template",
        "adaptations",
        "created_at",
        "updated_at",
    ]
    for old in ("title", "duration_weeks", "target_goal_id", "phases", "adjustments_log"):
        assert old not in plans
    assert plans["status"] == ("text", False, "'active'::text")  # step 7: NOT NULL
    assert plans["periodization"] == ("jsonb", False, None)  # step 8: NOT NULL, no default
    assert plans["adaptations"] == ("jsonb", False, "'[]'::jsonb")


def test_a_good_plan_in_the_apps_shape_is_accepted(live, pg_live_url):
    ada = make_user(pg_live_url, "ada@example.com")
    athlete, goal = athlete_with_goal(live, ada)
    with acting_as(live, ada):
        plan = insert_plan(live, athlete, goal_id=goal, status="completed")
        row = live.execute(
            "SELECT name, total_weeks, goal_id::text, periodization, adaptations FROM training_plans "
            "WHERE id = %s",
            (plan,),
        ).fetchone()
    assert row == ("Build to Nice", 12, goal, PERIODIZATION, [])


@pytest.mark.parametrize("status", ["draft", "paused", "archived"])
def test_draft_and_paused_are_refused(live, pg_live_url, status):
    ada = make_user(pg_live_url, "ada@example.com")
    athlete, _ = athlete_with_goal(live, ada)
    with pytest.raises(errors.CheckViolation, match="training_plans_status_check"):
        insert_plan(live, athlete, status=status)


def test_status_may_not_be_null(live, pg_live_url):
    athlete, _ = athlete_with_goal(live, make_user(pg_live_url, "ada@example.com"))
    with pytest.raises(errors.NotNullViolation):
        insert_plan(live, athlete, status=None)


@pytest.mark.parametrize(
    ("step", "draft", "paused"),
    [(5, True, True), (6, False, True), (8, False, True), (9, False, False)],
)
def test_which_step_drops_which_status(pg_at_step, step, draft, paused):
    url = pg_at_step(step)
    with psycopg.connect(url, autocommit=True) as conn:
        athlete, _ = athlete_with_goal(conn, make_user(url, "ada@example.com"))
        seed = step < 6
        for status, accepted in (("draft", draft), ("paused", paused)):
            if seed:
                statement = (
                    "INSERT INTO training_plans (athlete_id, title, duration_weeks, start_date, "
                    "end_date, status) VALUES (%s, 'x', 4, '2026-12-01', '2026-12-28', %s)"
                )
            else:
                shape = "'{}'" if step >= 8 else "'[]'"  # an object from step 8 on
                statement = (
                    "INSERT INTO training_plans (athlete_id, name, total_weeks, start_date, "
                    "end_date, status, periodization) "
                    f"VALUES (%s, 'x', 4, '2026-12-01', '2026-12-28', %s, {shape})"
                )
            if accepted:
                conn.execute(statement, (athlete, status))
            else:
                with pytest.raises(errors.CheckViolation):
                    conn.execute(statement, (athlete, status))


@pytest.mark.parametrize(
    "value", ['[{"name": "base", "start_week": 1, "end_week": 4}]', '"base"', "3", "null"]
)
def test_periodization_must_be_an_object(live, pg_live_url, value):
    athlete, _ = athlete_with_goal(live, make_user(pg_live_url, "ada@example.com"))
    with pytest.raises(errors.CheckViolation, match="periodization"):
        insert_plan(live, athlete, periodization=value)


def test_periodization_has_no_default(live, pg_live_url):
    athlete, _ = athlete_with_goal(live, make_user(pg_live_url, "ada@example.com"))
    with pytest.raises(errors.NotNullViolation):
        live.execute(
            "INSERT INTO training_plans (athlete_id, name, total_weeks, start_date, end_date) "
            "VALUES (%s, 'x', 4, '2026-12-01', '2026-12-28')",
            (athlete,),
        )


@pytest.mark.parametrize(
    ("total_weeks", "end_date", "accepted"),
    [
        (12, "2027-02-22", True),  # 83 days -> 12 weeks
        (11, "2027-02-22", True),  # one week off is tolerated
        (13, "2027-02-22", True),
        (10, "2027-02-22", False),  # two off
        (14, "2027-02-22", False),
        (4, "2026-12-29", True),  # 28 days -> exactly 4 weeks
        (5, "2026-12-30", True),  # 29 days -> ceil = 5
        (6, "2026-12-29", False),
    ],
)
def test_the_weeks_trigger(live, pg_live_url, total_weeks, end_date, accepted):
    athlete, _ = athlete_with_goal(live, make_user(pg_live_url, "ada@example.com"))
    if accepted:
        insert_plan(live, athlete, total_weeks=total_weeks, end_date=end_date)
    else:
        with pytest.raises(errors.CheckViolation, match="total_weeks"):
            insert_plan(live, athlete, total_weeks=total_weeks, end_date=end_date)


def test_the_weeks_trigger_checks_updates_too(live, pg_live_url):
    athlete, _ = athlete_with_goal(live, make_user(pg_live_url, "ada@example.com"))
    plan = insert_plan(live, athlete)
    with pytest.raises(errors.CheckViolation, match="total_weeks"):
        live.execute("UPDATE training_plans SET end_date = '2027-06-01' WHERE id = %s", (plan,))
    live.execute(
        "UPDATE training_plans SET end_date = '2027-06-01', total_weeks = 26 WHERE id = %s", (plan,)
    )


def test_end_date_before_start_date_is_refused(live, pg_live_url):
    athlete, _ = athlete_with_goal(live, make_user(pg_live_url, "ada@example.com"))
    with pytest.raises(errors.CheckViolation):
        insert_plan(live, athlete, start_date="2027-02-22", end_date="2026-12-01", total_weeks=4)


# --- athletes and goals ----------------------------------------------------------------


def test_the_athletes_intervals_icu_columns(live, pg_live_url):
    athletes = columns(live, "athletes")
    assert athletes["intervals_webhook_registered"] == ("boolean", False, "false")
    for kind in ("activities", "events", "wellness"):
        assert athletes[f"intervals_last_synced_{kind}"] == ("timestamp with time zone", True, None)
    # the seed's own Intervals.icu columns are still there
    assert athletes["intervals_icu_athlete_id"] == ("text", True, None)
    assert athletes["intervals_icu_connected"] == ("boolean", True, "false")
    ada = make_user(pg_live_url, "ada@example.com")
    athlete, _ = athlete_with_goal(live, ada)
    assert live.execute(
        "SELECT intervals_webhook_registered, intervals_last_synced_wellness FROM athletes "
        "WHERE id = %s",
        (athlete,),
    ).fetchone() == (False, None)
    with pytest.raises(errors.NotNullViolation):
        live.execute(
            "UPDATE athletes SET intervals_webhook_registered = NULL WHERE id = %s", (athlete,)
        )


@pytest.mark.parametrize(
    ("discipline", "accepted"),
    [
        (None, True),
        ("triathlon", True),
        ("duathlon", True),
        ("aquathlon", True),
        ("running", True),
        ("cycling", True),
        ("swimming", True),
        ("Triathlon", False),
        ("rowing", False),
        ("", False),
    ],
)
def test_goals_race_discipline(live, pg_live_url, discipline, accepted):
    athlete, _ = athlete_with_goal(live, make_user(pg_live_url, "ada@example.com"))
    statement = (
        "INSERT INTO goals (athlete_id, goal_type, title, race_discipline) "
        "VALUES (%s, 'race', 'x', %s)"
    )
    if accepted:
        live.execute(statement, (athlete, discipline))
    else:
        with pytest.raises(errors.CheckViolation, match="race_discipline"):
            live.execute(statement, (athlete, discipline))


def test_goals_have_season_id_and_a_unique_id_athlete_pair(live):
    assert columns(live, "goals")["season_id"] == ("uuid", True, None)
    unique = live.execute(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'public.goals'::regclass AND contype = 'u'"
    ).fetchall()
    assert ("UNIQUE (id, athlete_id)",) in unique


def test_workouts_need_a_block_of_the_same_athlete(live, pg_live_url):
    assert columns(live, "workouts")["block_id"][1] is False
    ada = make_user(pg_live_url, "ada@example.com")
    athlete, goal = athlete_with_goal(live, ada)
    with acting_as(live, ada):
        block = live.execute(
            "INSERT INTO race_blocks (athlete_id, goal_id, name, start_date, end_date) "
            "VALUES (%s, %s, 'Block 1', '2026-12-01', '2027-01-31') RETURNING id::text",
            (athlete, goal),
        ).fetchone()[0]
        live.execute(
            "INSERT INTO workouts (athlete_id, block_id, scheduled_date, sport) "
            "VALUES (%s, %s, '2026-12-02', 'run')",
            (athlete, block),
        )
    with pytest.raises(errors.NotNullViolation):
        live.execute(
            "INSERT INTO workouts (athlete_id, scheduled_date, sport) VALUES (%s, '2026-12-02', 'run')",
            (athlete,),
        )
    bob_athlete, _ = athlete_with_goal(live, make_user(pg_live_url, "bob@example.com"))
    with pytest.raises(errors.ForeignKeyViolation):  # Ada's block under Bob's athlete
        live.execute(
            "INSERT INTO workouts (athlete_id, block_id, scheduled_date, sport) "
            "VALUES (%s, %s, '2026-12-02', 'run')",
            (bob_athlete, block),
        )


def test_embeddings_has_an_embedding_column(live):
    has_vector = live.execute(
        "SELECT count(*) FROM pg_extension WHERE extname = 'vector'"
    ).fetchone()
    expected = "vector(1536)" if has_vector[0] else "real[]"
    assert columns(live, "embeddings")["embedding"][0] == expected


def test_constraints_and_daily_checkins_are_as_in_the_seed(live, pg_url):
    with psycopg.connect(pg_url) as seed:
        for table in ("constraints", "daily_checkins"):
            assert columns(live, table) == columns(seed, table)


# --- RLS ------------------------------------------------------------------------------


def test_every_table_has_rls_four_owner_policies_and_grants(live):
    for table in (*SEED_TABLES, *APP_TABLES):
        assert live.execute(
            "SELECT relrowsecurity FROM pg_class WHERE oid = %s::regclass", (f"public.{table}",)
        ).fetchone() == (True,), table
        policies = live.execute(
            "SELECT cmd, roles::text[], qual, with_check FROM pg_policies "
            "WHERE schemaname = 'public' AND tablename = %s",
            (table,),
        ).fetchall()
        assert sorted(cmd for cmd, *_ in policies) == ["DELETE", "INSERT", "SELECT", "UPDATE"]
        for _, roles, qual, check in policies:
            assert roles == ["authenticated"], table
            for expression in (qual, check):
                if expression is not None:
                    assert "( SELECT auth.uid() AS uid)" in expression, (table, expression)
        for role, allowed in (("authenticated", True), ("service_role", True), ("anon", False)):
            for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE"):
                assert live.execute(
                    "SELECT has_table_privilege(%s, %s, %s)",
                    (role, f"public.{table}", privilege),
                ).fetchone() == (allowed,), (table, role, privilege)


def _own_rows(conn: Any, user: str) -> dict[str, str]:
    """As ``user``: an athlete, a goal, a plan and a row in each app table; their ids."""
    athlete, goal = athlete_with_goal(conn, user)
    ids = {"athletes": athlete, "goals": goal}
    with acting_as(conn, user):
        ids["training_plans"] = insert_plan(conn, athlete, goal_id=goal)

        def add(table: str, values: dict[str, Any]) -> str:
            names = ", ".join(values)
            marks = ", ".join(["%s"] * len(values))
            ids[table] = conn.execute(
                f"INSERT INTO {table} ({names}) VALUES ({marks}) RETURNING id::text",
                list(values.values()),
            ).fetchone()[0]
            return ids[table]

        add("conversations", {"athlete_id": athlete, "title": "Taper?"})
        add("messages", {"conversation_id": ids["conversations"], "role": "user", "content": "hi"})
        add(
            "intervals_credentials",
            {"athlete_id": athlete, "intervals_athlete_id": "i123", "api_key_encrypted": "x"},
        )
        add("embeddings", {"athlete_id": athlete, "source_type": "checkin", "content": "tired"})
        add(
            "seasons",
            {
                "athlete_id": athlete,
                "name": "2027",
                "start_date": "2027-01-01",
                "end_date": "2027-12-31",
            },
        )
        add(
            "race_blocks",
            {
                "athlete_id": athlete,
                "season_id": ids["seasons"],
                "goal_id": goal,
                "name": "Block",
                "start_date": "2027-01-01",
                "end_date": "2027-03-01",
            },
        )
        add(
            "workouts",
            {
                "athlete_id": athlete,
                "block_id": ids["race_blocks"],
                "scheduled_date": "2027-01-02",
                "sport": "swim",
            },
        )
        add(
            "plan_adaptations",
            {"athlete_id": athlete, "plan_id": ids["training_plans"], "reason": "sick"},
        )
        add("sync_log", {"athlete_id": athlete, "kind": "wellness", "status": "succeeded"})
    return ids


def test_rls_isolation_holds_on_every_table(live, pg_live_url):
    ada = make_user(pg_live_url, "ada@example.com")
    bob = make_user(pg_live_url, "bob@example.com")
    ada_ids = _own_rows(live, ada)
    bob_ids = _own_rows(live, bob)
    tables = (*SEED_TABLES[:2], "training_plans", *APP_TABLES)
    with acting_as(live, ada):
        for table in tables:
            assert [r[0] for r in live.execute(f"SELECT id::text FROM {table}")] == [ada_ids[table]]
    with acting_as(live, bob):
        for table in tables:
            assert live.execute(f"SELECT count(*) FROM {table}").fetchone() == (1,), table
            assert (
                live.execute(
                    f"UPDATE {table} SET created_at = now() WHERE id = %s", (ada_ids[table],)
                ).rowcount
                == 0
            )
            assert (
                live.execute(f"DELETE FROM {table} WHERE id = %s", (ada_ids[table],)).rowcount == 0
            )
    # Bob cannot put rows under Ada's athlete, nor messages into her conversation.
    with pytest.raises(errors.InsufficientPrivilege), acting_as(live, bob):
        live.execute(
            "INSERT INTO seasons (athlete_id, name, start_date, end_date) "
            "VALUES (%s, 'x', '2027-01-01', '2027-02-01')",
            (ada_ids["athletes"],),
        )
    with pytest.raises(errors.InsufficientPrivilege), acting_as(live, bob):
        live.execute(
            "INSERT INTO messages (conversation_id, role, content) VALUES (%s, 'user', 'x')",
            (ada_ids["conversations"],),
        )
    with pytest.raises(errors.InsufficientPrivilege), acting_as(live, bob):  # a plan on Ada's goal
        live.execute(
            "UPDATE training_plans SET goal_id = %s WHERE id = %s",
            (ada_ids["goals"], bob_ids["training_plans"]),
        )
    with pytest.raises(errors.InsufficientPrivilege), acting_as(live, None, role="anon"):
        live.execute("SELECT * FROM workouts")
    with acting_as(live, None, role="service_role"):
        assert live.execute("SELECT count(*) FROM workouts").fetchone() == (2,)
    live.execute("DELETE FROM auth.users WHERE id = %s", (ada,))  # cascades through everything
    for table in tables:
        assert live.execute(f"SELECT count(*) FROM {table}").fetchone() == (1,), table
