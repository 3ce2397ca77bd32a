"""The export's fast row text is the definition's text, byte for byte, whatever is stored.

The definition: ``encode_row(store.decode(table, stored).to_json())``. The fast
way skips what does not change a value and reads JSON documents with orjson;
these tests hold it to the definition on generated values and on stored text
no Khepri wrote (compact, unsorted, big numbers, exponents, escapes).
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khepri_cli.db.connection import open_journal
from khepri_cli.db.export_rows import BATCH_ROWS, RowWriter, table_rows
from khepri_cli.domain.transfer import encode_row
from khepri_cli.schema import TABLES
from khepri_cli.schema.tables import ATHLETES, DAILY_CHECKINS

ATHLETE_ID = "0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d"
STAMP = "2026-11-25T07:30:00.000000Z"


@pytest.fixture
def conn(tmp_path):
    journal = open_journal(tmp_path / "journal.db")
    journal.conn.execute(
        "INSERT INTO athletes (id, display_name, created_at, updated_at) VALUES (?, ?, ?, ?)",
        (ATHLETE_ID, "Zoë", STAMP, STAMP),
    )
    yield journal.conn
    journal.close()


def stored_checkins(conn: sqlite3.Connection) -> list[tuple]:
    names = ", ".join(DAILY_CHECKINS.column_names)
    return conn.execute(f"SELECT {names} FROM daily_checkins ORDER BY checkin_date").fetchall()


def fast_and_literal(conn: sqlite3.Connection, table=DAILY_CHECKINS):
    """(fast text or the error it raised, literal text or its error) for every stored row."""
    writer = RowWriter(table)
    names = ", ".join(table.column_names)
    outcomes = []
    for stored in conn.execute(f"SELECT {names} FROM {table.name}").fetchall():
        pair = []
        for way in (writer.text, writer.literal):
            try:
                pair.append(way(tuple(stored)))
            except Exception as exc:  # the same failure either way
                pair.append((type(exc), str(exc)))
        outcomes.append(tuple(pair))
    return outcomes


def store_document(conn: sqlite3.Connection, day: int, ai_recommendation: str, **more) -> None:
    conn.execute(
        "INSERT INTO daily_checkins (id, athlete_id, checkin_date, ai_recommendation, notes,"
        " soreness_areas, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            f"00000000-0000-4000-8000-{day:012d}",
            ATHLETE_ID,
            f"2026-01-{day:02d}",
            ai_recommendation,
            more.get("notes"),
            more.get("soreness_areas"),
            STAMP,
            STAMP,
        ),
    )


FOREIGN_DOCUMENTS = [
    '{"b":1,"a":2}',  # compact, keys not sorted: the export keeps their order
    '{"a": 18446744073709551616}',  # beyond 64 bits: orjson would read a float
    '{"a": -9223372036854775809}',
    '{"a": 123456789012345678901234567890}',
    '{"a": 1e-07, "b": 0.00001, "c": 1E5, "d": 1.5e300, "e": -0.0, "f": 1.50}',
    '{"a": "\\u00e9\\u2028 \\/ \\t", "b": [true, false, null]}',
    '{"a": 1, "a": 2}',  # a key twice: the last value wins either way
    '{"a": "x + y"}',
    '{"a": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}',
    '{"a": NaN}',  # not JSON: both ways fail alike
    '{"a": "\\ud800"}',  # a lone surrogate: both ways fail alike
]


@pytest.mark.parametrize("document", FOREIGN_DOCUMENTS)
def test_stored_documents_no_khepri_wrote_come_out_as_the_definition_says(conn, document):
    conn.execute("PRAGMA ignore_check_constraints = ON")  # json_valid would refuse NaN
    store_document(conn, 1, document, notes="1+1", soreness_areas='{"legs":4}')
    [(fast, literal)] = fast_and_literal(conn)
    assert fast == literal


def test_an_impossible_stored_day_fails_the_same_way(conn):
    """A day stored before the calendar triggers (m004) existed: the export refuses it alike."""
    conn.execute("DROP TRIGGER daily_checkins_real_calendar_update")
    store_document(conn, 30, "{}")
    conn.execute("UPDATE daily_checkins SET checkin_date = '2026-02-30'")
    [(fast, literal)] = fast_and_literal(conn)
    assert fast == literal and isinstance(fast, tuple)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(blacklist_categories=("Cs",)), max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(json_values, min_size=1, max_size=5), st.booleans(), st.booleans())
def test_generated_documents_come_out_as_the_definition_says(tmp_path_factory, values, sort, ws):
    journal = open_journal(tmp_path_factory.mktemp("j") / "journal.db")
    conn = journal.conn
    conn.execute(
        "INSERT INTO athletes (id, display_name, created_at, updated_at) VALUES (?, ?, ?, ?)",
        (ATHLETE_ID, None, STAMP, STAMP),
    )
    separators = (", ", ": ") if ws else (",", ":")
    for day, value in enumerate(values, start=1):
        text = json.dumps({"v": value}, sort_keys=sort, separators=separators, ensure_ascii=False)
        store_document(conn, day, text)
    try:
        for fast, literal in fast_and_literal(conn):
            assert fast == literal
    finally:
        journal.close()


def test_rows_come_in_batches_in_export_order(conn):
    count = BATCH_ROWS * 2 + 3
    conn.executemany(
        "INSERT INTO daily_checkins (id, athlete_id, checkin_date, energy_level, created_at,"
        " updated_at) VALUES (?, ?, date('2026-01-01', ?), ?, ?, ?)",
        [
            (
                f"00000000-0000-4000-8000-{n:012d}",
                ATHLETE_ID,
                f"-{n} days",
                1 + n % 10,
                STAMP,
                STAMP,
            )
            for n in range(count)
        ],
    )
    batches = list(table_rows(conn, DAILY_CHECKINS))
    assert [len(batch) for batch in batches] == [BATCH_ROWS, BATCH_ROWS, 3]
    texts = [text for batch in batches for text in batch]
    days = [json.loads(text)["checkin_date"] for text in texts]
    assert days == sorted(days)
    writer = RowWriter(DAILY_CHECKINS)
    assert texts == [writer.literal(tuple(stored)) for stored in stored_checkins(conn)]
    [[athlete]] = list(table_rows(conn, ATHLETES))
    assert json.loads(athlete)["intervals_icu_connected"] is False
    for declared in TABLES:  # every table's columns read back
        list(table_rows(conn, declared))


def dumped(value):
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))
    except ValueError as exc:
        return str(exc)


def encoded(value):
    try:
        return encode_row(value)
    except ValueError as exc:
        return str(exc)


@given(st.recursive(st.floats() | json_values, lambda inner: st.lists(inner, max_size=3)))
def test_the_row_encoder_writes_what_json_dumps_writes(value):
    assert encoded(value) == dumped(value)
