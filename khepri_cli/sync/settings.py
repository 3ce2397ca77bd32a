"""Where ``khepri sync`` pushes to, as whom, and how a password is kept out of every message.

The target is a PostgreSQL URL: ``--db-url``, else ``SUPABASE_DB_URL`` from
the environment, else ``SUPABASE_DB_URL`` from a ``.env`` file in the current
directory (the dotenv format the Supabase tooling reads: ``KEY=value``,
optional ``export``, single or double quotes, ``#`` comments). The password
inside it is replaced by ``***`` wherever the URL, or any error text that
might echo it, is shown.

Pure standard library: this module is imported on the ``sync`` command path
before anything decides whether psycopg is needed.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from khepri_cli.errors import InvalidInput, UsageProblem

ENV_NAME = "SUPABASE_DB_URL"
MASK = "***"
URL_EXAMPLE = "postgresql://postgres:PASSWORD@db.<project-ref>.supabase.co:5432/postgres"
UUID_EXAMPLE = "0b5f2c1e-8d4a-4c1e-9a51-3f1f6f0c2a7d"


@dataclass(frozen=True)
class Target:
    """A resolved database URL, where it came from, and the secrets to hide."""

    url: str
    source: str  # "--db-url", "SUPABASE_DB_URL" or ".env"
    secrets: tuple[str, ...] = field(default=(), repr=False)

    def __repr__(self) -> str:  # never show the URL itself in a traceback or log
        return f"Target({self.masked!r}, source={self.source!r})"

    @property
    def masked(self) -> str:
        return mask_url(self.url)

    def hide(self, text: str) -> str:
        """``text`` with this target's password (in any spelling) replaced by ``***``."""
        return hide_secrets(text, self.secrets)


def has_database_url(cwd: Path | None = None) -> bool:
    """Is ``$SUPABASE_DB_URL`` set, here or in ``./.env``? (Nothing is checked.)"""
    if os.environ.get(ENV_NAME):
        return True
    return bool(read_dotenv((cwd or Path.cwd()) / ".env").get(ENV_NAME))


def resolve_target(db_url: str | None, cwd: Path | None = None) -> Target:
    """``--db-url``, else ``$SUPABASE_DB_URL``, else ``SUPABASE_DB_URL`` in ``./.env``."""
    if db_url is not None:
        return _checked(db_url, "--db-url")
    env = os.environ.get(ENV_NAME)
    if env:
        return _checked(env, ENV_NAME)
    dotenv = (cwd or Path.cwd()) / ".env"
    values = read_dotenv(dotenv)
    if values.get(ENV_NAME):
        return _checked(values[ENV_NAME], f"{ENV_NAME} in {dotenv.name}")
    raise UsageProblem(
        f"no database to sync to: pass --db-url or set {ENV_NAME} "
        f"(in the environment or in a .env file here), e.g. {URL_EXAMPLE}"
    )


_CONNINFO = re.compile(r"^\s*(?:[A-Za-z_]+\s*=\s*(?:'(?:[^'\\]|\\.)*'|[^\s']+)\s*)+$")
_CONNINFO_KEY = re.compile(r"([A-Za-z_]+)\s*=")
LIBPQ_KEYWORDS = frozenset(
    [
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "password",
        "passfile",
        "require_auth",
        "channel_binding",
        "connect_timeout",
        "client_encoding",
        "options",
        "application_name",
        "fallback_application_name",
        "keepalives",
        "keepalives_idle",
        "keepalives_interval",
        "keepalives_count",
        "tcp_user_timeout",
        "replication",
        "gssencmode",
        "sslmode",
        "requiressl",
        "sslcompression",
        "sslcert",
        "sslkey",
        "sslpassword",
        "sslcertmode",
        "sslrootcert",
        "sslcrl",
        "sslcrldir",
        "sslsni",
        "requirepeer",
        "ssl_min_protocol_version",
        "ssl_max_protocol_version",
        "krbsrvname",
        "gsslib",
        "gssdelegation",
        "service",
        "target_session_attrs",
        "load_balance_hosts",
    ]
)
"""The connection parameters libpq knows (PostgreSQL 16's list): a key=value string naming
another is refused as bad input before any connection is tried."""


def _checked(url: str, source: str) -> Target:
    """A PostgreSQL URL, or a libpq ``key=value`` connection string, or InvalidInput."""
    url = url.strip()
    secrets = url_secrets(url)
    check_password_encoding(url, source)
    if not (_is_postgres_url(url) or _is_conninfo(url)):
        shown = hide_secrets(url, secrets)
        raise InvalidInput(source, shown, f"must be a PostgreSQL URL such as {URL_EXAMPLE}")
    return Target(url, source, secrets)


def _is_conninfo(text: str) -> bool:
    """A libpq ``key=value ...`` string whose keys are all connection parameters."""
    if not _CONNINFO.match(text):
        return False
    keys = {
        m.group(1).lower() for m in _CONNINFO_KEY.finditer(re.sub(r"'(?:[^'\\]|\\.)*'", "''", text))
    }
    return keys <= LIBPQ_KEYWORDS


def _is_postgres_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("postgres", "postgresql") and (parts.port or 1) > 0
    except ValueError:  # e.g. a port that is not a number
        return False


def check_user_id(value: str, field_name: str = "--user-id") -> str:
    """The canonical lowercase form of a Supabase Auth user id."""
    try:
        return str(uuid.UUID(value.strip()))
    except (ValueError, AttributeError):
        raise InvalidInput(
            field_name, value, f"must be the UUID of a Supabase Auth user, e.g. {UUID_EXAMPLE}"
        ) from None


# -- masking -------------------------------------------------------------------

_PASSWORD_PARAM = re.compile(r"(?i)(\b(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&'\"]+)")
_USERINFO = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^:/?#@\s]*:)(\S*)(@[^@\s]*)")
"""scheme://user:PASSWORD@rest: the password runs to the LAST ``@`` of the URL, so one
holding ``@``, ``:`` or ``/`` (unencoded, as people paste them) is hidden whole."""

_ENDS_A_PASSWORD = re.compile(r"[@/?#]|%(?![0-9A-Fa-f]{2})")
"""Characters that end a URL's password early (libpq stops at ``@`` and ``/``), and a
``%`` that starts no percent-escape."""


def mask_url(url: str) -> str:
    """The URL with the password of its user part and any ``password=`` parameter hidden.

    The one masking function: every URL, or text that may hold one, is shown
    through it (:func:`hide_secrets` adds the known spellings of a password).
    """
    masked = _USERINFO.sub(lambda m: m.group(1) + MASK + m.group(3), url)
    return _PASSWORD_PARAM.sub(lambda m: m.group(1) + MASK, masked)


def check_password_encoding(url: str, source: str) -> None:
    """Refuse a URL whose password holds a character that must be percent-encoded."""
    for match in _USERINFO.finditer(url):
        found = _ENDS_A_PASSWORD.search(match.group(2))
        if found:
            raise InvalidInput(
                source,
                mask_url(url),
                f"the password holds {found.group()!r}, which must be percent-encoded in a URL "
                "(@ as %40, / as %2F, ? as %3F, # as %23, % as %25), "
                "e.g. postgresql://postgres:p%40ss@db.example.com:5432/postgres",
            )


def url_secrets(url: str) -> tuple[str, ...]:
    """Every spelling of the password(s) in ``url`` that could show up in a message."""
    found: set[str] = set()
    for match in _USERINFO.finditer(url):
        found.add(match.group(2))
    for match in _PASSWORD_PARAM.finditer(url):
        found.add(match.group(2).strip("'"))
    spellings: set[str] = set()
    for secret in found:
        if secret:
            spellings.update({secret, unquote(secret), quote(unquote(secret), safe="")})
    return tuple(sorted((s for s in spellings if s), key=len, reverse=True))


def hide_secrets(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every URL password masked and each known secret replaced by ``***``.

    A short secret is replaced only where it stands apart from letters and
    digits, so a password ``p`` does not turn ``postgresql`` into ``***ostgresql``.
    """
    text = mask_url(text)
    for secret in secrets:
        if len(secret) >= 6:
            text = text.replace(secret, MASK)
        else:
            pattern = rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])"
            text = re.sub(pattern, MASK, text)
    return text


# -- .env ----------------------------------------------------------------------

_DOTENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")


def read_dotenv(path: Path) -> dict[str, str]:
    """``KEY=value`` pairs of a dotenv file; a missing or unreadable file is empty."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    values: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _DOTENV_LINE.match(line)
        if match:
            values[match.group(1)] = _dotenv_value(match.group(2))
    return values


_DOUBLE_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _dotenv_value(raw: str) -> str:
    if raw.startswith('"'):
        match = _DOUBLE_QUOTED.match(raw)
        if match:  # \" and \\ and \n are escapes inside double quotes
            return re.sub(
                r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), match.group(1)
            )
    if raw.startswith("'"):
        end = raw.find("'", 1)
        if end > 0:  # single quotes: the text as it stands
            return raw[1:end]
    # unquoted: a ' #' starts a comment
    return re.split(r"\s+#", raw, maxsplit=1)[0].strip()
