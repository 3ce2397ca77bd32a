"""What a command was given, read into column values: flags, arguments, the athlete's units.

Every command that writes columns reads what was typed here: each text by
its column's form (:mod:`khepri_cli.domain.forms`) and checked by the
column's rules, remembering the flag or argument it came with so that an
error names it (``--rpe: '11' is not valid; ...``).
"""

from __future__ import annotations

from typing import Any

from khepri_cli.cli.options import flags_of
from khepri_cli.cli.state import AppState
from khepri_cli.errors import UsageProblem
from khepri_cli.schema import Column, Table
from khepri_cli.schema.rules import or_list


def typing_of(app_state: AppState) -> Any:
    """What reading and showing values depends on: the athlete's units and today."""
    from khepri_cli.domain import forms
    from khepri_cli.domain.profile import today_of, units_of

    athlete = app_state.find_athlete()  # what was typed is read before a profile is needed
    return forms.Typing(units_of(athlete), today_of(athlete))


def read_typed(
    table: Table, app_state: AppState, type_value: str | None, typed: dict[str, Any]
) -> dict[str, Any]:
    """``{flag: text}`` of a row of type ``type_value`` -> ``{column: value}``.

    A flag of another type is refused by name (``--event`` on a fitness goal
    is a mistake, not something to drop silently). An empty text clears an
    optional column.
    """
    from khepri_cli.domain import forms

    flags = flags_of(table.columns)
    typing = typing_of(app_state)
    values: dict[str, Any] = {}
    for flag, text in typed.items():
        column = _column_for(flags[flag], type_value, flag, table.noun)
        app_state.remember(column.name, flag, text)
        if isinstance(text, str) and not text.strip() and _clears(column):
            values[column.name] = None
        else:
            values[column.name] = forms.read_checked(column, text, typing, flag)
    return values


def read_given(
    table: Table, app_state: AppState, texts: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    """``{column: (ARGUMENT or --flag, text)}`` -> ``{column: value}``, each read by its
    column's form; a value refused names the argument (``SPORT``) or flag as typed.

    For what a command takes besides its column options: positional arguments,
    or options of columns that ``edit`` must not change (a plan's ``--start``).
    """
    from khepri_cli.domain import forms

    typing = typing_of(app_state)
    values = {}
    for name, (argument, text) in texts.items():
        app_state.remember(name, argument, text)
        values[name] = forms.read_checked(table.column(name), text, typing, argument)
    return values


def _clears(column: Column) -> bool:
    """An empty value clears an optional column whose form has no meaning for it."""
    return column.nullable and column.form not in ("title", "priority", "start_day")


def _column_for(columns: list[Column], type_value: str | None, flag: str, noun: str) -> Column:
    for column in columns:
        if not column.only_for or type_value in column.only_for:
            return column
    types = [t for c in columns for t in c.only_for]
    raise UsageProblem(
        f"{flag} applies to {or_list(types, 'and')} {noun}s only, not to {type_value} {noun}s"
    )
