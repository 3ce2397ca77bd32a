"""Value rules of the contract: the ranges, allowed values and shapes a column admits.

A rule checks a value that already has its column's kind (an ``int``, a
``float``, a ``str``...) and raises ``ValueError`` saying what is allowed.
The SQL CHECKs of both databases are frozen text in their migrations; tests
prove they agree with these rules value for value.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from khepri_cli.schema.kinds import utc_now


def or_list(items: tuple[str, ...] | list[str], word: str = "or") -> str:
    """``a, b or c``: a list of choices as a sentence names them."""
    items = list(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1] if len(items) > 1 else items[0]


def number_text(value: Any) -> str:
    """A number as people write it: ``1000000``, ``0.5``, never ``1e+06`` (else ``str(value)``).

    The one way Khepri shows a number, in messages and in tables alike.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int) or value != value or value in (float("inf"), float("-inf")):
        return str(value)
    value = round(value, 10)  # 0.1 + 0.2 is 0.3 to a person
    if value.is_integer():
        return str(int(value))
    text = repr(value)  # the shortest decimal that reads back as this float: 99999999.99
    if "e" in text:
        from decimal import Decimal

        text = format(Decimal(text), "f")  # 1e-05 -> 0.00001
    return text


class Rule:
    """Base of the value rules; ``describe`` is the "what is allowed" sentence."""

    def check(self, value: Any) -> Any:
        return value

    def describe(self) -> str:
        return ""


class Range(Rule):
    """A numeric range; ``open_low``/``open_high`` exclude the end itself; ``unit`` names it."""

    def __init__(
        self,
        low: float,
        high: float,
        *,
        open_low: bool = False,
        open_high: bool = False,
        unit: str | None = None,
    ):
        self.low = low
        self.high = high
        self.open_low = open_low
        self.open_high = open_high
        self.unit = unit

    def admits(self, value: float) -> bool:
        above = value > self.low if self.open_low else value >= self.low
        below = value < self.high if self.open_high else value <= self.high
        return above and below

    def check(self, value: Any) -> Any:
        if not self.admits(value):
            raise ValueError(self.describe())
        return value

    def span(self) -> str:
        """``between 1 and 10`` (with the unit, if any)."""
        low, high = number_text(self.low), number_text(self.high)
        unit = f" {self.unit}" if self.unit else ""
        if self.open_low and self.open_high:
            return f"more than {low} and less than {high}{unit}"
        if self.open_low:
            return f"more than {low} and at most {high}{unit}"
        return f"between {low} and {high}{unit}"

    def describe(self) -> str:
        return f"must be {self.span()}"


class OneOf(Rule):
    """One of a fixed set of values (a CHECK ... IN (...))."""

    def __init__(self, *choices: str):
        self.choices = choices

    def check(self, value: Any) -> Any:
        if value not in self.choices:
            raise ValueError(self.describe())
        return value

    def describe(self) -> str:
        return "must be " + or_list([f"'{c}'" for c in self.choices])


class NotBlank(Rule):
    """Text with something in it; leading and trailing spaces are dropped."""

    def check(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be empty")
        return value

    def describe(self) -> str:
        return "must not be empty"


def is_valid_timezone(name: str) -> bool:
    """Whether ``name`` is an IANA zone this machine knows (never a file path)."""
    from zoneinfo import ZoneInfo

    if not name or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        return False
    return True


class TimeZoneName(Rule):
    """An IANA time zone name that this machine knows."""

    def check(self, value: str) -> str:
        if not is_valid_timezone(value):
            raise ValueError(self.describe())
        return value

    def describe(self) -> str:
        return "must be an IANA time zone name, e.g. Europe/London or UTC"


class ScoreMap(Rule):
    """A JSON object of named scores, e.g. soreness by body area: ``{"legs": 7}``, 1–10 each."""

    def __init__(self, low: int, high: int, what: str):
        self.low = low
        self.high = high
        self.what = what

    def check(self, value: dict[str, Any]) -> dict[str, Any]:
        for area, score in value.items():
            if not area.strip():
                raise ValueError(f"{self.what} areas need a name, e.g. legs=6")
            if isinstance(score, bool) or not isinstance(score, int):
                raise ValueError(self._score_rule(area))
            if not self.low <= score <= self.high:
                raise ValueError(self._score_rule(area))
        return value

    def _score_rule(self, area: str) -> str:
        return f"{self.what} of {area!r} must be a whole number from {self.low} to {self.high}"

    def describe(self) -> str:
        return f"must map areas to whole numbers from {self.low} to {self.high}"


def latest_today() -> date:
    """The date it is now somewhere on Earth where it is latest (UTC+14).

    A day that is still in the future there is in the future for everyone,
    whatever the athlete's time zone.
    """
    return (utc_now() + timedelta(hours=14)).date()


class DateWindow(Rule):
    """A date no later than ``days_ahead`` days after today (0: not in the future).

    Every date also lies in the kind's own window (1900-01-01 to 2199-12-31);
    this narrows it for the columns where a far date is a typo, not a plan.
    """

    def __init__(self, days_ahead: int, what: str = "today"):
        self.days_ahead = days_ahead
        self.what = what  # how the message names the limit: "today", "ten years from today"

    def latest(self) -> date:
        return latest_today() + timedelta(days=self.days_ahead)

    def check(self, value: date) -> date:
        if value > self.latest():
            raise ValueError(self.describe())
        return value

    def describe(self) -> str:
        if self.days_ahead == 0:
            return "must not be in the future"
        return f"must be no later than {self.what} ({self.latest()})"


class Ordered:
    """A row rule across two columns: ``low`` (if any) at most, or below, ``high`` (if any).

    ``low_name``/``high_name`` say how messages call each value; ``words`` the
    comparison as a message puts it, from the low side and from the high side.
    """

    def __init__(
        self,
        low: str,
        high: str,
        *,
        low_name: str,
        high_name: str,
        strict: bool = False,
        words: tuple[str, str] | None = None,
    ):
        self.low = low
        self.high = high
        self.columns = (low, high)
        self.low_name = low_name
        self.high_name = high_name
        self.strict = strict
        self.words = words or (("below", "above") if strict else ("at most", "at least"))

    def problem(
        self, row: dict[str, Any], changed: frozenset[str] | set[str] = frozenset()
    ) -> tuple[str, str] | None:
        """(column to blame, what is allowed) when the row breaks the rule, else None.

        The high column is blamed, unless only the low one was ``changed``: then it is.
        """
        low, high = row.get(self.low), row.get(self.high)
        if low is None or high is None or (high > low if self.strict else high >= low):
            return None
        below, above = self.words
        if self.low in changed and self.high not in changed:
            return self.low, f"must be {below} the {self.high_name} {_shown(high)}"
        return self.high, f"must be {above} the {self.low_name} {_shown(low)}"


def _shown(value: Any) -> str:
    return number_text(value) if isinstance(value, int | float) else str(value)


class EndNotBeforeStart(Ordered):
    """A row rule: ``end`` (if any) on or after ``start`` (a CHECK across two columns)."""

    def __init__(self, start: str, end: str):
        super().__init__(
            start,
            end,
            low_name="start date",
            high_name="end date",
            words=("on or before", "on or after"),
        )
        self.start = start
        self.end = end
