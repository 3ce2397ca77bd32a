"""Showing a sync: the progress bar, the per-table summary, conflicts, and ``sync status``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from khepri_cli.render import console as con

if TYPE_CHECKING:
    from khepri_cli.services.sync import SyncStatus
    from khepri_cli.sync.engine import SyncReport

PROGRESS_FROM_ROWS = 1000
"""Pushes smaller than this finish before a progress bar would be worth drawing."""


class ProgressBar:
    """A rich progress bar on stderr, drawn only for long pushes."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._task: Any = None

    def start(self, total: int) -> None:
        if total < PROGRESS_FROM_ROWS:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            TextColumn("[bold]pushing[/] {task.description:<15}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            transient=True,
        )
        self._task = self._bar.add_task("", total=total)
        self._bar.start()

    def advance(self, table: str, rows: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, advance=rows, description=table)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def progress() -> ProgressBar | None:
    """A progress bar when stderr is a terminal; nothing when piped or redirected."""
    return ProgressBar() if con.is_terminal(sys.stderr) else None


def report(result: SyncReport, as_json: bool) -> None:
    """The per-table summary on stdout, conflicts and the outcome on stderr."""
    if as_json:
        con.emit_json(result.to_json())
    else:
        headers = (
            ["table", "would upsert", "would delete", "conflicts"]
            if result.dry_run
            else ["table", "upserted", "deleted", "conflicts"]
        )
        rows = [[t.table, str(t.upserted), str(t.deleted), str(t.conflicts)] for t in result.tables]
        rows.append(
            ["total", str(result.upserted), str(result.deleted), str(len(result.conflicts))]
        )
        title = "Dry run: nothing was written" if result.dry_run else "Sync"
        con.print_table(title, headers, rows, styles={3: "yellow"})
    _messages(result)


def _messages(result: SyncReport) -> None:
    verb = "Would link" if result.dry_run else "Linked"
    if result.linked and result.linked_from:
        con.say(
            f"{verb} this journal to Supabase user {result.user_id} "
            f"(it was linked to {result.linked_from})."
        )
    elif result.linked:
        con.say(f"{verb} this journal to Supabase user {result.user_id}.")
    for conflict in result.conflicts:
        con.say(f"conflict: {conflict.table}: {conflict.detail}")
    changes = result.upserted + result.deleted
    where = f"{result.target} as user {result.user_id}"
    if result.dry_run:
        con.say(f"Dry run: {changes} change(s) would be pushed to {where}; nothing was written.")
    elif changes == 0:
        con.say(f"Nothing to push: every change is already in {where}.")
    else:
        con.say(f"Pushed {changes} change(s) to {where} in {result.seconds:.1f} s.")
    if result.still_pending:
        con.say(
            f"{result.still_pending} change(s) made during the push are still pending; "
            f"run 'khepri sync' again to push them."
        )


def status(info: SyncStatus, as_json: bool) -> None:
    """Pending changes per table, then the last successful sync."""
    if as_json:
        con.emit_json(info.to_json())
        return
    rows = [[table, str(ops["upsert"]), str(ops["delete"])] for table, ops in info.pending.items()]
    rows.append(["total", str(sum(int(r[1]) for r in rows)), str(sum(int(r[2]) for r in rows))])
    con.print_table("Pending changes", ["table", "upserts", "deletes"], rows)
    if info.last_sync_at:
        summary = info.last_summary or {}
        con.out(
            f"Last sync: {info.last_sync_at} to {info.last_target} as user {info.last_user_id}"
            f" ({summary.get('upserted', 0)} upserted, {summary.get('deleted', 0)} deleted, "
            f"{summary.get('conflicts', 0)} conflicts)"
        )
    else:
        con.out("Last sync: never")
    if info.linked_user_id:
        con.out(f"Linked Supabase user: {info.linked_user_id}")
    else:
        con.out("Linked Supabase user: none yet (the first 'khepri sync --user-id UUID' links it)")
