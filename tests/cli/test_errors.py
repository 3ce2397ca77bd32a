"""The single exit point: every way a command can end is an exit code and at most one line."""

from __future__ import annotations

import io
import sqlite3

import pytest

from khepri_cli import __version__
from khepri_cli.cli.main import run_safely
from khepri_cli.errors import InvalidInput, KhepriError, NotFound, StorageError, UsageProblem


def one_line(run, code: int) -> str:
    assert run.exit_code == code, run.output
    assert run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith("khepri: error: ")
    assert "Traceback" not in run.output
    return run.stderr


# -- bugs ---------------------------------------------------------------------------


def explode(*_args, **_kwargs):
    raise ZeroDivisionError("division by zero")


def test_an_unexpected_exception_is_one_line_and_exit_1(khepri, monkeypatch):
    from khepri_cli.services import profile

    monkeypatch.setattr(profile, "save_profile", explode)
    line = one_line(khepri("init", "--name", "Ada"), 1)
    assert "unexpected error: ZeroDivisionError: division by zero" in line
    assert "--debug" in line  # says how to see more
    assert khepri.rows("SELECT * FROM athletes") == []


@pytest.mark.parametrize("how", ["flag", "env"])
def test_debug_shows_the_traceback(khepri, monkeypatch, how):
    from khepri_cli.services import profile

    monkeypatch.setattr(profile, "save_profile", explode)
    if how == "env":
        monkeypatch.setenv("KHEPRI_DEBUG", "1")
        run = khepri("init", "--name", "Ada")
    else:
        run = khepri("--debug", "init", "--name", "Ada")
    assert run.exit_code == 1
    assert "Traceback (most recent call last)" in run.stderr
    assert "in explode" in run.stderr
    last = run.stderr.strip().splitlines()[-1]
    assert last == "khepri: error: unexpected error: ZeroDivisionError: division by zero"


def test_a_sqlite_error_escaping_a_command_is_one_line(athlete, monkeypatch):
    from khepri_cli.services import profile

    def refused(*_args, **_kwargs):
        raise sqlite3.IntegrityError("CHECK constraint failed: ftp_watts BETWEEN 1 AND 2500")

    monkeypatch.setattr(profile, "update_profile", refused)
    line = one_line(athlete("profile", "set", "--ftp", "300"), 1)
    assert "CHECK constraint failed" in line and str(athlete.db_path) in line


def test_ctrl_c_mid_write_writes_nothing(khepri, monkeypatch):
    from khepri_cli.db import store

    real_insert = store.insert

    def insert_then_interrupt(conn, table, values):
        real_insert(conn, table, values)
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "insert", insert_then_interrupt)
    run = khepri("init", "--name", "Ada")
    assert run.exit_code == 130
    assert run.stderr.strip() == "Aborted: nothing was written."
    assert khepri.rows("SELECT * FROM athletes") == []
    assert khepri.rows("SELECT * FROM _khepri_pending_changes") == []


# -- bad usage --------------------------------------------------------------------------


def test_version(khepri):
    run = khepri.ok("--version")
    assert run.stdout == f"khepri {__version__}\n"
    assert run.stderr == ""


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--bogus"], ["No such option: --bogus", "'khepri --help'"]),
        (["profile", "--bogus"], ["No such option: --bogus", "'khepri profile --help'"]),
        (["init", "--bogus", "x"], ["No such option: --bogus", "'khepri init --help'"]),
        (["frobnicate"], ["No such command 'frobnicate'"]),
        (["init", "--name"], ["'--name' requires an argument"]),
        (["--db"], ["'--db' requires an argument"]),
    ],
)
def test_a_bad_option_is_one_line_and_exit_2(khepri, args, fragments):
    run = khepri(*args)
    line = one_line(run, 2)
    for fragment in fragments:
        assert fragment in line
    assert run.stdout == ""
    assert not khepri.db_path.exists()  # nothing was even opened


def test_bad_input_names_the_flag_and_writes_nothing(athlete):
    before = athlete.snapshot()
    line = one_line(athlete("profile", "set", "--ftp", "9999"), 2)
    assert "--ftp" in line and "9999" in line and "between 1 and 2500" in line
    assert athlete.snapshot() == before


def test_no_arguments_shows_the_help(khepri):
    run = khepri()
    assert run.exit_code == 0
    assert "Usage:" in run.stdout and "checkin" in run.stdout


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InvalidInput("--energy", "11", "must be between 1 and 10"), 2),
        (UsageProblem("give --yes to delete without a terminal"), 2),
        (NotFound("no goal with ID 'abc'"), 2),
        (StorageError("journal x.db is locked"), 1),
        (KhepriError("sync failed"), 1),
    ],
)
def test_khepri_errors_become_their_exit_code_and_one_line(capsys, error, code):
    def command():
        raise error

    assert run_safely(command, debug=False) == code
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"khepri: error: {error.message}\n"


def test_invalid_input_wording():
    error = InvalidInput("--energy", "11", "must be between 1 and 10")
    assert error.message == "--energy: '11' is not valid; must be between 1 and 10"
    long = InvalidInput("--notes", "x" * 200, "keep it short")
    assert len(long.message) < 120


def test_a_closed_pipe_is_quiet(capsys):
    def command():
        raise BrokenPipeError

    class Closed(io.StringIO):
        def fileno(self):  # run_safely points stdout at /dev/null
            return self._fd

    import os

    read_end, write_end = os.pipe()
    stream = Closed()
    stream._fd = os.dup(write_end)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr("sys.stdout", stream)
            assert run_safely(command, debug=False) == 1
    finally:
        for fd in (read_end, write_end, stream._fd):
            os.close(fd)
    assert capsys.readouterr().err == ""


# -- colour -----------------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def draw_on_a_terminal(monkeypatch, no_color: str | None) -> str:
    """Draw a table, readiness lights and the profile on a (fake) colour terminal.

    sys.stdout is swapped inside the test body (pytest re-installs its own
    capture between fixture set-up and the test), and the cached rich console
    is rebuilt around it.
    """
    from khepri_cli.domain.rows import new_row
    from khepri_cli.render import console, profile
    from khepri_cli.schema import Row
    from khepri_cli.schema.tables import ATHLETES

    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    screen = FakeTerminal()
    console.console.cache_clear()
    try:
        with pytest.MonkeyPatch.context() as swap:
            swap.setattr("sys.stdout", screen)
            console.print_table(
                "Goals",
                ["id", "light"],
                [["1a2b3c4d", console.light("red")], ["2c3d4e5f", console.light("green")]],
                styles={0: "bold cyan"},
                row_styles=["dim", None],
            )
            ada = new_row(ATHLETES, {"display_name": "Ada", "ftp_watts": 250})
            profile.show_profile(Row(ATHLETES, ada))
    finally:
        console.console.cache_clear()
    return screen.getvalue()


def test_a_terminal_gets_colour(monkeypatch):
    shown = draw_on_a_terminal(monkeypatch, no_color=None)
    assert "\x1b[" in shown  # so the NO_COLOR test below can fail
    assert "Goals" in shown and "Ada" in shown


@pytest.mark.parametrize("value", ["1", "true", "anything"])
def test_no_color_means_no_escape_codes_at_all(monkeypatch, value):
    shown = draw_on_a_terminal(monkeypatch, no_color=value)
    assert "\x1b" not in shown
    assert "Goals" in shown and "● red" in shown and "Ada" in shown


def test_an_empty_no_color_does_not_count(monkeypatch):
    """no-color.org: only a NO_COLOR that is present *and not empty* turns colour off."""
    assert "\x1b[" in draw_on_a_terminal(monkeypatch, no_color="")


def test_piped_output_is_plain_text(athlete):
    run = athlete.ok("profile")
    assert "\x1b" not in run.output
    assert "Ada" in run.stdout
