"""The kinds' quick answers for values already in their stored form are the long way's answers.

An import checks every value of every row; the common case (a timestamp,
UUID or decimal already canonical, a document with nothing to refuse) is
answered without the full parse. These properties pin each quick answer to
the general one.
"""

from __future__ import annotations

import json
import math
import uuid
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from hypothesis import given
from hypothesis import strategies as st

from khepri_cli.schema.json_text import json_writer
from khepri_cli.schema.kinds import (
    TIMESTAMP,
    canonical_uuid,
    format_timestamp,
    parse_timestamp,
    round_half_up,
)
from khepri_cli.schema.storable import _first_unstorable, unstorable

ANY_TEXT = st.text(st.characters(), max_size=8)  # NUL and lone surrogates included
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(ANY_TEXT, inner, max_size=4)
    ),
    max_leaves=12,
)


@given(values)
def test_unstorable_answers_as_the_walk_through_every_value(value):
    assert unstorable(value) == _first_unstorable(value)


def long_way(value):
    try:
        return format_timestamp(parse_timestamp(value))
    except (ValueError, TypeError, OverflowError):
        return "refused"


def timestamp_check(value):
    try:
        return TIMESTAMP.check(value)
    except ValueError:
        return "refused"


stamps = st.datetimes(min_value=datetime(1, 1, 1), timezones=st.just(UTC)).map(
    lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
)
digits = st.text("0123456789", min_size=1, max_size=4)


@given(stamps | st.builds("{}-{}-{}T{}:{}:{}.{}Z".format, *([digits] * 7)))
def test_a_stored_timestamp_is_checked_as_any_other(text):
    assert timestamp_check(text) == long_way(text)


def long_rounding(value: float, digits: int) -> float:
    try:
        exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    except InvalidOperation:
        return value
    return float(exact)


@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(0, 4))
def test_a_decimal_already_at_its_scale_is_left_as_it_is(value, digits):
    quick, long = round_half_up(value, digits), long_rounding(value, digits)
    assert quick == long and math.copysign(1, quick) == math.copysign(1, long)


def long_uuid(value):
    text = value.strip().lower() if isinstance(value, str) else ""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return "refused"


def quick_uuid(value):
    try:
        return canonical_uuid(value)
    except ValueError:
        return "refused"


@given(
    st.uuids().map(str).map(lambda u: u.upper() if len(u) % 2 else u)
    | st.uuids().map(lambda u: f" {{{u}}} ")
    | st.text("0123456789abcdefABCDEF-{}: ", max_size=40)
    | st.text(max_size=40)
)
def test_a_uuid_is_recognised_as_uuid_module_does(value):
    assert quick_uuid(value) == long_uuid(value)


def outcome(write, value):
    try:
        return write(value)
    except (ValueError, TypeError) as exc:
        return type(exc), str(exc)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(ANY_TEXT, inner, max_size=4)
        | st.dictionaries(st.integers(), inner, max_size=2)
    ),
    max_leaves=12,
)


@given(json_values, st.booleans(), st.booleans())
def test_a_json_writer_writes_what_json_dumps_writes(value, sort_keys, allow_nan):
    def dumps(v):
        return json.dumps(v, ensure_ascii=False, sort_keys=sort_keys, allow_nan=allow_nan)

    writer = json_writer(sort_keys=sort_keys, allow_nan=allow_nan)
    assert outcome(writer, value) == outcome(dumps, value)
