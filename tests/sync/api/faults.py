"""Faults a test can make the stand-in produce, for a client's error handling.

Each fault applies to the next ``count`` requests that match it (a method
and/or a path prefix; by default every request), before the gateway looks at
the request: so a 429 or 503 costs the database nothing, as at a real gateway.

* ``fail`` answers with a status and JSON body, e.g. 503 or 500;
* ``rate_limit`` answers 429 with ``Retry-After``;
* ``delay`` sleeps before handling the request normally (longer than a
  client's timeout, the client gives up while the server carries on);
* ``drop`` closes the connection without any answer.

The request-size limit is a setting of the stand-in (``max_body_bytes``), not
a one-off fault: like a gateway, it answers 413 to every larger body.
The statuses and bodies of these faults are the stand-in's choice; no
documentation fixes what Supabase's gateway sends with them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Fault:
    kind: str  # "fail", "delay" or "drop"
    remaining: int
    method: str | None = None
    path: str | None = None
    status: int = 503
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path is None or path.startswith(self.path)
        )


class Faults:
    """The faults queued for coming requests (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[Fault] = []

    def fail(
        self,
        count: int = 1,
        status: int = 503,
        body: Any = None,
        headers: dict[str, str] | None = None,
        *,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next ``count`` matching requests with ``status``."""
        if body is None:
            body = {"message": "The stand-in was told to fail this request"}
        self._add(Fault("fail", count, method, path, status, body, dict(headers or {})))

    def rate_limit(
        self,
        count: int = 1,
        retry_after: int = 1,
        *,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next ``count`` matching requests with 429 and ``Retry-After``."""
        self.fail(
            count,
            429,
            {"message": "Too Many Requests"},
            {"Retry-After": str(retry_after)},
            method=method,
            path=path,
        )

    def delay(
        self, seconds: float, count: int = 1, *, method: str | None = None, path: str | None = None
    ) -> None:
        """Wait ``seconds`` before handling the next ``count`` matching requests."""
        self._add(Fault("delay", count, method, path, seconds=seconds))

    def drop(self, count: int = 1, *, method: str | None = None, path: str | None = None) -> None:
        """Close the connection of the next ``count`` matching requests unanswered."""
        self._add(Fault("drop", count, method, path))

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The first queued fault matching this request, counted as used."""
        with self._lock:
            for fault in self._queue:
                if fault.matches(method, path):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._queue.remove(fault)
                    return fault
        return None

    def _add(self, fault: Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._queue.append(fault)
