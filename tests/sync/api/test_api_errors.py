"""Every error a user of the API way meets ends in one line, of the right RemoteError kind,
with retries where they may help (honouring Retry-After) and no secret in any output."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from khepri_cli.sync.supabase_api.client import open_api
from khepri_cli.sync.supabase_api.errors import ApiError
from khepri_cli.sync.transports import base

from .conftest import PASSWORD

EMAIL = "ada@example.com"


def read_goals(**connection_options) -> list[dict]:
    with open_api(connection_options=connection_options) as api:
        return [row for page in api.rest.select("goals", ["title"]) for row in page]


def failure(**connection_options) -> ApiError:
    with pytest.raises(ApiError) as failed:
        read_goals(**connection_options)
    return failed.value


def statuses(standin, path: str = "/rest/v1/goals") -> list[int | None]:
    return [e.status for e in standin.log.matching(path=path)]


def login(khepri, *extra: str):
    return khepri(*extra, "login", "--email", EMAIL, "--password-stdin", input=PASSWORD + "\n")


# -- rate limits, server errors, timeouts, dropped connections -------------------------


def test_429_is_retried_after_the_wait_the_server_asks_for(ada, configured, pauses):
    configured.faults.rate_limit(2, retry_after=3, path="/rest/v1/goals")
    configured.log.clear()
    assert read_goals() == []
    assert statuses(configured) == [429, 429, 200]
    assert pauses == [3.0, 3.0]


def test_429_asking_for_too_long_a_wait_fails_at_once(ada, configured, pauses):
    configured.faults.rate_limit(1, retry_after=600, path="/rest/v1/goals")
    failed = failure()
    assert (failed.kind, failed.status, failed.retry_after) == (base.RATE_LIMITED, 429, 600.0)
    assert failed.message == (
        f"cannot read goals: {configured.url} is limiting how often it may be called (429 Too "
        "Many Requests); wait a minute and try again (it asked to wait 600 s)"
    )
    assert pauses == []


def test_429_every_time_gives_up_after_four_tries(ada, configured, pauses):
    configured.faults.rate_limit(4, retry_after=1, path="/rest/v1/goals")
    failed = failure()
    assert failed.kind == base.RATE_LIMITED
    assert failed.message.endswith("(tried 4 times)")
    assert pauses == [1.0, 1.0, 1.0]


def test_5xx_is_retried_with_growing_jittered_waits(ada, configured, pauses):
    configured.faults.fail(2, 503, path="/rest/v1/goals")
    assert read_goals() == []
    assert statuses(configured)[-3:] == [503, 503, 200]
    first, second = pauses
    assert 0.25 <= first <= 0.5 and 0.5 <= second <= 1.0


def test_5xx_every_time_is_unavailable(ada, configured, pauses):
    configured.faults.fail(4, 502, {"message": "Bad Gateway"}, path="/rest/v1/goals")
    failed = failure()
    assert (failed.kind, failed.status) == (base.UNAVAILABLE, 502)
    assert failed.message == (
        f"cannot read goals: {configured.url} is failing (502 Bad Gateway); try again later "
        "(tried 4 times)"
    )
    assert len(pauses) == 3


def test_a_500_that_is_the_statements_fault_is_not_retried(ada, configured, pauses):
    body = {"code": "42P17", "details": None, "hint": None, "message": "infinite recursion"}
    configured.faults.fail(1, 500, body, path="/rest/v1/goals")
    failed = failure()
    assert (failed.kind, failed.code) == (base.UNAVAILABLE, "42P17")
    assert pauses == []


def test_no_answer_in_time_is_a_timeout_after_the_retries(ada, configured, pauses):
    configured.faults.delay(1.0, count=4, path="/rest/v1/goals")
    failed = failure(timeout=0.3)
    assert failed.kind == base.TIMEOUT
    assert failed.message == (
        f"cannot read goals: no answer from {configured.url} within 0.3 s; check your network, "
        "or try again later"
    )
    assert len(pauses) == 3


def test_a_dropped_connection_is_retried_then_lost(ada, configured, pauses):
    configured.faults.drop(1, path="/rest/v1/goals")
    assert read_goals() == []
    configured.faults.drop(4, path="/rest/v1/goals")
    failed = failure()
    assert failed.kind == base.LOST
    assert failed.message.startswith(
        f"cannot read goals: the connection to {configured.url} broke before an answer came"
    )


# -- reaching the project at all ------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_refused(athlete, monkeypatch, pauses):
    port = closed_port()
    monkeypatch.setenv("SUPABASE_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("SUPABASE_PUBLISHABLE_KEY", "sb_publishable_abcdefgh")
    run = login(athlete)
    assert (run.exit_code, run.stderr) == (
        1,
        f"khepri: error: cannot sign in: cannot connect to http://127.0.0.1:{port} (Connection "
        "refused); check the URL and your network\n",
    )
    assert len(pauses) == 3


def test_a_host_name_that_does_not_resolve(athlete, monkeypatch, pauses):
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == "nowhere-abcd.supabase.co":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setenv("SUPABASE_URL", "https://nowhere-abcd.supabase.co")
    monkeypatch.setenv("SUPABASE_PUBLISHABLE_KEY", "sb_publishable_abcdefgh")
    run = login(athlete)
    assert (run.exit_code, run.stderr) == (
        1,
        "khepri: error: cannot sign in: the host name nowhere-abcd.supabase.co does not resolve; "
        "check the project URL ('khepri config') and your network\n",
    )
    assert pauses == []  # a name that does not exist will not exist in a second either


class _WebPage(BaseHTTPRequestHandler):
    def _page(self) -> None:
        body = b"<html><body>Welcome to my blog</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _page

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def web_page() -> Iterator[ThreadingHTTPServer]:
    """A web server on loopback that is not Supabase: every path is an HTML page."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WebPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_url_that_is_not_a_supabase_api(athlete, monkeypatch, web_page):
    url = f"http://127.0.0.1:{web_page.server_address[1]}"
    monkeypatch.setenv("SUPABASE_URL", url)
    monkeypatch.setenv("SUPABASE_PUBLISHABLE_KEY", "sb_publishable_abcdefgh")
    run = login(athlete)
    assert (run.exit_code, run.stderr) == (
        1,
        f"khepri: error: {url} does not answer as a Supabase API (HTTP 200 text/html to sign in); "
        "the project URL looks like https://<project-ref>.supabase.co\n",
    )


def test_a_url_with_a_path_the_gateway_does_not_route(configured, athlete, monkeypatch):
    configured.create_user(EMAIL, PASSWORD)
    monkeypatch.setenv("SUPABASE_URL", configured.url + "/api")
    run = login(athlete)
    assert run.exit_code == 1
    assert run.stderr == (
        f"khepri: error: {configured.url}/api does not answer as a Supabase API (HTTP 404 to sign "
        "in); the project URL looks like https://<project-ref>.supabase.co\n"
    )


def test_a_key_the_project_does_not_know(configured, athlete, monkeypatch):
    configured.create_user(EMAIL, PASSWORD)
    monkeypatch.setenv("SUPABASE_PUBLISHABLE_KEY", "sb_publishable_notthisprojects")
    run = login(athlete)
    assert run.exit_code == 1
    assert run.stderr == (
        f"khepri: error: cannot sign in: {configured.url} refused the API key (Invalid API "
        "key); check 'khepri config': it must be this project's publishable key (dashboard: "
        "Project Settings > API Keys)\n"
    )
    assert "sb_publishable_notthisprojects" not in run.output


@pytest.fixture
def tls_server(tmp_path) -> Iterator[tuple[str, str]]:
    """An HTTPS web page on loopback with a self-signed certificate: (url, certificate file)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WebPage)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}", str(cert)
    server.shutdown()
    server.server_close()


def test_tls_certificates_are_verified(athlete, monkeypatch, tls_server, pauses):
    url, cert = tls_server
    monkeypatch.setenv("SUPABASE_URL", url)
    monkeypatch.setenv("SUPABASE_PUBLISHABLE_KEY", "sb_publishable_abcdefgh")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    untrusted = login(athlete)
    assert untrusted.exit_code == 1
    assert untrusted.stderr.startswith(
        "khepri: error: cannot sign in: the TLS certificate of 127.0.0.1 is not trusted ("
    )
    assert untrusted.stderr.endswith("); Khepri always verifies it\n")
    assert pauses == []
    monkeypatch.setenv("SSL_CERT_FILE", cert)  # trusted: the connection is made (and meets HTML)
    trusted = login(athlete)
    assert "does not answer as a Supabase API (HTTP 200 text/html to sign in)" in trusted.stderr


# -- nothing secret in any output --------------------------------------------------------


def test_no_token_key_or_password_in_output_even_with_debug(ada, configured, khepri_home, pauses):
    import json

    session = json.loads((khepri_home / ".config" / "khepri" / "session.json").read_text())
    secrets = [
        session["access_token"],
        session["refresh_token"],
        PASSWORD,
        configured.keys.publishable,
    ]
    configured.faults.fail(8, 503, path="/auth/v1/user")  # four tries each
    runs = [ada.khepri("--debug", "whoami"), ada.khepri("whoami", "--json")]
    configured.faults.fail(4, 500, path="/auth/v1/token")
    runs.append(login(ada.khepri, "--debug"))
    for run in runs:
        assert run.exit_code == 1
        assert run.stderr.splitlines()[-1].startswith("khepri: error: cannot ")
        for secret in secrets:
            assert secret not in run.output
