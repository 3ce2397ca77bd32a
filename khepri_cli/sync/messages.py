"""What ``khepri sync`` tells the user, in one place: reasons, conflicts, failures.

Every text a person reads about a sync is built here, from the facts the
engine, the planner and the push hand over, so the wording is the same
wherever it is reported (stderr lines, ``--json``, ``khepri sync
conflicts``, error messages).
"""

from __future__ import annotations

import json
from typing import Any

from khepri_cli.sync.transports.base import CHANGED, RemoteError

# -- why a table or a row cannot sync ------------------------------------------------


def not_set_up(reason: str) -> str:
    return (
        f"the database is not set up for Khepri ({reason}); apply the schema first: "
        f'khepri supabase schema | psql "$SUPABASE_DB_URL" (see docs/supabase.md)'
    )


def table_absent(table: str) -> str:
    return f"the remote has no table {table}"


def table_without(table: str, column: str) -> str:
    return f"the remote's {table} has no column {column}"


def plans_shape_unknown(description: str) -> str:
    return f"the remote's training_plans are in a shape Khepri cannot write ({description})"


def remote_value_refused(table: str, row_id: str, problem: str) -> str:
    return (
        f"the remote's {table} row {row_id} holds a value the journal refuses ({problem}); "
        f"the row is left as it is on both sides"
    )


def missing_parent(column: str, parent: str, parent_id: str) -> str:
    return f"{column} names {parent} row {parent_id}, which is not in the journal"


def rejected_by_remote(message: str) -> str:
    return f"the remote refused it: {message}"


def columns_lacking(table: str, columns: tuple[str, ...]) -> str:
    shown = ", ".join(columns)
    return f"the remote's {table} has no column {shown}: those values stay in the journal"


def remote_without_profile() -> str:
    return (
        "the remote has no profile for this user (a new project, or the account was "
        "made again): nothing here counts as deleted there, and the whole journal is sent"
    )


# -- conflicts ------------------------------------------------------------------------


def show(value: Any) -> str:
    """A value as a conflict line shows it: JSON, shortened."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def field_conflict(column: str, local: Any, remote: Any, kept: str) -> str:
    side = "here (changed later here)" if kept == "local" else "there (changed later there)"
    return (
        f"{column} was changed on both sides: {show(local)} here, {show(remote)} there; "
        f"kept the value from {side}"
    )


def adopted_profile(local_id: str, remote_id: str) -> str:
    return (
        f"this Supabase user already has a profile remotely (id {remote_id}); the journal's "
        f"profile (id {local_id}) takes that id, and the two are merged value by value"
    )


def made_on_both_sides(noun: str, key: str, local_id: str, remote_id: str) -> str:
    return (
        f"{noun} of {key} was made here (id {local_id}) and there (id {remote_id}); "
        f"it is one row now, with the remote's id, merged value by value"
    )


def deleted_there(noun: str) -> str:
    return (
        f"the {noun} was deleted there but changed here: the journal's row is kept and sent again"
    )


def deleted_here(noun: str) -> str:
    return f"the {noun} was deleted here but changed there: the remote's row is brought back"


# -- failures -------------------------------------------------------------------------


def untouched(pending: int, *, transactional: bool) -> str:
    """What a failed sync left behind."""
    if transactional:
        return (
            f"nothing was pushed, and the journal keeps its {pending} pending change(s); "
            f"run 'khepri sync' again when this is fixed"
        )
    return (
        f"what was sent before stays remotely, and the journal keeps its {pending} pending "
        f"change(s); run 'khepri sync' again when this is fixed: it finds what arrived and "
        f"sends the rest"
    )


def commit_unknown(message: str, pending: int) -> str:
    return (
        f"{message} while committing: the server may or may not have kept this push; the "
        f"journal keeps its {pending} pending change(s), and 'khepri sync' again pushes them "
        f"without duplicates"
    )


def said(exc: RemoteError) -> str:
    """A remote's failure as the user reads it."""
    if exc.kind == CHANGED:
        return (
            f"the remote changed rows this sync had read ({exc.message}); "
            f"nothing of theirs was overwritten"
        )
    return exc.message


def row_refused(table: str, row_id: str, more: int, reason: str) -> str:
    others = f" (and {more} more row(s) of {table})" if more else ""
    return f"{table} row {row_id}{others}: {reason}"


def rls_refused() -> str:
    return (
        "row level security refused it (SQLSTATE 42501): it belongs to another "
        "Supabase user, or its athlete is not this user's"
    )


def profile_rejected(message: str, user_id: str) -> str:
    return (
        f"the server rejected it: {message}: is {user_id} a user of this "
        f"Supabase project (dashboard: Authentication > Users)?"
    )


def batch_refused(table: str, message: str) -> str:
    return f"the server refused a batch of {table}: {message}"
