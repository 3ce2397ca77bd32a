"""Know the remote: which Khepri tables and columns a database has, and in which shape.

A remote may be a project that applied Khepri's own migrations (the *seed
schema*) or the live Khepri backend, which kept growing after its first
migration (``shared/upstream.md``, "How the backend grew"): it renamed five
columns of ``training_plans``, changed which plan statuses it accepts, and
added tables and columns of the app's own. A sync must find out what the
remote really has, not assume.

Read the catalogue with :data:`CATALOGUE_SQL` (PostgreSQL; one row per
column: table, column, type), turn the rows into ``{table: {column: type}}``
with :func:`catalogue_from_rows`, and :func:`classify` it. The result says
which Khepri tables and columns are present or missing, the shape of
``training_plans``, the plan statuses the remote accepts when the columns
tell, which journal column goes to which remote column, and a one-line
:attr:`RemoteSchema.description` for ``khepri sync status``.

The Khepri tables and their columns come from ``khepri_cli.sql.schema_tables()``
(the remote schema at the head of Khepri's migrations, which is also the
journal's). Pure standard library: nothing here connects anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from khepri_cli.sql import Catalogue, catalogue_sql, schema_tables
from khepri_cli.sql import catalogue_from_rows as _catalogue_from_rows

PLANS = "training_plans"

PLAN_RENAMES: dict[str, str] = {
    "title": "name",
    "duration_weeks": "total_weeks",
    "target_goal_id": "goal_id",
    "phases": "periodization",
    "adjustments_log": "adaptations",
}
"""The live backend's step 6: journal (seed) column of training_plans -> its live name."""

SEED_PLAN_STATUSES = ("draft", "active", "paused", "completed", "cancelled")
LIVE_PLAN_STATUSES = ("active", "completed", "cancelled")
"""Step 6 dropped ``draft``; step 9 dropped ``paused``."""

LIVE_STEPS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (2, ("conversations", "messages")),
    (3, ("intervals_credentials",)),
    (5, ("embeddings",)),  # step 4 installs pgvector, which adds no table of ours
    (6, tuple(f"{PLANS}.{name}" for name in PLAN_RENAMES.values())),
    # steps 7-9 change rules (NOT NULL, an object, statuses), which columns do not show
    (10, ("seasons", "race_blocks")),
    (11, ("workouts",)),
    (12, ("plan_adaptations", "sync_log")),
    (
        13,
        (
            "goals.season_id",
            "athletes.intervals_webhook_registered",
            "athletes.intervals_last_synced_activities",
            "athletes.intervals_last_synced_events",
            "athletes.intervals_last_synced_wellness",
        ),
    ),
    (14, ("goals.race_discipline",)),
)
"""The live backend's steps as a catalogue sees them: what each adds (``table`` or ``table.column``)."""

_RENAMED = frozenset(PLAN_RENAMES.values())

APP_TABLES: tuple[str, ...] = tuple(
    item for _, items in LIVE_STEPS for item in items if "." not in item
)
"""Tables of the live backend that Khepri does not hold."""

CATALOGUE_TABLES: tuple[str, ...] = (*schema_tables(), *APP_TABLES)

CATALOGUE_SQL: str = catalogue_sql(CATALOGUE_TABLES)
"""PostgreSQL: (table, column, type) of every column of those tables in schema public."""


def catalogue_from_rows(rows: Iterable[Sequence[str | None]]) -> dict[str, dict[str, str]]:
    """The rows of :data:`CATALOGUE_SQL` as ``{table: {column: type}}``."""
    return _catalogue_from_rows(rows)


@dataclass(frozen=True)
class TableReport:
    """One Khepri table on the remote."""

    name: str
    present: bool
    columns: dict[str, str] = field(default_factory=dict)
    """Journal column -> the remote column that holds it, for those the remote has."""
    missing: tuple[str, ...] = ()
    """Journal columns the remote lacks (all of them when the table is absent)."""
    extra: tuple[str, ...] = ()
    """Remote columns the journal does not hold (the app's own): never to be written."""
    types: dict[str, str] = field(default_factory=dict)
    """Remote column -> its PostgreSQL type, for every column the remote has."""


@dataclass(frozen=True)
class RemoteSchema:
    """What a remote is, as far as Khepri's sync is concerned."""

    tables: dict[str, TableReport]
    """Every Khepri table, in foreign-key order, present or not."""
    plans_shape: str
    """``seed``, ``live`` (renamed), ``mixed`` (some of each), ``unknown`` or ``absent``."""
    plan_statuses: tuple[str, ...] | None
    """The plan statuses the remote surely accepts; None when the columns do not tell."""
    plan_statuses_unsure: tuple[str, ...]
    """Statuses it may or may not accept (``paused`` at live steps 6-9)."""
    upstream_step: int | None
    """The step of the live backend it is at least at (1 = the seed); None without Khepri tables."""
    app_tables: tuple[str, ...]
    """Tables of the live app present on the remote."""

    @property
    def missing_tables(self) -> list[str]:
        return [name for name, table in self.tables.items() if not table.present]

    @property
    def missing_columns(self) -> list[str]:
        """``table.column`` (journal names) of present tables that lack them."""
        return [
            f"{name}.{column}"
            for name, table in self.tables.items()
            if table.present
            for column in table.missing
        ]

    @property
    def complete(self) -> bool:
        """Every Khepri table with every journal column, in one shape or the other."""
        return not self.missing_tables and not self.missing_columns

    @property
    def is_seed(self) -> bool:
        return self.complete and self.plans_shape == "seed" and not self.app_tables

    @property
    def is_live(self) -> bool:
        return self.complete and self.plans_shape == "live"

    def columns(self, table: str) -> dict[str, str]:
        """Journal column -> remote column for what the remote has of ``table``."""
        return dict(self.tables[table].columns)

    @property
    def description(self) -> str:
        """One line for ``khepri sync status``: what the remote is, and what it lacks."""
        if all(not table.present for table in self.tables.values()):
            return "no Khepri tables (apply the schema: khepri supabase schema)"
        if self.plans_shape == "live":
            statuses = _or_list(self.plan_statuses or ())
            if self.plan_statuses_unsure:
                statuses += f", perhaps {_or_list(self.plan_statuses_unsure)}"
            base = f"live Khepri schema (training_plans renamed; plans may be {statuses})"
        elif self.plans_shape == "mixed":
            have = [c for c in self.tables[PLANS].types if c in PLAN_RENAMES or c in _RENAMED]
            base = f"Khepri schema with training_plans partly renamed (has {', '.join(have)})"
        elif self.plans_shape == "unknown":
            base = "Khepri schema with training_plans in an unknown shape"
        elif self.app_tables:
            base = "live Khepri schema before the training_plans rename"
        else:
            base = "seed schema"
        lacks = []
        if self.missing_tables:
            lacks.append(
                f"{_plural('table', self.missing_tables)} {', '.join(self.missing_tables)}"
            )
        columns = self.missing_columns
        if columns:
            shown = ", ".join(columns[:6]) + (
                f" and {len(columns) - 6} more" if len(columns) > 6 else ""
            )
            lacks.append(f"{_plural('column', columns)} {shown}")
        return base + "".join(f"; lacks {item}" for item in lacks)

    def to_json(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "plans_shape": self.plans_shape,
            "plan_statuses": list(self.plan_statuses) if self.plan_statuses is not None else None,
            "plan_statuses_unsure": list(self.plan_statuses_unsure),
            "upstream_step": self.upstream_step,
            "missing_tables": self.missing_tables,
            "missing_columns": self.missing_columns,
            "app_tables": list(self.app_tables),
        }


def classify(catalogue: Catalogue) -> RemoteSchema:
    """What the remote whose catalogue (``{table: {column: type}}``) this is, is."""
    shape = _plans_shape(catalogue.get(PLANS))
    tables = {name: _table(name, columns, catalogue) for name, columns in schema_tables().items()}
    step = _upstream_step(catalogue) if any(t.present for t in tables.values()) else None
    statuses: tuple[str, ...] | None = None
    unsure: tuple[str, ...] = ()
    if shape == "seed":
        statuses = SEED_PLAN_STATUSES
    elif shape == "live":
        statuses = LIVE_PLAN_STATUSES
        if step is None or step < 10:  # paused went at step 9, which leaves no column behind
            unsure = ("paused",)
    return RemoteSchema(
        tables=tables,
        plans_shape=shape,
        plan_statuses=statuses,
        plan_statuses_unsure=unsure,
        upstream_step=step,
        app_tables=tuple(name for name in APP_TABLES if name in catalogue),
    )


def _plans_shape(columns: Mapping[str, str] | None) -> str:
    if columns is None:
        return "absent"
    seed = sum(old in columns for old in PLAN_RENAMES)
    live = sum(new in columns for new in PLAN_RENAMES.values())
    if seed and live:
        return "mixed"
    if seed:
        return "seed"
    if live:
        return "live"
    return "unknown"


def _table(name: str, journal: Sequence[str], catalogue: Catalogue) -> TableReport:
    remote = catalogue.get(name)
    if remote is None:
        return TableReport(name, present=False, missing=tuple(journal))
    renames = PLAN_RENAMES if name == PLANS else {}
    mapped: dict[str, str] = {}
    for column in journal:  # its own name first, else its live name
        if column in remote:
            mapped[column] = column
        elif renames.get(column) in remote:
            mapped[column] = renames[column]
    return TableReport(
        name,
        present=True,
        columns=mapped,
        missing=tuple(c for c in journal if c not in mapped),
        extra=tuple(c for c in remote if c not in mapped.values()),
        types=dict(remote),
    )


def _upstream_step(catalogue: Catalogue) -> int:
    """The last step whose additions, and those of every step before it, are all present."""
    step = 1
    for number, items in LIVE_STEPS:
        if not all(_has(catalogue, item) for item in items):
            break
        step = number
    return step


def _has(catalogue: Catalogue, item: str) -> bool:
    table, _, column = item.partition(".")
    return table in catalogue and (not column or column in catalogue[table])


def _or_list(values: Sequence[str]) -> str:
    values = list(values)
    if len(values) < 2:
        return "".join(values)
    return ", ".join(values[:-1]) + " or " + values[-1]


def _plural(word: str, items: Sequence[str]) -> str:
    return word if len(items) == 1 else word + "s"
