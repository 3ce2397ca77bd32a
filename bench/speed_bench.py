"""Is Khepri fast everywhere? Every row of issue 9's table, each against a baseline from the same run.

Whole processes, timed as a user runs them (stdout to a pipe's end, no
terminal), with the commands and their baselines interleaved round by round
so a busy machine slows both alike; medians of the rounds, compared as
ratios. Peak memory is the operating system's count for each process.

  rows                                                   baseline                   goal
  khepri checkin with flags, 10-year journal             python -c "import typer"   2x
  the same, 10-year journal against an empty one         (flat)                     1.1x
  checkins, goals list, constraints list, profile,
  export of the profile, goals and constraints           python -c "import typer"   1.5x
  khepri --help                                          python -c "import typer"   1.5x
  khepri export -o, 100,000 rows                         bench/floor_export.py      1.5x, same bytes
  khepri import, 100,000 rows, new journal               bench/floor_import.py      1.2x, < 150 MB

    python bench/speed_bench.py [--runs 15] [--big-runs 3] [--rows 100000] [--years 10]
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from checkin_bench import CHECKIN_FLAGS, khepri_executable

HERE = Path(__file__).resolve().parent
NOW = "2026-11-25T07:30:00Z"
MIB = 1024  # ru_maxrss is in KiB on Linux


@dataclass
class Runs:
    """Wall seconds and peak memory (MiB) of every run of one command."""

    seconds: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak(self) -> float:
        return max(self.peaks)


def run(command: list[str], env: dict[str, str], into: Runs | None = None) -> None:
    """One whole process; its wall time and peak memory added to ``into``."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}")
    if into is not None:
        into.seconds.append(elapsed)
        into.peaks.append(usage.ru_maxrss / MIB)


def build_journal(path: Path, years: int, rows: int | None = None) -> None:
    """checkin_bench's journal (``years`` of days, or ``rows`` rows), built in a process of
    its own.

    A child's peak memory counts its parent's at the moment it was forked,
    so this process stays small: it never imports Khepri.
    """
    build = "build_rows(path, rows)" if rows is not None else "build_journal(path, years)"
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
        "from checkin_bench import build_journal, build_rows;"
        "path, years, rows = Path(sys.argv[2]), int(sys.argv[3]), eval(sys.argv[4]);"
        f"{build}"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(HERE), str(path), str(years), repr(rows)], check=True
    )


def remove_journal(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@dataclass
class Row:
    name: str
    figure: Runs
    baseline: Runs
    goal: float
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.figure.median / self.baseline.median

    def line(self) -> str:
        met = "met" if self.ratio <= self.goal else "NOT met"
        return (
            f"{self.name:<46} {self.figure.median * 1000:>8.0f} ms {self.baseline.median * 1000:>8.0f} ms"
            f" {self.ratio:>6.2f}x  <= {self.goal:g}x  {met}{self.note}"
        )


def everyday(khepri: list[str], workdir: Path, runs: int, years: int) -> list[Row]:
    """The check-in and the everyday reads against ``import typer``, in interleaved rounds."""
    empty, full = workdir / "empty.db", workdir / "ten-years.db"
    build_journal(empty, 0)
    build_journal(full, years)
    base = {**os.environ, "KHEPRI_NOW": NOW, "NO_COLOR": "1"}
    base.pop("PYTHONDONTWRITEBYTECODE", None)  # .pyc files as users have them
    on_full = {**base, "KHEPRI_DB": str(full)}
    commands = {
        "typer": ([sys.executable, "-c", "import typer"], base),
        "checkin empty": (khepri + CHECKIN_FLAGS, {**base, "KHEPRI_DB": str(empty)}),
        f"khepri checkin (flags), {years}-year journal": (khepri + CHECKIN_FLAGS, on_full),
        "khepri checkins": ([*khepri, "checkins"], on_full),
        "khepri goals list": ([*khepri, "goals", "list"], on_full),
        "khepri constraints list": ([*khepri, "constraints", "list"], on_full),
        "khepri profile": ([*khepri, "profile"], on_full),
        "khepri export -t athletes,goals,constraints": (
            [*khepri, "export", "-t", "athletes,goals,constraints"],
            on_full,
        ),
        "khepri --help": ([*khepri, "--help"], on_full),
    }
    for command, env in commands.values():  # warm-up: caches, .pyc files
        run(command, env)
    timed = {name: Runs() for name in commands}
    for _ in range(runs):
        for name, (command, env) in commands.items():
            run(command, env, timed[name])
    typer = timed.pop("typer")
    empty_checkin = timed.pop("checkin empty")
    rows = []
    for name, runs_of in timed.items():
        goal = 2.0 if "checkin (flags)" in name else 1.5
        rows.append(Row(name, runs_of, typer, goal))
    checkin = timed[f"khepri checkin (flags), {years}-year journal"]
    rows.append(Row("  the same, against an empty journal", checkin, empty_checkin, 1.1))
    return rows


def bulk(khepri: list[str], workdir: Path, runs: int, count: int) -> list[Row]:
    """Export and import of ``count`` rows against the floor scripts, in rounds.

    The rows are check-ins, one a day back from today, and (past the 40,000 days a
    journal's check-ins can cover) sessions: see checkin_bench.build_rows.
    """
    big = workdir / "big.db"
    started = time.perf_counter()
    build_journal(big, 0, count)
    print(f"built a journal of {count:,} rows in {time.perf_counter() - started:.0f} s")
    env = {**os.environ, "KHEPRI_NOW": NOW}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    document, floor_document = workdir / "export.json", workdir / "floor.json"
    new, floor_new = workdir / "imported.db", workdir / "floor-imported.db"
    exports, export_floor, imports, import_floor = Runs(), Runs(), Runs(), Runs()
    export = [*khepri, "--db", str(big), "export", "-o", str(document)]
    floor = [sys.executable, str(HERE / "floor_export.py"), str(big), str(floor_document)]
    for _ in range(runs):
        run(export, env, exports)
        run(floor, env, export_floor)
        for path in (new, floor_new):
            remove_journal(path)
        run([*khepri, "--db", str(new), "import", str(document)], env, imports)
        run(
            [sys.executable, str(HERE / "floor_import.py"), str(document), str(floor_new)],
            env,
            import_floor,
        )
    same = filecmp.cmp(document, floor_document, shallow=False)
    size = document.stat().st_size / 1e6
    return [
        Row(
            f"khepri export -o, {count:,} rows",
            exports,
            export_floor,
            1.5,
            f"; same document: {'yes' if same else 'NO'} ({size:.0f} MB); "
            f"peak {exports.peak:.0f} MiB (floor {export_floor.peak:.0f})",
        ),
        Row(
            f"khepri import, {count:,} rows, new journal",
            imports,
            import_floor,
            1.2,
            f"; peak {imports.peak:.0f} MiB, goal < 150 "
            f"({'met' if imports.peak < 150 else 'NOT met'}; floor {import_floor.peak:.0f})",
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="rounds of the everyday commands")
    parser.add_argument("--big-runs", type=int, default=3, help="rounds of export and import")
    parser.add_argument(
        "--rows",
        type=int,
        default=100_000,
        help="rows to export and import (check-ins, then sessions)",
    )
    parser.add_argument("--years", type=int, default=10, help="years of daily check-ins")
    parser.add_argument("--no-bulk", action="store_true", help="only the everyday commands")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="khepri-speed-"))
    khepri = khepri_executable()
    try:
        rows = everyday(khepri, workdir, args.runs, args.years)
        if not args.no_bulk:
            rows += bulk(khepri, workdir, args.big_runs, args.rows)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"\nmedians of {args.runs} rounds ({args.big_runs} for {args.rows:,} rows);"
        " baseline: python -c 'import typer', or the floor script\n"
    )
    print(f"{'row':<46} {'figure':>11} {'baseline':>11} {'ratio':>7}  goal")
    for row in rows:
        print(row.line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
