"""Showing the athlete profile."""

from __future__ import annotations

from khepri_cli.domain.profile import profile_view
from khepri_cli.render.console import emit_json, print_fields, say
from khepri_cli.schema import Row


def saved(athlete: Row, created: bool) -> None:
    name = athlete.display_name or "athlete"
    say(f"Created the profile for {name}." if created else f"Saved the profile for {name}.")


def show_profile(athlete: Row, as_json: bool = False) -> None:
    """The profile in the athlete's units (or its JSON row)."""
    if as_json:
        emit_json(athlete.to_json())
        return
    linked = athlete.auth_user_id or "not linked yet (see 'khepri sync')"
    rows = [*profile_view(athlete), ("Supabase user", linked)]
    print_fields("Athlete profile", rows)
