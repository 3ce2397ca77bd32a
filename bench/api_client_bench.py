"""What does each way of talking to the Supabase API cost to load? Import times, fresh processes.

Each candidate is imported in a new interpreter, interleaved with the others
(A B C ..., A B C ...) so drift on a noisy machine hits them alike; medians are
shown next to ``python -c pass`` and ``import typer`` from the same run:

  * ``http.client`` + ``ssl`` + ``json``      the standard library alone
  * ``httpx``                                 the HTTP client Khepri uses, imported plainly
                                              (next to Khepri it loads its own command line:
                                              click, rich, pygments) and as Khepri imports it
  * ``khepri_cli.sync.supabase_api.client``   Khepri's whole API client (httpx included)
  * ``supabase_auth``, ``postgrest``, both    the official clients (pydantic, pyjwt, ...)

The official clients are not dependencies of Khepri: point ``--official-python``
at an interpreter that has them (``pip install supabase_auth postgrest``); they
are skipped where they cannot be imported.

    python bench/api_client_bench.py [--runs 15] [--official-python /path/to/venv/bin/python]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

OURS = {
    "python -c pass": "pass",
    "import typer": "import typer",
    "http.client + ssl + json": "import http.client, ssl, json",
    "httpx": "import httpx",
    "httpx, its command line skipped": "import sys; sys.modules['httpx._main'] = None; import httpx",
    "khepri's API client": "import khepri_cli.sync.supabase_api.client",
}
OFFICIAL = {
    "supabase_auth": "import supabase_auth",
    "postgrest": "import postgrest",
    "supabase_auth + postgrest": "import supabase_auth, postgrest",
}


def importable(python: str, code: str) -> bool:
    return subprocess.run([python, "-c", code], capture_output=True).returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--official-python", default=sys.executable)
    args = parser.parse_args()
    cases = {name: (sys.executable, code) for name, code in OURS.items()}
    for name, code in OFFICIAL.items():
        if importable(args.official_python, code):
            cases[name] = (args.official_python, code)
        else:
            print(f"skipped {name}: not importable by {args.official_python}")
    cases[f"python -c pass ({args.official_python})"] = (args.official_python, "pass")
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, (python, code) in cases.items():
            started = time.perf_counter()
            subprocess.run([python, "-c", code], check=True)
            times[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    base, typer = medians["python -c pass"], medians["import typer"]
    print(f"{'':32} {'median':>9} {'over pass':>10} {'vs typer':>9}   ({args.runs} runs)")
    for name, ms in medians.items():
        print(f"{name:32} {ms:7.1f} ms {ms - base:7.1f} ms {(ms - base) / (typer - base):8.2f}x")


if __name__ == "__main__":
    main()
