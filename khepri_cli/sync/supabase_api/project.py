"""Which Supabase project the API way talks to: its URL and API key, where each came from.

Read as the Supabase tooling reads them: ``SUPABASE_URL`` and
``SUPABASE_PUBLISHABLE_KEY`` (or the older ``SUPABASE_ANON_KEY``) from the
environment, else from a ``.env`` file in the current folder, else as saved
with ``khepri config set url|key`` in ``config.json`` of Khepri's configuration
folder (see :mod:`.files`). Secret keys are never read from the environment:
a ``.env`` of a project often holds one, and a secret key bypasses Row Level
Security, so it is used only when saved on purpose (and then only for a user
named with ``--user-id``; see :mod:`.access`).

The URL must be ``https://``; ``http://`` is accepted only for the loopback
addresses a local Supabase (``supabase start``) listens on. Standard library
only: ``khepri config`` reads this without loading any HTTP client.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from khepri_cli.errors import InvalidInput, UsageProblem
from khepri_cli.sync.settings import hide_secrets, read_dotenv
from khepri_cli.sync.supabase_api import files

URL_ENV = "SUPABASE_URL"
KEY_ENVS = ("SUPABASE_PUBLISHABLE_KEY", "SUPABASE_ANON_KEY")
CONFIG_FILE = "config.json"
URL_EXAMPLE = "https://<project-ref>.supabase.co"
SETTINGS = ("url", "key")

PUBLISHABLE = "publishable"
SECRET = "secret"
ANON = "anon"
SERVICE_ROLE = "service_role"
ADMIN_KEYS = frozenset({SECRET, SERVICE_ROLE})
"""Keys that act as ``service_role``: past Row Level Security."""

KEY_NAMES = {
    PUBLISHABLE: "publishable key",
    SECRET: "secret key",
    ANON: "legacy anon key",
    SERVICE_ROLE: "legacy service_role key",
}
_KEY_HELP = (
    "must be the project's publishable key (sb_publishable_...) or its legacy anon key "
    "(a JWT), from the dashboard: Project Settings > API Keys"
)


@dataclass(frozen=True)
class ApiKey:
    """An API key of the project and what it is; its value never shows in a repr."""

    value: str = field(repr=False)
    kind: str  # PUBLISHABLE, SECRET, ANON or SERVICE_ROLE

    @property
    def bypasses_rls(self) -> bool:
        return self.kind in ADMIN_KEYS

    @property
    def masked(self) -> str:
        """Enough to recognise the key, never enough to use it."""
        head = self.value[: self.value.index("_", 3) + 1] if self.value.startswith("sb_") else "eyJ"
        return f"{head}…{self.value[-4:]}"

    @property
    def name(self) -> str:
        return KEY_NAMES[self.kind]


@dataclass(frozen=True)
class Setting:
    """One configured value and where it came from (to show, and to name in errors)."""

    name: str  # "url" or "key"
    value: str = field(repr=False)
    source: str  # e.g. "SUPABASE_URL", "SUPABASE_URL in .env", "saved in /.../config.json"


@dataclass(frozen=True)
class Project:
    """A checked project URL and API key: everything needed to reach its API."""

    url: str  # scheme://host[:port][/path], no trailing slash
    key: ApiKey
    url_source: str = ""
    key_source: str = ""

    def hide(self, text: str) -> str:
        """``text`` with the API key replaced by ``***``."""
        return hide_secrets(text, (self.key.value,))


# -- checking values -----------------------------------------------------------


def check_url(text: str, field_name: str = "url") -> str:
    """The project URL in its canonical form, or InvalidInput naming what is wrong."""
    text = text.strip()
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = None, False
    if parts is None or not port_ok or parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidInput(field_name, text, f"must be the project URL, e.g. {URL_EXAMPLE}")
    shown = parts._replace(netloc=parts.hostname).geturl() if parts.password else text
    if parts.username or parts.password:
        raise InvalidInput(field_name, shown, "must not hold a user name or password")
    if parts.query or parts.fragment:
        raise InvalidInput(field_name, text, f"must be the project URL alone, e.g. {URL_EXAMPLE}")
    path = parts.path.rstrip("/")
    if path.endswith(("/rest/v1", "/auth/v1")):
        raise InvalidInput(
            field_name, text, f"give the project URL without {path[-8:]}, e.g. {URL_EXAMPLE}"
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise InvalidInput(
            field_name,
            text,
            "must start with https:// (plain http:// is accepted only for a local Supabase "
            "on 127.0.0.1 or localhost)",
        )
    return f"{parts.scheme}://{parts.netloc.lower()}{path}"


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_key(text: str, field_name: str = "key") -> ApiKey:
    """The API key and its kind, or InvalidInput (the key itself is never shown)."""
    value = text.strip()
    kind = _key_kind(value)
    if kind is None:
        shown = value[:4] + "…" if len(value) > 4 else "…"  # never enough of a secret to use
        raise InvalidInput(field_name, shown, _KEY_HELP)
    return ApiKey(value, kind)


def _key_kind(value: str) -> str | None:
    for prefix, kind in (("sb_publishable_", PUBLISHABLE), ("sb_secret_", SECRET)):
        if value.startswith(prefix) and len(value) > len(prefix) and value.isascii():
            return kind if " " not in value else None
    parts = value.split(".")
    if len(parts) != 3 or not value.startswith("eyJ"):
        return None
    try:
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        role = json.loads(base64.urlsafe_b64decode(payload)).get("role")
    except (ValueError, AttributeError):
        return None
    return {"anon": ANON, "service_role": SERVICE_ROLE}.get(role)


# -- where they come from --------------------------------------------------------


def config_path() -> Path:
    return files.config_dir() / CONFIG_FILE


def configured(cwd: Path | None = None) -> dict[str, Setting]:
    """The url and key as they resolve now (missing ones left out); nothing is checked."""
    dotenv_path = (cwd or Path.cwd()) / ".env"
    dotenv = read_dotenv(dotenv_path)
    found: dict[str, Setting] = {}
    for name, env_names in (("url", (URL_ENV,)), ("key", KEY_ENVS)):
        candidates = [(os.environ.get(e), e) for e in env_names]
        candidates += [(dotenv.get(e), f"{e} in {dotenv_path.name}") for e in env_names]
        for value, source in candidates:
            if value and value.strip():
                found[name] = Setting(name, value.strip(), source)
                break
    if len(found) < len(SETTINGS):  # the saved file is read only when it is needed
        saved_path = config_path()
        saved = files.read_private_json(saved_path) or {}
        for name in SETTINGS:
            value = saved.get(name)
            if name not in found and isinstance(value, str) and value.strip():
                found[name] = Setting(name, value.strip(), f"saved in {saved_path}")
    return found


def resolve_project(cwd: Path | None = None) -> Project:
    """The checked project URL and key, or UsageProblem saying how to give them."""
    found = configured(cwd)
    missing = [name for name in SETTINGS if name not in found]
    if missing:
        what = " and ".join(f"its {'URL' if n == 'url' else 'publishable key'}" for n in missing)
        raise UsageProblem(
            f"which Supabase project? give {what}: 'khepri config set url {URL_EXAMPLE}' and "
            f"'khepri config set key sb_publishable_...', or set {URL_ENV} and "
            f"{KEY_ENVS[0]} (in the environment or in a .env file here)"
        )
    url, key = found["url"], found["key"]
    return Project(
        check_url(url.value, url.source), check_key(key.value, key.source), url.source, key.source
    )


def save(name: str, value: str) -> Setting:
    """Check and save ``url`` or ``key`` in the configuration file (0600)."""
    if name not in SETTINGS:
        raise InvalidInput("setting", name, "must be 'url' or 'key'")
    checked = check_url(value) if name == "url" else check_key(value).value
    path = config_path()
    with files.locked(path.with_name(CONFIG_FILE + ".lock")):
        saved = files.read_private_json(path) or {}
        saved[name] = checked
        files.write_private_json(path, saved)
    return Setting(name, checked, f"saved in {path}")


def unset(name: str) -> bool:
    """Forget a saved ``url`` or ``key``; False when none was saved."""
    if name not in SETTINGS:
        raise InvalidInput("setting", name, "must be 'url' or 'key'")
    path = config_path()
    with files.locked(path.with_name(CONFIG_FILE + ".lock")):
        saved = files.read_private_json(path) or {}
        if name not in saved:
            return False
        del saved[name]
        files.write_private_json(path, saved)
    return True
