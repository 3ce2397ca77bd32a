"""Property: any valid journal survives export -> import into a new file -> export, value for value.

Journals are generated from the value rules themselves (domain/rules.py:
ranges, scales, allowed values), so a column that gains a rule is generated
within it, and a column added to a model without a generator here fails the
``columns()`` check below instead of going untested.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from khepri_cli.cli.main import app
from khepri_cli.db import records
from khepri_cli.db.connection import open_journal
from khepri_cli.domain.rules import BOUNDS, CHOICES, INTEGER_COLUMNS, SCALE
from khepri_cli.domain.transfer import MODELS, TABLES

# -- value strategies -----------------------------------------------------------------------

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=20,
)
"""Any Unicode text SQLite and Postgres can store: no NUL, no unpaired surrogates."""

TITLE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=20,
).map(lambda s: s.strip() or "x")

IDS = st.uuids(version=4).map(str)
DAYS = st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31))
STAMPS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
).map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
JSON_OBJECT = st.dictionaries(TEXT, JSON, max_size=4)
TEXT_LIST = st.lists(TEXT, max_size=4)


def optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | strategy


def number(table: str, column: str) -> st.SearchStrategy:
    """A value inside the column's range, at its decimal scale (DECIMAL(p, s) or INTEGER)."""
    bounds = BOUNDS[table][column]
    scale = 0 if column in INTEGER_COLUMNS[table] else SCALE[table][column]
    step = 10**scale
    low = int(bounds.low * step) + (1 if bounds.open_low else 0)
    high = int(bounds.high * step) - (1 if bounds.open_high else 0)
    whole = st.integers(min_value=low, max_value=high)
    return whole if scale == 0 else whole.map(lambda n: n / step)


def numbers(table: str, *columns: str) -> dict[str, st.SearchStrategy]:
    return {column: optional(number(table, column)) for column in columns}


def one_of(table: str, column: str) -> st.SearchStrategy:
    return st.sampled_from(CHOICES[table][column])


def common() -> dict[str, st.SearchStrategy]:
    return {"id": IDS, "created_at": STAMPS, "updated_at": STAMPS}


# -- rows -----------------------------------------------------------------------------------


def athletes() -> st.SearchStrategy:
    t = "athletes"
    return st.fixed_dictionaries(
        {
            **common(),
            "auth_user_id": optional(IDS),
            "display_name": optional(TEXT),
            "date_of_birth": optional(DAYS.map(date.isoformat)),
            **numbers(t, *BOUNDS[t]),
            "preferred_units": optional(one_of(t, "preferred_units")),
            "timezone": optional(
                st.sampled_from(["UTC", "Europe/London", "America/Sao_Paulo", "Asia/Kathmandu"])
            ),
            "daily_checkin_time": optional(
                st.times().map(lambda moment: moment.replace(microsecond=0).isoformat())
            ),
            "intervals_icu_athlete_id": optional(TEXT),
            "intervals_icu_connected": optional(st.booleans()),
        }
    )


def goals(athlete_id: str) -> st.SearchStrategy:
    t = "goals"
    return st.fixed_dictionaries(
        {
            **common(),
            "athlete_id": st.just(athlete_id),
            "goal_type": one_of(t, "goal_type"),
            "title": TITLE,
            "description": optional(TEXT),
            "target_date": optional(DAYS.map(date.isoformat)),
            "priority": optional(one_of(t, "priority")),
            "status": optional(one_of(t, "status")),
            "race_event_name": optional(TEXT),
            "race_distance": optional(TEXT),
            "race_location": optional(TEXT),
            "perf_metric": optional(TEXT),
            "fitness_metric": optional(TEXT),
            "health_metric": optional(TEXT),
            **numbers(t, *BOUNDS[t]),
        }
    )


@st.composite
def constraints(draw: st.DrawFn, athlete_id: str) -> dict[str, Any]:
    t = "constraints"
    start = draw(DAYS)
    length = draw(optional(st.integers(min_value=0, max_value=400)))
    row = draw(
        st.fixed_dictionaries(
            {
                **common(),
                "constraint_type": one_of(t, "constraint_type"),
                "title": TITLE,
                "description": optional(TEXT),
                "status": optional(one_of(t, "status")),
                "injury_body_part": optional(TEXT),
                "injury_severity": optional(one_of(t, "injury_severity")),
                "injury_restrictions": optional(TEXT_LIST),
                "travel_destination": optional(TEXT),
                "travel_equipment_available": optional(TEXT_LIST),
                "travel_facilities_available": optional(TEXT_LIST),
                "availability_days_available": optional(TEXT_LIST),
                **numbers(t, *BOUNDS[t]),
            }
        )
    )
    end = None if length is None else (start + timedelta(days=length)).isoformat()
    return {**row, "athlete_id": athlete_id, "start_date": start.isoformat(), "end_date": end}


def checkin(athlete_id: str, day: date) -> st.SearchStrategy:
    t = "daily_checkins"
    areas = st.dictionaries(TITLE, st.integers(min_value=1, max_value=10), max_size=4)
    return st.fixed_dictionaries(
        {
            **common(),
            "athlete_id": st.just(athlete_id),
            "checkin_date": st.just(day.isoformat()),
            **numbers(t, *BOUNDS[t]),
            "soreness_areas": optional(areas),
            "equipment_access": optional(TEXT_LIST),
            "travel_status": optional(one_of(t, "travel_status")),
            "notes": optional(TEXT),
            "ai_recommendation": optional(JSON_OBJECT),
            "ai_recommendation_generated_at": optional(STAMPS),
            "user_response": optional(one_of(t, "user_response")),
            "user_response_notes": optional(TEXT),
        }
    )


@st.composite
def plans(draw: st.DrawFn, athlete_id: str, goal_ids: list[str]) -> dict[str, Any]:
    t = "training_plans"
    start = draw(DAYS)
    row = draw(
        st.fixed_dictionaries(
            {
                **common(),
                "title": TITLE,
                "description": optional(TEXT),
                "duration_weeks": number(t, "duration_weeks"),
                "target_goal_id": optional(st.sampled_from(goal_ids)) if goal_ids else st.none(),
                "status": optional(one_of(t, "status")),
                "phases": st.lists(JSON, max_size=3),
                "weekly_template": JSON,
                "adjustments_log": st.lists(JSON, max_size=3),
            }
        )
    )
    end = start + timedelta(days=draw(st.integers(min_value=0, max_value=400)))
    return {
        **row,
        "athlete_id": athlete_id,
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
    }


@st.composite
def journals(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    """An athlete with random goals, constraints, check-ins (unique days) and plans."""
    athlete = draw(athletes())
    me = athlete["id"]
    goal_rows = draw(st.lists(goals(me), max_size=4, unique_by=lambda row: row["id"]))
    days = draw(st.lists(DAYS, max_size=6, unique=True))
    return {
        "athletes": [athlete],
        "goals": goal_rows,
        "constraints": draw(st.lists(constraints(me), max_size=3, unique_by=lambda r: r["id"])),
        "daily_checkins": [draw(checkin(me, day)) for day in days],
        "training_plans": draw(
            st.lists(
                plans(me, [g["id"] for g in goal_rows]), max_size=3, unique_by=lambda r: r["id"]
            )
        ),
    }


# -- helpers --------------------------------------------------------------------------------


def khepri(db: Path, *args: str, input: str | None = None) -> tuple[str, str]:
    """(stdout, stderr) of a command that must succeed."""
    result = CliRunner().invoke(app, ["--db", str(db), *args], input=input)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout, result.stderr


def write_with_repositories(db: Path, tables: dict[str, list[dict[str, Any]]]) -> None:
    """The other way in: rows built by the models and saved by db/records.py."""
    journal = open_journal(db)
    try:
        with journal.transaction() as conn:
            for table in TABLES:
                for row in tables[table]:
                    records.insert(conn, MODELS[table].model_validate(row))
    finally:
        journal.close()


def assert_same(expected: Any, actual: Any, where: str) -> None:
    """Equal value for value AND type for type (1 is not 1.0 is not true; -0.0 is not 0.0)."""
    assert type(actual) is type(expected), f"{where}: {actual!r} is not {expected!r}"
    if isinstance(expected, dict):
        assert set(actual) == set(expected), f"{where}: keys {set(actual) ^ set(expected)}"
        for key in expected:
            assert_same(expected[key], actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert len(actual) == len(expected), f"{where}: {actual!r} is not {expected!r}"
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            assert_same(want, got, f"{where}[{index}]")
    elif isinstance(expected, float):
        assert repr(actual) == repr(expected), f"{where}: {actual!r} is not {expected!r}"
    else:
        assert actual == expected, f"{where}: {actual!r} is not {expected!r}"


# -- the property ---------------------------------------------------------------------------


@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_the_generators_cover_every_column(data):
    me, goal = str(uuid.uuid4()), str(uuid.uuid4())
    rows = {
        "athletes": data.draw(athletes()),
        "goals": data.draw(goals(me)),
        "constraints": data.draw(constraints(me)),
        "daily_checkins": data.draw(checkin(me, date(2026, 11, 25))),
        "training_plans": data.draw(plans(me, [goal])),
    }
    for table, row in rows.items():
        assert sorted(row) == sorted(MODELS[table].columns()), table
        MODELS[table].model_validate(row)  # and every generated row is a valid one


@settings(
    max_examples=25,
    deadline=None,
    # the autouse khepri_home fixture only pins env vars shared by every example
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tables=journals(), via_import=st.booleans())
def test_export_import_export_round_trips_every_value(tables, via_import):
    with tempfile.TemporaryDirectory() as folder:
        first_db, second_db = Path(folder) / "first.db", Path(folder) / "second.db"
        if via_import:
            document = {"format": "khepri-journal", "version": 1, **tables}
            khepri(first_db, "import", "-", input=json.dumps(document, ensure_ascii=False))
        else:
            write_with_repositories(first_db, tables)

        first, _ = khepri(first_db, "export")
        khepri(second_db, "import", "-", input=first)
        second, _ = khepri(second_db, "export")
        _, again = khepri(second_db, "import", "-", input=second)

    assert second == first  # KHEPRI_NOW is pinned, so even exported_at agrees
    assert again.startswith("Imported standard input: nothing changed.\n")
    exported = json.loads(first)
    assert list(exported) == ["format", "version", "exported_at", *TABLES]
    for table in TABLES:
        want = sorted(tables[table], key=lambda row: row["id"])
        got = sorted(exported[table], key=lambda row: row["id"])
        assert [row["id"] for row in got] == [row["id"] for row in want], table
        for row_want, row_got in zip(want, got, strict=True):
            assert list(row_got) == MODELS[table].columns()
            for column in MODELS[table].columns():
                assert_same(row_want[column], row_got[column], f"{table}.{column}")
