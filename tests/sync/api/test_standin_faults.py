"""The stand-in's faults and request log, as a client's tests will use them."""

from __future__ import annotations

import socket
import time
from http.client import RemoteDisconnected

import pytest

from .conftest import signed_in


def test_body_over_the_limit_gets_413_and_smaller_ones_pass(standin, http):
    _, token = signed_in(standin, http, "ada@example.com")
    standin.max_body_bytes = 200
    big = http.post("/rest/v1/goals", token=token, json_body=[{"title": "x" * 300}])
    assert (big.status, big.json) == (413, {"message": "Payload too large"})
    small = http.post("/rest/v1/goals", token=token, json_body=[])
    assert small.status == 201


def test_rate_limit_answers_429_with_retry_after_for_the_next_requests(standin, http):
    _, token = signed_in(standin, http, "ada@example.com")
    standin.faults.rate_limit(2, retry_after=3, path="/rest/v1/goals")
    assert http.get("/rest/v1/athletes", token=token).status == 200  # another path
    for _ in range(2):
        limited = http.get("/rest/v1/goals", token=token)
        assert (limited.status, limited.headers["retry-after"]) == (429, "3")
    assert http.get("/rest/v1/goals", token=token).status == 200


def test_server_errors_for_the_next_requests_of_a_method(standin, http):
    _, token = signed_in(standin, http, "ada@example.com")
    standin.faults.fail(1, 503, method="POST")
    assert http.get("/rest/v1/goals", token=token).status == 200
    failed = http.post("/rest/v1/goals", token=token, json_body=[])
    assert failed.status == 503
    assert http.post("/rest/v1/goals", token=token, json_body=[]).status == 201
    assert [e.fault for e in standin.log.matching("POST", "/rest/v1/goals")] == ["fail 503", None]


def test_delay_longer_than_the_client_timeout(standin, http):
    standin.faults.delay(1.0)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        http.get("/rest/v1/goals", timeout=0.2)
    assert time.monotonic() - started < 0.9
    assert http.get("/rest/v1/goals").status == 401  # the next request is served at once


def test_dropped_connection_has_no_answer(standin, http):
    standin.faults.drop(1, path="/auth/v1/token")
    with pytest.raises((RemoteDisconnected, ConnectionResetError, socket.error)):
        http.post("/auth/v1/token", params={"grant_type": "password"}, json_body={})
    (entry,) = standin.log.matching(path="/auth/v1/token")
    assert (entry.status, entry.fault) == (None, "drop")


def test_the_log_records_every_request_as_sent(standin, http):
    _, token = signed_in(standin, http, "ada@example.com")
    standin.log.clear()
    http.post(
        "/rest/v1/goals",
        token=token,
        params=[("on_conflict", "id"), ("id", "gt.0"), ("id", "lt.9")],
        json_body=[],
        headers={"Prefer": "resolution=merge-duplicates"},
    )
    (entry,) = standin.log.all()
    # a merge that inserted nothing is 200 in PostgREST (Response.hs)
    assert (entry.method, entry.path, entry.status) == ("POST", "/rest/v1/goals", 200)
    assert entry.query == {"on_conflict": ["id"], "id": ["gt.0", "lt.9"]}
    assert entry.headers["apikey"] == standin.keys.publishable
    assert entry.headers["Authorization"] == f"Bearer {token}"
    assert entry.headers["prefer"] == "resolution=merge-duplicates"
    assert entry.json == []
