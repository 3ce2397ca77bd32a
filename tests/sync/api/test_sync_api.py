"""``khepri sync`` through the Supabase API: ``khepri login``, then the same two-way sync as over
PostgreSQL, with every table request sent to the stand-in (real PostgREST semantics on real
PostgreSQL, as the role ``authenticated`` with the user's JWT claims, so RLS is PostgreSQL's own).

The app's writes go through :class:`~tests.sync.two_way.App` (as the user, under RLS); both sides
are compared value by value in the journal's terms.
"""

from __future__ import annotations

import json

import pytest

from khepri_cli.schema import TABLE_NAMES
from khepri_cli.sync.supabase_api.session import SessionStore

from ..two_way import LATER, App, add_plan, edit, everything, with_khepri_migrations
from .conftest import PASSWORD

psycopg = pytest.importorskip("psycopg")


def fill(khepri) -> None:
    """A goal, a constraint, two check-ins and a session in the journal."""
    khepri.ok("goals", "add", "race", "Cascais 70.3", "--date", "2027-10-03", "--distance", "70.3")
    khepri.ok("constraints", "add", "injury", "Left knee", "--body-part", "left_knee")
    khepri.ok("checkin", "--date", "2026-11-23", "--sleep-hours", "7.5", "--energy", "7")
    khepri.ok("checkin", "--date", "2026-11-24", "--sleep-hours", "6", "--energy", "4")
    khepri.ok("log", "run", "45m", "--rpe", "6", "--date", "2026-11-24")


def synced(khepri, *more: str) -> dict:
    run = khepri("sync", "--json", *more)
    assert run.exit_code == 0, run.output
    return json.loads(run.stdout)


def remote_equals_journal(app: App, khepri) -> None:
    mine = everything(khepri.db_path)
    for table in TABLE_NAMES:
        assert app.rows(table) == mine[table], table


def table_requests(standin, method: str | None = None) -> list:
    return [e for e in standin.log.matching(method, "/rest/v1/") if e.path != "/rest/v1/"]


# -- the first sync, both directions -------------------------------------------------------


def test_login_and_sync_send_the_journal_up_as_the_user(ada, configured):
    fill(ada.khepri)
    configured.log.clear()
    report = synced(ada.khepri)
    pushed = {t["table"]: t["upserted"] for t in report["tables"]}
    assert pushed == {
        "athletes": 1,
        "goals": 1,
        "constraints": 1,
        "daily_checkins": 2,
        "training_plans": 0,
        "activities": 1,
    }
    assert report["target"] == configured.url and report["user_id"] == ada.user_id
    remote_equals_journal(App(configured.pg_url, ada.user_id), ada.khepri)

    token = SessionStore().find().access_token
    for request in table_requests(configured):  # every one as the user, with the project's key
        assert request.headers["apikey"] == configured.keys.publishable
        assert request.headers["authorization"] == f"Bearer {token}"
    posts = table_requests(configured, "POST")
    assert [p.path.rsplit("/", 1)[1] for p in posts] == [
        "athletes",
        "goals",
        "constraints",
        "daily_checkins",
        "activities",
    ]  # parents first
    for post in posts:
        table = post.path.rsplit("/", 1)[1]
        assert post.query["on_conflict"] == ["id"]
        assert "resolution=merge-duplicates" in post.headers["prefer"]
        assert post.headers["content-type"] == "application/json"
        columns = post.query["columns"][0].split(",")
        assert set(columns) <= {c.name for c in _declared(table).columns}
        assert all(set(row) == set(columns) for row in post.json)
    checkins = next(p for p in posts if p.path.endswith("daily_checkins")).json
    assert sorted(row["checkin_date"] for row in checkins) == ["2026-11-23", "2026-11-24"]


def test_a_new_journal_brings_the_account_down(configured, khepri):
    user_id = configured.create_user("bo@example.com", PASSWORD)
    app = App(configured.pg_url, user_id)
    me = app.profile(display_name="Bo", resting_heart_rate=48)
    app.insert("goals", athlete_id=me, goal_type="health", title="Sleep 8h", priority="A")
    app.insert(
        "daily_checkins",
        athlete_id=me,
        checkin_date="2026-11-24",
        sleep_hours=7.5,
        energy_level=6,
        soreness_areas={"legs": 3},
        equipment_access=["pool"],
    )
    khepri.ok("login", "--email", "bo@example.com", "--password-stdin", input=PASSWORD + "\n")
    report = synced(khepri)
    assert {t["table"]: t["pulled"] for t in report["tables"]} == {
        "athletes": 1,
        "goals": 1,
        "constraints": 0,
        "daily_checkins": 1,
        "training_plans": 0,
        "activities": 0,
    }
    remote_equals_journal(app, khepri)
    assert khepri.json("profile", "show")["display_name"] == "Bo"


def test_a_sync_with_nothing_changed_reads_only_what_changed_and_writes_nothing(ada, configured):
    fill(ada.khepri)
    synced(ada.khepri)
    configured.log.clear()
    report = synced(ada.khepri)
    assert all(t["pulled"] == t["upserted"] == t["deleted"] == 0 for t in report["tables"])
    assert table_requests(configured, "POST") == table_requests(configured, "DELETE") == []
    reads = table_requests(configured, "GET")
    changed = [r for r in reads if any(v.startswith("gt.") for v in r.query.get("updated_at", []))]
    assert {r.path.rsplit("/", 1)[1] for r in changed} >= {"goals", "daily_checkins"}
    assert not [r for r in reads if r.query.get("limit") == ["0"] and r.query["select"] != ["id"]]


def test_edits_on_both_sides_merge_value_by_value(ada, configured, monkeypatch):
    fill(ada.khepri)
    synced(ada.khepri)
    app = App(configured.pg_url, ada.user_id)
    [goal] = app.rows("goals")
    app.update("goals", goal, title="Cascais 70.3, sub 5")
    monkeypatch.setenv("KHEPRI_NOW", LATER)
    edit(ada.khepri.db_path, "goals", goal, priority="B")
    report = synced(ada.khepri)
    assert report["conflicts"] == []
    assert app.rows("goals")[goal]["title"] == "Cascais 70.3, sub 5"
    assert app.rows("goals")[goal]["priority"] == "B"
    remote_equals_journal(app, ada.khepri)


def test_deletes_go_both_ways(ada, configured):
    fill(ada.khepri)
    synced(ada.khepri)
    app = App(configured.pg_url, ada.user_id)
    [goal] = app.rows("goals")
    gone_day = next(
        i for i, r in app.rows("daily_checkins").items() if r["checkin_date"] == "2026-11-23"
    )
    app.delete("daily_checkins", gone_day)
    ada.khepri.ok("goals", "delete", goal[:8], "--yes")
    configured.log.clear()
    report = synced(ada.khepri)
    deleted = {
        t["table"]: (t["removed"], t["deleted"])
        for t in report["tables"]
        if t["removed"] or t["deleted"]
    }
    assert deleted == {"goals": (0, 1), "daily_checkins": (1, 0)}
    [delete] = table_requests(configured, "DELETE")
    assert delete.path == "/rest/v1/goals" and delete.query["id"] == [f"in.({goal})"]
    assert app.rows("goals") == {}
    remote_equals_journal(app, ada.khepri)


def test_dry_run_sends_no_write_and_keeps_the_journal(ada, configured):
    fill(ada.khepri)
    before = ada.khepri.snapshot()
    configured.log.clear()
    report = synced(ada.khepri, "--dry-run")
    assert report["dry_run"] is True
    assert sum(t["upserted"] for t in report["tables"]) == 6
    assert table_requests(configured, "POST") == table_requests(configured, "DELETE") == []
    assert ada.khepri.snapshot() == before
    assert App(configured.pg_url, ada.user_id).rows("athletes") == {}


def test_big_batches_are_split_under_the_size_limit(ada, configured):
    for day in range(1, 29):
        ada.khepri.ok(
            "checkin", "--date", f"2026-10-{day:02d}", "--energy", "6", "--notes", "x" * 200
        )
    configured.max_body_bytes = 4000
    configured.log.clear()
    synced(ada.khepri)
    posts = [p for p in table_requests(configured, "POST") if p.path.endswith("daily_checkins")]
    assert len([p for p in posts if p.status == 201]) > 1
    assert all(len(p.body) <= 4000 for p in posts if p.status == 201)
    remote_equals_journal(App(configured.pg_url, ada.user_id), ada.khepri)


# -- the same rows, whichever way they travel ----------------------------------------------


def test_the_api_and_postgres_ways_send_the_same_rows(ada, configured, tmp_path):
    """Parity: one journal synced through the API, a copy of it through PostgreSQL, to the same
    project (emptied in between): the remote ends with the same rows, value by value."""
    fill(ada.khepri)
    copy = tmp_path / "copy.db"
    copy.write_bytes(ada.khepri.db_path.read_bytes())
    app = App(configured.pg_url, ada.user_id)

    synced(ada.khepri)
    through_api = {t: app.raw(t) for t in TABLE_NAMES}
    with psycopg.connect(configured.pg_url) as conn:
        conn.execute("DELETE FROM public.athletes")  # and everything below, by cascade
    ada.khepri.ok("--db", str(copy), "sync", "--via", "postgres", "--db-url", configured.pg_url)
    through_postgres = {t: app.raw(t) for t in TABLE_NAMES}
    for table in TABLE_NAMES:
        assert _stamps_aside(through_api[table]) == _stamps_aside(through_postgres[table]), table
    assert sum(len(rows) for rows in through_api.values()) == 6

    # The same journal then switches ways: a first sync with this remote, which finds all equal.
    run = ada.khepri("--db", str(copy), "sync", "--via", "api", "--json")
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    assert all(t["pulled"] == t["upserted"] == t["deleted"] == 0 for t in report["tables"])
    assert report["conflicts"] == []


def _stamps_aside(rows: dict) -> dict:
    return {i: {c: v for c, v in r.items() if c != "updated_at"} for i, r in rows.items()}


def _declared(table: str):
    from khepri_cli.schema import table as declared

    return declared(table)


# -- the remote's shape, learnt through the API ----------------------------------------------


def test_a_remote_without_a_table_or_a_column_is_reported_and_the_rest_syncs(
    own_standin, monkeypatch, athlete
):
    from .conftest import configure

    standin = configure(own_standin, monkeypatch)
    with psycopg.connect(standin.pg_url, autocommit=True) as conn:
        conn.execute("DROP TABLE public.activities")
        conn.execute("ALTER TABLE public.goals DROP COLUMN race_location")
    standin.reload_schema()
    user_id = standin.create_user("ada@example.com", PASSWORD)
    athlete.ok("login", "--email", "ada@example.com", "--password-stdin", input=PASSWORD + "\n")
    fill(athlete)
    run = athlete("sync")
    assert run.exit_code == 0, run.output
    assert "activities" in run.stderr and "race_location" in run.stderr
    app = App(standin.pg_url, user_id)
    assert len(app.raw("goals")) == len(app.raw("daily_checkins")) - 1 == 1
    status = athlete.json("sync", "status")
    assert {p["table"]: p["upserts"] for p in status["pending"]}.get("activities") == 1


# -- which way, and as whom ---------------------------------------------------------------------


def test_the_secret_key_needs_a_user_id_and_warns_that_it_bypasses_rls(
    configured, athlete, monkeypatch
):
    user_id = configured.create_user("ada@example.com", PASSWORD)
    monkeypatch.setenv("SUPABASE_PUBLISHABLE_KEY", configured.keys.secret)
    run = athlete("sync")
    assert run.exit_code == 2
    assert "--user-id" in run.stderr and configured.keys.secret not in run.output
    run = athlete("sync", "--user-id", user_id)
    assert run.exit_code == 0, run.output
    assert "bypasses Row Level Security" in run.output
    assert configured.keys.secret not in run.output
    assert len(App(configured.pg_url, user_id).raw("athletes")) == 1


def test_logged_in_means_the_api_and_db_url_means_postgres(ada, configured, pg_url):
    other = make_remote_user(pg_url)
    ada.khepri.ok("checkin", "--date", "2026-11-24", "--energy", "6")
    run = ada.khepri("sync", "--db-url", pg_url, "--user-id", other, "--json")
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["target"] != configured.url
    assert table_requests(configured) == []
    assert synced(ada.khepri)["target"] == configured.url


def make_remote_user(pg_url: str) -> str:
    from ..conftest import make_user

    return make_user(pg_url, "ada@example.com")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--via", "ftp"), "--via: 'ftp' is not valid; must be 'api' or 'postgres'"),
        (
            ("--via", "api", "--db-url", "postgresql://x@localhost/db"),
            "--db-url is for --via postgres",
        ),
    ],
)
def test_a_bad_way_is_a_usage_error(ada, args, message):
    before = ada.khepri.snapshot()
    run = ada.khepri("sync", *args)
    assert run.exit_code == 2
    assert message in run.stderr
    assert ada.khepri.snapshot() == before


def test_not_logged_in_says_to_log_in(configured, athlete):
    athlete.ok("checkin", "--date", "2026-11-24", "--energy", "6")
    before = athlete.snapshot()
    run = athlete("sync")
    assert run.exit_code == 1
    [line] = run.stderr.splitlines()
    assert "not logged in" in line and "khepri login" in line
    assert athlete.snapshot() == before


def test_without_any_project_the_sync_says_both_ways_in(athlete, monkeypatch):
    monkeypatch.delenv("SUPABASE_DB_URL", raising=False)
    run = athlete("sync")
    assert run.exit_code == 2
    assert "khepri login" in run.stderr and "--db-url" in run.stderr


# -- the live backend, through its API ----------------------------------------------------------


@pytest.fixture
def live_project(pg_live_url, monkeypatch):
    """The live Khepri backend of upstream.md, upgraded with Khepri's migrations, behind the
    stand-in, as the configured project."""
    from .conftest import configure
    from .standin import StandIn, prepare_database

    with_khepri_migrations(pg_live_url)
    prepare_database(pg_live_url)
    with StandIn(pg_live_url) as standin:
        yield configure(standin, monkeypatch)


def test_a_plan_goes_to_the_live_backend_in_its_shape_and_comes_back(
    live_project, athlete, tmp_path
):
    user_id = live_project.create_user("ada@example.com", PASSWORD)
    athlete.ok("login", "--email", "ada@example.com", "--password-stdin", input=PASSWORD + "\n")
    fill(athlete)
    plan = add_plan(athlete.db_path)
    report = synced(athlete)
    assert report["remote"] != "seed schema" and report["kept"] == []
    app = App(live_project.pg_url, user_id)
    [raw] = app.raw("training_plans").values()
    assert raw["name"] == plan["title"] and "periodization" in raw  # the app's shape
    remote_equals_journal(app, athlete)

    other = tmp_path / "other.db"
    athlete.ok("--db", str(other), "sync")  # a second machine of the same user
    assert everything(other) == everything(athlete.db_path)
