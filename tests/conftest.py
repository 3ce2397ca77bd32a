"""Shared fixtures: every test gets its own journal file; nothing touches the real home."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from khepri_cli.cli.main import app


@pytest.fixture(autouse=True)
def khepri_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the journal, the data and configuration folders at a temporary directory."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for name in (
        "KHEPRI_CONFIG_DIR",
        "SUPABASE_URL",
        "SUPABASE_PUBLISHABLE_KEY",
        "SUPABASE_ANON_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KHEPRI_DB", str(tmp_path / "journal.db"))
    monkeypatch.setenv("KHEPRI_NOW", "2026-11-25T07:30:00Z")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("SUPABASE_DB_URL", raising=False)
    monkeypatch.delenv("KHEPRI_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "journal.db"


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class Khepri:
    """Drives the CLI in-process the way a user does; stdin is never a terminal here."""

    def __init__(self, db_path: Path):
        self.db_path = db_path
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> Run:
        result = self.runner.invoke(app, list(args), input=input, catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    def ok(self, *args: str, input: str | None = None) -> Run:
        run = self(*args, input=input)
        assert run.exit_code == 0, run.output
        return run

    def json(self, *args: str) -> object:
        """What ``khepri *args --json`` prints, parsed."""
        return json.loads(self.ok(*args, "--json").stdout)

    def table(self, *args: str) -> list[dict[str, str]]:
        """The plain (piped) table a list command prints, as dicts keyed by its headers."""
        header, *lines = self.ok(*args).stdout.rstrip("\n").splitlines()
        starts = [m.start() for m in re.finditer(r"\S+(?: \S+)*", header)]
        ends = [*starts[1:], None]
        names = [header[a:b].strip() for a, b in zip(starts, ends, strict=True)]
        return [
            {n: line[a:b].strip() for n, a, b in zip(names, starts, ends, strict=True)}
            for line in lines
        ]

    def refused(self, *args: str, message: str, code: int = 2) -> Run:
        """A command that must fail: one stderr line naming ``message``, nothing written."""
        before = self.snapshot()
        run = self(*args)
        assert run.exit_code == code, run.output
        assert message in run.stderr, run.stderr
        assert run.stderr.startswith("khepri: error: ") and run.stderr.count("\n") == 1
        assert run.stdout == "" and "Traceback" not in run.output
        assert self.snapshot() == before
        return run

    def rows(self, sql: str, params: tuple = ()) -> list[dict]:
        conn = sqlite3.connect(self.db_path)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql, params)]
        finally:
            conn.close()

    def snapshot(self) -> bytes:
        """Every row of every table, to prove a failed command wrote nothing."""
        if not self.db_path.exists():
            return b""
        conn = sqlite3.connect(self.db_path)
        try:
            return "\n".join(conn.iterdump()).encode()
        finally:
            conn.close()


@pytest.fixture
def khepri(db_path: Path) -> Khepri:
    return Khepri(db_path)


@pytest.fixture
def athlete(khepri: Khepri) -> Khepri:
    """A journal with a profile (metric, Europe/London, resting HR 50)."""
    khepri.ok(
        "init",
        "--name",
        "Ada",
        "--ftp",
        "250",
        "--threshold-pace",
        "4:30",
        "--resting-hr",
        "50",
        "--max-hr",
        "188",
        "--timezone",
        "Europe/London",
    )
    return khepri
