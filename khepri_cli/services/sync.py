"""Use cases of ``khepri sync``: sync the journal as a Supabase user, say what is pending, list conflicts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from khepri_cli.db import repo_sync
from khepri_cli.db.connection import Journal
from khepri_cli.errors import InvalidInput, KhepriError, SyncError, UsageProblem
from khepri_cli.schema import TABLE_NAMES
from khepri_cli.sync.report import Progress, SyncReport
from khepri_cli.sync.settings import ENV_NAME, check_user_id, has_database_url, resolve_target

VIA_API, VIA_POSTGRES = "api", "postgres"
WAYS = (VIA_API, VIA_POSTGRES)


def sync(
    journal: Journal,
    *,
    db_url: str | None,
    user_id: str | None,
    via: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> SyncReport:
    """Pull, merge and push, over the Supabase API or PostgreSQL (:func:`choose_way`)."""
    from khepri_cli.sync.engine import SyncEngine

    if choose_way(via, db_url) == VIA_API:
        from khepri_cli.sync.supabase_api.client import open_api
        from khepri_cli.sync.transports.api import ApiTransport

        api = open_api(user_id=user_id)
        transport, user, hide = ApiTransport(api), api.user_id, api.project.hide
        warning = api.warning
    else:
        from khepri_cli.sync.transports.postgres import PostgresTransport

        target = resolve_target(db_url)
        user = resolve_user(journal, user_id)
        transport, hide, warning = PostgresTransport(target), target.hide, None
    try:
        report = SyncEngine(journal, transport, progress=progress).run(user, dry_run=dry_run)
    except KhepriError as exc:  # a last guard: no message leaves with a secret in it
        exc.message = hide(exc.message)
        exc.args = (exc.message,)
        raise
    except Exception as exc:
        raise SyncError(hide(f"unexpected error: {type(exc).__name__}: {exc}")) from None
    finally:
        transport.close()
    if warning:
        report.notes.insert(0, warning)
    return report


def choose_way(via: str | None, db_url: str | None) -> str:
    """The API or PostgreSQL: ``--via``; else PostgreSQL for ``--db-url``; else the API when
    a project is configured and can be used (a session, or a secret key); else PostgreSQL
    when a database URL is set; else the API when a project is configured (to say: log in)."""
    if via is not None:
        if via not in WAYS:
            raise InvalidInput("--via", via, "must be 'api' or 'postgres'")
        if via == VIA_API and db_url is not None:
            raise UsageProblem("--db-url is for --via postgres; the API way uses the project's URL")
        return via
    if db_url is not None:
        return VIA_POSTGRES
    from khepri_cli.sync.supabase_api.project import configured, resolve_project

    project = configured()
    if {"url", "key"} <= project.keys() and _api_usable(resolve_project()):
        return VIA_API
    if has_database_url():
        return VIA_POSTGRES
    if project:
        return VIA_API
    raise UsageProblem(
        "where to sync? log in to your Khepri Supabase project ('khepri config set url ...', "
        "'khepri config set key sb_publishable_...', then 'khepri login'), or give its "
        f"database: --db-url or {ENV_NAME}"
    )


def _api_usable(project: Any) -> bool:
    from khepri_cli.sync.supabase_api.session import SessionStore

    if project.key.bypasses_rls:
        return True
    session = SessionStore().find(check_mode=False)
    return session is not None and session.project_url == project.url


def resolve_user(journal: Journal, given: str | None) -> str:
    """``--user-id``, else the user of the last sync (or login), else the athlete's link."""
    if given is not None:
        return check_user_id(given)
    remembered = repo_sync.read_state(journal.conn).get(repo_sync.STATE_USER)
    if remembered:
        return remembered
    row = journal.conn.execute(
        "SELECT auth_user_id FROM athletes WHERE auth_user_id IS NOT NULL LIMIT 1"
    ).fetchone()
    if row is not None:
        return row[0]
    raise UsageProblem(
        "which Supabase user does this journal belong to? pass --user-id with the UUID of "
        "your Supabase Auth user (dashboard: Authentication > Users); later syncs remember it"
    )


@dataclass
class SyncStatus:
    pending: dict[str, dict[str, int]]
    linked_user_id: str | None
    last_sync_at: str | None
    last_target: str | None
    last_user_id: str | None
    last_summary: dict[str, Any] | None
    remote: dict[str, Any] | None  # what the last remote is, as last read (remote_schema)
    conflicts: int = 0

    @property
    def total(self) -> int:
        return sum(ops["upsert"] + ops["delete"] for ops in self.pending.values())

    def to_json(self) -> dict[str, Any]:
        last = None
        if self.last_sync_at:
            last = {
                "at": self.last_sync_at,
                "target": self.last_target,
                "user_id": self.last_user_id,
                **(self.last_summary or {}),
            }
        return {
            "pending": [
                {"table": table, "upserts": ops["upsert"], "deletes": ops["delete"]}
                for table, ops in self.pending.items()
            ],
            "pending_total": self.total,
            "linked_user_id": self.linked_user_id,
            "last_sync": last,
            "remote": self.remote,
            "conflicts": self.conflicts,
        }


def status(journal: Journal) -> SyncStatus:
    """What a sync would push, how the last one went and what the remote was (no network)."""
    from khepri_cli.sync.remote_schema import classify

    conn = journal.conn
    conn.execute("BEGIN")
    try:
        pending = repo_sync.pending_counts(conn, TABLE_NAMES)
        state = repo_sync.read_state(conn)
        row = conn.execute(
            "SELECT auth_user_id FROM athletes ORDER BY created_at LIMIT 1"
        ).fetchone()
        target = state.get(repo_sync.STATE_TARGET)
        cached = repo_sync.cached_catalogue(conn, target) if target else None
        conflicts = repo_sync.count_conflicts(conn)
    finally:
        conn.execute("COMMIT")
    summary = state.get(repo_sync.STATE_SUMMARY)
    return SyncStatus(
        pending=pending,
        linked_user_id=row[0] if row else None,
        last_sync_at=state.get(repo_sync.STATE_AT),
        last_target=target,
        last_user_id=state.get(repo_sync.STATE_USER),
        last_summary=json.loads(summary) if summary else None,
        remote=classify(cached["catalogue"]).to_json() if cached else None,
        conflicts=conflicts,
    )


def conflicts(journal: Journal) -> list[dict[str, Any]]:
    """Every conflict the syncs of this journal met, oldest first, both values kept."""
    return list(repo_sync.conflicts(journal.conn))
