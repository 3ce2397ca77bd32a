"""Showing the athlete profile."""

from __future__ import annotations

from khepri_cli.domain.profile import profile_view
from khepri_cli.models.athlete import Athlete
from khepri_cli.render.console import console, is_terminal, out, plain_table, say


def saved(athlete: Athlete, created: bool) -> None:
    name = athlete.display_name or "athlete"
    say(f"Created the profile for {name}." if created else f"Saved the profile for {name}.")


def show_profile(athlete: Athlete) -> None:
    rows = profile_view(athlete)
    if not is_terminal():
        out(plain_table(["field", "value"], [list(r) for r in rows]))
        return
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE, show_header=False, title="Athlete profile", title_justify="left")
    table.add_column(style="bold cyan")
    table.add_column()
    for label, value in rows:
        table.add_row(label, value if value != "—" else "[dim]—[/]")
    linked = athlete.auth_user_id or "[dim]not linked (see 'khepri sync')[/]"
    table.add_row("Supabase user", linked)
    console().print(table)
