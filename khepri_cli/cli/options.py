"""Options shared by many commands, and options built from the schema declaration.

A command that sets columns does not declare an option per column: it names
the columns, and :func:`with_column_options` gives it one option per flag the
declaration states, with the declaration's help text. The command body
receives what the user typed as ``{flag: text}``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Annotated, Any

import typer

from khepri_cli.schema import Column
from khepri_cli.schema.rules import or_list

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")
]
YesOption = Annotated[
    bool,
    typer.Option("--yes", "-y", help="Do not ask for confirmation (required without a terminal)."),
]

_REPEATABLE_FORMS = ("restrictions", "sore_areas")

MAX_DAYS = 3660
"""The most days a ``--days`` option covers (a dated list, ``khepri load``): ten years."""


def param_name(flag: str) -> str:
    """``--target-time`` -> ``target_time``: the Python name of a flag's parameter."""
    return flag.lstrip("-").replace("-", "_")


def flag_help(columns: list[Column], noun: str) -> str:
    """One help text for a flag: the column's own, prefixed by the types it applies to."""
    first = columns[0]
    types = [t for c in columns for t in c.only_for]
    if not types:
        return first.help or ""
    return f"{or_list(types, 'and').capitalize()} {noun}s: {first.help}"


def flags_of(columns: Iterable[Column]) -> dict[str, list[Column]]:
    """The flags of ``columns`` in order, each with the columns it sets (by row type)."""
    found: dict[str, list[Column]] = {}
    for column in columns:
        if column.flag and column.flag.startswith("--"):
            found.setdefault(column.flag, []).append(column)
    return found


def _option(flag: str, columns: list[Column], noun: str, required: bool) -> inspect.Parameter:
    repeatable = columns[0].form in _REPEATABLE_FORMS
    kind = list[str] | None if repeatable else str | None
    help_text = flag_help(columns, noun)
    if required:
        return option(param_name(flag), flag, help_text, str, ...)
    return option(param_name(flag), flag, help_text, kind)


def option(
    name: str, flag: str, help: str, kind: Any = str | None, default: Any = None, **rules: Any
) -> Any:
    """One keyword-only typer option (``rules``: typer's, e.g. ``min=1``), for :func:`with_options`."""
    annotation = Annotated[kind, typer.Option(flag, help=help, show_default=False, **rules)]
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


def _with_parameters(
    added: list[inspect.Parameter], into: str, gather: Callable[[dict[str, Any]], Any]
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add ``added`` to a command's options; it receives ``gather(their values)`` as ``into``.

    The decorated function's own parameters (``ctx``, arguments, other
    options) keep their place; the added options come after its arguments.
    """
    names = {p.name for p in added}

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(func, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != into]
        positional = [p for p in own if p.default is inspect.Parameter.empty]
        optional = [p for p in own if p.default is not inspect.Parameter.empty]
        params = [
            *positional,
            *(p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in added),
            *(p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in optional),
        ]

        @functools.wraps(func)
        def command(*args: Any, **kwargs: Any) -> Any:
            given = {name: kwargs.pop(name) for name in list(kwargs) if name in names}
            return func(*args, **{into: gather(given)}, **kwargs)

        command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params}
        return command

    return decorate


def with_options(
    options: list[inspect.Parameter],
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command the options made with :func:`option`; it gets ``options={name: value}``.

    For options that only some commands built from one template have (a
    group's ``--status`` exists where its table has a status).
    """
    return _with_parameters(list(options), "options", dict)


def with_column_options(
    columns: Iterable[Column], noun: str = "row", *, required: tuple[str, ...] = ()
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command one option per flag of ``columns``; it gets them as ``typed={flag: text}``.

    The options come after the function's own arguments; the function
    receives a keyword ``typed`` with the flags the user gave. The flags of
    the columns named in ``required`` must be given (``khepri log ... --rpe``).
    """
    flags = flags_of(columns)
    added = [_option(flag, cols, noun, cols[0].name in required) for flag, cols in flags.items()]
    by_name = {param_name(flag): flag for flag in flags}

    def gather(given: dict[str, Any]) -> dict[str, Any]:
        return {by_name[name]: text for name, text in given.items() if text not in (None, [])}

    return _with_parameters(added, "typed", gather)
