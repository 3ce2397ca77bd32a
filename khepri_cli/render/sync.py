"""Showing a sync: the progress bar, the per-table summary, conflicts, kept changes, status."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from khepri_cli.render import console as con

if TYPE_CHECKING:
    from khepri_cli.services.sync import SyncStatus
    from khepri_cli.sync.report import SyncReport

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
    """The per-table summary on stdout; what happened, and what did not, on stderr."""
    if as_json:
        con.emit_json(result.to_json())
    else:
        verbs = ["would pull", "would push"] if result.dry_run else ["pulled", "pushed"]
        headers = ["table", *verbs, "conflicts", "kept"]
        rows = [
            [t.table, str(t.pulled_total), str(t.pushed), str(t.conflicts), str(t.kept)]
            for t in result.tables
        ]
        totals = [sum(int(row[i]) for row in rows) for i in range(1, 5)]
        rows.append(["total", *map(str, totals)])
        title = "Dry run: nothing was written" if result.dry_run else "Sync"
        con.print_table(title, headers, rows, styles={3: "yellow", 4: "red"})
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
    for note in result.notes:
        con.say(f"note: {note}")
    for conflict in result.conflicts:
        row = f" {con.short_id(conflict.row_id)}" if conflict.row_id else ""
        con.say(f"conflict: {conflict.table}{row}: {conflict.detail}")
    for kept in result.kept:
        row = f" row {kept.row_id}" if kept.row_id else f" ({kept.rows} change(s))"
        con.say(f"kept pending: {kept.table}{row}: {kept.reason}")
    pulled, pushed = result.pulled, result.upserted + result.deleted
    where = f"{result.target} as user {result.user_id}"
    if result.dry_run:
        con.say(
            f"Dry run: {pulled} change(s) would be pulled from and {pushed} pushed to {where}; "
            f"nothing was written."
        )
    elif pulled == pushed == 0 and not result.kept:
        con.say(f"Nothing to pull or push: the journal and {where} agree.")
    else:
        con.say(
            f"Pulled {pulled} and pushed {pushed} change(s) with {where} in {result.seconds:.1f} s."
        )
    if result.still_pending:
        con.say(
            f"{result.still_pending} change(s) made during the sync are still pending; "
            f"run 'khepri sync' again to send them."
        )


def status(info: SyncStatus, as_json: bool) -> None:
    """Pending changes per table, the last sync, what the remote is, and conflicts on record."""
    if as_json:
        con.emit_json(info.to_json())
        return
    rows = [[table, str(ops["upsert"]), str(ops["delete"])] for table, ops in info.pending.items()]
    rows.append(["total", str(sum(int(r[1]) for r in rows)), str(sum(int(r[2]) for r in rows))])
    con.print_table("Pending changes", ["table", "upserts", "deletes"], rows)
    if info.last_sync_at:
        summary = info.last_summary or {}
        con.out(
            f"Last sync: {info.last_sync_at} with {info.last_target} as user {info.last_user_id}"
            f" ({summary.get('pulled', 0)} pulled, {summary.get('upserted', 0)} upserted, "
            f"{summary.get('deleted', 0)} deleted, {summary.get('conflicts', 0)} conflicts, "
            f"{summary.get('kept', 0)} kept pending)"
        )
    else:
        con.out("Last sync: never")
    if info.remote:
        con.out(f"Remote: {info.remote['description']}")
    if info.linked_user_id:
        con.out(f"Linked Supabase user: {info.linked_user_id}")
    else:
        con.out("Linked Supabase user: none yet (the first 'khepri sync --user-id UUID' links it)")
    if info.conflicts:
        con.out(f"Conflicts on record: {info.conflicts} ('khepri sync conflicts' lists them)")


def conflicts(rows: list[dict[str, Any]], as_json: bool) -> None:
    """Every conflict on record: when, which row and column, both values, which was kept."""
    if as_json:
        con.emit_json(rows)
        return
    from khepri_cli.sync.messages import show

    table = [
        [
            row["synced_at"][:19].replace("T", " "),
            row["table_name"],
            con.short_id(row["row_id"]),
            row["column_name"] or row["kind"],
            "" if row["column_name"] is None else show(row["local_value"]),
            "" if row["column_name"] is None else show(row["remote_value"]),
            row["kept"] or "",
        ]
        for row in rows
    ]
    headers = ["when (UTC)", "table", "row", "column / what", "here", "there", "kept"]
    con.print_table("Sync conflicts", headers, table, empty="No conflicts on record.")
