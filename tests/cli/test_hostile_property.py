"""Property: every command, given hostile values for any of its options, ends cleanly.

The command tree is walked as ``khepri --help`` sees it; for each command
hypothesis draws values for its arguments and any of its options: control
characters, huge and tiny numbers, NaN and infinity spellings, far dates,
long, empty and non-Latin text, shell and markup look-alikes, plus a few
plausible values so that some commands get as far as writing. Whatever is
drawn, the command

* exits 0 (done) or 2 (refused), never 1 with "unexpected error" and never
  a traceback; only ``khepri sync``, which talks to a server, may fail at
  run time (exit 1, one line);
* says why it refused in exactly one line on stderr;
* leaves the journal byte for byte as it was when it refused;
* writes no control character it did not make (no ANSI escapes when piped).

The values never hold NUL: no shell can put one in an argument.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.core import TyperArgument

from tests.test_help import TREE, name_of

EXAMPLES = int(os.environ.get("KHEPRI_HOSTILE_EXAMPLES", "30"))
"""Per command: about 45 commands x 30 examples run in well under a minute."""

HOSTILE_TEXT = [
    "",
    " ",
    "\t",
    "-",
    "--",
    "0",
    "-1",
    "1e308",
    "-1e308",
    "1e-308",
    "1e400",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "99999999999999999999999",
    "9" * 400,
    "9" * 5000 + ":00:00",
    "9" * 5000 + "h",
    "9" * 5000 + "'1",
    "0x1F",
    "1_000",
    "٣",
    "7,5",
    "24:01",
    "99:99",
    "0001-01-01",
    "0001-01-28",
    "9999-12-31",
    "2026-02-30",
    "tomorrow",
    "\x1b[2J\x1b[31mX",
    "a\nb",
    "\r\n",
    "\x9b31m",
    "x" * 5000,
    "🏃\u200d♀️ Zoë 東京",
    "RTL \u202e",
    "legs=99",
    "legs=1e308",
    "none,bike_trainer",
    "'; DROP TABLE goals; --",
    "[bold red]x[/]",
    "%s%n{0}",
    "\udcff",
    "..",
    "/",
]
PLAUSIBLE = [
    "7",
    "7.5",
    "today",
    "yesterday",
    "2026-11-20",
    "2027-05-01",
    "A",
    "mild",
    "home",
    "imperial",
    "Europe/London",
    "legs=3",
    "running",
    "mon,wed",
    "6:30",
    "4:30",
    "1:35",
    "5:15:00",
    "70",
    "none",
    "gym,pool",
    "ftp",
    "accepted",
]
CHOICES = ["race", "performance", "fitness", "health", "injury", "travel", "availability"]

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
VALUES = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.sampled_from(PLAUSIBLE),
    st.sampled_from(PLAUSIBLE),
    TEXT,
    NUMBERS,
)
"""Hostile values, and plausible ones often enough that some commands get as far as writing."""
SOMETIMES = st.sampled_from([True, False, False])
"""Whether an option is given: one in three, so that a command often has a single one."""
RAW_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def commands() -> list[tuple[tuple[str, ...], object]]:
    """Every command below the root, with its own (not the hidden global) parameters."""
    return [(path, command) for path, command in TREE if path]


def argument_values(ids: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(ids), st.sampled_from(CHOICES), VALUES)


@st.composite
def command_lines(draw: st.DrawFn, path: tuple[str, ...], command, ids: list[str]) -> list[str]:
    """``path``, a value for each argument, then any of the options with drawn values."""
    line = list(path)
    for param in command.params:
        if isinstance(param, TyperArgument):
            line.append(draw(argument_values(ids)))
    for param in command.params:
        if isinstance(param, TyperArgument) or param.hidden or not draw(SOMETIMES):
            continue
        flag = next(opt for opt in param.opts if opt.startswith("--"))
        if param.is_flag:
            line.append(flag)
            continue
        for value in draw(st.lists(VALUES, min_size=1, max_size=2 if param.multiple else 1)):
            line += [flag, value]
    return line


def journal_bytes(path: Path) -> bytes:
    """The journal file and its write-ahead log, as they are on disk."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


@pytest.fixture
def journal(athlete):
    """The conftest athlete with a goal, a constraint and two check-ins to aim at."""
    for kind, title in (("goals", "race"), ("constraints", "injury")):
        athlete.ok(kind, "add", title, "Target", "--json")
    athlete.ok("checkin", "--energy", "7")
    athlete.ok("checkin", "--date", "2026-11-20", "--sleep-hours", "7")
    return athlete


@pytest.mark.parametrize(("path", "command"), commands(), ids=[name_of(p) for p, _ in commands()])
def test_every_command_survives_hostile_values(journal, path, command):
    ids = [
        row["id"][:8]
        for t in ("goals", "constraints")
        for row in journal.rows(f"SELECT id FROM {t}")
    ]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(line=command_lines(path, command, ids))
    def survives(line: list[str]) -> None:
        before = journal_bytes(journal.db_path)
        run = journal(*line)
        shown = json.dumps(line, ensure_ascii=True)[:300]
        allowed = {0, 1, 2} if path == ("sync",) else {0, 2}
        assert run.exit_code in allowed, f"{shown}: exit {run.exit_code}: {run.stderr}"
        assert "unexpected error" not in run.stderr, f"{shown}: {run.stderr}"
        assert "Traceback" not in run.output, f"{shown}: {run.output}"
        assert not RAW_CONTROLS.search(run.output), f"{shown}: {run.output!r}"
        if run.exit_code != 0:
            assert run.stderr.startswith("khepri: error: "), f"{shown}: {run.stderr}"
            assert run.stderr.count("\n") == 1, f"{shown}: {run.stderr}"
        if run.exit_code == 2:
            assert journal_bytes(journal.db_path) == before, f"{shown} refused but wrote"

    survives()
