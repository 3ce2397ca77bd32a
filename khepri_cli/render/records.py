"""Showing the rows of a record group (goals, constraints, plans, sessions): what they all share.

A group's own renderer (``render/goals.py``...) says what is particular to it
through a :class:`RecordView`: the list table's columns, extra show fields,
coloured values. Everything else (the show table from the declaration's
labels and forms, the one-line messages, ``--json``) is done here once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType
from typing import NamedTuple

from khepri_cli.domain import forms
from khepri_cli.domain.units import METRIC
from khepri_cli.render import console as con
from khepri_cli.render.console import short_id
from khepri_cli.schema import Row, Table

PAST_TENSE = {
    "complete": "Completed",
    "cancel": "Cancelled",
    "reopen": "Reopened",
    "resolve": "Resolved",
    "pause": "Paused",
    "activate": "Activated",
}
"""What a status verb did, for its message: ``khepri plans pause`` -> "Paused ..."."""


NOTHING: Mapping = MappingProxyType({})


class RecordView(NamedTuple):
    """What one group's tables and messages show beyond the shared defaults."""

    table: Table
    command: str  # "goals": the command group, for hints in messages
    list_headers: Callable[[str | None], list[str]]  # status filter -> headers
    list_row: Callable[[Row, date, str | None], list[str]]  # row, today, status -> cells
    empty_hint: str  # the command that adds a first row
    free_text: tuple[str, ...] = ("title", "detail")  # list columns cut first on a narrow terminal
    names: tuple[str, ...] = ("type", "status")  # list columns cut last
    show_order: tuple[str, ...] = ()  # the shared columns of the show table, in order
    shown: Mapping[str, Callable[[Row, date], str]] = NOTHING  # label -> value, not the form's
    after: Mapping[str, tuple[str, Callable[[Row, date], str]]] = NOTHING  # label -> extra field
    markup: Mapping[str, Callable[[Row], str | None]] = NOTHING  # label -> markup on a terminal
    added_detail: Callable[[Row], str] = lambda row: ""
    status_detail: Mapping[str, Callable[[Row], str]] = NOTHING  # status -> after its message
    headline: Callable[[Row], str] = lambda row: row.title  # what names a row in messages
    extra: Callable[[Row, date], None] | None = None  # drawn after the show table (a timeline)


def name(view: RecordView, row: Row) -> str:
    """``race goal 3f2a9c1d (Cascais 70.3)``: how messages name a row."""
    kind = row.get(row.table.type_column) if row.table.type_column else None
    noun = row.table.noun
    label = f"{kind} {noun}" if kind else noun
    return f"{label} {short_id(row.id)} ({view.headline(row)})"


def fields(view: RecordView, row: Row, today: date, units: str = METRIC) -> list[tuple[str, str]]:
    """(label, value) of every field of one row, in the athlete's ``units``: the shared
    columns, then its type's own."""
    table = view.table
    type_value = row.get(table.type_column) if table.type_column else None
    chosen = [table.column(name) for name in view.show_order]
    chosen += list(table.typed_columns(type_value)) if type_value else []
    rows: list[tuple[str, str]] = [("ID", row.id)]
    for column in chosen:
        label = column.label or column.name
        special = view.shown.get(label)
        if special:
            value = special(row, today)
        else:
            stored = row.get(column.name)
            value = forms.show(column, column.default if stored is None else stored, units)
        rows.append((label, value))
        if label in view.after:
            extra_label, extra = view.after[label]
            rows.append((extra_label, extra(row, today)))
    rows += [("created", row.created_at), ("updated", row.updated_at)]
    return rows


def show(view: RecordView, row: Row, today: date, units: str = METRIC) -> None:
    """One row on stdout: a borderless label/value table (plain lines when piped)."""
    rows = fields(view, row, today, units)
    markup = None
    if con.is_terminal():
        markup = {label: text for label, render in view.markup.items() if (text := render(row))}
    con.print_fields(f"{view.table.noun.capitalize()} {short_id(row.id)}", rows, markup=markup)
    if view.extra is not None:
        view.extra(row, today)


def print_row(view: RecordView, row: Row, today: date, as_json: bool, units: str = METRIC) -> None:
    """One row on stdout: its JSON form, or the field table."""
    if as_json:
        con.emit_json(row.to_json())
    else:
        show(view, row, today, units)


def print_rows(
    view: RecordView, rows: list[Row], today: date, status: str | None, since: date | None = None
) -> None:
    """The list table of a group (the status column shows when more than one status can)."""
    noun = view.table.noun
    what = f"{status} {noun}s" if status else f"{noun}s"
    title = f"{view.command.capitalize()} ({status or 'all'})"
    if since is not None:
        what, title = f"{what} since {since}", f"{view.command.capitalize()} since {since}"
    headers = view.list_headers(status)
    con.print_table(
        title,
        headers,
        [view.list_row(row, today, status) for row in rows],
        free_text=tuple(i for i, header in enumerate(headers) if header in view.free_text),
        names=tuple(i for i, header in enumerate(headers) if header in view.names),
        styles={0: "dim"},
        empty=f"No {what}{'' if since else ' yet'}; add one with: {view.empty_hint}",
    )


def added(view: RecordView, row: Row, verb: str = "Added") -> None:
    con.say(f"{verb} {name(view, row)}{view.added_detail(row)}.")


def edited(view: RecordView, row: Row, changed: bool) -> None:
    con.say(f"Saved {name(view, row)}." if changed else f"No change to {name(view, row)}.")


def status_changed(view: RecordView, row: Row, changed: bool, verb: str) -> None:
    status = row.status or view.table.column("status").default
    if not changed:
        con.say(f"The {name(view, row)} is already {status}; nothing changed.")
        return
    detail = view.status_detail.get(status)
    done = PAST_TENSE.get(verb, verb.capitalize())
    con.say(f"{done} {name(view, row)}{detail(row) if detail else ''}.")


def deleted(view: RecordView, row: Row) -> None:
    con.say(f"Deleted {name(view, row)}.")


def kept(view: RecordView, row: Row) -> None:
    con.say(f"Kept {name(view, row)}; nothing was deleted.")
