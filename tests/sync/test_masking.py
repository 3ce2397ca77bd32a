"""The one masking function over every form a database URL takes, and the hint to percent-encode.

A password never reaches a message, whatever it holds: ``@``, ``:``, ``/``,
an escape like ``%40``, or nothing at all; ``password=`` parameters too.
"""

from __future__ import annotations

import pytest

from khepri_cli.errors import InvalidInput
from khepri_cli.sync.settings import hide_secrets, mask_url, resolve_target, url_secrets

CASES = [
    # (url, masked, the password as typed, None when there is none)
    ("postgres://postgres:p@ss:w0rd@host:5432/db", "postgres://postgres:***@host:5432/db", "p@ss:w0rd"),
    ("postgresql://u:pa:ss@h/d", "postgresql://u:***@h/d", "pa:ss"),
    ("postgresql://u:pa/ss@h:5432/d", "postgresql://u:***@h:5432/d", "pa/ss"),
    ("postgresql://u:p%40ss%2Fw@h/d", "postgresql://u:***@h/d", "p%40ss%2Fw"),
    ("postgresql://u:@h/d", "postgresql://u:***@h/d", None),
    ("postgresql://u@h/d", "postgresql://u@h/d", None),
    ("postgresql://h:5432/d", "postgresql://h:5432/d", None),
    ("postgresql://h/d?user=u&password=s3cr3t&sslmode=require", "postgresql://h/d?user=u&password=***&sslmode=require", "s3cr3t"),
    ("postgresql://u:pw@h/d?sslpassword=k3y&application_name=khepri", "postgresql://u:***@h/d?sslpassword=***&application_name=khepri", "k3y"),
    ("host=h user=u password='a b@c' dbname=d", "host=h user=u password=*** dbname=d", "a b@c"),
]  # fmt: skip


@pytest.mark.parametrize(("url", "masked", "password"), CASES, ids=[c[0] for c in CASES])
def test_mask_url_hides_the_whole_password(url, masked, password):
    assert mask_url(url) == masked
    if password:
        assert password not in mask_url(url)


@pytest.mark.parametrize(("url", "masked", "password"), CASES, ids=[c[0] for c in CASES])
def test_any_text_that_echoes_the_url_or_password_is_masked(url, masked, password):
    text = f'connection to "{url}" failed: password "{password}" rejected, retry {url}'
    hidden = hide_secrets(text, url_secrets(url))
    if password:
        assert password not in hidden
    assert "***" in hidden or password is None


@pytest.mark.parametrize(
    ("url", "char"),
    [
        ("postgres://postgres:p@ss:w0rd@host:5432/db", "'@'"),
        ("postgresql://u:pa/ss@h/d", "'/'"),
        ("postgresql://u:pa?ss@h/d", "'?'"),
        ("postgresql://u:pa#ss@h/d", "'#'"),
        ("postgresql://u:100%@h/d", "'%'"),
    ],
)
def test_a_password_that_needs_percent_encoding_is_refused_with_a_hint(url, char):
    with pytest.raises(InvalidInput) as caught:
        resolve_target(url)
    message = caught.value.message
    assert f"the password holds {char}, which must be percent-encoded" in message
    assert "@ as %40, / as %2F" in message
    password = url.split("://", 1)[1].split(":", 1)[1].rsplit("@", 1)[0]
    assert password not in message


@pytest.mark.parametrize(
    "url", ["postgresql://u:p%40ss%2Fw@h/d", "postgresql://u:pa:ss@h/d", "postgresql://u@h/d"]
)
def test_encoded_and_plain_passwords_are_accepted(url):
    assert resolve_target(url).url == url


def test_the_cli_shows_the_hint_on_one_line_without_the_password(athlete):
    run = athlete("sync", "--db-url", "postgresql://postgres:s3cr@t@db.example.com/postgres")
    assert run.exit_code == 2
    assert run.stderr.count("\n") == 1
    assert "s3cr" not in run.stderr and "percent-encoded" in run.stderr
