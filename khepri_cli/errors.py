"""The errors Khepri shows to people.

Anything raised as a :class:`KhepriError` is turned into one line on stderr
by the CLI's single error path (``cli/main.py``); everything else is a bug
and only shows its traceback with ``--debug``.
"""

from __future__ import annotations

USAGE = 2  # bad usage or bad input: the user can fix the command line
RUNTIME = 1  # the command was fine but something failed while running it


class KhepriError(Exception):
    """An error with a message meant for the user."""

    exit_code = RUNTIME

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(KhepriError):
    """A value the user gave is not acceptable; names field, value and what is allowed."""

    exit_code = USAGE

    def __init__(self, field: str, value: object, allowed: str):
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field}: {_show(value)} is not valid; {allowed}")


class UsageProblem(KhepriError):
    """The command line asks for something that cannot be done as written."""

    exit_code = USAGE


class NotFound(KhepriError):
    """No row matches what the user named."""

    exit_code = USAGE


class StorageError(KhepriError):
    """The journal file cannot be opened, read or written."""


class SyncError(KhepriError):
    """A push to the remote failed; the local journal is untouched."""


def _show(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "...'"
