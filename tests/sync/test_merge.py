"""The three-way merge, the remote's mapping and the row encodings, without any database."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from khepri_cli.domain.plans import generate_plan
from khepri_cli.domain.rows import make
from khepri_cli.schema import table as declared
from khepri_cli.schema.tables import ATHLETES, DAILY_CHECKINS, TRAINING_PLANS
from khepri_cli.sync import encoding, merge
from khepri_cli.sync.bases import FULL, NORMAL, mode_for
from khepri_cli.sync.mapping import Refused, Unpushable, map_remote, wanted_catalogue
from khepri_cli.sync.remote_schema import PLAN_RENAMES, classify
from khepri_cli.sync.transports import base

HERE, THERE = merge.HERE, merge.THERE
ATHLETE = "a0c1d2e3-0000-4000-8000-000000000001"


# -- the merge rule -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("was", "here", "there", "later_here", "merged", "clash"),
    [
        (1, 1, 1, False, 1, None),  # nobody changed it
        (1, 2, 1, False, 2, None),  # changed here only
        (1, 1, 3, True, 3, None),  # changed there only, even if here is later
        (1, 4, 4, False, 4, None),  # both, to the same value
        (1, 2, 3, False, 3, THERE),  # both, differently: the later (there) wins
        (1, 2, 3, True, 2, HERE),  # both, differently: the later (here) wins
        (None, 5, None, False, 5, None),  # set here, never there
        (None, None, 6, True, 6, None),  # set there, never here
        (1, None, 3, True, None, HERE),  # cleared here, changed there: a conflict too
    ],
)
def test_each_column_merges_by_one_rule(was, here, there, later_here, merged, clash):
    values, clashes = merge.merge_values(
        ["x"], {"x": was}, {"x": here}, {"x": there}, local_later=later_here
    )
    assert values == {"x": merged}
    assert [c.kept for c in clashes] == ([clash] if clash else [])
    if clash:
        assert clashes[0] == merge.FieldConflict("x", here, there, clash)


def test_a_tie_goes_to_the_remote():
    stamp = "2026-11-25T07:30:00.000000Z"
    assert not merge.local_is_later(stamp, stamp)
    assert merge.local_is_later("2026-11-25T07:30:00.000001Z", stamp)


def test_values_of_other_kinds_are_not_the_same():
    assert not merge.same(1, True) and not merge.same({"a": 1}, {"a": True})
    assert not merge.same(0, None) and merge.same(None, None)
    assert merge.same({"a": [1, {"b": 2}]}, {"a": [1, {"b": 2}]})


def test_a_column_never_set_here_is_at_its_default_in_an_empty_base():
    empty = merge.empty_base(ATHLETES, ["intervals_icu_connected", "timezone", "ftp_watts"])
    assert empty == {"intervals_icu_connected": False, "timezone": "UTC", "ftp_watts": None}
    here = {"intervals_icu_connected": False, "timezone": "UTC", "ftp_watts": 250}
    there = {"intervals_icu_connected": True, "timezone": "Europe/Paris", "ftp_watts": None}
    values, clashes = merge.merge_values(list(empty), empty, here, there, local_later=True)
    assert values == {"intervals_icu_connected": True, "timezone": "Europe/Paris", "ftp_watts": 250}
    assert clashes == []


# -- what the remote is, and how rows map -------------------------------------------------


def catalogue(shape: str) -> dict[str, dict[str, str]]:
    """A remote's catalogue: Khepri's tables as the journal declares them, or renamed (live)."""
    from khepri_cli.schema import TABLES

    found = {t.name: dict.fromkeys(t.column_names, "text") for t in TABLES}
    if shape == "live":
        found["training_plans"] = {PLAN_RENAMES.get(c, c): "text" for c in found["training_plans"]}
        found["athletes"]["intervals_webhook_registered"] = "boolean"
        found["seasons"] = {"id": "uuid"}
    return found


def test_the_seed_maps_every_column_to_itself():
    remote = map_remote(classify(catalogue("seed")))
    assert remote.unusable == {} and remote.root is not None
    plans = remote.tables["training_plans"]
    assert not plans.reshaped and plans.columns["title"] == "title"
    assert [t.name for t in remote.owned] == [
        "goals",
        "constraints",
        "daily_checkins",
        "training_plans",
        "activities",
    ]


def test_the_live_backend_renames_and_reshapes_plans_and_hides_its_own_columns():
    remote = map_remote(classify(catalogue("live")))
    plans = remote.tables["training_plans"]
    assert plans.reshaped and plans.statuses == ("active", "completed", "cancelled")
    assert plans.columns["title"] == "name" and plans.columns["phases"] == "periodization"
    assert "intervals_webhook_registered" not in remote.tables["athletes"].columns.values()


def test_a_missing_table_and_a_plans_table_of_unknown_shape_cannot_sync():
    found = catalogue("seed")
    del found["constraints"]
    found["training_plans"]["name"] = "text"  # both title and name: changed by hand
    remote = map_remote(classify(found))
    assert remote.unusable["constraints"] == "the remote has no table constraints"
    assert "a shape Khepri cannot write" in remote.unusable["training_plans"]
    assert set(remote.tables) == {"athletes", "goals", "daily_checkins", "activities"}


def test_a_plan_goes_to_the_live_shape_and_reads_back_in_the_journals():
    plans = map_remote(classify(catalogue("live"))).tables["training_plans"]
    row = make(
        TRAINING_PLANS,
        {**generate_plan(date(2026, 12, 7), weeks=12), "athlete_id": ATHLETE, "status": "paused"},
    )
    there = plans.to_remote(row)
    assert there["name"] == row["title"] and there["status"] == "active"
    assert there["periodization"]["total_weeks"] == 12
    back = plans.roundtrip(row)
    assert back["status"] == "active" and back["phases"] == row["phases"]
    with pytest.raises(Unpushable, match="stays local until it is activated"):
        plans.to_remote({**row, "status": "draft"})


def test_a_remote_row_is_checked_by_the_journals_rules():
    days = map_remote(classify(catalogue("seed"))).tables["daily_checkins"]
    raw = {
        "id": "0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d",
        "athlete_id": ATHLETE,
        "checkin_date": "2026-11-24",
        "sleep_hours": Decimal("7.5"),
        "soreness_areas": {"legs": 3},
        "ai_recommendation": {"duration": Decimal("42.5"), "nested": [Decimal("1.25")]},
        "created_at": "2026-11-24T06:00:00.12345+00:00",
        "updated_at": "2026-11-24T06:00:00+01:00",
    }
    row = days.checked(raw)
    assert row["sleep_hours"] == 7.5 and row["checkin_date"] == date(2026, 11, 24)
    assert row["ai_recommendation"] == {"duration": 42.5, "nested": [1.25]}
    assert row["updated_at"] == "2026-11-24T05:00:00.000000Z"
    with pytest.raises(Refused, match="soreness of 'legs' must be a whole number"):
        days.checked({**raw, "soreness_areas": {"legs": 11}})


# -- encodings ---------------------------------------------------------------------------


def test_python_and_sqlite_encode_a_row_alike(tmp_path):
    from khepri_cli.db import store
    from khepri_cli.db.connection import open_journal

    row = make(
        DAILY_CHECKINS,
        {
            "athlete_id": ATHLETE,
            "checkin_date": "2026-11-24",
            "sleep_hours": 7.5,
            "equipment_access": ["a,b", 'x"y', "back\\slash", "ünï ✓"],
            "notes": 'quote " and, comma',
            "ai_recommendation": {"summary": "ok", "n": [1, 2.5, None]},
        },
    )
    columns = {c: c for c in DAILY_CHECKINS.column_names}
    kinds = {c.name: _kind(c) for c in DAILY_CHECKINS.columns}
    journal = open_journal(tmp_path / "encode.db")
    with journal.transaction() as conn:
        store.insert_whole(conn, ATHLETES, [make(ATHLETES, {"id": ATHLETE})])
        store.insert_whole(conn, DAILY_CHECKINS, [row])
    for fmt in (base.RowFormat(base.JSON_ROWS), base.RowFormat(base.CSV_ROWS, kinds)):
        sql = encoding.row_sql(DAILY_CHECKINS, columns, fmt)
        [(from_sqlite,)] = journal.conn.execute(f"SELECT {sql} FROM daily_checkins t").fetchall()
        from_python = encoding.encode_row({c: row[c] for c in columns}, fmt)
        if fmt.kind == base.JSON_ROWS:
            assert json.loads(from_python) == json.loads(from_sqlite)
        else:
            assert _csv(from_python) == _csv(from_sqlite)
    journal.close()


def _kind(column) -> str:
    if column.kind.name == "text_array":
        return base.ARRAY
    if column.kind.name in ("text", "json"):
        return base.TEXT
    return base.RAW


def _csv(line: str) -> list[str]:
    import csv
    import io

    [fields] = list(csv.reader(io.StringIO(line)))
    return ["t" if f == "1" else "f" if f == "0" else f for f in fields]


def test_a_base_written_from_python_reads_back_as_the_row():
    row = make(
        ATHLETES, {"display_name": "Zoë", "weight_kg": 61.55, "intervals_icu_connected": True}
    )
    text = encoding.storage_json(ATHLETES, row)
    assert "id" not in json.loads(text)
    back = encoding.base_values(ATHLETES, text)
    assert back == {k: v for k, v in row.items() if k != "id"}


# -- how much the journal knows of a remote ---------------------------------------------------

OWNER = "u1 postgresql://db"


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ({"bases_for": OWNER}, (NORMAL, True)),
        ({"bases_for": "u2 postgresql://db"}, (FULL, False)),  # another user's bases
        (
            {"last_sync_target": "postgresql://db", "user_id": "u1"},
            (NORMAL, False),
        ),  # pushed before
        ({"last_sync_target": "postgresql://other", "user_id": "u1"}, (FULL, False)),
        ({}, (FULL, False)),  # never synced
    ],
)
def test_the_mode_of_a_sync(state, expected):
    assert mode_for(state, OWNER, "postgresql://db", "u1", "u1") == expected


def test_every_declared_table_is_asked_for():
    wanted = wanted_catalogue()
    assert set(declared("goals").column_names) <= set(wanted["goals"])
    assert {"name", "periodization", "title", "phases"} <= set(wanted["training_plans"])
