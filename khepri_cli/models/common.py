"""What every journal row model shares: canonical types, storage conversion, error wording.

A model is the gate in front of SQL: it carries the same rules as the
database's CHECKs (schema.md), so bad input is refused with a readable
message before anything is written, and a row it accepts is one SQLite
and Postgres accept.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from khepri_cli.domain.clock import format_timestamp, now_timestamp, parse_timestamp
from khepri_cli.domain.rules import BOUNDS, CHOICES, round_half_up
from khepri_cli.errors import InvalidInput


def _canonical_uuid(value: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, AttributeError, TypeError):
        raise ValueError("must be a UUID, e.g. 0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d") from None


def _canonical_timestamp(value: Any) -> str:
    try:
        return format_timestamp(parse_timestamp(value))
    except (ValueError, TypeError):
        raise ValueError("must be an ISO 8601 timestamp with a time zone") from None


def _strict_date(value: Any) -> Any:
    """Dates come as ``YYYY-MM-DD`` text or date objects; no numbers, no datetimes."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("must be a real calendar date in the form YYYY-MM-DD") from None
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    raise ValueError("must be a date in the form YYYY-MM-DD")


def _strict_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if value in (0, 1) and not isinstance(value, float):
        return bool(value)
    raise ValueError("must be true or false")


def _text_list(value: Any) -> Any:
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError("must be a list of text values")
    return value


def _rounded(digits: int):
    """Round half away from zero, as Postgres rounds a value into DECIMAL(p, digits)."""

    def round_to(value: float | None) -> float | None:
        return None if value is None else round_half_up(value, digits)

    return AfterValidator(round_to)


def bounded(table: str, column: str, default: Any = None) -> Any:
    """A pydantic Field with the column's range from :mod:`khepri_cli.domain.rules`."""
    return Field(default, **BOUNDS[table][column].pydantic_kwargs())


def choice(table: str, column: str) -> Any:
    """The ``Literal`` type of a column's allowed values (from the rules)."""
    return Literal[CHOICES[table][column]]


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


UUIDText = Annotated[str, AfterValidator(_canonical_uuid)]
Timestamp = Annotated[str, BeforeValidator(_canonical_timestamp)]
Day = Annotated[date, BeforeValidator(_strict_date)]
Flag = Annotated[bool, BeforeValidator(_strict_bool)]
TextList = Annotated[list[str], BeforeValidator(_text_list)]
Title = Annotated[str, AfterValidator(_not_blank)]
Dec1 = Annotated[float, _rounded(1)]
Dec2 = Annotated[float, _rounded(2)]


_COMMON = ("id", "created_at", "updated_at")


def new_id() -> str:
    return str(uuid.uuid4())


class Record(BaseModel):
    """A row of one of the five journal tables, keyed by the schema's column names."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=False)

    table: ClassVar[str]
    json_columns: ClassVar[frozenset[str]] = frozenset()
    bool_columns: ClassVar[frozenset[str]] = frozenset()

    id: UUIDText
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def columns(cls) -> list[str]:
        """Column names in the schema's order: id, the table's own, then the timestamps."""
        own = [name for name in cls.model_fields if name not in _COMMON]
        return ["id", *own, "created_at", "updated_at"]

    @classmethod
    def create(cls, data: dict[str, Any], labels: dict[str, str] | None = None) -> Self:
        """A new row from user data: fresh id and timestamps, validated."""
        stamp = now_timestamp()
        return validate(
            cls, {"id": new_id(), "created_at": stamp, "updated_at": stamp, **data}, labels
        )

    def merged(self, changes: dict[str, Any], labels: dict[str, str] | None = None) -> Self:
        """This row with ``changes`` applied and the whole result validated again."""
        return validate(type(self), {**self.model_dump(), **changes}, labels)

    def to_row(self) -> dict[str, Any]:
        """The SQLite storage form: ISO text for dates, JSON text, 0/1 for booleans."""
        row = self.model_dump(mode="json")
        for column in self.json_columns:
            if row[column] is not None:
                row[column] = json.dumps(row[column], ensure_ascii=False, sort_keys=True)
        for column in self.bool_columns:
            if row[column] is not None:
                row[column] = int(row[column])
        return row

    @classmethod
    def from_row(cls, row: Any) -> Self:
        """Rebuild a model from a stored row (trusted: it passed the database's CHECKs)."""
        data = dict(row)
        for column in cls.json_columns:
            if data.get(column) is not None:
                data[column] = json.loads(data[column])
        return cls.model_validate(data)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types keyed by column, in the schema's column order."""
        data = self.model_dump(mode="json")
        return {column: data[column] for column in self.columns()}


_MESSAGE_REWRITES = (
    (
        "Input should be a valid integer, unable to parse string as an integer",
        "must be a whole number",
    ),
    (
        "Input should be a valid integer, got a number with a fractional part",
        "must be a whole number",
    ),
    ("Input should be a valid number, unable to parse string as a number", "must be a number"),
    ("Input should be a valid", "must be a valid"),
    ("Input should be", "must be"),
    ("Value error, ", ""),
    ("Extra inputs are not permitted", "is not a column of this table"),
    ("Field required", "is required"),
    ("String should have at least 1 character", "must not be empty"),
)


def describe_error(error: dict[str, Any]) -> str:
    message = error["msg"]
    for old, new in _MESSAGE_REWRITES:
        message = message.replace(old, new)
    return message


def validate(model: type[Record] | Any, data: dict[str, Any], labels: dict[str, str] | None = None):
    """``model(**data)``, turning the first validation error into one :class:`InvalidInput`.

    ``labels`` maps column names to what the user typed (``energy_level`` ->
    ``--energy``), so the message names the flag the user actually used.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_from(exc, model, labels) from None


def invalid_from(
    exc: ValidationError, model: type[BaseModel], labels: dict[str, str] | None = None
) -> InvalidInput:
    error = exc.errors()[0]
    column = str(error["loc"][0]) if error["loc"] else "value"
    field = (labels or {}).get(column, column)
    if error["type"] == "missing":  # the input is the whole row here, not a value to show
        missing = InvalidInput(field, None, "a value is required")
        missing.message = f"{field} is required"
        missing.args = (missing.message,)
        return missing
    value = error.get("input")
    if isinstance(value, dict) and column in value:
        value = value[column]
    bounds = _range_text(model, column)
    if bounds and error["type"] in _BOUND_ERRORS:
        message = bounds
    elif bounds:
        message = f"{describe_error(error)} {bounds.removeprefix('must be ')}"
    else:
        message = describe_error(error)
    return InvalidInput(field, value, message)


_BOUND_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def _range_text(model: Any, column: str) -> str | None:
    """``must be between 1 and 10`` when the failing column has a range in the rules."""
    bounds = BOUNDS.get(getattr(model, "table", ""), {}).get(column)
    return bounds.describe() if bounds else None
