"""Options shared by many commands, and options built from the schema declaration.

A command that sets columns does not declare an option per column: it names
the columns, and :func:`with_column_options` gives it one option per flag the
declaration states, with the declaration's help text. The command body
receives what the user typed as ``{flag: text}``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any

import typer
from typer._click.types import StringParamType

from khepri_cli.schema import Column
from khepri_cli.schema.rules import OneOf, or_list


class _Words(StringParamType):
    """Text whose help shows no type name (``<str>``): the argument's name says what it is."""

    name = "text"

    def get_metavar(self, param: Any, ctx: Any) -> str:
        return ""


WORDS = _Words()
"""The ``click_type`` of every argument."""

FORM_METAVARS = {
    "day": "DATE",
    "start_day": "DATE",
    "birth_date": "DATE",
    "timezone": "ZONE",
    "watts": "WATTS",
    "bpm": "BPM",
    "pulse": "BPM",
    "score": "1-10",
    "hrv": "MS",
    "sleep_hours": "HOURS",
    "minutes": "MINUTES",
    "hours_per_week": "HOURS",
    "goal_number": "NUMBER",
    "weight": "WEIGHT",
    "height": "HEIGHT",
    "run_pace": "PACE",
    "swim_pace": "PACE",
    "clock_time": "HH:MM",
    "duration": "H:MM:SS",
    "list": "LIST",
    "restrictions": "ACTIVITY",
    "weekdays": "DAYS",
    "equipment": "LIST",
    "sore_areas": "AREA=N",
}
"""What an option's value looks like in help, by the column's form (``TEXT`` otherwise)."""

_CHOICE_FORMS = ("units", "choice", "pick", "one_of", "priority")


def metavar_of(column: Column) -> str:
    """``DATE``, ``1-10``, ``A|B|C``, ``SEVERITY``: a column's flag's value, as help shows it.

    A few short choices are listed; longer ones are named (the help lists them).
    """
    if column.form in _CHOICE_FORMS and isinstance(column.rule, OneOf):
        listed = "|".join(column.rule.choices)
        return listed if len(listed) <= 8 else (column.label or column.name).upper()
    return FORM_METAVARS.get(column.form or "text", "TEXT")


JsonOption = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")
]
SavedJsonOption = Annotated[
    bool,
    typer.Option("--json", help="Print the row as stored, as JSON, instead of the summary."),
]
YesOption = Annotated[
    bool,
    typer.Option("--yes", "-y", help="Do not ask for confirmation (required without a terminal)."),
]

_REPEATABLE_FORMS = ("restrictions", "sore_areas")

MAX_DAYS = 3660
"""The most days a ``--days`` option covers (a dated list, ``khepri load``): ten years."""


def refuse_options_before_subcommand(ctx: typer.Context, given: dict[str, Any]) -> None:
    """``khepri profile --json show``: a group's own options are not its subcommands'.

    ``given`` maps the group's flags to their values; any that is set is refused,
    with the command line that would work.
    """
    flags = [flag for flag, value in given.items() if value not in (None, False)]
    if ctx.invoked_subcommand is None or not flags:
        return
    from khepri_cli.errors import UsageProblem

    raise UsageProblem(
        "put the options after the subcommand: "
        f"'{ctx.command_path} {ctx.invoked_subcommand} {' '.join(flags)}'"
    )


def param_name(flag: str) -> str:
    """``--target-time`` -> ``target_time``: the Python name of a flag's parameter."""
    return flag.lstrip("-").replace("-", "_")


def flag_help(columns: list[Column], noun: str, default: str | None = None) -> str:
    """One help text for a flag: the column's own, prefixed by the types it applies to,
    and followed by the command's default for it, if the command has one."""
    first = columns[0]
    types = [t for c in columns for t in c.only_for]
    text = first.help or ""
    if types:
        text = f"{or_list(types, 'and').capitalize()} {noun}s: {text}"
    return f"{text.rstrip('.')} (default: {default})." if default else text


def flags_of(columns: Iterable[Column]) -> dict[str, list[Column]]:
    """The flags of ``columns`` in order, each with the columns it sets (by row type)."""
    found: dict[str, list[Column]] = {}
    for column in columns:
        if column.flag and column.flag.startswith("--"):
            found.setdefault(column.flag, []).append(column)
    return found


def _option(
    flag: str, columns: list[Column], noun: str, default: str | None, required: bool
) -> inspect.Parameter:
    repeatable = columns[0].form in _REPEATABLE_FORMS
    kind = list[str] | None if repeatable else str | None
    help_text = flag_help(columns, noun, default)
    metavar = metavar_of(columns[0])
    if required:
        return option(param_name(flag), flag, help_text, str, ..., metavar=metavar)
    return option(param_name(flag), flag, help_text, kind, metavar=metavar)


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
    columns: Iterable[Column],
    noun: str = "row",
    defaults: Mapping[str, str] | None = None,
    *,
    required: tuple[str, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command one option per flag of ``columns``; it gets them as ``typed={flag: text}``.

    The options come after the function's own arguments; the function
    receives a keyword ``typed`` with the flags the user gave. ``defaults``
    says, by flag, what this command uses when the flag is left out; help
    shows it (an edit command has none: what is left out stays). The flags of
    the columns named in ``required`` must be given (``khepri log ... --rpe``).
    """
    flags = flags_of(columns)
    defaults = defaults or {}
    added = [
        _option(flag, cols, noun, defaults.get(flag), cols[0].name in required)
        for flag, cols in flags.items()
    ]
    by_name = {param_name(flag): flag for flag in flags}

    def gather(given: dict[str, Any]) -> dict[str, Any]:
        return {by_name[name]: text for name, text in given.items() if text not in (None, [])}

    return _with_parameters(added, "typed", gather)
