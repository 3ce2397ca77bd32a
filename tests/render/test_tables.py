"""Tables on terminals of every width, and output that no stored text can take control of.

A terminal is faked with a rich console of a given width writing to a string;
piped output is what the CLI runner captures.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from rich.console import Console

from khepri_cli.render import checkin as render_checkin
from khepri_cli.render import console as con
from khepri_cli.render.console import fit_widths, one_line, printable_json, visible

LONG_TITLE = "Cascais 70.3, the season's main race, " + "with a long story " * 6


@contextmanager
def terminal(monkeypatch: pytest.MonkeyPatch, width: int) -> Iterator[io.StringIO]:
    """Everything drawn for stdout goes to a terminal ``width`` columns wide."""
    screen = io.StringIO()
    fake = Console(file=screen, width=width, force_terminal=True, color_system=None)
    with monkeypatch.context() as patch:
        for module in (con, render_checkin):
            patch.setattr(module, "is_terminal", lambda stream=None: True)
            patch.setattr(module, "console", lambda: fake)
        yield screen


@pytest.fixture
def journal(athlete):
    """Check-ins, goals and constraints whose cells are as wide as they get."""
    days = {
        "2026-11-25": ["--sleep-hours", "7:30", "--sleep-quality", "8", "--energy", "10"],
        "2026-11-24": [
            "--stress",
            "10",
            "--soreness",
            "10",
            "--resting-hr",
            "188",
            "--hrv",
            "123.4",
        ],
        "2026-11-23": ["--energy", "6", "--hrv", "65"],
    }
    for day, values in days.items():
        athlete.ok("checkin", "--date", day, *values)
    athlete.ok("checkin", "respond", "alternative", "--date", "2026-11-24")
    athlete.ok(
        "goals", "add", "race", LONG_TITLE, "--date", "2027-10-03", "--priority", "A",
        "--distance", "70.3", "--target-time", "5:15:00",
    )  # fmt: skip
    athlete.ok(
        "goals", "add", "performance", "FTP", "--metric", "ftp", "--current", "250",
        "--target", "99999999.99",
    )  # fmt: skip
    athlete.ok(
        "constraints", "add", "availability", "Busy month at work", "--hours-per-week", "7.5",
        "--days", "mon,wed,fri,sun", "--start", "2027-09-01", "--end", "2027-09-30",
    )  # fmt: skip
    athlete.ok(
        "constraints", "add", "injury", "Knee", "--body-part", "left_knee", "--severity",
        "moderate", "--restrict", "running",
    )  # fmt: skip
    return athlete


TITLES = ("Check-ins ", "Goals (", "Constraints (")


def table_lines(screen: io.StringIO) -> list[str]:
    """The lines of every table drawn, below each header rule (titles and headers left out)."""
    lines, inside = [], False
    for line in screen.getvalue().splitlines():
        if set(line.strip()) == {"─"}:
            inside = True
        elif line.startswith(TITLES):
            inside = False
        elif inside:
            lines.append(line)
    return lines


def whole_words(journal) -> list[str]:
    """Every date, ID, number and light the three lists must show unbroken."""
    words = ["2026-11-25", "2026-11-24", "2026-11-23", "123.4", "188", "65", "10", "7.5"]
    words += ["2027-10-03", "2027-09-01", "2027-09-30", "312"]
    words += ["● green", "● red"]
    for table in ("goals", "constraints"):
        words += [row["id"][:8] for row in journal.rows(f"SELECT id FROM {table}")]
    return words


@pytest.mark.parametrize("width", [60, 80, 120])
def test_no_date_id_number_or_light_is_split_at_any_width(journal, monkeypatch, width):
    commands = [["checkins"], ["goals", "list", "--all"], ["constraints", "list", "--all"]]
    with terminal(monkeypatch, width) as screen:
        for command in commands:
            journal.ok(*command)
    lines = table_lines(screen)
    assert all(len(line) <= width for line in screen.getvalue().splitlines())
    for word in whole_words(journal):
        assert any(word in line for line in lines), f"{word!r} is split at {width} columns"


def test_at_80_columns_each_row_is_one_line_and_long_text_is_cut(journal, monkeypatch):
    with terminal(monkeypatch, 80) as screen:
        journal.ok("checkins")
        journal.ok("goals", "list")
        journal.ok("constraints", "list", "--all")
    lines = table_lines(screen)
    assert len(lines) == 3 + 2 + 2  # one line per row: nothing wrapped
    assert any("…" in line for line in lines)
    assert LONG_TITLE.strip() not in screen.getvalue()


def test_piped_tables_keep_long_text_whole_on_one_line(journal):
    listed = journal.ok("goals", "list").stdout.splitlines()
    assert len(listed) == 1 + 2
    assert LONG_TITLE.strip() in listed[1] or LONG_TITLE.strip() in listed[2]


def test_fit_widths_gives_way_in_order():
    headers = ["ID", "type", "title", "when"]
    cells = [["3f2a9c1d", "availability", "A rather long title", "starts in 280 days"]]
    roles = {"free_text": (2,), "names": (1,)}
    assert fit_widths(headers, cells, 100, **roles) == [8, 12, 19, 18]
    # the title gives way first (two spaces between columns)...
    assert fit_widths(headers, cells, 50, **roles) == [8, 12, 6, 18]
    # ...then the phrase wraps between its words, no narrower than its longest word...
    assert fit_widths(headers, cells, 40, **roles) == [8, 12, 4, 10]
    # ...then the type name is cut
    assert fit_widths(headers, cells, 30, **roles) == [8, 6, 4, 6]
    # the ID never shrinks below its word
    assert fit_widths(headers, cells, 10, **roles)[0] == 8


def test_numbers_are_written_as_people_write_them(journal):
    listed = journal.ok("goals", "list").stdout
    assert "99999999.99" in listed and "e+" not in listed


# -- stored text never controls the terminal ------------------------------------------------

HOSTILE = "Race\x1b[2J\x1b[31m red\nsecond line\x07\x9b1m"


def store_legacy_rows(khepri) -> str:
    """A goal and a check-in written before the text rule existed, straight into SQLite."""
    athlete_id = khepri.rows("SELECT id FROM athletes")[0]["id"]
    goal_id = str(uuid.uuid4())
    stamp = "2026-11-25T07:30:00.000000Z"
    conn = sqlite3.connect(khepri.db_path)
    with conn:
        conn.execute(
            "INSERT INTO goals (id, athlete_id, goal_type, title, description, race_distance,"
            " created_at, updated_at) VALUES (?, ?, 'race', ?, ?, ?, ?, ?)",
            (goal_id, athlete_id, HOSTILE, HOSTILE, HOSTILE, stamp, stamp),
        )
        conn.execute(
            "INSERT INTO daily_checkins (id, athlete_id, checkin_date, user_response_notes, notes,"
            " ai_recommendation, created_at, updated_at) VALUES (?, ?, '2026-11-20', ?, ?, ?, ?, ?)",
            (
                str(uuid.uuid4()),
                athlete_id,
                HOSTILE,
                HOSTILE,
                json.dumps({"readiness": HOSTILE, "advice": HOSTILE, "signs": []}),
                stamp,
                stamp,
            ),
        )
    conn.close()
    return goal_id


RAW_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@pytest.mark.parametrize("on_terminal", [False, True])
def test_stored_control_characters_are_shown_escaped(athlete, monkeypatch, on_terminal):
    goal_id = store_legacy_rows(athlete)
    commands = [
        ["goals", "list"],
        ["goals", "show", goal_id[:8]],
        ["goals", "complete", goal_id[:8]],
        ["checkins", "--since", "2026-11-01"],
        ["checkins", "show", "2026-11-20"],
        ["goals", "list", "--all", "--json"],
        ["checkins", "show", "2026-11-20", "--json"],
        ["export"],
    ]
    for command in commands:
        if on_terminal:
            with terminal(monkeypatch, 100) as screen:
                run = athlete.ok(*command)
            shown = screen.getvalue() + run.stdout
        else:
            run = athlete.ok(*command)
            shown = run.stdout
        assert not RAW_CONTROLS.search(shown + run.stderr), (command, shown + run.stderr)
        assert "\\x1b" in shown + run.stderr or "\\u001b" in shown, command


def test_a_stored_line_break_does_not_split_a_row_of_the_plain_list(athlete):
    store_legacy_rows(athlete)
    lines = athlete.ok("goals", "list").stdout.splitlines()
    assert len(lines) == 2
    assert "Race\\x1b[2J\\x1b[31m red\\nsecond line\\x07\\x9b1m" in lines[1]


def test_the_escaping_functions():
    assert one_line("a\x1b[2Jb\nc\td") == "a\\x1b[2Jb\\nc\\td"
    assert visible("a\x1bb\nc") == "a\\x1bb\nc"
    assert one_line("Maratón 東京 🏃") == "Maratón 東京 🏃"
    text = json.dumps({"title": "a\x9bb\x7f\x1b"}, ensure_ascii=False)
    assert printable_json(text) == '{"title": "a\\u009bb\\u007f\\u001b"}'
    assert json.loads(printable_json(text)) == {"title": "a\x9bb\x7f\x1b"}
