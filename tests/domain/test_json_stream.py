"""The streaming reader says of any text exactly what ``json.loads`` says of it whole.

Documents are generated, laid out with random whitespace, often broken by a
random edit, and cut into random chunks; the reader's members (put back
together) or its error must equal ``json.loads``' value or error: the same
message, line and column.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khepri_cli.domain import json_stream
from khepri_cli.domain.json_stream import (
    ARRAY,
    ELEMENT,
    END_ARRAY,
    MEMBER,
    NOT_AN_OBJECT,
    SyntaxProblem,
    read_members,
)
from khepri_cli.domain.transfer import _reject_constant, _unique_keys

DECODER = json.JSONDecoder(parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
STREAMED = {"rows", "more"}

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=8),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["a", "b", "é", "x y", ""]), inner, max_size=4),
    ),
    max_leaves=12,
)
keys = st.sampled_from(["rows", "more", "format", "version", "other", "rows"])


@st.composite
def documents(draw) -> str:
    """A JSON text, mostly an object with arrays to stream, laid out at random, maybe broken."""
    members = draw(st.lists(st.tuples(keys, st.one_of(st.lists(values, max_size=5), values))))
    spaces = st.sampled_from(["", "", " ", "\n", "\n    ", "\t", " \r\n "])

    def lay(value) -> str:  # json.dumps with random whitespace around every token
        if isinstance(value, list):
            inner = ("," + draw(spaces)).join(draw(spaces) + lay(v) for v in value)
            return "[" + inner + draw(spaces) + "]"
        if isinstance(value, dict):
            inner = ",".join(
                draw(spaces) + json.dumps(k) + draw(spaces) + ":" + draw(spaces) + lay(v)
                for k, v in value.items()
            )
            return "{" + inner + draw(spaces) + "}"
        return json.dumps(value, ensure_ascii=draw(st.booleans()))

    if draw(st.integers(0, 9)) == 0:
        text = lay(draw(values))
    else:
        body = ",".join(
            draw(spaces) + json.dumps(k) + draw(spaces) + ":" + draw(spaces) + lay(v)
            for k, v in members
        )
        text = draw(spaces) + "{" + body + draw(spaces) + "}" + draw(spaces)
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["delete", "insert", "truncate"]))
        if edit == "delete":
            text = text[:at] + text[at + 1 :]
        elif edit == "insert":
            text = text[:at] + draw(st.sampled_from(list(',:{}[]"\\ 0-.eEnN\n\t\x01'))) + text[at:]
        else:
            text = text[:at]
    return text


def outcome_of_json_loads(text: str):
    try:
        return "value", json.loads(
            text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys
        )
    except json.JSONDecodeError as exc:
        return "error", (exc.msg, exc.lineno, exc.colno)
    except ValueError as exc:
        return "refused", str(exc)


def outcome_of_reader(text: str, sizes: list[int]):
    chunks, at = [], 0
    for size in sizes * (len(text) // max(sum(sizes), 1) + 1):
        chunks.append(text[at : at + size])
        at += size
    chunks.append(text[at:])
    pairs, arrays = [], {}
    try:
        for event in read_members((c for c in chunks if c), DECODER, STREAMED.__contains__):
            if event[0] == NOT_AN_OBJECT:
                return "value", event[1]
            if event[0] == MEMBER:
                pairs.append((event[1], event[2]))
            elif event[0] == ARRAY:
                assert event[1] not in arrays
                arrays[event[1]] = []
            elif event[0] == ELEMENT:
                assert event[2] == len(arrays[event[1]])
                arrays[event[1]].append(event[3])
            elif event[0] == END_ARRAY:
                assert event[2] == len(arrays[event[1]])
                pairs.append((event[1], arrays.pop(event[1])))
        return "value", _unique_keys(pairs)  # json.loads refuses a repeated key at the end
    except SyntaxProblem as exc:
        if exc.msg == "Extra data":  # after the object: json.loads checks its keys first
            try:
                _unique_keys(pairs)
            except ValueError as repeated:
                return "refused", str(repeated)
        return "error", (exc.msg, exc.lineno, exc.colno)
    except ValueError as exc:
        return "refused", str(exc)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.lists(st.integers(1, 9), min_size=1, max_size=4))
def test_the_reader_agrees_with_json_loads(text, sizes):
    assert outcome_of_reader(text, sizes) == outcome_of_json_loads(text)


@settings(max_examples=150, deadline=None)
@given(documents(), st.integers(1, 5))
def test_it_agrees_when_the_window_drops_what_it_has_read(text, size):
    """Read text is dropped after a few characters: line and column come from dropped text too."""
    keep = json_stream.KEEP
    json_stream.KEEP = 3
    try:
        assert outcome_of_reader(text, [size]) == outcome_of_json_loads(text)
    finally:
        json_stream.KEEP = keep


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\ufeff{}",
        '{"rows": [1, 2,]}',
        '{"rows": [1 2]}',
        '{"rows": [{"a": 1},\n {"a": 2}\n, ]}',
        '{"a": 1,}',
        '{"a" 1}',
        '{"a": 1} x',
        '{"rows": [1, 2]',
        '{"rows": [NaN]}',
        '{"rows": [{"a": 1, "a": 2}]}',
        '{"version": 1, "version": 1}',
        '{"rows": "text"}',
        "[1, 2]",
        '{"rows": [12345',
        '{"rows": [1.5e',
        '{"rows": ["abc',
        '{"rows": [tru]}',
    ],
)
def test_known_cases_agree_in_tiny_chunks(text):
    assert outcome_of_reader(text, [1]) == outcome_of_json_loads(text)
    assert outcome_of_reader(text, [len(text) + 1]) == outcome_of_json_loads(text)
