"""Reading a JSON document piece by piece, in memory that does not grow with the document.

:func:`read_members` walks the top-level object of a document arriving in
chunks of text: each member's value is read whole, except the arrays the
caller asks to stream, whose elements come one at a time. Any valid JSON is
read, whatever its layout (one row per line or all on one line, any
whitespace, members in any order); memory holds one chunk and the value
being read, never the document.

A document that is not valid JSON is refused with exactly what ``json.loads``
says of the whole text, message, line and column (tests/domain/
test_json_stream.py compares the two on generated broken documents): the
values themselves are read by the standard library's own scanner, and the
few lines here that walk the top-level object and a streamed array do what
``json.decoder``'s ``JSONObject`` and ``JSONArray`` do, in the same order.

Pure: no I/O of its own; the caller hands in the text's chunks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from json.decoder import JSONDecodeError, scanstring
from json.scanner import make_scanner
from typing import Any

_WHITESPACE = re.compile(r"[ \t\n\r]*")

SLACK = 16
"""A value that fails or ends this close to the end of what has been read may be cut off
there ("1.5" of "1.5e3"): it is read again with more text before it is believed."""

KEEP = 1 << 20
"""Characters already read that are dropped from the window once there are this many."""


class SyntaxProblem(ValueError):
    """Not valid JSON: ``json.loads``' message, and the line and column in the whole text."""

    def __init__(self, msg: str, lineno: int, colno: int):
        super().__init__(f"{msg} at line {lineno} column {colno}")
        self.msg, self.lineno, self.colno = msg, lineno, colno


# What a member or an element of the document is, as the reader hands it out:
MEMBER = "member"  # (MEMBER, key, value): a member read whole
ARRAY = "array"  # (ARRAY, key): a streamed array begins
ELEMENT = "element"  # (ELEMENT, key, index, value): one element of a streamed array
END_ARRAY = "end"  # (END_ARRAY, key, count): a streamed array is complete
NOT_AN_OBJECT = "other"  # (NOT_AN_OBJECT, value): the document is not an object at all


class _Window:
    """The part of the text being read, with what is needed to place a position in the whole."""

    def __init__(self, chunks: Iterable[str]):
        self.chunks = iter(chunks)
        self.text = ""
        self.at = 0  # position in ``text``
        self.eof = False
        self.dropped = 0  # characters dropped before ``text``
        self.lines = 0  # newlines among them
        self.line_start = 0  # where the line of ``text[0]`` begins, in the whole text

    def more(self, wanted: int = 1) -> bool:
        """Read at least ``wanted`` more characters (fewer at the end); False at the end.

        Positions in ``text`` read before a call that returns True no longer hold.
        """
        if self.eof:
            return False
        pieces = []
        for chunk in self.chunks:
            pieces.append(chunk)
            wanted -= len(chunk)
            if wanted <= 0:
                break
        else:
            self.eof = True
        if not pieces:
            return False
        if self.at > KEEP:
            self._drop()
        self.text += "".join(pieces)
        return True

    def _drop(self) -> None:
        gone = self.text[: self.at]
        newlines = gone.count("\n")
        if newlines:
            self.lines += newlines
            self.line_start = self.dropped + gone.rindex("\n") + 1
        self.dropped += self.at
        self.text = self.text[self.at :]
        self.at = 0

    def peek(self) -> str:
        """The character at the reading position ('' at the end of the text)."""
        while self.at >= len(self.text):
            if not self.more():
                return ""
        return self.text[self.at]

    def skip_whitespace(self) -> str:
        """Move past whitespace; the character that follows it ('' at the end)."""
        while True:
            self.at = _WHITESPACE.match(self.text, self.at).end()
            if self.at < len(self.text) or not self.more():
                return self.peek()

    def problem(self, msg: str, at: int) -> SyntaxProblem:
        """``msg`` at position ``at`` of the window, placed in the whole text as json.loads does."""
        newline = self.text.rfind("\n", 0, at)
        lineno = self.lines + self.text.count("\n", 0, at) + 1
        colno = at - newline if newline >= 0 else self.dropped + at - self.line_start + 1
        return SyntaxProblem(msg, lineno, colno)

    def read(self, scan: Callable[[str, int], tuple[Any, int]]) -> Any:
        """One whole value (or string) at the reading position, read with ``scan``.

        ``scan`` fails on a value cut off at the end of the window just as on
        a broken one, and succeeds on a number cut off there; so a failure,
        or a value ending, that close to the end is tried again with more
        text. The window grows by as much as it already
        holds past the position, so a long value is read in linear time.
        """
        while True:
            try:
                value, end = scan(self.text, self.at)
            except StopIteration as stop:
                msg, pos = "Expecting value", stop.value
                cut_off = pos + SLACK > len(self.text)
            except JSONDecodeError as exc:
                msg, pos = exc.msg, exc.pos
                cut_off = msg.startswith("Unterminated string") or pos + SLACK > len(self.text)
            else:
                if end + SLACK <= len(self.text) or not self._grow():
                    self.at = end
                    return value
                continue
            if not (cut_off and self._grow()):
                raise self.problem(msg, pos)

    def _grow(self) -> bool:
        return self.more(max(len(self.text) - self.at, 1))


def read_members(
    chunks: Iterable[str],
    decoder: json.JSONDecoder,
    streamed: Callable[[str], bool],
) -> Iterator[tuple[Any, ...]]:
    """The members of the document's top-level object, as they come.

    ``decoder`` reads every value (its hooks refuse NaN, repeated keys...)
    but the top-level object's own keys, which come as they are, repeated or not;
    the members whose key ``streamed`` accepts and whose value is an array
    come element by element (``ARRAY``, each ``ELEMENT``, ``END_ARRAY``), every other as
    one ``MEMBER``. A document that is not an object is read whole and
    handed out as ``NOT_AN_OBJECT``. Raises :class:`SyntaxProblem`, and
    whatever ``decoder``'s hooks raise, where ``json.loads`` would.
    """
    window = _Window(chunks)
    scan_value = make_scanner(decoder)
    if window.peek() == "\ufeff":
        raise window.problem("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0)
    if window.skip_whitespace() != "{":
        value = window.read(scan_value)
        _expect_end(window)
        yield NOT_AN_OBJECT, value
        return
    window.at += 1
    closing = window.skip_whitespace()
    if closing == "}":
        window.at += 1
    while closing != "}":
        if window.peek() != '"':
            raise window.problem("Expecting property name enclosed in double quotes", window.at)
        window.at += 1
        key = window.read(lambda text, at: scanstring(text, at, decoder.strict))
        if window.skip_whitespace() != ":":
            raise window.problem("Expecting ':' delimiter", window.at)
        window.at += 1
        if window.skip_whitespace() == "[" and streamed(key):
            window.at += 1
            yield from _elements(window, scan_value, key)
        else:
            yield MEMBER, key, window.read(scan_value)
        closing = window.skip_whitespace()
        window.at += 1
        if closing != "," and closing != "}":
            raise window.problem("Expecting ',' delimiter", window.at - 1)
        if closing == "," and window.skip_whitespace() != '"':
            raise window.problem("Expecting property name enclosed in double quotes", window.at)
    _expect_end(window)


def _elements(
    window: _Window, scan_value: Callable[[str, int], tuple[Any, int]], key: str
) -> Iterator[tuple[Any, ...]]:
    """The elements of the array whose ``[`` was just read, one at a time (``JSONArray``)."""
    yield ARRAY, key
    count = 0
    if window.skip_whitespace() != "]":
        while True:
            yield ELEMENT, key, count, window.read(scan_value)
            count += 1
            following = window.skip_whitespace()
            window.at += 1
            if following == "]":
                break
            if following != ",":
                raise window.problem("Expecting ',' delimiter", window.at - 1)
            window.skip_whitespace()
    else:
        window.at += 1
    yield END_ARRAY, key, count


def _expect_end(window: _Window) -> None:
    """Only whitespace may follow the document's value (``JSONDecoder.decode``)."""
    if window.skip_whitespace() != "":
        raise window.problem("Extra data", window.at)
