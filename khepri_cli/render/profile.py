"""Showing the athlete profile."""

from __future__ import annotations

from khepri_cli.domain.profile import profile_view
from khepri_cli.models.athlete import Athlete
from khepri_cli.render.console import print_fields, say


def saved(athlete: Athlete, created: bool) -> None:
    name = athlete.display_name or "athlete"
    say(f"Created the profile for {name}." if created else f"Saved the profile for {name}.")


def show_profile(athlete: Athlete) -> None:
    linked = athlete.auth_user_id or "not linked yet (see 'khepri sync')"
    rows = [*profile_view(athlete), ("Supabase user", linked)]
    print_fields("Athlete profile", rows)
