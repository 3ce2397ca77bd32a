"""The Supabase side of Khepri: handing out the Postgres schema that ships with the package."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from khepri_cli.errors import UsageProblem, file_error


def schema_sql() -> str:
    """The Postgres schema from the installed package (khepri_cli/sql/initial_schema.sql)."""
    from khepri_cli.sql import initial_schema

    return initial_schema()


def print_schema() -> None:
    sys.stdout.write(schema_sql())


def _expanded(path: Path) -> Path:
    """``~/x`` -> the home folder's ``x``; ``~name`` of a user this machine lacks is refused."""
    try:
        return path.expanduser()
    except RuntimeError:
        raise UsageProblem(
            f"--output: {str(path)!r} names a home folder that does not exist"
        ) from None


def write_schema(path: Path, *, force: bool) -> Path:
    """Write the schema to ``path`` in one step: the file is either complete or untouched."""
    text = schema_sql()
    path = _expanded(path)
    if path.is_dir():
        raise UsageProblem(f"--output: {path} is a directory; give a file name")
    if path.exists() and not force:
        raise UsageProblem(f"--output: {path} already exists; add --force to overwrite it")
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageProblem(f"--output: the folder {directory} does not exist")
    tmp = directory / f".{path.name}.{os.getpid()}.tmp"
    try:
        try:
            with open(tmp, "x", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise file_error(exc, f"cannot write {path}: {exc.strerror or exc}") from None
    return path
