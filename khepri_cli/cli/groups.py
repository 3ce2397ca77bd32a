"""The commands of a record group, built from its declaration: add, list, show, edit, status, delete.

``khepri goals``, ``khepri constraints``, ``khepri plans`` and ``khepri
activities`` are the same commands over different tables. A
:class:`GroupCommands` says what differs (help texts and examples, which
date a ``--clear-...`` flag removes, how many days a list covers); the
options come from the schema declaration (a table without a status has no
``--status``, its type column's flag filters the list), the work from
:class:`~khepri_cli.services.records.Group`, the output from
:mod:`khepri_cli.render.records` with the group's :class:`RecordView`.
A group without an ``add`` text has no ``add`` command (plans are created
from a goal, sessions logged with ``khepri log``).
"""

# No ``from __future__ import annotations`` here: the commands are built inside a
# function, and typer must see their annotations as objects, not as names to look up.
from collections.abc import Callable, Mapping
from functools import partial
from types import MappingProxyType
from typing import Annotated, Any, NamedTuple

import typer
from typer.models import CommandInfo

from khepri_cli.cli.lazy import LazyGroup, lazy_group
from khepri_cli.cli.options import (
    MAX_DAYS,
    WORDS,
    JsonOption,
    SavedJsonOption,
    YesOption,
    option,
    with_column_options,
    with_options,
)
from khepri_cli.cli.state import AppState, state
from khepri_cli.cli.values import read_typed, typing_of
from khepri_cli.errors import InvalidInput, UsageProblem
from khepri_cli.schema import Table
from khepri_cli.schema.rules import OneOf, or_list


class GroupCommands(NamedTuple):
    """What the command line of one group says, beyond what the declaration gives.

    ``group`` and ``view`` name the service's Group and the renderer's
    RecordView as ``module:attribute``: they are imported only when a command
    runs, so ``khepri goals --help`` loads neither.
    """

    name: str  # "goals"
    table: Table
    help: str  # the group's help, with an example
    docs: Mapping[str, str]  # add, list, edit -> help text with an example (others: built)
    status_verbs: Mapping[str, tuple[str, str]]  # verb -> (the status it sets, what it does)
    group: str  # "khepri_cli.services.goals:GOALS"
    view: str  # "khepri_cli.render.goals:VIEW"
    clearable: str | None = None  # the date column that ``edit --clear-...`` empties
    change_example: str | None = None  # flags for "nothing to change" (default: the clearable)
    recent_days: int | None = None  # the list covers this many days (``--days``), by the day column
    add_defaults: Mapping[str, str] = MappingProxyType({})  # flag -> add's value without it


def _load(reference: str) -> Any:
    import importlib

    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)


def _statuses(table: Table) -> tuple[str, ...]:
    rule = table.column("status").rule if table.has("status") else None
    return rule.choices if isinstance(rule, OneOf) else ()


def _types(table: Table) -> tuple[str, ...]:
    rule = table.column(table.type_column).rule if table.type_column else None
    return rule.choices if isinstance(rule, OneOf) else ()


def _parse_type(spec: GroupCommands, text: str) -> str:
    from khepri_cli.domain import forms

    table = spec.table
    column = table.column(table.type_column)
    return forms.FORMS["pick"].parse(text, f"{table.noun} type", column, forms.Typing())


def _status_filter(spec: GroupCommands, status: str, show_all: bool) -> str | None:
    choices = (*_statuses(spec.table), "all")
    value = status.strip().lower()
    if value not in choices:
        raise InvalidInput("--status", status, f"use {or_list(choices)}")
    return None if show_all or value == "all" else value


def _type_flag(table: Table) -> str:
    """The list's filter on the type column: its own flag (``--sport``), else ``--type``."""
    return table.column(table.type_column).flag or "--type" if table.type_column else "--type"


def _list_options(spec: GroupCommands) -> list[Any]:
    """The filters a group's table allows: status, type, and the days a dated list covers."""
    table, found = spec.table, []
    if _statuses(table):
        statuses = or_list([*_statuses(table), "all"])
        found.append(
            option(
                "status",
                "--status",
                f"{statuses} (default: active).",
                str,
                "active",
                metavar="STATUS",
            )
        )
        every = f"Every {table.noun}, whatever its status."
        found.append(option("show_all", "--all", every, bool, False))
    if table.type_column:
        only = f"Only this {table.column(table.type_column).label}: {or_list(_types(table))}."
        found.append(
            option("type_text", _type_flag(table), only, metavar=_type_flag(table)[2:].upper())
        )
    if spec.recent_days:
        days = f"The last N days, today included (default: {spec.recent_days})."
        found.append(
            option("days", "--days", days, int, spec.recent_days, min=1, max=MAX_DAYS, metavar="N")
        )
    return found


def _list_filters(spec: GroupCommands, options: dict[str, Any], today: Any) -> dict[str, Any]:
    """The options of :func:`_list_options` as the keywords of ``Group.list``."""
    from datetime import timedelta

    filters: dict[str, Any] = {}
    if "status" in options:
        filters["status"] = _status_filter(spec, options["status"], options["show_all"])
    if options.get("type_text") is not None:
        filters["type_value"] = _parse_type_filter(spec, options["type_text"])
    if "days" in options:
        filters["since"] = today - timedelta(days=options["days"] - 1)
    return filters


EXAMPLE_ID = "3f2a"
"""The ID prefix the examples of every group use."""


def _shared_docs(spec: GroupCommands) -> dict[str, str]:
    """Help texts of the commands every group has in the same words, and of its status verbs."""
    noun, name = spec.table.noun, spec.name

    def example(command: str, extra: str = "") -> str:
        return f"\n\nExample:\n\n    khepri {name} {command} {EXAMPLE_ID}{extra}"

    docs = {
        "show": f"Show every field of one {noun}." + example("show", " --json"),
        "delete": f"Delete a {noun} for good (asks first on a terminal; --yes is required in "
        "scripts)." + example("delete", " --yes"),
    }
    for verb, (_status, summary) in spec.status_verbs.items():
        docs[verb] = summary + example(verb)
    return docs


def _clear_flag(spec: GroupCommands) -> tuple[str, str, str]:
    """(``--clear-date``, the flag it undoes, its help) for the group's clearable date."""
    column = spec.table.column(spec.clearable or "")
    flag = column.flag or column.name
    return f"--clear-{flag.lstrip('-')}", flag, f"Remove the {column.label} (clears {flag})."


def _edit_options(spec: GroupCommands) -> list[Any]:
    if spec.clearable is None:
        return []
    clear_flag, _undone, clear_help = _clear_flag(spec)
    return [option("clear", clear_flag, clear_help, bool, False)]


def build(
    spec: GroupCommands, extra: Mapping[str, Callable[..., Any]] = MappingProxyType({})
) -> LazyGroup:
    """The click group of one group: every command, each registered and built when asked for.

    ``extra`` adds the group's own commands (``plans create``) by name: typer
    command functions, their docstring the help, listed first.
    """
    spec = spec._replace(docs={**_shared_docs(spec), **spec.docs})
    id_argument = Annotated[
        str,
        typer.Argument(
            metavar="ID",
            click_type=WORDS,
            help=f"The {spec.table.noun}'s ID, or the start of it (from '{spec.name} list').",
        ),
    ]
    registrations: dict[str, Callable[[typer.Typer], None]] = {
        **{name: partial(_register_own, name=name, command=f) for name, f in extra.items()},
        **({"add": lambda app: _register_add(app, spec)} if "add" in spec.docs else {}),
        "list": lambda app: _register_list(app, spec),
        "show": lambda app: _register_show(app, spec, id_argument),
        "edit": lambda app: _register_edit(app, spec, id_argument),
        **{
            verb: partial(
                _register_status, spec=spec, verb=verb, status=status, id_argument=id_argument
            )
            for verb, (status, _summary) in spec.status_verbs.items()
        },
        "delete": lambda app: _register_delete(app, spec, id_argument),
    }
    group = typer.Typer(help=spec.help, no_args_is_help=True, add_completion=False)
    return lazy_group(group, {n: partial(_registered, r) for n, r in registrations.items()})


def _register_own(app: typer.Typer, *, name: str, command: Callable[..., Any]) -> None:
    app.command(name)(command)


def _registered(register: Callable[[typer.Typer], None]) -> CommandInfo:
    """The one command ``register`` puts on an app of its own."""
    app = typer.Typer(add_completion=False)
    register(app)
    [info] = app.registered_commands
    return info


def show_new(
    spec: GroupCommands, app_state: AppState, row: Any, as_json: bool, verb: str = "Added"
) -> None:
    """Say that a row was made (``Added``, ``Logged``, ``Created``...) and show it, or its JSON."""
    from khepri_cli.render import records as render

    typing = typing_of(app_state)
    render.added(_load(spec.view), row, verb)
    render.print_row(_load(spec.view), row, typing.today, as_json, typing.units)


def _register_add(app: typer.Typer, spec: GroupCommands) -> None:
    table = spec.table
    editable = [c for c in table.flagged() if c.form != "title"]
    defaults = {c.flag: str(c.default) for c in editable if c.flag and c.default is not None}

    @app.command("add", help=spec.docs["add"])
    @with_column_options(editable, table.noun, {**defaults, **spec.add_defaults})
    def add(
        ctx: typer.Context,
        type_text: Annotated[
            str,
            typer.Argument(
                metavar="TYPE",
                click_type=WORDS,
                help=f"{or_list(_types(table))}.",
                show_default=False,
            ),
        ],
        title: Annotated[
            str,
            typer.Argument(
                metavar="TITLE",
                click_type=WORDS,
                help=f"A short name for the {table.noun}.",
                show_default=False,
            ),
        ],
        typed: dict[str, Any],
        as_json: JsonOption = False,
    ) -> None:
        app_state = state(ctx)
        type_value = _parse_type(spec, type_text)
        app_state.remember("title", "TITLE", title)
        values = read_typed(spec.table, app_state, type_value, typed)
        values = {table.type_column: type_value, "title": title, **values}
        show_new(spec, app_state, _load(spec.group).add(app_state.journal(), **values), as_json)


def _register_list(app: typer.Typer, spec: GroupCommands) -> None:
    @app.command("list", help=spec.docs["list"])
    @with_options(_list_options(spec))
    def list_(ctx: typer.Context, options: dict[str, Any], as_json: JsonOption = False) -> None:
        from khepri_cli.render import records as render

        app_state = state(ctx)
        today = typing_of(app_state).today
        filters = _list_filters(spec, options, today)
        rows = _load(spec.group).list(app_state.journal(), **filters)
        if as_json:
            from khepri_cli.render.console import emit_json

            emit_json([row.to_json() for row in rows])
            return
        shown = {key: filters.get(key) for key in ("status", "since")}
        render.print_rows(_load(spec.view), rows, today, **shown)


def _register_show(app: typer.Typer, spec: GroupCommands, id_argument: Any) -> None:
    @app.command("show", help=spec.docs["show"])
    def show(ctx: typer.Context, row_id: id_argument, as_json: JsonOption = False) -> None:
        from khepri_cli.render import records as render

        app_state = state(ctx)
        typing = typing_of(app_state)
        row = _load(spec.group).get(app_state.journal(), row_id)
        render.print_row(_load(spec.view), row, typing.today, as_json, typing.units)


def _register_edit(app: typer.Typer, spec: GroupCommands, id_argument: Any) -> None:
    table = spec.table

    @app.command("edit", help=spec.docs["edit"])
    @with_column_options(table.flagged(), table.noun)
    @with_options(_edit_options(spec))
    def edit(
        ctx: typer.Context,
        row_id: id_argument,
        typed: dict[str, Any],
        options: dict[str, Any],
        as_json: JsonOption = False,
    ) -> None:
        from khepri_cli.render import records as render

        clear = options.get("clear", False)
        _check_edit_flags(spec, typed, clear)
        app_state = state(ctx)
        journal = app_state.journal()
        current = _load(spec.group).get(journal, row_id)
        kind = current[table.type_column] if table.type_column else None
        values = read_typed(spec.table, app_state, kind, typed)
        if clear:
            values[spec.clearable] = None
        row, changed = _load(spec.group).edit(journal, current.id, **values)
        typing = typing_of(app_state)
        render.edited(_load(spec.view), row, changed)
        render.print_row(_load(spec.view), row, typing.today, as_json, typing.units)


def _check_edit_flags(spec: GroupCommands, typed: dict[str, Any], clear: bool) -> None:
    if clear:
        clear_flag, cleared_by, _help = _clear_flag(spec)
        if cleared_by in typed:
            raise UsageProblem(f"{cleared_by} and {clear_flag} cannot be used together")
    if not typed and not clear:
        example = spec.change_example or f"{_clear_flag(spec)[1]} 2027-06-14"
        raise UsageProblem(f"nothing to change: give at least one flag, e.g. {example}")


def _register_status(
    app: typer.Typer, spec: GroupCommands, verb: str, status: str, id_argument: Any
) -> None:
    @app.command(verb, help=spec.docs[verb])
    def change_status(
        ctx: typer.Context, row_id: id_argument, as_json: SavedJsonOption = False
    ) -> None:
        from khepri_cli.render import records as render

        app_state = state(ctx)
        app_state.athlete()
        row, changed = _load(spec.group).set_status(app_state.journal(), row_id, status)
        render.status_changed(_load(spec.view), row, changed, verb)
        if as_json:
            from khepri_cli.render.console import emit_json

            emit_json(row.to_json())


def _register_delete(app: typer.Typer, spec: GroupCommands, id_argument: Any) -> None:
    @app.command("delete", help=spec.docs["delete"])
    def delete(ctx: typer.Context, row_id: id_argument, yes: YesOption = False) -> None:
        from khepri_cli.render import records as render

        app_state = state(ctx)
        app_state.athlete()
        journal = app_state.journal()
        row = _load(spec.group).get(journal, row_id)
        view = _load(spec.view)
        if not yes:
            if not app_state.interactive:
                raise UsageProblem("deleting needs --yes when there is no terminal to confirm on")
            from khepri_cli.cli.prompts import confirm

            if not confirm(f"Delete {render.name(view, row)}?"):
                render.kept(view, row)
                return
        _load(spec.group).delete(journal, row)
        render.deleted(view, row)


def _parse_type_filter(spec: GroupCommands, text: str) -> str:
    types = _types(spec.table)
    value = text.strip().lower()
    if value not in types:
        raise InvalidInput(_type_flag(spec.table), text, f"use {or_list(types)}")
    return value
