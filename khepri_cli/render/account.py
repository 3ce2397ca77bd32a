"""Showing the Supabase account: login, sign-up, who am I, logout, and ``khepri config``.

Results (who am I, the configuration) go to stdout, as aligned fields or
``--json``; messages go to stderr. Nothing shown here ever holds a token, a
password or an API key (keys are shown masked).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from khepri_cli.render import console as con

if TYPE_CHECKING:
    from khepri_cli.services.account import Identity, JournalLink, Login, Logout, SignUp
    from khepri_cli.services.api_config import ConfigView, ShownSetting


def warning(text: str) -> None:
    con.say(f"warning: {text}")


def logged_in(result: Login) -> None:
    session = result.session
    con.say(f"Logged in to {session.project_url} as {session.email} (user {session.user_id}).")
    con.say(_link_message(result.link))


def _link_message(link: JournalLink) -> str:
    if link.athlete is None:
        return (
            "This journal has no profile yet: the first 'khepri sync' links it to this user "
            "(or brings the user's profile down)."
        )
    if not link.changed:
        return f"This journal's athlete ({link.athlete}) is linked to this user."
    if link.previous_user_id is None:
        return (
            f"Linked this journal's athlete ({link.athlete}) to this user; "
            "the next 'khepri sync' sends the link."
        )
    return (
        f"Relinked this journal's athlete ({link.athlete}) from Supabase user "
        f"{link.previous_user_id} to this user; its rows now sync to this user's account."
    )


def signed_up(result: SignUp) -> None:
    if result.login is None:
        con.say(
            f"Signed up {result.email}. This project asks you to confirm the email address: "
            "open the link Supabase sent, then run 'khepri login'."
        )
        return
    con.say(f"Signed up {result.email}.")
    logged_in(result.login)


def identity(result: Identity, as_json: bool) -> None:
    session = result.session
    expires = _moment(session.expires_at)
    if as_json:
        con.emit_json(
            {
                "email": session.email,
                "user_id": session.user_id,
                "project_url": session.project_url,
                "access_token_expires_at": expires,
                "email_confirmed": bool(result.user.get("email_confirmed_at")),
                "journal_linked": result.linked,
            }
        )
        return
    con.print_fields(
        "Supabase account",
        [
            ("email", session.email),
            ("user", session.user_id),
            ("project", session.project_url),
            ("session", f"valid until {expires} (renewed as needed)"),
            ("journal", "linked to this user" if result.linked else "not linked to this user"),
        ],
    )


def logged_out(result: Logout) -> None:
    if result.email is None:
        con.say("Not logged in; nothing to do.")
        return
    con.say(f"Logged out {result.email} from {result.project_url}.")
    if not result.signed_out_on_server:
        warning(
            f"the session could not be ended on the server ({result.server_problem}); "
            "it was removed here, and ends on the server when its refresh token expires"
        )


def config(view: ConfigView, as_json: bool) -> None:
    if as_json:
        con.emit_json(view.to_json())
        return
    rows = []
    for name in ("url", "key"):
        setting = view.settings.get(name)
        if setting is None:
            rows.append([name, "(not set)", "", ""])
            continue
        about = setting.problem or (setting.kind or "")
        rows.append([name, setting.shown, about, setting.source])
    con.print_table(None, ["setting", "value", "about", "from"], rows)
    con.say(f"Saved settings live in {view.path}.")
    _warn_about(view.settings.get("key"))


def saved(setting: ShownSetting) -> None:
    what = f"{setting.kind} {setting.shown}" if setting.kind else setting.shown
    con.say(f"Saved {setting.name}: {what}.")
    _warn_about(setting)


def unset(name: str, removed: bool) -> None:
    con.say(f"Forgot the saved {name}." if removed else f"No {name} was saved; nothing to do.")


def _warn_about(setting: ShownSetting | None) -> None:
    if setting is not None and setting.bypasses_rls:
        warning(
            f"this is the project's {setting.kind}, which bypasses Row Level Security: keep it "
            "secret; Khepri uses it only for a user named with --user-id"
        )


def _moment(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
