"""The three-way merge of one row: its base, the journal's values and the remote's, column by column.

The *base* of a synced row is what the remote held after the last sync that
saw the row, in the journal's terms. Against it, each column is

* unchanged on both sides: kept;
* changed on one side only: that side's value wins;
* changed on both sides to the same value: that value;
* changed on both sides to different values: a **conflict**, resolved by
  one rule, the later ``updated_at`` wins (a tie goes to the remote, the
  record others read); both values are reported.

A row made on both sides without a common past (the app's profile and the
journal's, a day checked in here and there) is merged against an *empty*
base: every column at its default, or NULL. A column the journal holds but
the user never set is then at its default, i.e. unchanged, and never
overwrites what the remote holds.

Values are compared in their canonical Python form (schema/kinds.py). Pure:
no database, no clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from khepri_cli.domain.rows import default_of
from khepri_cli.schema import Table

HERE, THERE = "local", "remote"
"""Which side's value a conflict kept (as stored in ``_khepri_sync_conflicts.kept``)."""


class FieldConflict(NamedTuple):
    """One column changed on both sides to different values."""

    column: str
    local: Any
    remote: Any
    kept: str  # HERE or THERE


def same(a: Any, b: Any) -> bool:
    """Equal values of the same kinds (``1`` is not ``True``, even inside a JSON document)."""
    if a is None or b is None:
        return a is b
    if type(a) is not type(b) or a != b:
        return False
    if isinstance(a, dict | list):
        return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    return True


def local_is_later(local_updated_at: str | None, remote_updated_at: str | None) -> bool:
    """The conflict rule: the journal's value wins only when its row changed strictly later.

    Both are journal timestamps (one fixed ISO 8601 UTC format), which sort as text.
    """
    return (local_updated_at or "") > (remote_updated_at or "")


def empty_base(table: Table, columns: Iterable[str]) -> dict[str, Any]:
    """The base of a row with no common past: each column's default, or None."""
    return {name: default_of(table.column(name)) for name in columns}


def merge_values(
    columns: Iterable[str],
    base: Mapping[str, Any],
    local: Mapping[str, Any],
    remote: Mapping[str, Any],
    *,
    local_later: bool,
) -> tuple[dict[str, Any], list[FieldConflict]]:
    """The merged value of each column, and the conflicts met on the way."""
    merged: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    for column in columns:
        here, there, was = local.get(column), remote.get(column), base.get(column)
        if same(here, there) or same(there, was):
            merged[column] = here
        elif same(here, was):
            merged[column] = there
        else:
            merged[column] = here if local_later else there
            conflicts.append(FieldConflict(column, here, there, HERE if local_later else THERE))
    return merged, conflicts


def differs(columns: Iterable[str], one: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    """True when any of ``columns`` holds different values in the two rows."""
    return any(not same(one.get(c), other.get(c)) for c in columns)
