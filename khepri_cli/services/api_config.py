"""Use cases of ``khepri config``: the Supabase project the API way talks to.

Shows where the URL and key come from (environment, ``.env``, saved), saves
and forgets them in the private configuration file. Standard library only:
no HTTP client is loaded, and nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from khepri_cli.errors import KhepriError
from khepri_cli.sync.supabase_api import project as projects
from khepri_cli.sync.supabase_api.project import ApiKey, Setting


@dataclass(frozen=True)
class ShownSetting:
    """One setting as ``khepri config`` shows it: never the key itself."""

    name: str
    shown: str  # the URL, or the masked key
    source: str
    kind: str | None = None  # the key's kind ("publishable key", ...)
    problem: str | None = None  # why it cannot be used as it is
    bypasses_rls: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "value": self.shown,
            "source": self.source,
            "kind": self.kind,
            "problem": self.problem,
            "bypasses_rls": self.bypasses_rls,
        }


@dataclass(frozen=True)
class ConfigView:
    path: Path  # the configuration file (it may not exist yet)
    settings: dict[str, ShownSetting]  # "url" and "key", when configured anywhere

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"config_file": str(self.path)}
        for name in projects.SETTINGS:
            setting = self.settings.get(name)
            data[name] = setting.to_json() if setting else None
        return data


def show() -> ConfigView:
    """The URL and key as they resolve here and now, each with its source."""
    found = projects.configured()
    return ConfigView(
        projects.config_path(), {name: _shown(setting) for name, setting in found.items()}
    )


def save(name: str, value: str) -> ShownSetting:
    """Check and save ``url`` or ``key``; the result says what it is."""
    return _shown(projects.save(name, value))


def unset(name: str) -> bool:
    """Forget a saved ``url`` or ``key``; False when none was saved."""
    return projects.unset(name)


def _shown(setting: Setting) -> ShownSetting:
    try:
        if setting.name == "url":
            return ShownSetting("url", projects.check_url(setting.value), setting.source)
        key: ApiKey = projects.check_key(setting.value)
    except KhepriError as exc:
        shown = "(hidden)" if setting.name == "key" else setting.value
        return ShownSetting(setting.name, shown, setting.source, problem=exc.message)
    return ShownSetting("key", key.masked, setting.source, key.name, None, key.bypasses_rls)
