"""``khepri export`` and ``khepri import``: the journal out as one JSON document, and back."""

from __future__ import annotations

import copy
import json
import sqlite3
import stat
import subprocess
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from khepri_cli.db import store
from khepri_cli.db.bulk import LiftedInsertTriggers
from khepri_cli.db.connection import open_journal
from khepri_cli.db.repo_athletes import get_athlete
from khepri_cli.domain.rows import whole_row
from khepri_cli.domain.transfer import TABLES
from khepri_cli.schema import table as declared_table
from khepri_cli.schema.tables import ACTIVITIES, CONSTRAINTS, DAILY_CHECKINS, GOALS, TRAINING_PLANS

NOW = "2026-11-25T07:30:00.000000Z"  # KHEPRI_NOW of tests/conftest.py


@pytest.fixture
def journal(athlete):
    """The conftest athlete plus goals, constraints, check-ins, a plan and two sessions."""
    j = open_journal(athlete.db_path)
    try:
        me = get_athlete(j.conn)
        with j.transaction() as conn:
            race = store.insert(
                conn,
                GOALS,
                {
                    "athlete_id": me.id,
                    "goal_type": "race",
                    "title": "Ironman Zürich",
                    "target_date": "2027-07-18",
                    "priority": "A",
                    "race_distance": "140.6",
                    "race_target_time_seconds": 39600,
                },
            )
            store.insert(
                conn,
                GOALS,
                {
                    "athlete_id": me.id,
                    "goal_type": "performance",
                    "title": "FTP 280",
                    "perf_metric": "ftp",
                    "perf_current_value": 250.25,
                    "perf_target_value": 280,
                },
            )
            store.insert(
                conn,
                CONSTRAINTS,
                {
                    "athlete_id": me.id,
                    "constraint_type": "injury",
                    "title": "Genou gauche — tendinite",
                    "start_date": "2026-11-02",
                    "injury_body_part": "left_knee",
                    "injury_severity": "mild",
                    "injury_restrictions": ["running", "jumping"],
                },
            )
            store.insert(
                conn,
                CONSTRAINTS,
                {
                    "athlete_id": me.id,
                    "constraint_type": "availability",
                    "title": "Busy month",
                    "start_date": "2026-10-01",
                    "end_date": "2026-10-31",
                    "availability_hours_per_week": 6.5,
                    "availability_days_available": ["monday", "saturday"],
                },
            )
            for day, energy, notes in (
                ("2026-11-22", 7, "Felt strong 💪"),
                ("2026-11-20", 4, None),
                ("2026-11-21", 6, "Schlaf schlecht"),
            ):
                store.insert(
                    conn,
                    DAILY_CHECKINS,
                    {
                        "athlete_id": me.id,
                        "checkin_date": day,
                        "sleep_quality": 7,
                        "sleep_hours": 7.5,
                        "energy_level": energy,
                        "stress_level": 3,
                        "soreness_areas": {"legs": 4, "back": 2},
                        "resting_hr": 49,
                        "hrv_ms": 61.3,
                        "weight_kg": 64.25,
                        "equipment_access": ["bike_trainer", "pool"],
                        "travel_status": "home",
                        "notes": notes,
                        "ai_recommendation": {"session": "Z2 ride", "minutes": 90},
                    },
                )
            store.insert(
                conn,
                TRAINING_PLANS,
                {
                    "athlete_id": me.id,
                    "title": "Road to Zürich",
                    "duration_weeks": 12,
                    "start_date": "2026-12-01",
                    "end_date": "2027-02-22",
                    "target_goal_id": race.id,
                    "phases": [{"name": "base", "start_week": 1, "end_week": 6}],
                    "weekly_template": {"monday": "rest", "tuesday": ["swim", "run"]},
                },
            )
            for values in (
                {"sport": "run", "duration_minutes": 45, "rpe": 6, "notes": "Côte à côte"},
                {"sport": "bike", "duration_minutes": 90, "rpe": 7, "distance_km": 42.195,
                 "tss": 85.5},
            ):  # fmt: skip
                store.insert(
                    conn, ACTIVITIES, {"athlete_id": me.id, "activity_date": "2026-11-21", **values}
                )
    finally:
        j.close()
    return athlete


def export(k, *args: str) -> dict:
    return json.loads(k.ok("export", *args).stdout)


def write(path: Path, doc) -> Path:
    """``doc`` as a JSON file; an infinite float is written as 1e999, which JSON parsers read."""
    path.write_text(json.dumps(doc, ensure_ascii=False).replace("Infinity", "1e999"), "utf-8")
    return path


def dump(db: Path) -> dict[str, list[dict]]:
    """Every row of the five tables plus the pending-changes bookkeeping."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        found = {
            table: [dict(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY id")]
            for table in TABLES
        }
        found["_khepri_pending_changes"] = [
            dict(r) for r in conn.execute("SELECT * FROM _khepri_pending_changes ORDER BY seq")
        ]
        return found
    finally:
        conn.close()


def refused(k, args: list[str], fragment: str, code: int = 2):
    """The command fails with one stderr line and the journal stays byte for byte the same."""
    before = k.snapshot()
    run = k(*args)
    assert run.exit_code == code, run.output
    assert fragment in run.stderr, run.stderr
    assert run.stderr.startswith("khepri: error: ")
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.output
    assert run.stdout == ""
    assert k.snapshot() == before
    return run


# --- export ------------------------------------------------------------------------------


def test_export_prints_every_table_with_json_types(journal):
    doc = export(journal)
    assert list(doc) == ["format", "version", "exported_at", *TABLES]
    assert doc["format"] == "khepri-journal" and doc["version"] == 1
    assert doc["exported_at"] == NOW
    assert [len(doc[t]) for t in TABLES] == [1, 2, 2, 3, 1, 2]
    for name in TABLES:
        for row in doc[name]:
            assert list(row) == list(declared_table(name).column_names)
    [me] = doc["athletes"]
    assert me["ftp_watts"] == 250 and me["intervals_icu_connected"] is False
    assert me["auth_user_id"] is None and me["daily_checkin_time"] == "07:00:00"
    checkin = doc["daily_checkins"][0]
    assert checkin["sleep_hours"] == 7.5 and isinstance(checkin["sleep_hours"], float)
    assert checkin["soreness_areas"] == {"back": 2, "legs": 4}
    assert checkin["equipment_access"] == ["bike_trainer", "pool"]
    assert checkin["ai_recommendation"] == {"minutes": 90, "session": "Z2 ride"}
    assert checkin["checkin_date"] == "2026-11-20" and checkin["created_at"] == NOW
    [plan] = doc["training_plans"]
    [race] = [goal for goal in doc["goals"] if goal["goal_type"] == "race"]
    assert plan["target_goal_id"] == race["id"]
    assert race["race_target_time_seconds"] == 39600 and race["perf_current_value"] is None
    [ftp] = [goal for goal in doc["goals"] if goal["goal_type"] == "performance"]
    assert ftp["perf_current_value"] == 250.25 and ftp["perf_target_value"] == 280.0
    assert plan["phases"] == [{"end_week": 6, "name": "base", "start_week": 1}]
    assert doc["constraints"][1]["title"] == "Genou gauche — tendinite"


def test_export_sorts_rows_deterministically(journal):
    doc = export(journal)
    days = [row["checkin_date"] for row in doc["daily_checkins"]]
    assert days == ["2026-11-20", "2026-11-21", "2026-11-22"]
    starts = [row["start_date"] for row in doc["constraints"]]
    assert starts == ["2026-10-01", "2026-11-02"]
    goal_ids = [row["id"] for row in doc["goals"]]  # same created_at: id breaks the tie
    assert goal_ids == sorted(goal_ids)
    assert journal.ok("export").stdout.replace(NOW, "") == journal.ok("export").stdout.replace(
        NOW, ""
    )


def test_export_is_one_row_per_line_and_keeps_non_ascii_text(journal):
    text = journal.ok("export").stdout
    lines = text.splitlines()
    assert lines[0] == "{" and lines[-1] == "}"
    assert lines[1:4] == [
        '  "format": "khepri-journal",',
        '  "version": 1,',
        f'  "exported_at": "{NOW}",',
    ]
    checkin_lines = [line for line in lines if '"checkin_date"' in line]
    assert len(checkin_lines) == 3
    assert "Felt strong 💪" in text and "\\u" not in text


@pytest.mark.parametrize(
    ("args", "tables"),
    [
        (["--table", "goals"], ["goals"]),
        (["--table", "daily_checkins", "--table", "athletes"], ["athletes", "daily_checkins"]),
        (["-t", "training_plans,goals"], ["goals", "training_plans"]),
        (["--table", "goals", "--table", "goals"], ["goals"]),
    ],
)
def test_export_only_the_tables_asked_for(journal, args, tables):
    doc = export(journal, *args)
    assert list(doc) == ["format", "version", "exported_at", *tables]


def test_export_of_an_unknown_table_lists_the_allowed_ones(journal):
    refused(
        journal,
        ["export", "--table", "workouts"],
        "--table: 'workouts' is not valid; must be one of athletes, goals, constraints, "
        "daily_checkins, training_plans, activities",
    )


def test_export_of_an_empty_journal_has_empty_tables(khepri):
    open_journal(khepri.db_path).close()
    doc = export(khepri)
    assert all(doc[table] == [] for table in TABLES)


def test_export_without_a_journal_creates_none(khepri):
    run = khepri("export")
    assert run.exit_code == 1 and "no journal at" in run.stderr
    assert not khepri.db_path.exists()


def test_export_to_a_file_says_how_many_rows_went_where(journal, tmp_path):
    target = tmp_path / "backup.json"
    run = journal.ok("export", "-o", str(target))
    assert run.stdout == ""
    assert run.stderr == (
        f"Exported 11 rows to {target} (athletes 1, goals 2, constraints 2, "
        "daily_checkins 3, training_plans 1, activities 2)\n"
    )
    assert json.loads(target.read_text(encoding="utf-8")) == export(journal)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".backup")] == []


def test_export_replaces_a_file_atomically_and_keeps_its_permissions(journal, tmp_path):
    target = tmp_path / "backup.json"
    target.write_text("old")
    target.chmod(0o600)
    journal.ok("export", "--output", str(target), "--table", "goals")
    assert list(json.loads(target.read_text())) == ["format", "version", "exported_at", "goals"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_failed_export_leaves_the_old_file_and_no_temporary_file(journal, tmp_path, monkeypatch):
    from khepri_cli.services import transfer

    target = tmp_path / "backup.json"
    target.write_text("previous backup")
    real_rows = transfer._json_rows

    def disk_full(conn, table):
        yield from real_rows(conn, table)
        if table == "daily_checkins":
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(transfer, "_json_rows", disk_full)
    run = journal("export", "-o", str(target))
    assert run.exit_code == 1, run.output
    assert run.stderr == f"khepri: error: cannot write {target}: No space left on device\n"
    assert target.read_text() == "previous backup"
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == ["backup.json"]


def test_export_to_dash_is_standard_output(journal):
    run = journal.ok("export", "-o", "-", "--table", "athletes")
    assert run.stderr == ""
    assert json.loads(run.stdout)["athletes"][0]["display_name"] == "Ada"


def test_export_refuses_to_overwrite_the_journal(journal):
    refused(journal, ["export", "-o", str(journal.db_path)], "is the journal itself")


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("missing/backup.json", "--output: the folder 'missing' does not exist"),
        (".", "--output: '.' is a folder; give a file name"),
    ],
)
def test_export_to_an_impossible_place_is_a_usage_error(journal, name, fragment):
    refused(journal, ["export", "-o", name], fragment)


# --- import: happy paths -----------------------------------------------------------------


def test_import_into_a_new_journal_restores_every_row(journal, tmp_path):
    source = write(tmp_path / "backup.json", export(journal))
    new_db = tmp_path / "restored.db"
    run = journal.ok("--db", str(new_db), "import", str(source))
    assert run.stdout == ""
    assert run.stderr.splitlines() == [
        f"Imported {source}:",
        "  athletes        1 added, 0 updated, 0 unchanged",
        "  goals           2 added, 0 updated, 0 unchanged",
        "  constraints     2 added, 0 updated, 0 unchanged",
        "  daily_checkins  3 added, 0 updated, 0 unchanged",
        "  training_plans  1 added, 0 updated, 0 unchanged",
        "  activities      2 added, 0 updated, 0 unchanged",
    ]
    original, restored = dump(journal.db_path), dump(new_db)
    for table in TABLES:
        assert restored[table] == original[table], table
    pending = {(r["table_name"], r["row_id"]) for r in restored["_khepri_pending_changes"]}
    assert len(pending) == 11  # every restored row is waiting to be pushed


def test_round_trip_export_import_export_is_identical_but_for_exported_at(
    journal, tmp_path, monkeypatch
):
    first = journal.ok("export").stdout
    source = tmp_path / "backup.json"
    source.write_text(first, encoding="utf-8")
    journal.ok("--db", str(tmp_path / "new.db"), "import", str(source))
    monkeypatch.setenv("KHEPRI_NOW", "2027-01-01T00:00:00Z")
    second = journal.ok("--db", str(tmp_path / "new.db"), "export").stdout
    assert second != first
    assert second.replace("2027-01-01T00:00:00.000000Z", NOW) == first


def test_importing_the_same_file_twice_changes_nothing(journal, tmp_path):
    source = write(tmp_path / "backup.json", export(journal))
    new_db = tmp_path / "restored.db"
    journal.ok("--db", str(new_db), "import", str(source))
    conn = sqlite3.connect(new_db)
    before = "\n".join(conn.iterdump())
    conn.close()
    run = journal.ok("--db", str(new_db), "import", str(source))
    conn = sqlite3.connect(new_db)
    after = "\n".join(conn.iterdump())
    conn.close()
    assert after == before
    assert run.stderr.splitlines()[0] == f"Imported {source}: nothing changed."
    assert "  daily_checkins  0 added, 0 updated, 3 unchanged" in run.stderr.splitlines()


def test_importing_an_export_into_its_own_journal_changes_nothing(journal, tmp_path):
    source = write(tmp_path / "backup.json", export(journal))
    before = journal.snapshot()
    journal.ok("import", str(source))
    assert journal.snapshot() == before


def test_a_modified_file_updates_only_the_changed_row(journal, tmp_path):
    doc = export(journal)
    changed = doc["daily_checkins"][1]
    changed["energy_level"] = 9
    changed["notes"] = "Edited on the laptop"
    changed["updated_at"] = "2026-11-26T08:00:00Z"
    before = dump(journal.db_path)
    run = journal.ok("import", str(write(tmp_path / "edited.json", doc)))
    assert "  daily_checkins  0 added, 1 updated, 2 unchanged" in run.stderr.splitlines()
    after = dump(journal.db_path)
    for table in ("athletes", "goals", "constraints", "training_plans"):
        assert after[table] == before[table]
    rows = {r["id"]: r for r in after["daily_checkins"]}
    for old in before["daily_checkins"]:
        if old["id"] == changed["id"]:
            new = rows[old["id"]]
            assert new["energy_level"] == 9 and new["notes"] == "Edited on the laptop"
            assert new["updated_at"] == "2026-11-26T08:00:00.000000Z"
            assert new["created_at"] == old["created_at"]
        else:
            assert rows[old["id"]] == old
    pending_before = {r["row_id"]: r["seq"] for r in before["_khepri_pending_changes"]}
    pending_after = {r["row_id"]: r["seq"] for r in after["_khepri_pending_changes"]}
    moved = {row_id for row_id, seq in pending_after.items() if pending_before.get(row_id) != seq}
    assert moved == {changed["id"]}


def test_the_file_wins_for_every_column_including_timestamps(journal, tmp_path):
    doc = export(journal, "--table", "goals")
    goal = doc["goals"][0]
    goal.update(
        title="Ironman Zürich (moved)",
        target_date=None,
        created_at="2025-01-01T10:00:00+02:00",
        updated_at="2025-02-01T10:00:00Z",
    )
    journal.ok("import", str(write(tmp_path / "goals.json", doc)))
    [row] = journal.rows("SELECT * FROM goals WHERE id = ?", (goal["id"],))
    assert row["title"] == "Ironman Zürich (moved)" and row["target_date"] is None
    assert row["created_at"] == "2025-01-01T08:00:00.000000Z"
    assert row["updated_at"] == "2025-02-01T10:00:00.000000Z"


def test_a_changed_row_with_the_same_updated_at_gets_a_later_one(journal, tmp_path):
    doc = export(journal, "--table", "constraints")
    doc["constraints"][0]["description"] = "hand-edited, updated_at left alone"
    assert doc["constraints"][0]["updated_at"] == NOW
    journal.ok("import", str(write(tmp_path / "c.json", doc)))
    [row] = journal.rows("SELECT * FROM constraints WHERE id = ?", (doc["constraints"][0]["id"],))
    assert row["description"] == "hand-edited, updated_at left alone"
    assert row["updated_at"] == "2026-11-25T07:30:00.000001Z"  # the pinned now, moved forward


def test_import_reads_standard_input(journal, tmp_path):
    text = journal.ok("export").stdout
    run = journal.ok("--db", str(tmp_path / "piped.db"), "import", "-", input=text)
    assert run.stderr.startswith("Imported standard input:\n")
    assert len(dump(tmp_path / "piped.db")["daily_checkins"]) == 3


def test_import_accepts_a_document_with_only_some_tables(journal, tmp_path):
    doc = export(journal, "--table", "daily_checkins")
    doc["daily_checkins"].append(
        {
            "id": str(uuid.uuid4()),
            "athlete_id": doc["daily_checkins"][0]["athlete_id"],
            "checkin_date": "2026-11-23",
            "energy_level": 8,
            "created_at": NOW,
            "updated_at": NOW,
        }
    )
    run = journal.ok("import", str(write(tmp_path / "more.json", doc)))
    assert run.stderr.splitlines()[1:] == ["  daily_checkins  1 added, 0 updated, 3 unchanged"]
    [row] = journal.rows("SELECT * FROM daily_checkins WHERE checkin_date = '2026-11-23'")
    assert row["energy_level"] == 8 and row["sleep_hours"] is None


def test_moving_a_check_in_to_a_free_day_updates_it(journal, tmp_path):
    doc = export(journal, "--table", "daily_checkins")
    doc["daily_checkins"][0]["checkin_date"] = "2026-11-19"
    journal.ok("import", str(write(tmp_path / "moved.json", doc)))
    days = [r["checkin_date"] for r in journal.rows("SELECT checkin_date FROM daily_checkins")]
    assert sorted(days) == ["2026-11-19", "2026-11-21", "2026-11-22"]


# --- import: bad files -------------------------------------------------------------------


def _set(table: str, index: int, column: str, value):
    def change(doc):
        doc[table][index][column] = value

    return change


def _drop(table: str, index: int, column: str):
    def change(doc):
        del doc[table][index][column]

    return change


def _replace(key: str, value):
    def change(doc):
        doc[key] = value

    return change


def _remove(key: str):
    def change(doc):
        del doc[key]

    return change


def _duplicate(table: str, index: int, **changes):
    def change(doc):
        doc[table].append({**copy.deepcopy(doc[table][index]), **changes})

    return change


def _short(doc, table, index):
    return doc[table][index]["id"][:8]


BAD_DOCUMENTS = [
    (_replace("format", "jrnl"), "format: 'jrnl' is not valid; must be 'khepri-journal'"),
    (_remove("format"), 'is not a Khepri export: it has no "format": "khepri-journal" key'),
    (_replace("version", 2), "version: 2 is not valid; this Khepri reads format version 1"),
    (_replace("version", "1"), "version: '1' is not valid; must be 1"),
    (_remove("version"), 'has no "version" key; this Khepri reads version 1'),
    (_replace("workouts", []), "unknown key 'workouts' in "),
    (_replace("goals", {"a": 1}), "goals: must be a list of rows, not an object"),
    (_replace("goals", [[1, 2]]), "goals[0]: a row must be an object of columns, not a list"),
    (
        _set("daily_checkins", 2, "energy_level", 11),
        "daily_checkins[2] (id {daily_checkins.2}): energy_level: 11 is not valid; "
        "must be between 1 and 10",
    ),
    (
        _set("daily_checkins", 1, "mood", 5),
        "daily_checkins[1] (id {daily_checkins.1}): mood: no such column in daily_checkins",
    ),
    (
        _drop("goals", 1, "title"),
        "goals[1] (id {goals.1}): title: missing; every goals row needs it",
    ),
    (_drop("athletes", 0, "id"), "athletes[0]: id: missing; every athletes row needs it"),
    (
        _set("daily_checkins", 0, "energy_level", "7"),
        "energy_level: '7' is not valid; must be a whole number, not text",
    ),
    (
        _set("daily_checkins", 0, "sleep_hours", True),
        "sleep_hours: true is not valid; must be a number, not true/false",
    ),
    (
        _set("goals", 0, "race_target_time_seconds", 2**40),
        "race_target_time_seconds: 1099511627776 is not valid; "
        "must be a whole number up to 2147483647",
    ),
    (
        _set("daily_checkins", 0, "notes", "nul \x00 byte"),
        "notes: 'nul \\x00 byte' is not valid; text must not contain NUL",
    ),
    (
        _set("daily_checkins", 0, "sleep_hours", 1e999),
        "sleep_hours: Infinity is not valid; numbers must be finite",
    ),
    (
        _set("daily_checkins", 0, "ai_recommendation", {"load": [1e999]}),
        'ai_recommendation: {"load": [Infinity]} is not valid; numbers must be finite',
    ),
    (
        _set("daily_checkins", 0, "checkin_date", "2026-02-30"),
        "checkin_date: '2026-02-30' is not valid; must be a real calendar date",
    ),
    (
        _set("goals", 0, "created_at", "2026-11-25T07:30:00"),
        "created_at: '2026-11-25T07:30:00' is not valid; must be an ISO 8601 timestamp",
    ),
    (_set("goals", 0, "id", "not-a-uuid"), "goals[0] (id not-a-uu): id: 'not-a-uuid' is not valid"),
    (
        _set("daily_checkins", 0, "travel_status", "abroad"),
        "travel_status: 'abroad' is not valid; must be 'home', 'traveling' or 'returning'",
    ),
    (
        _set("constraints", 0, "end_date", "2026-09-01"),
        "constraints[0] (id {constraints.0}): end_date: '2026-09-01' is not valid; "
        "must be on or after the start date 2026-10-01",
    ),
    (
        _duplicate("goals", 0, title="Copy"),
        "goals[2] (id {goals.0}): id: '{goals.0.id}' is not valid; "
        "goals[0] (id {goals.0}) already has this id",
    ),
    (
        _duplicate("athletes", 0, id=str(uuid.uuid4())),
        "a journal belongs to one athlete and athletes[0] (id {athletes.0}) is already in this file",
    ),
    (
        _duplicate("daily_checkins", 0, id=str(uuid.uuid4())),
        "checkin_date: '2026-11-20' is not valid; daily_checkins[0] (id {daily_checkins.0}) "
        "is for the same day (one check-in per day)",
    ),
    (
        _set("goals", 1, "athlete_id", "0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d"),
        "goals[1] (id {goals.1}): athlete_id: '0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d' is not "
        "valid; must be the id of the athlete in the file or the journal ({athletes.0})",
    ),
    (
        _set("training_plans", 0, "target_goal_id", "0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d"),
        "training_plans[0] (id {training_plans.0}): target_goal_id: "
        "'0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d' is not valid; "
        "no goal with this id in the file or in the journal",
    ),
]


def _fill(template: str, doc: dict) -> str:
    """``{goals.1}`` -> the short id of goals[1]; ``{goals.0.id}`` -> its full id."""
    text = template
    for table in TABLES:
        for index, row in enumerate(doc.get(table, [])):
            text = text.replace(f"{{{table}.{index}.id}}", str(row.get("id")))
            text = text.replace(f"{{{table}.{index}}}", str(row.get("id"))[:8])
    return text


@pytest.mark.parametrize(("change", "message"), BAD_DOCUMENTS)
def test_a_bad_document_changes_nothing_and_names_the_culprit(journal, tmp_path, change, message):
    doc = export(journal)
    expected = _fill(message, doc)
    change(doc)
    new_db = tmp_path / "new.db"
    bad = write(tmp_path / "bad.json", doc)
    refused(journal, ["import", str(bad)], expected)
    # into a journal that does not exist yet: refused the same way, and no file is created
    run = journal("--db", str(new_db), "import", str(bad))
    assert run.exit_code == 2 and expected in run.stderr, run.output
    assert not new_db.exists()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            '{"format": "khepri-journal",\n "version": 1,,\n}',
            "bad.json is not valid JSON: Expecting property name enclosed in double quotes "
            "at line 2 column 15",
        ),
        ('{"format": "khepri-journal", "version": 1', "bad.json is not valid JSON: Expecting"),
        ("", "bad.json is not valid JSON: Expecting value at line 1 column 1"),
        (
            '{"format": "khepri-journal", "version": 1, "goals": [{"x": NaN}]}',
            "bad.json is not valid JSON: NaN is not a JSON number",
        ),
        (
            '{"format": "khepri-journal", "version": 1, "version": 1}',
            "bad.json is not valid JSON: the key 'version' appears twice in one object",
        ),
        ("[1, 2]", "bad.json is not a Khepri export: expected a JSON object"),
        ('"hello"', "bad.json is not a Khepri export: expected a JSON object"),
    ],
)
def test_text_that_is_not_an_export_is_refused(journal, tmp_path, text, fragment):
    (tmp_path / "bad.json").write_text(text, encoding="utf-8")
    refused(journal, ["import", "bad.json"], fragment)


def test_a_file_that_is_not_utf8_is_refused(journal, tmp_path):
    (tmp_path / "bad.json").write_bytes(b'{"format": "khepri-journal", "notes": "\xe9t\xe9"}')
    refused(journal, ["import", "bad.json"], "bad.json is not UTF-8 text (byte 40 cannot")


def test_a_utf8_byte_order_mark_is_accepted(journal, tmp_path):
    text = journal.ok("export").stdout
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    journal.ok("--db", str(tmp_path / "new.db"), "import", "bom.json")


def test_a_file_for_another_athlete_is_refused(journal, tmp_path):
    doc = export(journal)
    mine = doc["athletes"][0]["id"]
    theirs = str(uuid.uuid4())
    text = json.dumps(doc).replace(mine, theirs)
    (tmp_path / "other.json").write_text(text)
    refused(
        journal,
        ["import", "other.json"],
        f"athletes[0] (id {theirs[:8]}): this journal belongs to another athlete "
        f"(id {mine[:8]}, Ada); a journal holds one athlete, so import this file into a new "
        "journal instead: khepri --db OTHER.db import FILE",
    )


def test_child_rows_without_their_athlete_are_refused_in_a_new_journal(journal, tmp_path):
    doc = export(journal, "--table", "goals")
    write(tmp_path / "goals.json", doc)
    new_db = tmp_path / "new.db"
    run = journal("--db", str(new_db), "import", "goals.json")
    assert run.exit_code == 2
    assert run.stderr == (
        f"khepri: error: goals[0] (id {doc['goals'][0]['id'][:8]}): athlete_id: "
        f"'{doc['goals'][0]['athlete_id']}' is not valid; "
        "no athlete with this id in the file or in the journal\n"
    )
    assert not new_db.exists()


def test_a_plan_may_point_at_a_goal_already_in_the_journal(journal, tmp_path):
    doc = export(journal, "--table", "training_plans")
    doc["training_plans"][0]["title"] = "Renamed"
    journal.ok("import", str(write(tmp_path / "plans.json", doc)))
    assert journal.rows("SELECT title FROM training_plans") == [{"title": "Renamed"}]


def test_a_check_in_on_a_day_the_journal_already_has_under_another_id_is_refused(journal, tmp_path):
    doc = export(journal, "--table", "daily_checkins")
    stored = doc["daily_checkins"][0]
    clash = {**stored, "id": str(uuid.uuid4()), "energy_level": 2}
    doc["daily_checkins"] = [clash]
    refused(
        journal,
        ["import", str(write(tmp_path / "clash.json", doc))],
        f"daily_checkins[0] (id {clash['id'][:8]}): checkin_date: '2026-11-20' is not valid; "
        f"the journal already has another check-in (id {stored['id'][:8]}) for that day",
    )


def test_an_error_late_in_the_file_writes_none_of_the_earlier_rows(journal, tmp_path):
    doc = export(journal)
    doc["training_plans"][0]["duration_weeks"] = 60
    new_db = tmp_path / "new.db"
    run = journal("--db", str(new_db), "import", str(write(tmp_path / "late.json", doc)))
    assert run.exit_code == 2
    assert "training_plans[0]" in run.stderr and "duration_weeks: 60 is not valid" in run.stderr
    assert not new_db.exists()


def test_a_missing_file_is_a_usage_error(journal):
    refused(journal, ["import", "nowhere.json"], "cannot read 'nowhere.json': no such file")


def test_a_folder_is_not_a_file(journal, tmp_path):
    (tmp_path / "folder").mkdir()
    refused(journal, ["import", "folder"], "cannot read 'folder': it is a folder, not a file")


def test_an_unreadable_file_is_a_run_time_error(journal, tmp_path, monkeypatch):
    locked = tmp_path / "locked.json"
    locked.write_text("{}")
    real_open = Path.open

    def denied(self, *args, **kwargs):
        if self.name == "locked.json":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", denied)
    refused(journal, ["import", "locked.json"], "cannot read 'locked.json': Permission denied", 1)


def test_a_file_that_fails_half_way_through_is_a_run_time_error(journal, tmp_path, monkeypatch):
    from khepri_cli.services import transfer

    source = write(tmp_path / "backup.json", export(journal))
    monkeypatch.setattr(transfer, "CHUNK_BYTES", 64)
    real_open = Path.open

    class Failing:
        def __init__(self, stream):
            self.stream, self.reads = stream, 0

        def read(self, size):
            self.reads += 1
            if self.reads == 3:
                raise OSError(5, "Input/output error")
            return self.stream.read(size)

        def close(self):
            self.stream.close()

    def opened(self, *args, **kwargs):
        stream = real_open(self, *args, **kwargs)
        return Failing(stream) if self.name == "backup.json" else stream

    monkeypatch.setattr(Path, "open", opened)
    refused(journal, ["import", str(source)], f"cannot read {str(source)!r}: Input/output error", 1)


def test_import_without_a_file_is_a_usage_error(journal):
    run = journal("import")
    assert run.exit_code == 2 and "Missing argument 'FILE'" in run.stderr  # as help names it


# --- import: streamed, in any layout, in bounded memory --------------------------------


HEADER = {"format": "khepri-journal", "version": 1}


def schema_of(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return sorted(conn.execute("SELECT name, sql FROM sqlite_master WHERE sql NOT NULL"))
    finally:
        conn.close()


def test_members_and_tables_in_any_order_import_the_same_rows(journal, tmp_path):
    doc = export(journal)
    reordered = {name: doc[name] for name in reversed(TABLES)}
    reordered.update(HEADER)  # the header last, the tables children first
    source = tmp_path / "reordered.json"
    source.write_text(json.dumps(reordered, indent=3), encoding="utf-8")
    journal.ok("--db", str(tmp_path / "new.db"), "import", str(source))
    original, restored = dump(journal.db_path), dump(tmp_path / "new.db")
    for name in TABLES:
        assert restored[name] == original[name], name


def test_a_document_on_one_line_imports_as_one_row_per_line(journal, tmp_path):
    compact = tmp_path / "compact.json"
    compact.write_text(json.dumps(export(journal), separators=(",", ":")), encoding="utf-8")
    journal.ok("--db", str(tmp_path / "a.db"), "import", str(compact))
    journal.ok(
        "--db", str(tmp_path / "b.db"), "import", str(write(tmp_path / "b.json", export(journal)))
    )
    assert dump(tmp_path / "a.db") == dump(tmp_path / "b.db")


def test_tables_before_the_header_of_a_file_that_is_not_an_export(journal, tmp_path):
    doc = export(journal)
    del doc["format"]
    refused(
        journal,
        ["import", str(write(tmp_path / "x.json", {"goals": doc["goals"], "version": 1}))],
        'is not a Khepri export: it has no "format": "khepri-journal" key',
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('{"format": "khepri-journal", "version": 1, "goals": [], "goals": []}',
         "bad.json is not valid JSON: the key 'goals' appears twice in one object"),
        ('{"format": "khepri-journal", "version": 1, "goals": []} []',
         "bad.json is not valid JSON: Extra data at line 1 column 57"),
    ],
)  # fmt: skip
def test_a_document_broken_after_its_rows_writes_none_of_them(journal, tmp_path, text, fragment):
    (tmp_path / "bad.json").write_text(text, encoding="utf-8")
    refused(journal, ["import", "bad.json"], fragment)


def test_a_new_check_in_listed_before_the_stored_one_for_its_day_is_a_repeated_day(
    journal, tmp_path
):
    """The file is checked as a whole before it is checked against the journal, as always."""
    doc = export(journal, "--table", "daily_checkins")
    stored = doc["daily_checkins"][0]
    newcomer = {**stored, "id": str(uuid.uuid4()), "energy_level": 2}
    doc["daily_checkins"].insert(0, newcomer)
    refused(
        journal,
        ["import", str(write(tmp_path / "two.json", doc))],
        f"daily_checkins[1] (id {stored['id'][:8]}): checkin_date: '{stored['checkin_date']}' "
        f"is not valid; daily_checkins[0] (id {newcomer['id'][:8]}) is for the same day",
    )


def test_a_day_is_taken_if_the_journal_had_it_before_the_import(journal, tmp_path):
    """Moving a stored check-in away does not free its day for a new one in the same file."""
    doc = export(journal, "--table", "daily_checkins")
    moved = doc["daily_checkins"][0]
    newcomer = {**moved, "id": str(uuid.uuid4())}
    doc["daily_checkins"] = [{**moved, "checkin_date": "2026-10-01"}, newcomer]
    refused(
        journal,
        ["import", str(write(tmp_path / "swap.json", doc))],
        f"daily_checkins[1] (id {newcomer['id'][:8]}): checkin_date: '{moved['checkin_date']}' "
        f"is not valid; the journal already has another check-in (id {moved['id'][:8]}) "
        "for that day",
    )


def test_a_refused_new_journal_leaves_no_file_and_no_folder(journal, tmp_path):
    doc = export(journal)
    doc["training_plans"][0]["duration_weeks"] = 60
    target = tmp_path / "deep" / "er" / "new.db"
    run = journal("--db", str(target), "import", str(write(tmp_path / "late.json", doc)))
    assert run.exit_code == 2, run.output
    assert not (tmp_path / "deep").exists()


def test_a_new_journal_is_complete_and_alone_in_its_folder(journal, tmp_path):
    folder = tmp_path / "restored"
    journal.ok(
        "--db", str(folder / "new.db"), "import", str(write(tmp_path / "b.json", export(journal)))
    )
    assert sorted(p.name for p in folder.iterdir()) == ["new.db"]
    assert schema_of(folder / "new.db") == schema_of(journal.db_path)


def test_the_bookkeeping_is_what_row_by_row_writes_leave(journal, tmp_path):
    """Pending changes and triggers after an import, as if each row had fired its triggers."""
    doc = export(journal)
    by_store = tmp_path / "store.db"
    conn_owner = open_journal(by_store)
    with conn_owner.transaction() as conn:
        for name in TABLES:
            declared = declared_table(name)
            store.insert_whole(conn, declared, [whole_row(declared, r) for r in doc[name]])
    conn_owner.close()
    journal.ok("--db", str(tmp_path / "import.db"), "import", str(write(tmp_path / "b.json", doc)))
    imported, written = dump(tmp_path / "import.db"), dump(by_store)
    assert imported == written  # rows, and the pending changes with their seq numbers
    assert schema_of(tmp_path / "import.db") == schema_of(by_store)


def test_a_deleted_row_imported_again_is_pending_as_an_upsert(journal, tmp_path):
    """Its pending delete gives way to an upsert, as the INSERT trigger would have done."""
    doc = export(journal)
    gone = doc["daily_checkins"][0]["id"]
    journal.ok("checkins", "delete", doc["daily_checkins"][0]["checkin_date"], "--yes")
    pending = {r["row_id"]: r["op"] for r in dump(journal.db_path)["_khepri_pending_changes"]}
    assert pending[gone] == "delete"
    journal.ok("import", str(write(tmp_path / "b.json", doc)))
    after = [r for r in dump(journal.db_path)["_khepri_pending_changes"] if r["row_id"] == gone]
    assert [r["op"] for r in after] == ["upsert"]


def test_a_refused_file_leaves_the_lifted_triggers_in_place(journal, tmp_path):
    """Rows were added (their INSERT triggers lifted) before the bad one: all rolled back."""
    doc = export(journal)
    stored = doc["daily_checkins"][0]
    doc["daily_checkins"].append({**stored, "id": str(uuid.uuid4()), "checkin_date": "2026-10-02"})
    doc["training_plans"][0]["duration_weeks"] = 60
    refused(journal, ["import", str(write(tmp_path / "late.json", doc))], "duration_weeks: 60")


def test_insert_triggers_that_are_not_the_known_ones_stay_and_fire(journal, tmp_path):
    other = tmp_path / "other.db"
    conn = open_journal(other).conn
    conn.execute("DROP TRIGGER goals_pending_insert")
    conn.execute(
        "CREATE TRIGGER goals_pending_insert AFTER INSERT ON goals BEGIN "
        "INSERT INTO _khepri_sync_state VALUES ('goal ' || NEW.id, NULL); END"
    )
    conn.close()
    before = schema_of(other)
    doc = export(journal)
    journal.ok("--db", str(other), "import", str(write(tmp_path / "b.json", doc)))
    assert schema_of(other) == before
    fired = {r[0] for r in sqlite3.connect(other).execute("SELECT key FROM _khepri_sync_state")}
    assert fired == {f"goal {goal['id']}" for goal in doc["goals"]}
    pending = {(r["table_name"], r["row_id"]) for r in dump(other)["_khepri_pending_changes"]}
    assert pending == {(name, r["id"]) for name in TABLES if name != "goals" for r in doc[name]}


def test_only_known_insert_triggers_are_lifted(tmp_path):
    journal = open_journal(tmp_path / "j.db")
    with journal.transaction() as conn:
        conn.execute("DROP TRIGGER goals_real_calendar_insert")
        lifted = LiftedInsertTriggers(conn)
        lifted.lift("goals")
        lifted.lift("daily_checkins")
        assert lifted.lifted["goals"] == []  # one of the two is missing: nothing is lifted
        assert [sql.split()[2] for sql in lifted.lifted["daily_checkins"]] == [
            "daily_checkins_pending_insert",
            "daily_checkins_real_calendar_insert",
        ]
        before = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        lifted.restore("daily_checkins", "SELECT NULL AS id, 0 AS position WHERE 0")
        after = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        assert after == before + 2
    journal.close()


ROW_TEMPLATE = (
    '{{"id": "{id}", "athlete_id": "{athlete}", "checkin_date": "{day}", "sleep_quality": 7, '
    '"sleep_hours": 7.5, "energy_level": 6, "stress_level": 3, "overall_soreness": 2, '
    '"soreness_areas": {{"legs": 3}}, "resting_hr": 48, "hrv_ms": 61.5, "weight_kg": null, '
    '"available_time_minutes": 60, "equipment_access": ["bike_trainer"], '
    '"travel_status": "home", "notes": "{notes}", "ai_recommendation": {advice}, '
    '"ai_recommendation_generated_at": "{stamp}", "user_response": null, '
    '"user_response_notes": null, "created_at": "{stamp}", "updated_at": "{stamp}"}}'
)
ADVICE = json.dumps(
    {
        "advice": "Train as planned: your signs look good. " * 4,
        "signs": [{"level": "green", "reason": f"reason {n} ✓", "sign": "sleep"} for n in range(8)],
    },
    ensure_ascii=False,
)
MEASURE = """
import resource, sys
from khepri_cli.cli.main import app
code = app(["--db", sys.argv[1], "import", sys.argv[2]], standalone_mode=False)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def document_of(path: Path, checkins: int) -> Path:
    """An export of an athlete and ``checkins`` check-ins, about 1 KB each, written as Khepri does."""
    athlete = str(uuid.uuid4())
    stamp = "2026-11-25T07:30:00.000000Z"
    with path.open("w", encoding="utf-8") as out:
        out.write('{"format": "khepri-journal", "version": 1, "athletes": [')
        out.write(json.dumps({"id": athlete, "created_at": stamp, "updated_at": stamp}))
        out.write('], "daily_checkins": [')
        for n in range(checkins):
            out.write(",\n" if n else "\n")
            out.write(
                ROW_TEMPLATE.format(
                    id=uuid.UUID(int=n + 1, version=4),
                    athlete=athlete,
                    day=(date(1900, 1, 1) + timedelta(days=n)).isoformat(),
                    notes=f"séance {n}",
                    advice=ADVICE,
                    stamp=stamp,
                )
            )
        out.write("\n]}\n")
    return path


def peak_mib(db: Path, source: Path) -> int:
    run = subprocess.run(
        [sys.executable, "-c", MEASURE, str(db), str(source)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return int(run.stdout.strip().splitlines()[-1])


def test_memory_does_not_grow_with_the_document(tmp_path):
    """Four times the rows, about the same peak: the whole document is never held.

    Read whole, as before, 24,000 check-ins (a 32 MB file) took 146 MiB more than 6,000;
    streamed, 6 MiB more.
    """
    small = peak_mib(tmp_path / "small.db", document_of(tmp_path / "small.json", 6_000))
    large = peak_mib(tmp_path / "large.db", document_of(tmp_path / "large.json", 24_000))
    conn = sqlite3.connect(tmp_path / "large.db")
    assert conn.execute("SELECT count(*) FROM daily_checkins").fetchone()[0] == 24_000
    conn.close()
    assert large - small < 25, (small, large)


# --- the commands themselves -------------------------------------------------------------


def test_the_command_module_imports_nothing_heavy():
    code = (
        "import sys, khepri_cli.cli.transfer; "
        "print(sorted(m for m in ('pydantic', 'sqlite3', 'rich', 'sqlite_utils', "
        "'khepri_cli.services.transfer') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("command", ["export", "import"])
def test_help_has_an_example(khepri, command):
    run = khepri.ok(command, "--help")
    assert "Example:" in run.stdout and f"khepri {command}" in run.stdout
