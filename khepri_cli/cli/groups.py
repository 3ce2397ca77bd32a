"""The commands of a record group, built from its declaration: add, list, show, edit, status, delete.

``khepri goals`` and ``khepri constraints`` (and ``khepri plans``) are the same
commands over different tables. A :class:`GroupCommands` says what differs
(help texts and examples, which date a ``--clear-...`` flag removes); the
options come from the schema declaration, the work from
:class:`~khepri_cli.services.records.Group`, the output from
:mod:`khepri_cli.render.records` with the group's :class:`RecordView`.
"""

# No ``from __future__ import annotations`` here: the commands are built inside a
# function, and typer must see their annotations as objects, not as names to look up.
from collections.abc import Callable, Mapping
from functools import partial
from typing import Annotated, Any, NamedTuple

import typer
from typer.models import CommandInfo

from khepri_cli.cli.lazy import LazyGroup, lazy_group
from khepri_cli.cli.options import JsonOption, YesOption, flags_of, with_column_options
from khepri_cli.cli.state import AppState, state
from khepri_cli.errors import InvalidInput, UsageProblem
from khepri_cli.schema import Column, Table
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
    docs: Mapping[str, str]  # command -> its help text, with an example
    type_help: str  # help of the TYPE argument
    clear: tuple[str, str, str]  # (flag, column, help): the edit flag that removes a date
    edit_hint: str  # an example flag for "nothing to change"
    status_verbs: Mapping[str, str]  # command verb -> the status it sets
    group: str  # "khepri_cli.services.goals:GOALS"
    view: str  # "khepri_cli.render.goals:VIEW"


def _load(reference: str) -> Any:
    import importlib

    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)


def _statuses(table: Table) -> tuple[str, ...]:
    rule = table.column("status").rule
    return rule.choices if isinstance(rule, OneOf) else ()


def _types(table: Table) -> tuple[str, ...]:
    rule = table.column(table.type_column).rule if table.type_column else None
    return rule.choices if isinstance(rule, OneOf) else ()


def _typing(app_state: AppState) -> Any:
    from khepri_cli.domain import forms
    from khepri_cli.domain.profile import today_of, units_of

    athlete = app_state.athlete()
    return forms.Typing(units_of(athlete), today_of(athlete))


def read_typed(
    spec: GroupCommands, app_state: AppState, type_value: str, typed: dict[str, Any]
) -> dict[str, Any]:
    """``{flag: text}`` of a row of type ``type_value`` -> ``{column: value}``.

    A flag of another type is refused by name (``--event`` on a fitness goal
    is a mistake, not something to drop silently). An empty text clears an
    optional column.
    """
    from khepri_cli.domain import forms

    table = spec.table
    flags = flags_of(table.columns)
    typing = _typing(app_state)
    values: dict[str, Any] = {}
    for flag, text in typed.items():
        column = _column_for(flags[flag], type_value, flag, table.noun)
        app_state.remember(column.name, flag, text)
        if isinstance(text, str) and not text.strip() and _clears(column):
            values[column.name] = None
        else:
            values[column.name] = forms.read_checked(column, text, typing, flag)
    return values


def _clears(column: Column) -> bool:
    """An empty value clears an optional column whose form has no meaning for it."""
    return column.nullable and column.form not in ("title", "priority", "start_day")


def _column_for(columns: list[Column], type_value: str, flag: str, noun: str) -> Column:
    for column in columns:
        if not column.only_for or type_value in column.only_for:
            return column
    types = [t for c in columns for t in c.only_for]
    raise UsageProblem(
        f"{flag} applies to {or_list(types, 'and')} {noun}s only, not to {type_value} {noun}s"
    )


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


def build(spec: GroupCommands) -> LazyGroup:
    """The click group of one group: every command, each registered and built when asked for."""
    id_argument = Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help=f"The {spec.table.noun}'s ID, or the start of it (from '{spec.name} list').",
        ),
    ]
    registrations: dict[str, Callable[[typer.Typer], None]] = {
        "add": lambda app: _register_add(app, spec),
        "list": lambda app: _register_list(app, spec),
        "show": lambda app: _register_show(app, spec, id_argument),
        "edit": lambda app: _register_edit(app, spec, id_argument),
        **{
            verb: partial(
                _register_status, spec=spec, verb=verb, status=status, id_argument=id_argument
            )
            for verb, status in spec.status_verbs.items()
        },
        "delete": lambda app: _register_delete(app, spec, id_argument),
    }
    group = typer.Typer(help=spec.help, no_args_is_help=True, add_completion=False)
    return lazy_group(group, {n: partial(_registered, r) for n, r in registrations.items()})


def _registered(register: Callable[[typer.Typer], None]) -> CommandInfo:
    """The one command ``register`` puts on an app of its own."""
    app = typer.Typer(add_completion=False)
    register(app)
    [info] = app.registered_commands
    return info


def _register_add(app: typer.Typer, spec: GroupCommands) -> None:
    table = spec.table
    editable = [c for c in table.flagged() if c.form != "title"]

    @app.command("add", help=spec.docs["add"])
    @with_column_options(editable, table.noun)
    def add(
        ctx: typer.Context,
        type_text: Annotated[
            str, typer.Argument(metavar="TYPE", help=spec.type_help, show_default=False)
        ],
        title: Annotated[
            str,
            typer.Argument(
                metavar="TITLE", help=f"A short name for the {table.noun}.", show_default=False
            ),
        ],
        typed: dict[str, Any],
        as_json: JsonOption = False,
    ) -> None:
        from khepri_cli.render import records as render

        app_state = state(ctx)
        type_value = _parse_type(spec, type_text)
        app_state.remember("title", "TITLE", title)
        values = read_typed(spec, app_state, type_value, typed)
        values = {table.type_column: type_value, "title": title, **values}
        row = _load(spec.group).add(app_state.journal(), **values)
        render.added(_load(spec.view), row)
        render.print_row(_load(spec.view), row, _typing(app_state).today, as_json)


def _register_list(app: typer.Typer, spec: GroupCommands) -> None:
    statuses = or_list([*_statuses(spec.table), "all"])

    @app.command("list", help=spec.docs["list"])
    def list_(
        ctx: typer.Context,
        status: Annotated[
            str, typer.Option("--status", help=f"{statuses} (default: active).")
        ] = "active",
        show_all: Annotated[
            bool, typer.Option("--all", help=f"Every {spec.table.noun}, whatever its status.")
        ] = False,
        type_text: Annotated[
            str | None,
            typer.Option("--type", help=f"Only this type: {or_list(_types(spec.table))}."),
        ] = None,
        as_json: JsonOption = False,
    ) -> None:
        from khepri_cli.render import records as render

        app_state = state(ctx)
        typing = _typing(app_state)
        chosen = _status_filter(spec, status, show_all)
        type_value = None if type_text is None else _parse_type_filter(spec, type_text)
        rows = _load(spec.group).list(app_state.journal(), status=chosen, type_value=type_value)
        if as_json:
            from khepri_cli.render.console import emit_json

            emit_json([row.to_json() for row in rows])
            return
        render.print_rows(_load(spec.view), rows, typing.today, chosen)


def _register_show(app: typer.Typer, spec: GroupCommands, id_argument: Any) -> None:
    @app.command("show", help=spec.docs["show"])
    def show(ctx: typer.Context, row_id: id_argument, as_json: JsonOption = False) -> None:
        from khepri_cli.render import records as render

        app_state = state(ctx)
        typing = _typing(app_state)
        row = _load(spec.group).get(app_state.journal(), row_id)
        render.print_row(_load(spec.view), row, typing.today, as_json)


def _register_edit(app: typer.Typer, spec: GroupCommands, id_argument: Any) -> None:
    table = spec.table
    clear_flag, clear_column, clear_help = spec.clear

    @app.command("edit", help=spec.docs["edit"])
    @with_column_options(table.flagged(), table.noun)
    def edit(
        ctx: typer.Context,
        row_id: id_argument,
        typed: dict[str, Any],
        clear: Annotated[bool, typer.Option(clear_flag, help=clear_help)] = False,
        as_json: JsonOption = False,
    ) -> None:
        from khepri_cli.render import records as render

        _check_edit_flags(spec, typed, clear)
        app_state = state(ctx)
        journal = app_state.journal()
        current = _load(spec.group).get(journal, row_id)
        values = read_typed(spec, app_state, current[table.type_column], typed)
        if clear:
            values[clear_column] = None
        row, changed = _load(spec.group).edit(journal, current.id, **values)
        render.edited(row, changed)
        render.print_row(_load(spec.view), row, _typing(app_state).today, as_json)


def _check_edit_flags(spec: GroupCommands, typed: dict[str, Any], clear: bool) -> None:
    clear_flag, clear_column, _help = spec.clear
    cleared_by = spec.table.column(clear_column).flag
    if clear and cleared_by in typed:
        raise UsageProblem(f"{cleared_by} and {clear_flag} cannot be used together")
    if not typed and not clear:
        raise UsageProblem(f"nothing to change: give at least one flag, e.g. {spec.edit_hint}")


def _register_status(
    app: typer.Typer, spec: GroupCommands, verb: str, status: str, id_argument: Any
) -> None:
    @app.command(verb, help=spec.docs[verb])
    def change_status(ctx: typer.Context, row_id: id_argument) -> None:
        from khepri_cli.render import records as render

        app_state = state(ctx)
        app_state.athlete()
        row, changed = _load(spec.group).set_status(app_state.journal(), row_id, status)
        render.status_changed(_load(spec.view), row, changed)


def _register_delete(app: typer.Typer, spec: GroupCommands, id_argument: Any) -> None:
    @app.command("delete", help=spec.docs["delete"])
    def delete(ctx: typer.Context, row_id: id_argument, yes: YesOption = False) -> None:
        from khepri_cli.render import records as render

        app_state = state(ctx)
        app_state.athlete()
        journal = app_state.journal()
        row = _load(spec.group).get(journal, row_id)
        if not yes:
            if not app_state.interactive:
                raise UsageProblem("deleting needs --yes when there is no terminal to confirm on")
            if not typer.confirm(f"Delete {render.name(row)}?", default=False, err=True):
                render.kept(row)
                return
        _load(spec.group).delete(journal, row)
        render.deleted(row)


def _parse_type_filter(spec: GroupCommands, text: str) -> str:
    types = _types(spec.table)
    value = text.strip().lower()
    if value not in types:
        raise InvalidInput("--type", text, f"use {or_list(types)}")
    return value
