"""Requests and responses as the stand-in sees them, and its request log."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any


class Headers(dict[str, str]):
    """Header names folded to lower case, as HTTP treats them."""

    def __init__(self, items: Any = ()) -> None:
        super().__init__()
        for key, value in dict(items).items():
            self[key] = value

    def __setitem__(self, key: str, value: str) -> None:
        super().__setitem__(key.lower(), value)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(key.lower(), default)


@dataclass
class Request:
    """One HTTP request: ``query`` maps each parameter to all its values, in order."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Headers
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, value: Any, headers: dict[str, str] | None = None) -> Response:
        merged = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        return cls(status, json.dumps(value, separators=(",", ":")).encode(), merged)


@dataclass
class LoggedRequest:
    """What the log keeps of a request, and how the stand-in answered it.

    ``status`` is None when the connection was dropped without an answer.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Headers
    body: bytes
    status: int | None = None
    fault: str | None = None

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class RequestLog:
    """Every request the stand-in received, in arrival order (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []

    def add(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def all(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def matching(self, method: str | None = None, path: str | None = None) -> list[LoggedRequest]:
        """Entries with this method and a path starting with ``path``."""
        return [
            e
            for e in self.all()
            if (method is None or e.method == method) and (path is None or e.path.startswith(path))
        ]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
