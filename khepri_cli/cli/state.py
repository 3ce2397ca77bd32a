"""What every command shares: the global options and the open journal."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from khepri_cli.db.connection import Journal
    from khepri_cli.models.athlete import Athlete


class AppState:
    """The global options of this run and the journal, opened on first use."""

    def __init__(self, db_path: Path | None = None, no_input: bool = False, debug: bool = False):
        self.db_path = db_path
        self.no_input = no_input
        self.debug = debug
        self._journal: Journal | None = None

    @property
    def interactive(self) -> bool:
        """May we prompt? Only on a terminal, and never with --no-input."""
        if self.no_input:
            return False
        try:
            return sys.stdin.isatty()
        except (AttributeError, ValueError):
            return False

    def journal(self) -> Journal:
        """The journal file, opened (and migrated) on first use."""
        if self._journal is None:
            from khepri_cli.db.connection import open_journal

            self._journal = open_journal(self.db_path)
        return self._journal

    def athlete(self) -> Athlete:
        """The journal's athlete; a clear error when ``khepri init`` has not run yet."""
        from khepri_cli.db import repo_athletes

        return repo_athletes.require_athlete(self.journal().conn)

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None


def state(ctx: typer.Context) -> AppState:
    """The AppState of this invocation (set up by the root callback)."""
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj
