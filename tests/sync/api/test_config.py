"""``khepri config``: the project URL and key, where they come from, and how they are kept."""

from __future__ import annotations

import base64
import json
import os
import stat

import pytest

from khepri_cli.errors import InvalidInput
from khepri_cli.sync.supabase_api.project import (
    ANON,
    PUBLISHABLE,
    SECRET,
    SERVICE_ROLE,
    check_key,
    check_url,
    resolve_project,
)

PUBLISHABLE_KEY = "sb_publishable_abcdefghijklmnop1234"
SECRET_KEY = "sb_secret_zyxwvutsrqponmlk9876"


def legacy_jwt(role: str) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'role': role, 'iss': 'supabase'})}.sig"


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("https://abcd.supabase.co", "https://abcd.supabase.co"),
        ("https://ABCD.supabase.co/ ", "https://abcd.supabase.co"),
        ("http://127.0.0.1:54321", "http://127.0.0.1:54321"),
        ("http://localhost:54321/", "http://localhost:54321"),
        ("http://[::1]:54321", "http://[::1]:54321"),
        ("https://example.com/supabase", "https://example.com/supabase"),
    ],
)
def test_project_urls_accepted(given, canonical):
    assert check_url(given) == canonical


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("http://abcd.supabase.co", "must start with https://"),
        ("http://10.0.0.5:54321", "must start with https://"),
        ("ftp://abcd.supabase.co", "must be the project URL"),
        ("abcd.supabase.co", "must be the project URL"),
        ("https://abcd.supabase.co/rest/v1", "without /rest/v1"),
        ("https://abcd.supabase.co/auth/v1/", "without /auth/v1"),
        ("https://abcd.supabase.co?x=1", "must be the project URL alone"),
        ("https://abcd.supabase.co:0", "must be the project URL"),
    ],
)
def test_project_urls_refused(given, why):
    with pytest.raises(InvalidInput) as refused:
        check_url(given)
    assert why in refused.value.message


def test_a_url_with_a_password_is_refused_without_showing_it():
    with pytest.raises(InvalidInput) as refused:
        check_url("https://user:hunter22@abcd.supabase.co")
    assert "hunter22" not in refused.value.message
    assert "must not hold a user name or password" in refused.value.message


def test_keys_are_told_apart_and_masked():
    assert check_key(PUBLISHABLE_KEY).kind == PUBLISHABLE
    assert check_key(SECRET_KEY).kind == SECRET
    assert check_key(legacy_jwt("anon")).kind == ANON
    assert check_key(legacy_jwt("service_role")).kind == SERVICE_ROLE
    assert check_key(PUBLISHABLE_KEY).masked == "sb_publishable_…1234"
    assert check_key(SECRET_KEY).masked == "sb_secret_…9876"
    assert check_key(legacy_jwt("anon")).masked == "eyJ….sig"
    assert PUBLISHABLE_KEY not in repr(check_key(PUBLISHABLE_KEY))
    for bad in ("hello", legacy_jwt("authenticated"), "eyJ.not.json", "sb_publishable_"):
        with pytest.raises(InvalidInput) as refused:
            check_key(bad)
        assert "publishable key (sb_publishable_...)" in refused.value.message


def test_environment_wins_over_dotenv_which_wins_over_saved(khepri, monkeypatch, tmp_path):
    khepri.ok("config", "set", "url", "https://saved.supabase.co")
    khepri.ok("config", "set", "key", PUBLISHABLE_KEY)
    project = resolve_project()
    assert (project.url, project.key.value) == ("https://saved.supabase.co", PUBLISHABLE_KEY)
    assert project.url_source.startswith("saved in ")

    anon = legacy_jwt("anon")
    (tmp_path / ".env").write_text(
        f"SUPABASE_URL=https://dotenv.supabase.co\nexport SUPABASE_ANON_KEY='{anon}'\n"
    )
    project = resolve_project()
    assert (project.url, project.key.kind) == ("https://dotenv.supabase.co", ANON)
    assert (project.url_source, project.key_source) == (
        "SUPABASE_URL in .env",
        "SUPABASE_ANON_KEY in .env",
    )

    monkeypatch.setenv("SUPABASE_URL", "https://env.supabase.co")
    monkeypatch.setenv("SUPABASE_PUBLISHABLE_KEY", PUBLISHABLE_KEY)
    project = resolve_project()
    assert (project.url, project.url_source) == ("https://env.supabase.co", "SUPABASE_URL")
    assert project.key_source == "SUPABASE_PUBLISHABLE_KEY"


def test_secret_keys_are_never_read_from_the_environment(khepri, monkeypatch):
    monkeypatch.setenv("SUPABASE_URL", "https://env.supabase.co")
    monkeypatch.setenv("SUPABASE_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", legacy_jwt("service_role"))
    run = khepri("config", "--json")
    assert json.loads(run.stdout)["key"] is None


def test_config_shows_sources_with_the_key_masked(khepri, khepri_home, monkeypatch):
    khepri.ok("config", "set", "url", "https://abcd.supabase.co/")
    monkeypatch.setenv("SUPABASE_PUBLISHABLE_KEY", PUBLISHABLE_KEY)
    shown = khepri.ok("config")
    path = khepri_home / ".config" / "khepri" / "config.json"
    assert shown.stdout.splitlines() == [
        "setting  value                     about            from",
        f"url      https://abcd.supabase.co                   saved in {path}",
        "key      sb_publishable_…1234      publishable key  SUPABASE_PUBLISHABLE_KEY",
    ]
    assert PUBLISHABLE_KEY not in shown.output
    data = json.loads(khepri.ok("config", "--json").stdout)
    assert data["key"] == {
        "value": "sb_publishable_…1234",
        "source": "SUPABASE_PUBLISHABLE_KEY",
        "kind": "publishable key",
        "problem": None,
        "bypasses_rls": False,
    }
    assert data["config_file"] == str(path)


def test_config_set_keeps_a_private_file_and_checks_values(khepri, khepri_home):
    saved = khepri.ok("config", "set", "key", "-", input=PUBLISHABLE_KEY + "\n")
    assert saved.stderr == "Saved key: publishable key sb_publishable_…1234.\n"
    path = khepri_home / ".config" / "khepri" / "config.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert json.loads(path.read_text()) == {"key": PUBLISHABLE_KEY}
    refused = khepri("config", "set", "url", "http://abcd.supabase.co")
    assert refused.exit_code == 2
    assert refused.stderr.startswith("khepri: error: url: 'http://abcd.supabase.co' is not valid;")
    assert khepri("config", "set", "colour", "x").exit_code == 2
    assert khepri.ok("config", "unset", "key").stderr == "Forgot the saved key.\n"
    assert khepri.ok("config", "unset", "key").stderr == "No key was saved; nothing to do.\n"
    assert json.loads(path.read_text()) == {}


def test_saving_a_secret_key_warns_that_it_bypasses_rls(khepri):
    run = khepri.ok("config", "set", "key", SECRET_KEY)
    assert SECRET_KEY not in run.output
    assert run.stderr.splitlines() == [
        "Saved key: secret key sb_secret_…9876.",
        "warning: this is the project's secret key, which bypasses Row Level Security: keep it "
        "secret; Khepri uses it only for a user named with --user-id",
    ]


def test_a_bad_value_in_the_environment_is_shown_as_a_problem(khepri, monkeypatch):
    monkeypatch.setenv("SUPABASE_URL", "http://abcd.supabase.co")
    monkeypatch.setenv("SUPABASE_PUBLISHABLE_KEY", "not-a-key-at-all")
    data = json.loads(khepri.ok("config", "--json").stdout)
    assert "must start with https://" in data["url"]["problem"]
    assert data["key"]["value"] == "(hidden)"
    assert "not-a-key-at-all" not in json.dumps(data)
    run = khepri("login", "--email", "a@b.c", "--password-stdin", input="x\n")
    assert run.exit_code == 2
    assert run.stderr.startswith("khepri: error: SUPABASE_URL: 'http://abcd.supabase.co'")


def test_a_config_file_others_can_read_is_refused(khepri, khepri_home):
    khepri.ok("config", "set", "url", "https://abcd.supabase.co")
    path = khepri_home / ".config" / "khepri" / "config.json"
    path.chmod(0o644)
    run = khepri("config")
    assert run.exit_code == 1
    assert f"{path} can be read by other users (mode 0644)" in run.stderr


def test_the_saved_file_is_not_read_when_the_environment_has_both(khepri, khepri_home, monkeypatch):
    khepri.ok("config", "set", "url", "https://abcd.supabase.co")
    (khepri_home / ".config" / "khepri" / "config.json").chmod(0o644)
    monkeypatch.setenv("SUPABASE_URL", "https://env.supabase.co")
    monkeypatch.setenv("SUPABASE_PUBLISHABLE_KEY", PUBLISHABLE_KEY)
    assert resolve_project().url == "https://env.supabase.co"
