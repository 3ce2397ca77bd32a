"""Khepri's private files: where they live, writing them for the user alone, locking them.

The configuration (``config.json``) and the session (``session.json``) live in
the platform's user configuration folder (``platformdirs.user_config_dir``,
e.g. ``~/.config/khepri``), or in ``$KHEPRI_CONFIG_DIR``. Both are written
whole or not at all (a temporary file created with mode 0600, then renamed
over the old one) and the folder is made with mode 0700. A file that others
could read is refused when read (on POSIX systems), with a message saying how
to fix it. Standard library and platformdirs only.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from khepri_cli.errors import KhepriError, StorageError

CONFIG_DIR_ENV = "KHEPRI_CONFIG_DIR"
PRIVATE = 0o600
LOCK_WAIT_SECONDS = 120.0
"""How long a command waits for another one that holds the lock (a refresh is seconds)."""
_POSIX = os.name == "posix"


def config_dir() -> Path:
    """``$KHEPRI_CONFIG_DIR``, else the user configuration folder of the platform."""
    env = os.environ.get(CONFIG_DIR_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("khepri", appauthor=False))


class UnsafeFile(KhepriError):
    """A private file can be read or written by other users."""

    def __init__(self, path: Path, mode: int):
        super().__init__(
            f"{path} can be read by other users (mode {mode:04o}); Khepri will not use it: "
            f"run 'chmod 600 {path}' if you trust it, or remove it"
        )
        self.path = path


def read_private_json(path: Path, *, check_mode: bool = True) -> dict[str, Any] | None:
    """The JSON object in ``path``; None when there is no file. Refuses a file others can read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        mode = stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
        if check_mode and _POSIX and mode & 0o077:
            raise UnsafeFile(path, mode)
        raw = handle.read()
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise StorageError(f"{path} is not valid JSON; remove it and try again") from None
    if not isinstance(value, dict):
        raise StorageError(f"{path} does not hold a JSON object; remove it and try again")
    return value


def write_private_json(path: Path, value: dict[str, Any]) -> None:
    """Replace ``path`` with ``value`` in one step; the file is only the user's (0600)."""
    _make_private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    data = (json.dumps(value, indent=2, sort_keys=True) + "\n").encode()
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
        with os.fdopen(fd, "wb") as handle:
            if _POSIX:
                os.fchmod(handle.fileno(), PRIVATE)  # whatever the umask or an old file said
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise StorageError(f"cannot write {path}: {exc.strerror or exc}") from None


def remove_file(path: Path) -> bool:
    """Remove ``path``; False when it was not there."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise StorageError(f"cannot remove {path}: {exc.strerror or exc}") from None
    return True


def _make_private_dir(folder: Path) -> None:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create {folder}: {exc.strerror or exc}") from None


@contextmanager
def locked(path: Path, *, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if needed) between processes.

    An advisory lock of the operating system (``flock`` on POSIX, ``msvcrt``
    on Windows): it is released when the block ends or the process dies.
    """
    _make_private_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE)
    try:
        _acquire(fd, path, wait)
        try:
            yield
        finally:
            _release(fd)
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            if _POSIX:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            else:  # pragma: no cover - Windows
                import msvcrt

                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return
        except OSError:
            if time.monotonic() >= deadline:
                raise StorageError(
                    f"another khepri command has held {path} for {wait:g} s; "
                    "try again when it has finished"
                ) from None
            time.sleep(0.05)


def _release(fd: int) -> None:
    if _POSIX:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)
    else:  # pragma: no cover - Windows
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
