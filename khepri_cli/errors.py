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
    """A value the user gave is not acceptable; names field, value and what is allowed.

    ``column`` is set when the value was refused by a column's rule (the
    library API speaks in column names); the command line then names the
    flag and shows the text the user typed instead (``cli/typed.py``).
    """

    exit_code = USAGE

    def __init__(self, field: str, value: object, allowed: str, *, column: str | None = None):
        self.field = field
        self.value = value
        self.allowed = allowed
        self.column = column
        super().__init__(f"{field}: {_show(value)} is not valid; {allowed}")


class MissingValue(InvalidInput):
    """A required column was not given a value."""

    def __init__(self, field: str, *, column: str | None = None):
        super().__init__(field, None, "a value is required", column=column)
        self.message = f"{field} is required"
        self.args = (self.message,)


class UsageProblem(KhepriError):
    """The command line asks for something that cannot be done as written."""

    exit_code = USAGE


class NotFound(KhepriError):
    """No row matches what the user named; ``table`` says which table was searched."""

    exit_code = USAGE

    def __init__(self, message: str, *, table: str | None = None):
        super().__init__(message)
        self.table = table


class NoProfile(KhepriError):
    """The journal has no athlete profile yet."""

    def __init__(self) -> None:
        super().__init__("no athlete profile in this journal yet")


class StorageError(KhepriError):
    """The journal file cannot be opened, read or written."""


class SyncError(KhepriError):
    """A push to the remote failed; the local journal is untouched."""


class AccountError(KhepriError):
    """Signing in, out or up with the Supabase project, or asking it who you are, failed."""


def _show(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "...'"
