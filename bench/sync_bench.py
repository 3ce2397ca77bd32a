"""How fast does ``khepri sync`` go both ways? Timings against PostgreSQL's COPY from the same run.

In one run against a local PostgreSQL (``$KHEPRI_TEST_POSTGRES_URL``, default
``postgresql://postgres@127.0.0.1:5432/postgres``) it

  * creates a scratch database with the test ``auth`` stand-in and all of Khepri's migrations,
  * builds a journal of an athlete and N rows (default 100,000: 40,000
    daily check-ins, as far back as the date rule lets a journal go, and
    60,000 sessions) with plain SQL in one transaction, every column filled
    (JSON, arrays, text),
  * times the first sync of that journal (``SyncEngine.run`` through
    ``PostgresTransport``, as ``khepri sync`` runs it: it pulls, finds
    nothing, and pushes everything), a second sync with nothing changed on
    either side (a pull and a push), and a sync after one change,
  * times ``COPY`` of the same rows into a scratch table of the same shape
    (same columns, types and indexes, no RLS or triggers) as the floor,
  * times the first sync of a new, empty journal of the same user: the pull
    of every remote row into it, through the journal's rules, and then a
    sync of that journal with nothing changed,
  * prints rows per second and the ratio of the push to COPY.

Goals from the issues: the full push at least half of COPY's throughput;
a sync with nothing changed (on either journal) and one after one change
each under 0.2 s. The pull has no goal: it is reported. The databases are
dropped at the end.

Each round gets a fresh database and a fresh copy of the journal; push and
COPY alternate in which goes first, and medians of the rounds are compared,
so a busy machine hits both alike.

    python bench/sync_bench.py [--rows 100000] [--batch 5000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
AUTH_SQL = ROOT / "tests" / "sync" / "supabase_auth.sql"

# A fresh uuid4 in SQLite: random hex with the version and variant digits set.
UUID_SQL = (
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || "
    "substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || "
    "substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
)


def database_url(server_url: str, dbname: str) -> str:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(server_url)
    params["dbname"] = dbname
    return make_conninfo(**params)


def create_database(server_url: str) -> tuple[str, str]:
    import psycopg

    from khepri_cli.sql import whole_schema

    name = f"khepri_bench_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = database_url(server_url, name)
    with psycopg.connect(url) as conn:
        conn.execute(AUTH_SQL.read_text(encoding="utf-8"))
        conn.execute(whole_schema())
    return name, url


def drop_database(server_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_user(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "INSERT INTO auth.users (email) VALUES ('bench@example.com') RETURNING id"
        ).fetchone()
    return str(row[0])


CHECKIN_DAYS_AT_MOST = 40_000
"""Days a journal can hold check-ins on (every day from 1900-01-01 to today, at most: the
date rule, which a pull applies too), so a bigger journal holds its other rows as sessions."""

STAMP = "'2026-11-24T06:00:00.000000Z'"


def build_journal(path: Path, rows: int) -> tuple[int, int]:
    """An athlete, daily check-ins back from 2026-11-24 (up to 40,000 days), then sessions on
    those days for the rest of ``rows``; (check-ins, sessions). Plain SQL, every column filled."""
    from khepri_cli.db import store
    from khepri_cli.db.connection import open_journal
    from khepri_cli.schema.tables import ATHLETES

    checkins = min(rows, CHECKIN_DAYS_AT_MOST)
    journal = open_journal(path)
    with journal.transaction() as conn:
        athlete = store.insert(
            conn, ATHLETES, {"display_name": "Bench Zoë", "resting_heart_rate": 50}
        )
        conn.execute(
            f"""
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
            INSERT INTO daily_checkins (
                id, athlete_id, checkin_date, sleep_quality, sleep_hours, energy_level,
                stress_level, overall_soreness, soreness_areas, resting_hr, hrv_ms, weight_kg,
                available_time_minutes, equipment_access, travel_status, notes,
                ai_recommendation, ai_recommendation_generated_at, user_response,
                user_response_notes, created_at, updated_at)
            SELECT {UUID_SQL}, ?, date('2026-11-24', '-' || i || ' days'),
                1 + i % 10, (40 + i % 50) / 10.0, 1 + i % 10, 1 + (i * 7) % 10, 1 + (i * 3) % 10,
                json_object('legs', 1 + i % 10, 'back', 1 + (i * 3) % 10),
                45 + i % 20, 40 + (i % 400) / 10.0, 60 + (i % 2000) / 100.0, 30 + i % 120,
                json_array('bike_trainer', 'pool'), 'home', 'séance ' || i || ' — ok',
                json_object('level', 'green', 'session', 'Z2 ride', 'minutes', 60 + i % 30),
                {STAMP}, 'accepted', NULL, {STAMP}, {STAMP}
            FROM n
            """,
            (checkins, athlete.id),
        )
        conn.execute(
            f"""
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
            INSERT INTO activities (
                id, athlete_id, activity_date, sport, duration_minutes, rpe, distance_km, tss,
                notes, created_at, updated_at)
            SELECT {UUID_SQL}, ?, date('2026-11-24', '-' || (i % ?) || ' days'),
                json_extract('["swim","bike","run","strength","other"]', '$[' || (i % 5) || ']'),
                30 + i % 91, 3 + i % 6, 5 + (i % 400) / 10.0,
                CASE WHEN i % 5 = 1 THEN 40.0 + i % 60 END, 'intervals ' || i, {STAMP}, {STAMP}
            FROM n WHERE ? > 0
            """,
            (rows - checkins, athlete.id, checkins, rows - checkins),
        )
    journal.close()
    return checkins, rows - checkins


def push(path: Path, url: str, user_id: str, batch: int):
    """One ``khepri sync`` of the journal at ``path``, timed: pull, merge, push, record."""
    from khepri_cli.db.connection import open_journal
    from khepri_cli.sync.engine import SyncEngine
    from khepri_cli.sync.settings import resolve_target
    from khepri_cli.sync.transports.postgres import PostgresTransport

    journal = open_journal(path)
    try:
        transport = PostgresTransport(resolve_target(url))
        started = time.perf_counter()
        report = SyncEngine(journal, transport, batch_rows=batch).run(user_id)
        return time.perf_counter() - started, report
    finally:
        journal.close()


FLOOR_TABLES = ("daily_checkins", "activities")


def copy_floor(path: Path, url: str) -> tuple[float, int]:
    """COPY the journal's check-ins and sessions into tables of the same shape: the fastest way in.

    The rows are read and converted to Python values (lists for ``TEXT[]``,
    ``Jsonb`` for ``JSONB``) before the clock starts, so the floor is COPY
    alone: the tables' columns, types, checks and indexes, without RLS,
    triggers or foreign keys.
    """
    import json

    import psycopg
    from psycopg.types.json import Jsonb

    from khepri_cli.schema import table

    local = sqlite3.connect(path)
    local.row_factory = sqlite3.Row
    loads = {}
    for name in FLOOR_TABLES:
        declared = table(name)
        columns = declared.column_names
        arrays = {c.name for c in declared.columns if c.kind.name == "text_array"}
        documents = {c.name for c in declared.columns if c.kind.name == "json"}
        rows = []
        for row in local.execute(f"SELECT {', '.join(columns)} FROM {name}"):
            values = []
            for column in columns:
                value = row[column]
                if value is not None and column in arrays:
                    value = json.loads(value)
                elif value is not None and column in documents:
                    value = Jsonb(json.loads(value))
                values.append(value)
            rows.append(values)
        loads[name] = (columns, rows)
    local.close()
    with psycopg.connect(url) as conn:
        for name in FLOOR_TABLES:
            conn.execute(
                f"CREATE TABLE public.copy_floor_{name} (LIKE public.{name} "
                "INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)"
            )
        conn.commit()
        started = time.perf_counter()
        for name, (columns, rows) in loads.items():
            sql = f"COPY public.copy_floor_{name} ({', '.join(columns)}) FROM STDIN"
            with conn.cursor() as cursor, cursor.copy(sql) as copy:
                for values in rows:
                    copy.write_row(values)
        conn.commit()
        elapsed = time.perf_counter() - started
    return elapsed, sum(len(rows) for _, rows in loads.values())


def one_change(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "UPDATE daily_checkins SET energy_level = 1 + energy_level % 10 "
            "WHERE id = (SELECT id FROM daily_checkins ORDER BY checkin_date DESC LIMIT 1)"
        )
    conn.close()


def remote_count(url: str) -> int:
    """Check-ins and sessions on the remote."""
    import psycopg

    counts = " + ".join(f"(SELECT count(*) FROM public.{name})" for name in FLOOR_TABLES)
    with psycopg.connect(url) as conn:
        return conn.execute(f"SELECT {counts}").fetchone()[0]


def one_round(template: Path, folder: Path, server_url: str, batch: int, copy_first: bool):
    """A fresh remote and a fresh copy of the journal: full push, COPY, nothing, one change,
    then a new journal pulling it all, and nothing again."""
    import shutil

    name, url = create_database(server_url)
    try:
        user_id = make_user(url)
        path = folder / f"journal-{name}.db"
        shutil.copyfile(template, path)
        if copy_first:
            floor, copied = copy_floor(path, url)
        full, report = push(path, url, user_id, batch)
        if not copy_first:
            floor, copied = copy_floor(path, url)
        rows = remote_count(url)
        assert rows == copied, f"the remote holds {rows} check-ins and sessions, not {copied}"
        nothing, report2 = push(path, url, user_id, batch)
        assert report2.upserted == report2.deleted == report2.pulled == 0
        one_change(path)
        one, report3 = push(path, url, user_id, batch)
        assert report3.upserted == 1
        fresh = folder / f"pulled-{name}.db"
        pulled, report4 = push(fresh, url, user_id, batch)
        assert report4.pulled == report.upserted, (report4.pulled, report.upserted)
        after_pull, report5 = push(fresh, url, user_id, batch)
        assert report5.pulled == report5.upserted == 0
        path.unlink()
        fresh.unlink()
        return Round(
            report.upserted / full,
            copied / floor,
            nothing,
            one,
            full,
            floor,
            report4.pulled / pulled,
            after_pull,
        )
    finally:
        drop_database(server_url, name)


class Round(NamedTuple):
    push_rate: float
    copy_rate: float
    nothing: float
    one: float
    full: float
    floor: float
    pull_rate: float
    nothing_after_pull: float


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, default=100_000, help="check-ins and sessions in the journal"
    )
    parser.add_argument("--batch", type=int, default=None, help="rows per statement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; medians are compared")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.pop("KHEPRI_NOW", None)
    from khepri_cli.sync.push import BATCH_ROWS

    batch = args.batch or BATCH_ROWS
    server_url = os.environ.get("KHEPRI_TEST_POSTGRES_URL", DEFAULT_SERVER_URL)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        template = folder / "template.db"
        started = time.perf_counter()
        checkins, sessions = build_journal(template, args.rows)
        print(
            f"journal: 1 athlete + {checkins:,} check-ins + {sessions:,} sessions "
            f"built in {time.perf_counter() - started:.2f} s"
        )
        print(f"{batch} rows per statement; {args.rounds} round(s), push and COPY alternating")
        for index in range(args.rounds):
            result = one_round(template, folder, server_url, batch, copy_first=index % 2 == 1)
            print(
                f"  round {index + 1}: push {result.full:6.2f} s ({result.push_rate:,.0f} rows/s), "
                f"COPY {result.floor:5.2f} s ({result.copy_rate:,.0f} rows/s), "
                f"ratio {result.push_rate / result.copy_rate:.2f}; nothing {result.nothing * 1000:.0f} ms, "
                f"one change {result.one * 1000:.0f} ms; pull {result.pull_rate:,.0f} rows/s, "
                f"then nothing {result.nothing_after_pull * 1000:.0f} ms"
            )
            results.append(result)

    def median(values: Iterable[float]) -> float:
        return statistics.median(values)

    push_rate = median(r.push_rate for r in results)
    copy_rate = median(r.copy_rate for r in results)
    ratio = median(r.push_rate / r.copy_rate for r in results)
    nothing = median(r.nothing for r in results)
    one = median(r.one for r in results)
    pull_rate = median(r.pull_rate for r in results)
    after_pull = median(r.nothing_after_pull for r in results)
    rows = args.rows + 1
    print(f"full push:        {rows:>7,} rows, median {push_rate:>9,.0f} rows/s")
    print(f"COPY (floor):     {args.rows:>7,} rows, median {copy_rate:>9,.0f} rows/s")
    print(f"push / COPY:      {ratio:.2f}  (median of the rounds' ratios; goal >= 0.50)")
    print(f"nothing changed:  {nothing * 1000:6.1f} ms  (median, a pull and a push; goal < 200 ms)")
    print(f"one change:       {one * 1000:6.1f} ms  (median; goal < 200 ms)")
    print(f"pull, new journal:{rows:>7,} rows, median {pull_rate:>9,.0f} rows/s  (no goal)")
    print(f"then nothing:     {after_pull * 1000:6.1f} ms  (median; goal < 200 ms)")
    ok = ratio >= 0.5 and nothing < 0.2 and one < 0.2 and after_pull < 0.2
    print("goals met" if ok else "goals NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
