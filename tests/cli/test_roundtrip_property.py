"""Property: any valid journal survives export -> import into a new file -> export, value for value.

Journals are generated from the schema declaration itself (each column's kind,
range, scale, allowed values and row rules), so a column that gains a rule is
generated within it, and a column added to a table is generated and tested
without anything to add here.
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
from khepri_cli.db import store
from khepri_cli.db.connection import open_journal
from khepri_cli.domain.rows import whole_row
from khepri_cli.domain.transfer import TABLES
from khepri_cli.schema import Column, Table, table
from khepri_cli.schema.kinds import EARLIEST_DATE, TextKind
from khepri_cli.schema.rules import DateWindow, NotBlank, OneOf, Range, ScoreMap, TimeZoneName

# -- value strategies -----------------------------------------------------------------------

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=20,
)
"""Any Unicode text SQLite and Postgres can store: no NUL, no unpaired surrogates (JSON strings)."""


def text_of(kind: TextKind, min_size: int = 0) -> st.SearchStrategy:
    """Text a text column admits: no control characters (newlines where it has several lines)."""
    alphabet = st.characters(
        blacklist_categories=("Cs", "Cc"), whitelist_characters="\n" if kind.multiline else ""
    )
    return st.text(alphabet=alphabet, min_size=min_size, max_size=min(20, kind.max_length))


LINE = text_of(TextKind())
TITLE = text_of(TextKind(), min_size=1).map(lambda s: s.strip() or "x")

IDS = st.uuids(version=4).map(str)
DAYS = st.dates(min_value=date(1950, 1, 1), max_value=date(2026, 11, 25))
"""Days up to KHEPRI_NOW's: a check-in or a date of birth is never in the future."""
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
TEXT_LIST = st.lists(LINE, max_size=4)
ZONES = st.sampled_from(["UTC", "Europe/London", "America/Sao_Paulo", "Asia/Kathmandu"])

BY_KIND = {
    "uuid": IDS,
    "date": DAYS.map(date.isoformat),
    "time": st.times().map(lambda moment: moment.replace(microsecond=0).isoformat()),
    "timestamp": STAMPS,
    "boolean": st.booleans(),
    "text_array": TEXT_LIST,
}


def number(rule: Range, scale: int) -> st.SearchStrategy:
    """A value inside the range, at its decimal scale (DECIMAL(p, s), or 0 for INTEGER)."""
    step = 10**scale
    low = int(rule.low * step) + (1 if rule.open_low else 0)
    high = int(rule.high * step) - (1 if rule.open_high else 0)
    whole = st.integers(min_value=low, max_value=high)
    return whole if scale == 0 else whole.map(lambda n: n / step)


def value_of(column: Column) -> st.SearchStrategy:
    """Any value the column admits, from its kind and rule."""
    kind, rule = column.kind, column.rule
    if isinstance(rule, OneOf):
        return st.sampled_from(rule.choices)
    if isinstance(rule, Range):
        return number(rule, getattr(kind, "scale", 0))
    if isinstance(rule, NotBlank):
        return TITLE
    if isinstance(rule, TimeZoneName):
        return ZONES
    if isinstance(rule, DateWindow):
        latest = min(rule.latest(), date(2099, 12, 31))
        return st.dates(min_value=EARLIEST_DATE, max_value=latest).map(date.isoformat)
    if isinstance(rule, ScoreMap):
        return st.dictionaries(
            TITLE, st.integers(min_value=rule.low, max_value=rule.high), max_size=4
        )
    if kind.name == "json":
        return {"object": JSON_OBJECT, "array": st.lists(JSON, max_size=3)}.get(kind.shape, JSON)
    if isinstance(kind, TextKind):
        return text_of(kind)
    return BY_KIND[kind.name]


@st.composite
def rows(draw: st.DrawFn, of: Table, **fixed: Any) -> dict[str, Any]:
    """A row of ``of`` with every column generated (``fixed`` ones given), its row rules kept."""
    row: dict[str, Any] = {}
    for column in of.columns:
        if column.name in fixed:
            row[column.name] = fixed[column.name]
            continue
        strategy = value_of(column)
        row[column.name] = draw(st.none() | strategy if column.nullable else strategy)
    for rule in of.row_rules:  # the high value (an end, a max HR) kept above the low one
        low = row[rule.low]
        if low is None or (row[rule.high] is None and of.column(rule.high).nullable):
            continue
        if isinstance(low, str):  # dates: an end up to 400 days after its start, in its window
            days = draw(st.integers(min_value=0, max_value=400))
            end = date.fromisoformat(low) + timedelta(days=days)
            window = of.column(rule.high).rule
            if isinstance(window, DateWindow):
                end = max(date.fromisoformat(low), min(end, window.latest()))
            row[rule.high] = end.isoformat()
        elif row[rule.high] is not None and not row[rule.high] > low:
            row[rule.low] = None  # numbers: drop the low one rather than break the range
    return row


@st.composite
def journals(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    """An athlete with random rows of every other table (check-ins on distinct days)."""
    athlete = draw(rows(table("athletes")))
    me = {"athlete_id": athlete["id"]}
    goal_rows = draw(st.lists(rows(table("goals"), **me), max_size=4, unique_by=lambda r: r["id"]))
    goal_ids = [g["id"] for g in goal_rows]
    days = draw(st.lists(DAYS, max_size=6, unique=True))
    plan_goal = st.sampled_from(goal_ids) if goal_ids else st.none()
    return {
        "athletes": [athlete],
        "goals": goal_rows,
        "constraints": draw(
            st.lists(rows(table("constraints"), **me), max_size=3, unique_by=lambda r: r["id"])
        ),
        "daily_checkins": [
            draw(rows(table("daily_checkins"), **me, checkin_date=day.isoformat())) for day in days
        ],
        "training_plans": draw(
            st.lists(
                rows(table("training_plans"), **me, target_goal_id=draw(st.none() | plan_goal)),
                max_size=3,
                unique_by=lambda r: r["id"],
            )
        ),
        "activities": draw(
            st.lists(rows(table("activities"), **me), max_size=4, unique_by=lambda r: r["id"])
        ),
    }


# -- helpers --------------------------------------------------------------------------------


def khepri(db: Path, *args: str, input: str | None = None) -> tuple[str, str]:
    """(stdout, stderr) of a command that must succeed."""
    result = CliRunner().invoke(app, ["--db", str(db), *args], input=input)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout, result.stderr


def write_with_the_store(db: Path, tables: dict[str, list[dict[str, Any]]]) -> None:
    """The other way in: whole rows checked by the rules and written by db/store.py."""
    journal = open_journal(db)
    try:
        with journal.transaction() as conn:
            for name in TABLES:
                store.insert_whole(
                    conn, table(name), [whole_row(table(name), r) for r in tables[name]]
                )
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
def test_every_generated_row_is_a_valid_one(data):
    me = {"athlete_id": str(uuid.uuid4())}
    for name in TABLES:
        row = data.draw(rows(table(name), **({} if name == "athletes" else me)))
        assert list(row) == list(table(name).column_names), name
        whole_row(table(name), row)  # every generated row passes the rules


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
            write_with_the_store(first_db, tables)

        first, _ = khepri(first_db, "export")
        khepri(second_db, "import", "-", input=first)
        second, _ = khepri(second_db, "export")
        _, again = khepri(second_db, "import", "-", input=second)

    assert second == first  # KHEPRI_NOW is pinned, so even exported_at agrees
    assert again.startswith("Imported standard input: nothing changed.\n")
    exported = json.loads(first)
    assert list(exported) == ["format", "version", "exported_at", *TABLES]
    for name in TABLES:
        want = sorted(tables[name], key=lambda row: row["id"])
        got = sorted(exported[name], key=lambda row: row["id"])
        assert [row["id"] for row in got] == [row["id"] for row in want], name
        columns = table(name).column_names
        for row_want, row_got in zip(want, got, strict=True):
            assert list(row_got) == list(columns)
            for column in columns:
                assert_same(row_want[column], row_got[column], f"{name}.{column}")
