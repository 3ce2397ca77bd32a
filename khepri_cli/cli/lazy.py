"""Command groups whose commands are built only when they are asked for.

typer turns every command of a group into a click command (reading its
signature, evaluating its annotations, making a click option of each
parameter) before any of them runs, though a command line runs one.
:class:`LazyGroup` keeps a recipe per command instead and builds a command
the first time it is looked up: ``khepri goals list`` builds neither
``add`` nor ``edit`` and their dozens of options. Listing the commands
(``--help``, completion) builds them all, so help looks exactly the same.

Imported on every run: typer only.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import typer
import typer.main
from typer.core import TyperGroup
from typer.models import CommandInfo, DefaultPlaceholder


class LazyGroup(TyperGroup):
    """A typer group whose commands come from ``recipes``: name -> how to get its CommandInfo."""

    recipes: dict[str, Callable[[], CommandInfo]]
    built: list[Callable[[Any], None]]  # called with each command once it is built
    pretty_exceptions_short = True

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.recipes)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in self.recipes:
            command = typer.main.get_command_from_info(
                self.recipes[cmd_name](),
                pretty_exceptions_short=self.pretty_exceptions_short,
                rich_markup_mode=self.rich_markup_mode,
            )
            for hook in self.built:
                hook(command)
            self.commands[cmd_name] = command
        return self.commands.get(cmd_name)


def lazy_group(app: typer.Typer, recipes: dict[str, Callable[[], CommandInfo]]) -> LazyGroup:
    """The click group typer makes of ``app`` (its help, callback, settings), with ``recipes``
    for commands instead of the ones registered on it."""
    shell = copy.copy(app)
    shell.info = copy.copy(app.info)
    shell.info.cls = LazyGroup
    shell.registered_commands = []
    group = typer.main.get_group(shell)
    assert isinstance(group, LazyGroup)
    group.recipes = recipes
    group.built = []
    group.pretty_exceptions_short = app.pretty_exceptions_short
    return group


def click_command(app: typer.Typer) -> Any:
    """``typer.main.get_command(app)``, but a group's commands are built when first asked for."""
    group = app.registered_callback or app.info.callback or len(app.registered_commands) > 1
    lazy = group and not (
        app.registered_groups
        or app._add_completion
        or not isinstance(app.info.cls, DefaultPlaceholder)
    )
    if not lazy:
        return typer.main.get_command(app)
    return lazy_group(
        app,
        {
            info.name or typer.main.get_command_name(info.callback.__name__): (lambda i=info: i)
            for info in app.registered_commands
            if info.callback is not None
        },
    )
