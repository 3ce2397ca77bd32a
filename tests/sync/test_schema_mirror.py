"""The local SQLite journal and the Postgres schema describe the same tables.

A row moves between the two databases without renaming, and a row that the
local journal accepts must be a row Postgres accepts. These tests apply the
packaged Postgres schema to a real PostgreSQL, open a fresh journal, and
compare:

* the catalogues: tables, columns, types, nullability, defaults, foreign
  keys, unique keys and indexed column lists;
* behaviour: for every column with a CHECK on either side, boundary values
  (each allowed value and a wrong one, each numeric bound and the value just
  past it, valid and malformed dates, times, timestamps, UUIDs and JSON) are
  inserted on BOTH sides, and both must accept or both must refuse.

Values travel to Postgres the way sync sends them: JSON arrays as lists for
TEXT[] columns, 0/1 as booleans, everything else as the same Python value.

The documented differences are listed once, in ``KNOWN`` below, each with
the direction it goes; everything else must agree.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from khepri_cli.db.connection import open_journal
from khepri_cli.domain.rows import check_value
from khepri_cli.schema import table as declared_table
from khepri_cli.schema.rules import OneOf, Range

psycopg = pytest.importorskip("psycopg")

SYNCED = ("athletes", "goals", "constraints", "daily_checkins", "training_plans", "activities")

# Postgres type (information_schema.columns.data_type) -> SQLite storage (schema.md).
STORAGE = {
    "uuid": "TEXT",
    "text": "TEXT",
    "date": "TEXT",
    "time without time zone": "TEXT",
    "timestamp with time zone": "TEXT",
    "jsonb": "TEXT",
    "ARRAY": "TEXT",
    "integer": "INTEGER",
    "numeric": "REAL",
    "boolean": "INTEGER",
}

NOW = "<now>"  # Postgres now() <-> SQLite strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
LOCAL_NOW = "strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')"

# Fixed ids shared by both databases.
USER_1 = "1111aaaa-1111-4111-8111-11111111aaaa"  # owns ATHLETE
USER_2 = "2222bbbb-2222-4222-8222-22222222bbbb"  # for athlete rows under test
ATHLETE = "a0000000-0000-4000-8000-000000000001"
GOAL = "b0000000-0000-4000-8000-000000000001"
NOBODY = "f0000000-0000-4000-8000-00000000dead"  # a well-formed id no row has
TAKEN_DAY = "2026-11-24"  # ATHLETE already checked in that day

# The smallest valid row of each table; each case changes one column of it.
TEMPLATE: dict[str, dict[str, Any]] = {
    "athletes": {"auth_user_id": USER_2},
    "goals": {"athlete_id": ATHLETE, "goal_type": "race", "title": "Sub-3 marathon"},
    "constraints": {
        "athlete_id": ATHLETE,
        "constraint_type": "injury",
        "title": "Sore knee",
        "start_date": "2026-03-01",
    },
    "daily_checkins": {"athlete_id": ATHLETE, "checkin_date": "2026-11-25"},
    "training_plans": {
        "athlete_id": ATHLETE,
        "title": "Marathon build",
        "duration_weeks": 12,
        "start_date": "2026-03-01",
        "end_date": "2026-05-23",
    },
    "activities": {
        "athlete_id": ATHLETE,
        "activity_date": "2026-11-24",
        "sport": "run",
        "duration_minutes": 45,
        "rpe": 6,
    },
}

# --- the documented differences: (table, column, value) -> (local accepts, Postgres accepts)
LOCAL_STRICTER = (False, True)  # harmless: everything local still fits Postgres
LOCAL_LAXER = (True, False)  # local accepts what Postgres refuses: guarded elsewhere, see why
KNOWN: dict[tuple[str, str, Any], tuple[tuple[bool, bool], str]] = {}


def _known(tables: tuple[str, ...], column: str, value: Any, outcome, why: str) -> None:
    for table in tables:
        KNOWN[(table, column, value)] = (outcome, why)


_known(
    ("athletes",),
    "auth_user_id",
    None,
    LOCAL_LAXER,
    "schema.md: a local athlete exists before its Supabase user; sync requires it to be set",
)
_known(
    ("athletes",),
    "auth_user_id",
    NOBODY,
    LOCAL_LAXER,
    "schema.md: auth.users exists only remotely; sync links the athlete to a real user first",
)
_known(
    ("goals",),
    "race_target_time_seconds",
    2**31,
    LOCAL_LAXER,
    "Postgres INTEGER is 32-bit, SQLite's 64-bit; the INTEGER kind caps it at 2**31-1 in the rules",
)
# Postgres reads more spellings than the one canonical text form Khepri stores.
_LOCAL_FORM = "Khepri stores one canonical text form; Postgres parses more spellings"
for _day_column in (
    "date_of_birth",
    "target_date",
    "start_date",
    "end_date",
    "checkin_date",
    "activity_date",
):
    _known(SYNCED, _day_column, "2026-4-1", LOCAL_STRICTER, _LOCAL_FORM)
_known(("athletes",), "daily_checkin_time", "6:30", LOCAL_STRICTER, _LOCAL_FORM)
for _ts_column in ("created_at", "updated_at", "ai_recommendation_generated_at"):
    _known(SYNCED, _ts_column, "2026-11-25 07:30:00+00", LOCAL_STRICTER, _LOCAL_FORM)
for _uuid_column in ("athlete_id", "auth_user_id", "target_goal_id"):
    _known(SYNCED, _uuid_column, "<UPPER>", LOCAL_STRICTER, _LOCAL_FORM)
_known(SYNCED, "id", "<UPPER>", LOCAL_STRICTER, _LOCAL_FORM)


# --- catalogues -------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    table: str
    name: str
    storage: str  # SQLite storage class; for Postgres, STORAGE of its type
    pg_type: str | None
    nullable: bool
    default: Any


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    journal = open_journal(tmp_path / "mirror.db")
    try:
        yield journal.conn
    finally:
        journal.close()


@pytest.fixture
def pg(pg_url: str) -> Iterator[Any]:
    with psycopg.connect(pg_url) as conn:
        yield conn


def sqlite_tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    )
    return {name for (name,) in rows if not name.startswith("_")}


def pg_tables(conn: Any) -> set[str]:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
    )
    return {name for (name,) in rows}


def sqlite_columns(conn: sqlite3.Connection) -> dict[tuple[str, str], Column]:
    columns = {}
    for table in sqlite_tables(conn):
        for row in conn.execute(f"PRAGMA table_info({table})"):
            columns[(table, row["name"])] = Column(
                table,
                row["name"],
                row["type"],
                None,
                nullable=not row["notnull"],
                default=local_default(row["dflt_value"]),
            )
    return columns


def pg_columns(conn: Any) -> dict[tuple[str, str], Column]:
    rows = conn.execute(
        "SELECT table_name, column_name, data_type, is_nullable, column_default "
        "FROM information_schema.columns WHERE table_schema = 'public'"
    )
    columns = {}
    for table, name, data_type, is_nullable, default in rows:
        columns[(table, name)] = Column(
            table,
            name,
            STORAGE.get(data_type, f"<unmapped {data_type}>"),
            data_type,
            nullable=is_nullable == "YES",
            default=remote_default(default),
        )
    return columns


def local_default(expr: str | None) -> Any:
    """A SQLite column default as a comparable value."""
    if expr is None:
        return None
    while expr.startswith("(") and expr.endswith(")"):
        expr = expr[1:-1].strip()
    if expr == LOCAL_NOW:
        return NOW
    literal = re.fullmatch(r"'((?:[^']|'')*)'", expr)
    if literal:
        return literal.group(1).replace("''", "'")
    if re.fullmatch(r"-?\d+", expr):
        return int(expr)
    if re.fullmatch(r"-?\d+\.\d*", expr):
        return float(expr)
    raise AssertionError(f"unknown SQLite default {expr!r}: teach local_default() about it")


def remote_default(expr: str | None) -> Any:
    """A Postgres column default as a comparable value, in the local vocabulary."""
    if expr is None:
        return None
    if expr == "gen_random_uuid()":
        return None  # locally Khepri generates every id itself (uuid4), so no default
    if expr == "now()":
        return NOW
    if expr in ("true", "false"):
        return int(expr == "true")  # BOOLEAN -> INTEGER 0/1
    literal = re.fullmatch(r"'((?:[^']|'')*)'::[a-z ]+(?:\[\])?", expr)
    if literal:
        return literal.group(1).replace("''", "'")
    if re.fullmatch(r"-?\d+", expr):
        return int(expr)
    if re.fullmatch(r"-?\d+\.\d*", expr):
        return float(expr)
    raise AssertionError(f"unknown Postgres default {expr!r}: teach remote_default() about it")


def test_both_sides_have_the_same_tables(journal, pg):
    assert sqlite_tables(journal) == set(SYNCED)
    assert pg_tables(pg) == set(SYNCED)


def test_every_column_exists_on_both_sides(journal, pg):
    local, remote = set(sqlite_columns(journal)), set(pg_columns(pg))
    assert sorted(local - remote) == [], "columns only in the local journal"
    assert sorted(remote - local) == [], "columns only in Postgres"


def test_column_types_match_the_documented_sqlite_storage(journal, pg):
    local, remote = sqlite_columns(journal), pg_columns(pg)
    wrong = [
        f"{key[0]}.{key[1]}: Postgres {remote[key].pg_type} -> {remote[key].storage}, "
        f"local {local[key].storage}"
        for key in sorted(local.keys() & remote.keys())
        if local[key].storage != remote[key].storage
    ]
    assert wrong == []


def test_nullability_matches_except_the_documented_auth_user_id(journal, pg):
    local, remote = sqlite_columns(journal), pg_columns(pg)
    differ = {
        key for key in local.keys() & remote.keys() if local[key].nullable != remote[key].nullable
    }
    assert differ == {("athletes", "auth_user_id")}
    assert local["athletes", "auth_user_id"].nullable
    assert not remote["athletes", "auth_user_id"].nullable


def test_defaults_match(journal, pg):
    local, remote = sqlite_columns(journal), pg_columns(pg)
    wrong = [
        f"{key[0]}.{key[1]}: local {local[key].default!r}, Postgres {remote[key].default!r}"
        for key in sorted(local.keys() & remote.keys())
        if local[key].default != remote[key].default
    ]
    assert wrong == []
    # and the normalisation above did not make everything equal by accident
    assert remote["training_plans", "phases"].default == "[]"
    assert remote["athletes", "intervals_icu_connected"].default == 0
    assert local["goals", "created_at"].default == NOW


_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def test_foreign_keys_match(journal, pg):
    local = set()
    for table in SYNCED:
        for row in journal.execute(f"PRAGMA foreign_key_list({table})"):
            local.add(
                (table, row["from"], row["table"], row["to"], row["on_delete"], row["on_update"])
            )
    remote = set()
    rows = pg.execute(
        """
        SELECT cl.relname, a.attname, nf.nspname, rf.relname, af.attname,
               con.confdeltype, con.confupdtype
        FROM pg_constraint con
        JOIN pg_class cl ON cl.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = cl.relnamespace
        JOIN pg_class rf ON rf.oid = con.confrelid
        JOIN pg_namespace nf ON nf.oid = rf.relnamespace
        JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attnum = con.conkey[1]
        JOIN pg_attribute af ON af.attrelid = rf.oid AND af.attnum = con.confkey[1]
        WHERE con.contype = 'f' AND n.nspname = 'public'
        """
    )
    for table, column, ref_schema, ref_table, ref_column, on_delete, on_update in rows:
        if ref_schema != "public":
            ref_table = f"{ref_schema}.{ref_table}"
        remote.add((table, column, ref_table, ref_column, _ACTIONS[on_delete], _ACTIONS[on_update]))
    # The one documented difference: auth.users exists only on Supabase.
    auth_link = ("athletes", "auth_user_id", "auth.users", "id", "CASCADE", "NO ACTION")
    assert auth_link in remote
    assert remote - {auth_link} == local
    assert ("training_plans", "target_goal_id", "goals", "id", "SET NULL", "CASCADE") in local


def _sqlite_indexes(
    conn: sqlite3.Connection, unique_only: bool
) -> set[tuple[str, tuple[str, ...]]]:
    found = set()
    for table in SYNCED:
        for index in conn.execute(f"PRAGMA index_list({table})"):
            if unique_only and not index["unique"]:
                continue
            columns = tuple(
                row["name"] + (" DESC" if row["desc"] else "")
                for row in conn.execute(f"PRAGMA index_xinfo({index['name']})")
                if row["key"]
            )
            found.add((table, columns))
    return found


def _pg_indexes(conn: Any, unique_only: bool) -> set[tuple[str, tuple[str, ...]]]:
    rows = conn.execute(
        """
        SELECT cl.relname, ix.indisunique, pg_get_indexdef(ix.indexrelid)
        FROM pg_index ix
        JOIN pg_class cl ON cl.oid = ix.indrelid
        JOIN pg_namespace n ON n.oid = cl.relnamespace
        WHERE n.nspname = 'public'
        """
    )
    found = set()
    for table, unique, definition in rows:
        if unique_only and not unique:
            continue
        inside = re.search(r"USING btree \((.*)\)$", definition)
        assert inside, definition
        found.add((table, tuple(part.strip() for part in inside.group(1).split(","))))
    return found


def test_unique_keys_match(journal, pg):
    assert _sqlite_indexes(journal, unique_only=True) == _pg_indexes(pg, unique_only=True)
    assert ("daily_checkins", ("athlete_id", "checkin_date")) in _pg_indexes(pg, True)


def test_indexed_column_lists_match(journal, pg):
    assert _sqlite_indexes(journal, unique_only=False) == _pg_indexes(pg, unique_only=False)


# --- behaviour: the same values accepted and refused on both sides ----------------


def sqlite_checked_columns(conn: sqlite3.Connection, table: str) -> set[str]:
    """Columns that a CHECK of the local CREATE TABLE mentions."""
    (sql,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    columns = [row["name"] for row in conn.execute(f"PRAGMA table_info({table})")]
    checked = set()
    for part in _top_level_parts(sql[sql.index("(") + 1 : sql.rindex(")")]):
        words = part.split()
        if words and words[0] in columns:
            if re.search(r"\bCHECK\b", part, re.IGNORECASE):
                checked.add(words[0])
        elif words and words[0].upper() == "CHECK":
            checked |= {c for c in columns if re.search(rf"\b{c}\b", part)}
    return checked


def _top_level_parts(body: str) -> list[str]:
    parts, depth, quoted, current = [], 0, False, ""
    for char in body:
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and depth == 0 and char == ",":
            parts.append(current.strip())
            current = ""
            continue
        current += char
    parts.append(current.strip())
    return parts


def pg_checked_columns(conn: Any) -> set[tuple[str, str]]:
    rows = conn.execute(
        """
        SELECT cl.relname, a.attname
        FROM pg_constraint con
        JOIN pg_class cl ON cl.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = cl.relnamespace
        JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attnum = ANY (con.conkey)
        WHERE con.contype = 'c' AND n.nspname = 'public'
        """
    )
    return {(table, column) for table, column in rows}


def _declared(table: str, column: str) -> Any:
    return declared_table(table).column(column)


def _numeric_cases(table: str, column: str) -> list[Any]:
    declared = _declared(table, column)
    bounds = declared.rule
    integer = declared.kind.name == "integer"
    step = 1 if integer else 10**-declared.kind.scale

    def number(x: float) -> Any:
        return int(x) if integer else round(x, 6)

    low, high = bounds.low, bounds.high
    cases = [number(low - step), number(low), number(low + step)]
    cases += [number(high - step), number(high), number(high + step)]
    return cases


def _choice_cases(table: str, column: str) -> list[Any]:
    allowed = list(_declared(table, column).rule.choices)
    return [*allowed, allowed[0].upper() if allowed[0].upper() != allowed[0] else "Z", "nope"]


_UUID_VALID = {"athlete_id": ATHLETE, "auth_user_id": USER_2, "target_goal_id": GOAL}
_TEXT_CASES = {
    "title": ["Sub-3 marathon", " x ", "\t", "", "   "],
    "timezone": ["UTC", "Europe/London", " ", ""],
}
_STAMP = "2026-11-25T07:30:00.000000Z"


def cases_for(table: str, column: Column) -> list[Any]:
    """Boundary values for one column, chosen by its rules and its type."""
    name = column.name
    rule = _declared(table, name).rule
    if isinstance(rule, Range):
        values = _numeric_cases(table, name)
    elif isinstance(rule, OneOf):
        values = _choice_cases(table, name)
    elif name in _TEXT_CASES:
        values = list(_TEXT_CASES[name])
    elif column.pg_type == "uuid":
        values = ["<VALID>", "<UPPER>", "not-a-uuid", "a0000000-0000-4000-8000-00000000000"]
        if name != "id":
            values.append(NOBODY)
    elif column.pg_type == "date":
        values = ["<VALID>", "2026-02-29", "2026-02-30", "soon", "2026-4-1"]
    elif column.pg_type == "time without time zone":
        values = ["06:30:00", "23:59:59", "25:00:00", "dawn", "6:30"]
    elif column.pg_type == "timestamp with time zone":
        values = [_STAMP, "later", "2026-11-25 07:30:00+00", "2026-02-30T07:30:00.000000Z"]
    elif column.pg_type == "jsonb":
        values = ['{"legs": 7}', "{}", "[]", '[{"name": "base"}]', '"legs"', "7", "{legs: 7}"]
    elif column.pg_type == "ARRAY":
        values = ['["running", "cycling"]', "[]", '{"a": 1}', '"running"', "running"]
    elif column.pg_type == "boolean":
        values = [0, 1, 2, -1]
    else:
        raise AssertionError(f"no boundary values for {table}.{name} ({column.pg_type})")
    return [*values, None]


# Cases that involve another column of the template or a row that already exists.
EXTRA_CASES: list[tuple[str, str, Any]] = [
    ("constraints", "end_date", "2026-03-01"),  # same day as start_date: allowed
    ("constraints", "end_date", "2026-02-28"),  # before start_date: refused
    ("training_plans", "end_date", "2026-03-01"),
    ("training_plans", "end_date", "2026-02-28"),
    ("training_plans", "start_date", "2026-05-23"),
    ("training_plans", "start_date", "2026-05-24"),  # after end_date: refused
    ("daily_checkins", "checkin_date", TAKEN_DAY),  # second check-in that day: refused
]


def _value(table: str, column: str, value: Any, template: dict[str, Any]) -> Any:
    if value == "<VALID>":
        return str(uuid.uuid4()) if column == "id" else _UUID_VALID[column]
    if value == "<UPPER>":
        return (str(uuid.uuid4()) if column == "id" else _UUID_VALID[column]).upper()
    return value


def _date_valid(table: str, column: str) -> str:
    return TEMPLATE[table].get(column, "2026-04-01")


def _to_pg(value: Any, pg_type: str | None) -> Any:
    """A local value as sync sends it to Postgres."""
    if pg_type == "ARRAY" and isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        return parsed if isinstance(parsed, list) else value
    if pg_type == "boolean" and value in (0, 1) and not isinstance(value, bool):
        return bool(value)
    return value


_PG_REFUSALS = (
    psycopg.errors.IntegrityError,
    psycopg.errors.DataError,
    psycopg.errors.DatatypeMismatch,
)


def _insert_local(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> bool:
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    conn.execute("SAVEPOINT mirror_case")
    try:
        conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(row.values()))
        return True
    except sqlite3.IntegrityError:
        return False
    finally:
        conn.execute("ROLLBACK TO mirror_case")
        conn.execute("RELEASE mirror_case")


def _insert_remote(conn: Any, table: str, row: dict[str, Any], types: dict[str, str]) -> bool:
    from psycopg import sql

    statement = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, row)),
        sql.SQL(", ").join(sql.Placeholder() * len(row)),
    )
    values = [_to_pg(v, types[c]) for c, v in row.items()]
    try:
        with conn.transaction(force_rollback=True):
            conn.execute(statement, values)
        return True
    except _PG_REFUSALS:
        return False


def _base_rows(journal: sqlite3.Connection, pg: Any) -> None:
    """The athlete, goal and check-in that the cases refer to, on both sides."""
    with pg.transaction():
        pg.execute(
            "INSERT INTO auth.users (id, email) VALUES (%s, 'one@example.com'), "
            "(%s, 'two@example.com')",
            (USER_1, USER_2),
        )
    rows = [
        ("athletes", {"id": ATHLETE, "auth_user_id": USER_1}),
        ("goals", {"id": GOAL, "athlete_id": ATHLETE, "goal_type": "race", "title": "A race"}),
        (
            "daily_checkins",
            {"id": str(uuid.uuid4()), "athlete_id": ATHLETE, "checkin_date": TAKEN_DAY},
        ),
    ]
    for table, row in rows:
        names = ", ".join(row)
        journal.execute(
            f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in row)})",
            list(row.values()),
        )
        with pg.transaction():
            pg.execute(
                f"INSERT INTO {table} ({names}) VALUES ({', '.join('%s' for _ in row)})",
                list(row.values()),
            )


def test_every_checked_column_accepts_and_refuses_the_same_values(journal, pg):
    _base_rows(journal, pg)
    columns = pg_columns(pg)
    types = {name: col.pg_type for (_, name), col in columns.items()}

    # Every column with a CHECK on either side gets boundary values.
    checked = pg_checked_columns(pg)
    for table in SYNCED:
        checked |= {(table, c) for c in sqlite_checked_columns(journal, table)}

    cases: list[tuple[str, str, Any]] = []
    for table, column in sorted(checked):
        for value in cases_for(table, columns[table, column]):
            if value == "<VALID>" and columns[table, column].pg_type == "date":
                value = _date_valid(table, column)
            cases.append((table, column, value))
    cases += EXTRA_CASES

    # The template rows themselves must be good, or every case would be refused alike.
    for table, template in TEMPLATE.items():
        row = {"id": str(uuid.uuid4()), **template}
        assert _insert_local(journal, table, row), f"local refuses the {table} template"
        assert _insert_remote(pg, table, row, types), f"Postgres refuses the {table} template"

    disagreements, outcomes, unused_known = [], {}, set(KNOWN)
    for table, column, value in cases:
        row = {"id": str(uuid.uuid4()), **TEMPLATE[table]}
        row[column] = _value(table, column, value, TEMPLATE[table])
        local_ok = _insert_local(journal, table, row)
        remote_ok = _insert_remote(pg, table, row, types)
        outcomes.setdefault((table, column), set()).add(local_ok)
        expected, why = KNOWN.get((table, column, value), (None, ""))
        unused_known.discard((table, column, value))
        if expected is None and local_ok != remote_ok:
            disagreements.append(
                f"{table}.{column} = {row[column]!r}: local {'accepts' if local_ok else 'refuses'}, "
                f"Postgres {'accepts' if remote_ok else 'refuses'}"
            )
        elif expected is not None and (local_ok, remote_ok) != expected:
            disagreements.append(
                f"{table}.{column} = {row[column]!r}: expected (local, Postgres) = {expected} "
                f"({why}), got {(local_ok, remote_ok)}"
            )

    assert disagreements == [], "\n".join(disagreements)
    # Each checked column saw at least one accepted and one refused value.
    assert {key for key, seen in outcomes.items() if seen != {True, False}} == set()
    # KNOWN lists only cases that ran (keys for tables without the column are fine).
    assert {k for k in unused_known if (k[0], k[1]) in checked} == set()


def test_the_known_laxer_local_integer_is_capped_by_the_rules():
    """The one numeric gap (SQLite's 64-bit INTEGER) is closed by the declared rules."""
    column = _declared("goals", "race_target_time_seconds")
    with pytest.raises(ValueError):
        check_value(column, 2**31)
    assert check_value(column, 2**31 - 1) == 2**31 - 1
