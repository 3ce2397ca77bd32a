"""Questions on a real terminal: asked on stderr, answered with line editing.

The check-in runs in a child process whose stdin and stderr are a
pseudo-terminal and whose stdout is a file, as in ``khepri checkin > out.txt``.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

pty = pytest.importorskip("pty")

QUESTIONS = 13  # the check-in's values, asked one by one
LEFT = "\x1b[D"


def run_on_a_terminal(args: list[str], keys: list[str], env: dict[str, str], out: Path) -> str:
    """Run khepri with a terminal for stdin and stderr, typing ``keys`` one answer at a time."""
    main, child = pty.openpty()
    with out.open("w") as stdout:
        process = subprocess.Popen(
            [sys.executable, "-c", "from khepri_cli.cli.main import main; main()", *args],
            stdin=child,
            stdout=stdout,
            stderr=child,
            env=env,
            close_fds=True,
        )
    os.close(child)
    screen = b""
    for answer in keys:
        screen += read_until(main, b": ", process)
        os.write(main, answer.encode())
    deadline = time.monotonic() + 20
    while process.poll() is None and time.monotonic() < deadline:
        screen += read_until(main, b"\n", process, wait=0.2)
    if process.poll() is None:  # still asking: an answer was not taken as typed
        process.kill()
    process.wait(timeout=5)
    os.close(main)
    return screen.decode(errors="replace")


def read_until(fd: int, marker: bytes, process: subprocess.Popen, wait: float = 20) -> bytes:
    seen = b""
    deadline = time.monotonic() + wait
    while marker not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
        elif process.poll() is not None:
            break
    return seen


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_questions_go_to_the_terminal_and_answers_can_be_edited(athlete, tmp_path):
    env = {
        **os.environ,
        "KHEPRI_DB": str(athlete.db_path),
        "TERM": "xterm",
        "INPUTRC": "/dev/null",
    }
    # ".5", two steps left, "7": with line editing that is 7.5; without, it is refused.
    keys = [f".5{LEFT}{LEFT}7\r", *["\r"] * (QUESTIONS - 1)]
    out = tmp_path / "out.txt"
    screen = run_on_a_terminal(["checkin"], keys, env, out)
    assert "Sleep hours (e.g. 7.5 or 7:30): " in screen
    assert "Sleep hours" not in out.read_text()
    assert "Readiness for 2026-11-25" in out.read_text()
    assert athlete.rows("SELECT sleep_hours FROM daily_checkins") == [{"sleep_hours": 7.5}]
