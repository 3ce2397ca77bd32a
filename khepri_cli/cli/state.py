"""What every command shares: the global options, the open journal, what the user typed."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from khepri_cli.db.connection import Journal
    from khepri_cli.schema import Row


class AppState:
    """The global options of this run and the journal, opened on first use."""

    def __init__(self, db_path: Path | None = None, no_input: bool = False, debug: bool = False):
        self.db_path = db_path
        self.no_input = no_input
        self.debug = debug
        self.typed: dict[str, tuple[str, Any]] = {}
        """column -> (the flag or argument the user typed it with, the text typed)."""
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

    def journal(self, *, create: bool = False) -> Journal:
        """The journal file, opened (and migrated) on first use.

        Only the commands that make a journal (``init``, ``import``) pass
        ``create``; every other command needs the file to exist already and
        never leaves an empty one (or its folders) behind.
        """
        if self._journal is None:
            from khepri_cli.db.connection import open_journal

            self._journal = open_journal(self.db_path, create=create)
        return self._journal

    @contextmanager
    def journal_made_if_missing(self) -> Iterator[Journal]:
        """The journal, created when missing; one this run created is removed again if the command fails.

        For ``khepri sync`` on a new machine: a sync that cannot reach the
        remote leaves no empty journal behind.
        """
        from khepri_cli.db.connection import default_db_path

        path = self.db_path if self.db_path is not None else default_db_path()
        fresh = not path.exists()
        journal = self.journal(create=True)
        try:
            yield journal
        except BaseException:
            if fresh:
                journal.close()
                self._journal = None
                for leftover in (
                    path,
                    path.with_name(path.name + "-wal"),
                    path.with_name(path.name + "-shm"),
                ):
                    leftover.unlink(missing_ok=True)
            raise

    def athlete(self) -> Row:
        """The journal's athlete; a clear error when ``khepri init`` has not run yet."""
        from khepri_cli.db.repo_athletes import require_athlete

        return require_athlete(self.journal().conn)

    def find_athlete(self) -> Row | None:
        """The journal's athlete, or None without a journal or a profile (nothing is created).

        For reading what was typed before asking the journal for anything, so
        a bad value is reported as such even before ``khepri init``.
        """
        from khepri_cli.db.repo_athletes import get_athlete
        from khepri_cli.errors import NoJournal

        try:
            return get_athlete(self.journal().conn)
        except NoJournal:
            return None

    def remember(self, column: str, flag: str, text: Any) -> None:
        """Note what the user typed for ``column``, so an error about it names their flag."""
        if text is not None:
            self.typed[column] = (flag, text)

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
