"""``khepri login``, ``whoami``, ``logout`` and ``signup`` against the stand-in project."""

from __future__ import annotations

import json
import os
import stat

import pytest

from .conftest import PASSWORD

EMAIL = "ada@example.com"


def session_path(khepri_home) -> object:
    return khepri_home / ".config" / "khepri" / "session.json"


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def login(khepri, email: str = EMAIL, password: str = PASSWORD, *extra: str):
    return khepri("login", "--email", email, "--password-stdin", *extra, input=password + "\n")


def test_login_sends_the_password_grant_and_keeps_a_private_session(
    configured, athlete, khepri_home
):
    user_id = configured.create_user(EMAIL, PASSWORD)
    run = login(athlete)
    assert run.exit_code == 0, run.output
    assert run.stderr.splitlines() == [
        f"Logged in to {configured.url} as {EMAIL} (user {user_id}).",
        "Linked this journal's athlete (Ada) to this user; the next 'khepri sync' sends the link.",
    ]
    (sent,) = configured.log.all()
    assert (sent.method, sent.path, sent.query) == (
        "POST",
        "/auth/v1/token",
        {"grant_type": ["password"]},
    )
    assert sent.headers["apikey"] == configured.keys.publishable
    assert "authorization" not in sent.headers
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["x-supabase-api-version"] == "2024-01-01"
    assert sent.headers["x-client-info"].startswith("khepri-cli/")
    assert sent.json == {"email": EMAIL, "password": PASSWORD}

    path = session_path(khepri_home)
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    saved = json.loads(path.read_text())
    assert set(saved) == {
        "project_url",
        "user_id",
        "email",
        "expires_at",
        "access_token",
        "refresh_token",
    }
    assert (saved["project_url"], saved["user_id"], saved["email"]) == (
        configured.url,
        user_id,
        EMAIL,
    )
    assert PASSWORD not in path.read_text()
    for secret in (saved["access_token"], saved["refresh_token"], PASSWORD):
        assert secret not in run.output


def test_login_links_the_athlete_through_the_store_and_remembers_the_user(configured, athlete):
    user_id = configured.create_user(EMAIL, PASSWORD)
    assert login(athlete).exit_code == 0
    (row,) = athlete.rows("SELECT id, auth_user_id FROM athletes")
    assert row["auth_user_id"] == user_id
    pending = athlete.rows(
        "SELECT op FROM _khepri_pending_changes WHERE table_name = 'athletes' AND row_id = ?",
        (row["id"],),
    )
    assert pending == [{"op": "upsert"}]  # the next sync sends the link
    state = athlete.rows("SELECT value FROM _khepri_sync_state WHERE key = 'user_id'")
    assert state == [{"value": user_id}]

    again = login(athlete)
    assert "is linked to this user" in again.stderr


def test_login_without_a_profile_remembers_the_user_for_the_first_sync(configured, khepri):
    user_id = configured.create_user(EMAIL, PASSWORD)
    run = login(khepri)
    assert run.exit_code == 0, run.output
    assert "no profile yet: the first 'khepri sync' links it" in run.stderr
    assert khepri.rows("SELECT value FROM _khepri_sync_state WHERE key = 'user_id'") == [
        {"value": user_id}
    ]
    from khepri_cli.db.connection import open_journal
    from khepri_cli.services.sync import resolve_user

    khepri.ok("init", "--name", "Ada")
    journal = open_journal(khepri.db_path)
    try:
        assert resolve_user(journal, None) == user_id  # what 'khepri sync' acts as
    finally:
        journal.close()


def test_login_as_another_user_relinks_and_says_so(configured, athlete):
    ada = configured.create_user(EMAIL, PASSWORD)
    bob = configured.create_user("bob@example.com", PASSWORD)
    login(athlete)
    run = login(athlete, "bob@example.com")
    assert run.exit_code == 0, run.output
    assert f"Relinked this journal's athlete (Ada) from Supabase user {ada} to this user" in (
        run.stderr
    )
    assert athlete.rows("SELECT auth_user_id FROM athletes") == [{"auth_user_id": bob}]


@pytest.mark.parametrize("debug", [(), ("--debug",)], ids=["plain", "debug"])
def test_wrong_password_and_unknown_email_are_one_line_without_the_password(
    configured, athlete, khepri_home, debug
):
    configured.create_user(EMAIL, PASSWORD)
    for email, password in ((EMAIL, "wrong-password-1"), ("nobody@example.com", PASSWORD)):
        run = athlete(*debug, "login", "--email", email, "--password-stdin", input=password + "\n")
        assert run.exit_code == 1
        last = run.stderr.splitlines()[-1]
        assert last == "khepri: error: cannot sign in: wrong email or password"
        assert len(run.stderr.splitlines()) == 1 or debug  # --debug adds the traceback
        assert password not in run.output
        assert configured.keys.publishable not in run.output
    assert not session_path(khepri_home).exists()
    assert athlete.rows("SELECT auth_user_id FROM athletes") == [{"auth_user_id": None}]


def test_unconfirmed_email(configured, athlete):
    configured.create_user(EMAIL, PASSWORD, confirmed=False)
    run = login(athlete)
    assert run.exit_code == 1
    assert run.stderr == (
        "khepri: error: cannot sign in: this email address is not confirmed yet; open the link "
        "in the confirmation email from Supabase, then run 'khepri login' again\n"
    )


def test_login_needs_the_email_and_password_without_a_terminal(configured, athlete):
    no_email = athlete("login", "--password-stdin", input=PASSWORD + "\n")
    assert (no_email.exit_code, no_email.stderr) == (
        2,
        "khepri: error: --email is required when there is no terminal to ask on\n",
    )
    no_password = athlete("login", "--email", EMAIL)
    assert no_password.exit_code == 2
    assert "--password-stdin" in no_password.stderr
    empty = athlete("login", "--email", EMAIL, "--password-stdin", input="\n")
    assert empty.stderr == "khepri: error: --password-stdin: standard input holds no password\n"
    assert configured.log.all() == []


def test_login_without_a_configured_project_says_how_to_configure_one(athlete):
    run = login(athlete)
    assert run.exit_code == 2
    assert run.stderr.startswith("khepri: error: which Supabase project? give its URL and its ")
    assert "'khepri config set url https://<project-ref>.supabase.co'" in run.stderr


def test_whoami_checks_the_session_with_the_server(ada, configured):
    configured.log.clear()
    shown = ada.khepri.ok("whoami", "--json")
    data = json.loads(shown.stdout)
    assert data["email"] == EMAIL
    assert data["user_id"] == ada.user_id
    assert data["project_url"] == configured.url
    assert data["journal_linked"] is True
    assert data["email_confirmed"] is True
    (sent,) = configured.log.all()
    assert (sent.method, sent.path) == ("GET", "/auth/v1/user")
    assert sent.headers["authorization"].startswith("Bearer ey")
    plain = ada.khepri.ok("whoami")
    assert EMAIL in plain.stdout and "linked to this user" in plain.stdout


def test_whoami_when_not_logged_in(configured, athlete):
    run = athlete("whoami")
    assert (run.exit_code, run.stderr) == (
        1,
        f"khepri: error: not logged in to {configured.url}; run 'khepri login'\n",
    )
    assert configured.log.all() == []


def test_logout_ends_the_session_on_the_server_and_removes_it(ada, configured, khepri_home):
    path = session_path(khepri_home)
    refresh_token = json.loads(path.read_text())["refresh_token"]
    configured.log.clear()
    run = ada.khepri.ok("logout")
    assert run.stderr == f"Logged out {EMAIL} from {configured.url}.\n"
    (sent,) = configured.log.all()
    assert (sent.method, sent.path, sent.query, sent.status) == (
        "POST",
        "/auth/v1/logout",
        {"scope": ["local"]},
        204,
    )
    assert not path.exists()
    from .conftest import Http

    reuse = Http(configured).post(
        "/auth/v1/token",
        params={"grant_type": "refresh_token"},
        json_body={"refresh_token": refresh_token},
    )
    assert reuse.status == 400  # the server has forgotten the session
    assert ada.khepri.ok("logout").stderr == "Not logged in; nothing to do.\n"


def test_logout_removes_the_session_even_when_the_server_keeps_failing(
    ada, configured, khepri_home, pauses
):
    configured.faults.fail(4, 503, path="/auth/v1/logout")
    run = ada.khepri.ok("logout")
    assert f"Logged out {EMAIL}" in run.stderr
    assert "warning: the session could not be ended on the server (cannot sign out: " in run.stderr
    assert "is failing (503" in run.stderr and "(tried 4 times)" in run.stderr
    assert len(pauses) == 3
    assert not session_path(khepri_home).exists()


def test_logout_refreshes_an_expired_session_to_end_it(ada, configured, khepri_home):
    path = session_path(khepri_home)
    expire(path)
    configured.clock.advance(3700)
    configured.log.clear()
    ada.khepri.ok("logout")
    assert [(e.path, e.query, e.status) for e in configured.log.all()] == [
        ("/auth/v1/token", {"grant_type": ["refresh_token"]}, 200),
        ("/auth/v1/logout", {"scope": ["local"]}, 204),
    ]


def expire(path) -> None:
    """Make the saved session look expired to this machine's clock."""
    saved = json.loads(path.read_text())
    saved["expires_at"] = 0
    path.write_text(json.dumps(saved))


def test_signup_logs_in_when_no_confirmation_is_needed(configured, athlete):
    run = athlete("signup", "--email", "new@example.com", "--password-stdin", input="pw654321\n")
    assert run.exit_code == 0, run.output
    assert run.stderr.startswith("Signed up new@example.com.\nLogged in to ")
    (sent,) = configured.log.all()
    assert (sent.method, sent.path, sent.json) == (
        "POST",
        "/auth/v1/signup",
        {"email": "new@example.com", "password": "pw654321"},
    )


def test_signup_with_email_confirmation_says_what_to_do(configured, athlete, khepri_home):
    configured.auth.settings.email_confirmation_required = True
    run = athlete("signup", "--email", "new@example.com", "--password-stdin", input="pw654321\n")
    assert run.exit_code == 0, run.output
    assert run.stderr == (
        "Signed up new@example.com. This project asks you to confirm the email address: open "
        "the link Supabase sent, then run 'khepri login'.\n"
    )
    assert not session_path(khepri_home).exists()


def test_signup_refusals_are_one_line(configured, athlete):
    configured.create_user(EMAIL, PASSWORD)
    taken = athlete("signup", "--email", EMAIL, "--password-stdin", input="pw654321\n")
    assert (taken.exit_code, taken.stderr) == (
        1,
        "khepri: error: cannot sign up: this email is already registered; run 'khepri login'\n",
    )
    weak = athlete("signup", "--email", "new@example.com", "--password-stdin", input="pw\n")
    assert weak.stderr == (
        "khepri: error: cannot sign up: Password should be at least 6 characters.\n"
    )


def test_login_on_a_terminal_asks_with_the_password_hidden(configured, athlete, monkeypatch):
    from khepri_cli.cli.state import AppState

    configured.create_user(EMAIL, PASSWORD)
    monkeypatch.setattr(AppState, "interactive", property(lambda self: True))
    run = athlete("login", input=f"{EMAIL}\n{PASSWORD}\n")
    assert run.exit_code == 0, run.output
    assert "Email: " in run.output and "Password: " in run.output
    assert PASSWORD not in run.output  # typed, never echoed
    assert configured.log.all()[0].json == {"email": EMAIL, "password": PASSWORD}


def test_signup_where_the_project_allows_none(configured, athlete):
    configured.auth.settings.signup_enabled = False
    run = athlete("signup", "--email", "new@example.com", "--password-stdin", input="pw654321\n")
    assert (run.exit_code, run.stderr) == (
        1,
        "khepri: error: cannot sign up: this project does not allow sign-ups; ask its owner "
        "to invite you\n",
    )


def test_a_session_file_others_can_read_is_refused(ada, khepri_home):
    path = session_path(khepri_home)
    path.chmod(0o644)
    run = ada.khepri("whoami")
    assert run.exit_code == 1
    assert run.stderr == (
        f"khepri: error: {path} can be read by other users (mode 0644); Khepri will not use it: "
        f"run 'chmod 600 {path}' if you trust it, or remove it\n"
    )
