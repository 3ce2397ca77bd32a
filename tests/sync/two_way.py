"""Helpers of the two-way sync stories: the Khepri app on the remote, journals, comparisons.

``App`` writes to the remote the way the Khepri app does: as the signed-in
user under row level security, in the remote's own columns (a plan on the
live backend in its periodization shape), with ``updated_at`` stamped by the
remote's trigger. ``journal_rows`` and ``remote_rows`` read both sides in
the journal's terms, for comparing value by value.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from khepri_cli.db import store
from khepri_cli.db.connection import open_journal
from khepri_cli.domain import plans_remote
from khepri_cli.domain.plans import generate_plan
from khepri_cli.domain.rows import make
from khepri_cli.schema import TABLE_NAMES
from khepri_cli.schema import table as declared
from khepri_cli.sync.mapping import map_remote, wanted_catalogue
from khepri_cli.sync.remote_schema import classify

from .conftest import acting_as

LATER = "2031-01-01T00:00:00Z"
"""A journal clock (KHEPRI_NOW) after the database's: the journal's changes are then the later ones."""

SKIP = ("updated_at",)
"""Each side stamps its own writes: the one column two copies of a row may hold differently."""


def with_khepri_migrations(url: str) -> None:
    """Apply the Khepri migrations the remote lacks, as ``khepri supabase schema --missing`` lists them."""
    from khepri_cli.sql import catalogue_from_rows, catalogue_sql, missing_migrations, probe_tables

    with psycopg.connect(url, autocommit=True) as conn:
        catalogue = catalogue_from_rows(conn.execute(catalogue_sql(probe_tables())).fetchall())
        for migration in missing_migrations(catalogue):
            conn.execute(migration.sql())


class App:
    """The Khepri app (and its server jobs) on the remote, as one user."""

    def __init__(self, url: str, user_id: str):
        self.url = url
        self.user_id = user_id
        catalogue = self._catalogue()
        self.live = "periodization" in catalogue.get("training_plans", {})
        self.map = map_remote(classify(catalogue))

    def _catalogue(self) -> dict[str, dict[str, str]]:
        from khepri_cli.sql import catalogue_from_rows, catalogue_sql

        with psycopg.connect(self.url) as conn:
            rows = conn.execute(catalogue_sql(wanted_catalogue())).fetchall()
        return catalogue_from_rows(rows)

    def _run(self, sql: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(self.url) as conn, acting_as(conn, self.user_id):
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def insert(self, table: str, **values: Any) -> str:
        """A row as the app writes it (remote column names); its id."""
        names = ", ".join(values)
        marks = ", ".join(["%s"] * len(values))
        params = tuple(_adapted(v) for v in values.values())
        sql = f"INSERT INTO public.{table} ({names}) VALUES ({marks}) RETURNING id::text"
        return self._run(sql, params)[0][0]

    def update(self, table: str, row_id: str, **values: Any) -> None:
        sets = ", ".join(f"{c} = %s" for c in values)
        params = (*(_adapted(v) for v in values.values()), row_id)
        self._run(f"UPDATE public.{table} SET {sets} WHERE id = %s", params)

    def delete(self, table: str, row_id: str) -> None:
        self._run(f"DELETE FROM public.{table} WHERE id = %s", (row_id,))

    def profile(self, **values: Any) -> str:
        return self.insert("athletes", auth_user_id=self.user_id, **values)

    def plan(self, athlete_id: str, start: date, weeks: int = 12, **values: Any) -> str:
        """A plan as the app's generator makes it, in the remote's shape."""
        local = {**generate_plan(start, weeks=weeks), "athlete_id": athlete_id, **values}
        if self.live:
            row = plans_remote.to_remote(local)
            row.update(start_date=str(row["start_date"]), end_date=str(row["end_date"]))
        else:
            row = {k: str(v) if isinstance(v, date) else v for k, v in local.items()}
        row.pop("id", None)
        return self.insert("training_plans", **row)

    def raw(self, table: str) -> dict[str, dict[str, Any]]:
        """Every row of ``table`` as the database holds it (superuser, JSON values)."""
        with psycopg.connect(self.url, row_factory=dict_row) as conn:
            rows = conn.execute(
                f"SELECT row_to_json(t)::text AS j FROM public.{table} t"
            ).fetchall()
        found = [json.loads(r["j"]) for r in rows]
        return {r["id"]: r for r in found}

    def rows(self, table: str) -> dict[str, dict[str, Any]]:
        """Every row of ``table`` in the journal's terms (through the sync's own mapping)."""
        mapped = self.map.tables[table]
        return {
            row_id: _json(table, mapped.checked(raw)) for row_id, raw in self.raw(table).items()
        }


def _adapted(value: Any) -> Any:
    return Jsonb(value) if isinstance(value, dict | list) and not _strings(value) else value


def _strings(value: Any) -> bool:
    """A list of text goes to a TEXT[] column; anything else that is a dict or list is JSONB."""
    return isinstance(value, list) and all(isinstance(v, str) for v in value) and value != []


def _json(table: str, row: dict[str, Any]) -> dict[str, Any]:
    columns = declared(table).columns
    return {c.name: c.kind.to_json(row.get(c.name)) for c in columns if c.name not in SKIP}


def journal_rows(path: Any, table: str) -> dict[str, dict[str, Any]]:
    """Every row of a journal's ``table`` in JSON form, stamps aside."""
    journal = open_journal(path)
    try:
        return {r.id: _json(table, r) for r in store.select(journal.conn, declared(table))}
    finally:
        journal.close()


def everything(path: Any) -> dict[str, dict[str, dict[str, Any]]]:
    return {table: journal_rows(path, table) for table in TABLE_NAMES}


def add_plan(path: Any, athlete_id: str | None = None, **values: Any) -> dict[str, Any]:
    """A plan made in the journal (as 'khepri plans create' will), stored through the store."""
    journal = open_journal(path)
    try:
        with journal.transaction() as conn:
            owner = athlete_id or conn.execute("SELECT id FROM athletes").fetchone()[0]
            plan = generate_plan(date(2026, 12, 7), weeks=12, title="Spring base")
            row = make(declared("training_plans"), {**plan, "athlete_id": owner, **values})
            store.insert_whole(conn, row.table, [row])
        return dict(row)
    finally:
        journal.close()


def edit(path: Any, table: str, row_id: str, **changes: Any) -> None:
    """A change made in the journal through its one write path."""
    journal = open_journal(path)
    try:
        with journal.transaction() as conn:
            store.update(conn, store.fetch(conn, declared(table), row_id), changes)
    finally:
        journal.close()
