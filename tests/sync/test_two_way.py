"""``khepri sync`` both ways, against real PostgreSQL: the same stories on the seed and the live schema.

Each story runs twice: against a project that applied Khepri's own schema
(``seed``) and against the live Khepri backend of ``shared/upstream.md``
(``live``: training_plans renamed and reshaped, the app's own columns and
tables). The app's writes go through :class:`~.two_way.App`, as the user,
under row level security, with the remote stamping ``updated_at``; the
journal's clock is pinned (KHEPRI_NOW, 2026-11-25T07:30Z), before the
database's, so the app's changes are the later ones unless a story moves
the journal's clock on.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from khepri_cli.domain import recommendation as rec
from khepri_cli.domain.advice import advise
from khepri_cli.domain.limits import DayLimits
from khepri_cli.domain.readiness_v2 import judge_day

from .two_way import LATER, App, add_plan, edit, everything, journal_rows

psycopg = pytest.importorskip("psycopg")


def sync(khepri, app: App, *more: str):
    run = khepri("sync", "--db-url", app.url, "--user-id", app.user_id, *more)
    assert run.exit_code == 0, run.output
    return run


def synced_json(khepri, app: App, *more: str) -> dict:
    return json.loads(sync(khepri, app, "--json", *more).stdout)


def athlete_id(khepri) -> str:
    return khepri.rows("SELECT id FROM athletes")[0]["id"]


def test_push_writes_the_journal_in_the_remotes_shape(athlete, remote):
    athlete.ok("goals", "add", "race", "Cascais 70.3", "--date", "2027-10-03", "--distance", "70.3")
    athlete.ok("constraints", "add", "injury", "Left knee", "--body-part", "left_knee")
    athlete.ok("checkin", "--date", "2026-11-24", "--sleep-hours", "7.5", "--energy", "7")
    plan = add_plan(athlete.db_path)
    sync(athlete, remote)
    assert remote.rows("goals") == journal_rows(athlete.db_path, "goals")
    assert remote.rows("daily_checkins") == journal_rows(athlete.db_path, "daily_checkins")
    [raw] = remote.raw("training_plans").values()
    if remote.live:  # the live backend's names and shapes
        assert raw["name"] == "Spring base" and raw["total_weeks"] == 12
        assert raw["periodization"]["total_weeks"] == 12
        assert [p["phase"] for p in raw["periodization"]["phases"]] == [
            "base",
            "build",
            "peak",
            "taper",
        ]
        assert len(raw["periodization"]["weekly_volumes"]) == 12
        assert "title" not in raw and raw["adaptations"] == []
    else:
        assert raw["title"] == "Spring base" and raw["phases"] == plan["phases"]
    assert remote.rows("training_plans") == journal_rows(athlete.db_path, "training_plans")
    again = sync(athlete, remote)
    assert "Nothing to pull or push" in again.stderr


def test_a_fresh_journal_brings_the_whole_account_down(khepri, remote):
    """No 'khepri init': the first sync of a new machine gets the profile and everything under it."""
    me = remote.profile(display_name="Ada", ftp_watts=250, intervals_icu_connected=True)
    goal = remote.insert("goals", athlete_id=me, goal_type="race", title="Marathon", priority="A")
    remote.insert(
        "daily_checkins",
        athlete_id=me,
        checkin_date="2026-11-24",
        energy_level=6,
        soreness_areas={},
        equipment_access=["pool"],
        ai_recommendation={
            "summary": "Steady",
            "workoutSuggestion": "Easy run",
            "intensityLevel": "easy",
            "duration": 45,
        },
    )
    plan_id = remote.plan(me, date(2026, 12, 1), **{_plan_goal(remote): goal})
    report = synced_json(khepri, remote)
    assert {t["table"]: t["pulled"] for t in report["tables"]} == {
        "athletes": 1,
        "goals": 1,
        "constraints": 0,
        "daily_checkins": 1,
        "training_plans": 1,
        "activities": 0,
    }
    mine = everything(khepri.db_path)
    assert mine["athletes"][me]["display_name"] == "Ada"
    assert mine["athletes"][me]["auth_user_id"] == remote.user_id
    assert mine["training_plans"][plan_id]["target_goal_id"] == goal
    assert [p["name"] for p in mine["training_plans"][plan_id]["phases"]] == [
        "base",
        "build",
        "peak",
        "taper",
    ]
    for table in mine:
        assert mine[table] == remote.rows(table), table
    assert khepri.rows("SELECT count(*) AS n FROM _khepri_pending_changes") == [{"n": 0}]
    shown = khepri.ok("checkins", "show", "2026-11-24").stdout
    assert "Easy run" in shown


def _plan_goal(app: App) -> str:
    return "goal_id" if app.live else "target_goal_id"


def test_changes_to_different_columns_on_both_sides_both_stay(athlete, remote):
    athlete.ok("goals", "add", "health", "Sleep more", "--priority", "B")
    sync(athlete, remote)
    [goal] = athlete.rows("SELECT id FROM goals")
    remote.update("goals", goal["id"], description="eight hours, from the app")
    edit(athlete.db_path, "goals", goal["id"], priority="A")
    report = synced_json(athlete, remote)
    assert report["conflicts"] == []
    here = journal_rows(athlete.db_path, "goals")[goal["id"]]
    assert here["priority"] == "A" and here["description"] == "eight hours, from the app"
    assert remote.rows("goals")[goal["id"]] == here


def test_the_same_column_changed_on_both_sides_goes_to_the_later_and_both_are_kept(
    athlete, remote, monkeypatch
):
    athlete.ok("checkin", "--date", "2026-11-24", "--energy", "5", "--stress", "3")
    sync(athlete, remote)
    [day] = athlete.rows("SELECT id FROM daily_checkins")
    edit(athlete.db_path, "daily_checkins", day["id"], energy_level=8, stress_level=2)
    remote.update("daily_checkins", day["id"], energy_level=3)  # later: the database's clock
    report = synced_json(athlete, remote)
    [clash] = report["conflicts"]
    assert (clash["column"], clash["local"], clash["remote"], clash["kept"]) == (
        "energy_level",
        8,
        3,
        "remote",
    )
    here = journal_rows(athlete.db_path, "daily_checkins")[day["id"]]
    assert here["energy_level"] == 3 and here["stress_level"] == 2
    assert remote.rows("daily_checkins")[day["id"]] == here

    monkeypatch.setenv("KHEPRI_NOW", LATER)  # now the journal's change is the later one
    remote.update("daily_checkins", day["id"], energy_level=4)
    edit(athlete.db_path, "daily_checkins", day["id"], energy_level=9)
    report = synced_json(athlete, remote)
    assert [(c["column"], c["kept"]) for c in report["conflicts"]] == [("energy_level", "local")]
    assert remote.rows("daily_checkins")[day["id"]]["energy_level"] == 9

    listed = json.loads(athlete.ok("sync", "conflicts", "--json").stdout)
    assert [(c["column_name"], c["local_value"], c["remote_value"], c["kept"]) for c in listed] == [
        ("energy_level", 8, 3, "remote"),
        ("energy_level", 9, 4, "local"),
    ]
    shown = athlete.ok("sync", "conflicts").stdout
    assert "energy_level" in shown and "remote" in shown


def test_a_day_checked_in_on_both_sides_is_one_row_merged(athlete, remote):
    athlete.ok("sync", "--db-url", remote.url, "--user-id", remote.user_id)
    me = athlete_id(athlete)
    app_advice = {
        "summary": "Recovered",
        "workoutSuggestion": "Tempo run",
        "intensityLevel": "moderate",
        "duration": 50,
    }
    theirs = remote.insert(
        "daily_checkins",
        athlete_id=me,
        checkin_date="2026-11-24",
        sleep_quality=8,
        hrv_ms=61.5,
        ai_recommendation=app_advice,
    )
    athlete.ok("checkin", "--date", "2026-11-24", "--sleep-hours", "7:30", "--energy", "7")
    report = synced_json(athlete, remote)
    assert [c["kind"] for c in report["conflicts"]] == ["made_on_both_sides", "both_changed"]
    assert report["conflicts"][1]["column"] == "ai_recommendation"  # both judged the day
    [day] = remote.raw("daily_checkins").values()
    assert day["id"] == theirs
    assert day["sleep_quality"] == 8 and float(day["hrv_ms"]) == 61.5  # only there
    assert float(day["sleep_hours"]) == 7.5 and day["energy_level"] == 7  # only here
    assert day["ai_recommendation"] == app_advice  # the app's: its judgement is the later
    local = journal_rows(athlete.db_path, "daily_checkins")
    assert list(local) == [theirs] and local == remote.rows("daily_checkins")
    shown = athlete.ok("checkins", "show", "2026-11-24").stdout
    assert "Tempo run" in shown


def test_the_adopted_profile_keeps_the_apps_intervals_link(athlete, remote):
    extra = {"intervals_webhook_registered": True} if remote.live else {}
    theirs = remote.profile(
        display_name="Ada L.",
        intervals_icu_athlete_id="i123456",
        intervals_icu_connected=True,
        **extra,
    )
    report = synced_json(athlete, remote)
    assert report["conflicts"][0]["kind"] == "adopted_profile"
    raw = remote.raw("athletes")[theirs]
    assert raw["intervals_icu_athlete_id"] == "i123456" and raw["intervals_icu_connected"] is True
    if remote.live:
        assert raw["intervals_webhook_registered"] is True  # the app's own column: never written
    assert raw["ftp_watts"] == 250  # set only here
    assert raw["display_name"] == "Ada L."  # set on both sides: the app's is the later
    here = journal_rows(athlete.db_path, "athletes")
    assert list(here) == [theirs] and here == remote.rows("athletes")
    athlete.ok("profile", "set", "--ftp", "260")
    sync(athlete, remote)
    raw = remote.raw("athletes")[theirs]
    assert raw["ftp_watts"] == 260 and raw["intervals_icu_connected"] is True


def test_a_plan_goes_there_and_back_in_the_remotes_shape(athlete, remote, tmp_path):
    plan = add_plan(athlete.db_path, status="paused")
    sync(athlete, remote)
    [raw] = remote.raw("training_plans").values()
    assert raw["status"] == ("active" if remote.live else "paused")  # live: no paused any more
    other = tmp_path / "laptop.db"
    athlete.ok("--db", str(other), "sync", "--db-url", remote.url, "--user-id", remote.user_id)
    theirs = journal_rows(other, "training_plans")[plan["id"]]
    mine = journal_rows(athlete.db_path, "training_plans")[plan["id"]]
    assert theirs == {**mine, "status": raw["status"]}
    assert mine["status"] == "paused"  # the journal keeps what it can say
    again = sync(athlete, remote)
    assert "Nothing to pull or push" in again.stderr


def test_a_plan_the_live_backend_cannot_hold_is_kept_pending_and_named(athlete, remote):
    draft = add_plan(athlete.db_path, status="draft")
    athlete.ok("checkin", "--date", "2026-11-24", "--energy", "6")
    report = synced_json(athlete, remote)
    if not remote.live:
        assert report["kept"] == []
        return
    [kept] = report["kept"]
    assert (kept["table"], kept["row_id"]) == ("training_plans", draft["id"])
    assert "stays local until it is activated" in kept["reason"]
    assert len(remote.raw("daily_checkins")) == 1 and remote.raw("training_plans") == {}
    pending = athlete.rows("SELECT table_name, row_id FROM _khepri_pending_changes")
    assert pending == [{"table_name": "training_plans", "row_id": draft["id"]}]


def test_a_remote_without_a_table_syncs_the_rest_and_says_what_it_lacks(athlete, remote):
    with psycopg.connect(remote.url) as conn:
        conn.execute("DROP TABLE public.training_plans CASCADE")
    add_plan(athlete.db_path)
    athlete.ok("checkin", "--date", "2026-11-24", "--energy", "6")
    run = sync(athlete, remote)
    assert "kept pending: training_plans (1 change(s)): the remote has no table training_plans" in (
        run.stderr
    )
    assert len(remote.raw("daily_checkins")) == 1
    status = json.loads(athlete.ok("sync", "status", "--json").stdout)
    assert status["pending_total"] == 1
    assert status["remote"]["missing_tables"] == ["training_plans"]
    assert "lacks table training_plans" in athlete.ok("sync", "status").stdout


def test_a_remote_value_the_journal_refuses_is_named_and_left_alone(athlete, remote):
    sync(athlete, remote)
    me = athlete_id(athlete)
    bad = remote.insert(
        "daily_checkins", athlete_id=me, checkin_date="2026-11-20", soreness_areas={"legs": 12}
    )
    good = remote.insert("daily_checkins", athlete_id=me, checkin_date="2026-11-21", energy_level=5)
    report = synced_json(athlete, remote)
    [kept] = report["kept"]
    assert kept["row_id"] == bad and "soreness of 'legs' must be a whole number" in kept["reason"]
    assert list(journal_rows(athlete.db_path, "daily_checkins")) == [good]
    assert remote.raw("daily_checkins")[bad]["soreness_areas"] == {"legs": 12}  # not overwritten
    again = synced_json(athlete, remote)
    assert [k["row_id"] for k in again["kept"]] == [bad]  # named at every sync until fixed


def test_deletes_go_both_ways(athlete, remote):
    athlete.ok("goals", "add", "health", "Sleep more")
    for day in ("2026-11-22", "2026-11-23"):
        athlete.ok("checkin", "--date", day, "--energy", "6")
    sync(athlete, remote)
    [goal] = athlete.rows("SELECT id FROM goals")
    first, second = (
        r["id"] for r in athlete.rows("SELECT id FROM daily_checkins ORDER BY checkin_date")
    )
    athlete.ok("goals", "delete", goal["id"][:8], "--yes")
    remote.delete("daily_checkins", first)
    report = synced_json(athlete, remote)
    tables = {t["table"]: t for t in report["tables"]}
    assert tables["goals"]["deleted"] == 1 and tables["daily_checkins"]["removed"] == 1
    assert remote.raw("goals") == {} and list(remote.raw("daily_checkins")) == [second]
    assert list(journal_rows(athlete.db_path, "daily_checkins")) == [second]
    assert athlete.rows("SELECT count(*) AS n FROM _khepri_pending_changes") == [{"n": 0}]


def test_a_deleted_row_changed_on_the_other_side_is_kept(athlete, remote):
    for day in ("2026-11-22", "2026-11-23"):
        athlete.ok("checkin", "--date", day, "--energy", "6")
    sync(athlete, remote)
    first, second = (
        r["id"] for r in athlete.rows("SELECT id FROM daily_checkins ORDER BY checkin_date")
    )
    remote.delete("daily_checkins", first)  # deleted there, changed here
    edit(athlete.db_path, "daily_checkins", first, notes="changed here")
    remote.update("daily_checkins", second, notes="changed there")  # changed there, deleted here
    athlete.ok("checkins", "delete", "2026-11-23", "--yes")
    report = synced_json(athlete, remote)
    assert sorted(c["kind"] for c in report["conflicts"]) == ["deleted_here", "deleted_there"]
    here = journal_rows(athlete.db_path, "daily_checkins")
    assert here[first]["notes"] == "changed here" and here[second]["notes"] == "changed there"
    assert here == remote.rows("daily_checkins")


def test_the_stored_recommendation_reaches_the_app_as_it_reads_it(athlete, remote):
    athlete.ok("checkin", "--date", "2026-11-24", "--energy", "7", "--available-minutes", "40")
    [day] = athlete.rows("SELECT id FROM daily_checkins")
    edit(athlete.db_path, "daily_checkins", day["id"], ai_recommendation=_a_judged_document())
    sync(athlete, remote)
    stored = remote.raw("daily_checkins")[day["id"]]["ai_recommendation"]
    assert rec.app_can_read(stored)
    assert stored["khepri"]["rubric_version"] == 2
    assert stored == journal_rows(athlete.db_path, "daily_checkins")[day["id"]]["ai_recommendation"]


def _a_judged_document() -> dict:
    day = {"checkin_date": "2026-11-24", "energy_level": 7, "hrv_ms": 60.0, "resting_hr": 48}
    judged = judge_day(day, [], profile_resting_hr=48)
    advice = advise(judged.level, judged.signs, None, None, DayLimits(available_minutes=40))
    return rec.build_recommendation(judged, advice, "2026-11-24T06:00:00.000000Z")


def test_dry_run_shows_both_ways_and_writes_nothing(athlete, remote):
    sync(athlete, remote)
    me = athlete_id(athlete)
    remote.insert("daily_checkins", athlete_id=me, checkin_date="2026-11-20", energy_level=5)
    athlete.ok("checkin", "--date", "2026-11-24", "--energy", "6")
    before, there = athlete.snapshot(), remote.raw("daily_checkins")
    report = synced_json(athlete, remote, "--dry-run")
    tables = {t["table"]: t for t in report["tables"]}
    assert tables["daily_checkins"]["pulled"] == 1 and tables["daily_checkins"]["upserted"] == 1
    assert athlete.snapshot() == before and remote.raw("daily_checkins") == there


def test_status_says_what_the_remote_is(athlete, remote):
    sync(athlete, remote)
    status = json.loads(athlete.ok("sync", "status", "--json").stdout)
    assert status["remote"]["description"].startswith(
        "live Khepri schema" if remote.live else "seed schema"
    )
    shown = athlete.ok("sync", "status").stdout
    assert "Remote: " + status["remote"]["description"] in shown


def test_two_journals_of_one_user_syncing_in_turn_converge(athlete, remote, tmp_path: Path):
    laptop = tmp_path / "laptop.db"

    def on_laptop(*args: str):
        return athlete.ok("--db", str(laptop), *args)

    athlete.ok("goals", "add", "race", "Cascais 70.3", "--date", "2027-10-03")
    athlete.ok("checkin", "--date", "2026-11-20", "--energy", "6")
    sync(athlete, remote)
    on_laptop("sync", "--db-url", remote.url, "--user-id", remote.user_id)
    [goal] = athlete.rows("SELECT id FROM goals")
    # Each works offline, on other and on the same things.
    athlete.ok("checkin", "--date", "2026-11-21", "--energy", "7")
    on_laptop("checkin", "--date", "2026-11-22", "--energy", "5")
    on_laptop("checkin", "--date", "2026-11-21", "--stress", "4")  # the same day, made there too
    edit(athlete.db_path, "goals", goal["id"], priority="A")
    edit(laptop, "goals", goal["id"], description="sub 5h30")
    remote.update("goals", goal["id"], race_location="Cascais")  # the app, meanwhile
    for _ in range(2):
        sync(athlete, remote)
        on_laptop("sync", "--db-url", remote.url)
    mine, theirs = everything(athlete.db_path), everything(laptop)
    assert mine == theirs
    for table in mine:
        assert mine[table] == remote.rows(table), table
    assert mine["goals"][goal["id"]]["priority"] == "A"
    assert mine["goals"][goal["id"]]["description"] == "sub 5h30"
    assert mine["goals"][goal["id"]]["race_location"] == "Cascais"
    days = {row["checkin_date"]: row for row in mine["daily_checkins"].values()}
    assert sorted(days) == ["2026-11-20", "2026-11-21", "2026-11-22"]
    assert days["2026-11-21"]["energy_level"] == 7 and days["2026-11-21"]["stress_level"] == 4
    for path in (athlete.db_path, laptop):
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT count(*) FROM _khepri_pending_changes").fetchone() == (0,)
        conn.close()


def test_a_remote_without_a_column_gets_the_rest_and_the_journal_keeps_its_values(athlete, remote):
    with psycopg.connect(remote.url) as conn:
        conn.execute("ALTER TABLE public.goals DROP COLUMN race_location")
    athlete.ok("goals", "add", "race", "Cascais 70.3", "--location", "Cascais")
    run = sync(athlete, remote)
    assert "note: the remote's goals has no column race_location" in run.stderr
    [goal] = remote.raw("goals").values()
    assert goal["title"] == "Cascais 70.3" and "race_location" not in goal
    remote.update("goals", goal["id"], title="Cascais 70.3 (2027)")
    sync(athlete, remote)
    here = journal_rows(athlete.db_path, "goals")[goal["id"]]
    assert here["title"] == "Cascais 70.3 (2027)" and here["race_location"] == "Cascais"


def test_complete_and_resolve_go_both_ways(athlete, remote):
    athlete.ok("goals", "add", "health", "Sleep more")
    athlete.ok("goals", "add", "fitness", "Ride weekly")
    athlete.ok("constraints", "add", "travel", "Lisbon", "--start", "2026-11-20")
    athlete.ok("constraints", "add", "injury", "Knee", "--start", "2026-11-01")
    sync(athlete, remote)
    goals = {r["title"]: r["id"] for r in athlete.rows("SELECT id, title FROM goals")}
    limits = {r["title"]: r["id"] for r in athlete.rows("SELECT id, title FROM constraints")}
    athlete.ok("goals", "complete", goals["Sleep more"][:8])
    athlete.ok("constraints", "resolve", limits["Knee"][:8])
    remote.update("goals", goals["Ride weekly"], status="completed")  # in the app
    remote.update("constraints", limits["Lisbon"], status="resolved", end_date="2026-11-23")
    sync(athlete, remote)
    for table in ("goals", "constraints"):
        assert journal_rows(athlete.db_path, table) == remote.rows(table)
    statuses = {r["title"]: r["status"] for r in athlete.rows("SELECT title, status FROM goals")}
    assert statuses == {"Sleep more": "completed", "Ride weekly": "completed"}
    resolved = athlete.rows("SELECT title, status, end_date FROM constraints ORDER BY title")
    assert [(r["title"], r["status"]) for r in resolved] == [
        ("Knee", "resolved"),
        ("Lisbon", "resolved"),
    ]
