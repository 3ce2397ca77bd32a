"""PostgREST's query string, turned into SQL for one table.

Follows the URL grammar of PostgREST (docs: references/api/tables_views.rst
and url_grammar.rst): ``select=`` with columns, ``alias:column`` and
``column::type``; horizontal filters ``column=[not.]op.value`` with ``eq``,
``neq``, ``gt``, ``gte``, ``lt``, ``lte``, ``like``, ``ilike`` (``*`` for
``%``), ``in.(a,b,"c,d")`` and ``is.null|true|false|unknown``; several filters
on the query string are ANDed; ``order=col[.asc|.desc][.nullsfirst|.nullslast]``;
``limit`` and ``offset``. Columns are qualified as PostgREST writes them
(``"public"."goals"."col"``), so an unknown column fails in PostgreSQL with
its own 42703 "column goals.col does not exist". Values are sent untyped, so
PostgreSQL casts them to the column's type (22P02 when it cannot).

Not supported (answered with a 400 whose code is ``STANDIN``, so a test that
needs them notices): resource embedding, JSON paths, ``or``/``and`` groups and
the other operators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from psycopg import sql

from .pg import rest_error

RESERVED = {"select", "order", "limit", "offset", "on_conflict", "columns", "apikey"}
_OPERATORS = {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_IS_VALUES = {"null": "NULL", "true": "TRUE", "false": "FALSE", "unknown": "UNKNOWN"}
_NAME = r'(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)'
_SELECT_ITEM = re.compile(
    rf"^(?:(?P<alias>{_NAME}):)?(?P<col>{_NAME}|\*)(?:::(?P<cast>[A-Za-z_][A-Za-z0-9_ ]*"
    rf"(?:\(\d+(?:,\d+)?\))?(?:\[\])?))?$"
)


def unsupported(what: str) -> Exception:
    return rest_error(400, "STANDIN", f"The stand-in does not support {what}")


def _unquote(name: str) -> str:
    return name[1:-1] if name.startswith('"') else name


def parse_error(kind: str, text: str, details: str) -> Exception:
    """PostgREST's PGRST100 for a query parameter it cannot parse."""
    return rest_error(
        400, "PGRST100", f'"failed to parse {kind} ({text})" (line 1, column 1)', details
    )


@dataclass
class SelectItem:
    column: str  # "*" for all columns
    alias: str | None = None
    cast: str | None = None

    def sql(self, relation: sql.Composable, star: list[str] | None = None) -> sql.Composable:
        if self.column == "*":
            if star is None:
                return sql.SQL("{}.*").format(relation)
            return sql.SQL(", ").join(
                sql.SQL("{}.{}").format(relation, sql.Identifier(name)) for name in star
            )
        expr: sql.Composable = sql.SQL("{}.{}").format(relation, sql.Identifier(self.column))
        if self.cast:
            expr = sql.SQL("CAST({} AS {})").format(expr, sql.SQL(self.cast))
        return sql.SQL("{} AS {}").format(expr, sql.Identifier(self.alias or self.column))


def parse_select(text: str | None) -> list[SelectItem]:
    if text is None or text.strip() == "":
        return [SelectItem("*")]
    items = []
    for raw in text.split(","):
        raw = raw.strip()
        if "(" in raw or "->" in raw or "..." in raw:
            raise unsupported(f"resource embedding or JSON paths in select ({raw})")
        match = _SELECT_ITEM.match(raw)
        if match is None:
            raise parse_error("select", text, f"unexpected item {raw!r}")
        alias = match["alias"]
        items.append(
            SelectItem(_unquote(match["col"]), _unquote(alias) if alias else None, match["cast"])
        )
    return items


def _split_list(text: str) -> list[str]:
    """The items of an ``in.(...)`` list: commas separate, double quotes protect."""
    items, current, quoted, escaped, was_quoted = [], [], False, False, False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
            was_quoted = True
        elif char == "," and not quoted:
            items.append("".join(current) if was_quoted else "".join(current).strip())
            current, was_quoted = [], False
        else:
            current.append(char)
    items.append("".join(current) if was_quoted else "".join(current).strip())
    return items


@dataclass
class Filter:
    column: str
    operator: str
    value: Any
    negated: bool = False

    def sql(self, relation: sql.Composable) -> tuple[sql.Composable, list[Any]]:
        column = sql.SQL("{}.{}").format(relation, sql.Identifier(self.column))
        if self.operator == "is":
            condition = sql.SQL("{} IS {}").format(column, sql.SQL(_IS_VALUES[self.value]))
            params: list[Any] = []
        elif self.operator == "in":
            if self.value:
                placeholders = sql.SQL(", ").join(sql.Placeholder() for _ in self.value)
                condition = sql.SQL("{} IN ({})").format(column, placeholders)
            else:
                condition = sql.SQL("FALSE")
            params = list(self.value)
        elif self.operator in ("like", "ilike"):
            condition = sql.SQL("{} {} %s").format(column, sql.SQL(self.operator.upper()))
            params = [self.value.replace("*", "%")]
        else:
            condition = sql.SQL("{} {} %s").format(column, sql.SQL(_OPERATORS[self.operator]))
            params = [self.value]
        if self.negated:
            condition = sql.SQL("NOT ({})").format(condition)
        return condition, params


def parse_filter(key: str, value: str) -> Filter:
    if "->" in key or "(" in key:
        raise unsupported(f"filters on JSON paths or embedded resources ({key})")
    if key in ("or", "and", "not.or", "not.and"):
        raise unsupported(f"logical operators ({key})")
    rest, negated = value, False
    if rest.startswith("not."):
        rest, negated = rest[4:], True
    operator, dot, operand = rest.partition(".")
    if not dot or operator not in {*_OPERATORS, "like", "ilike", "in", "is"}:
        raise parse_error(
            "filter", value, f'unexpected "{value[:1]}" expecting "not" or operator (eq, gt, ...)'
        )
    column = _unquote(key)
    if operator == "is":
        if operand.lower() not in _IS_VALUES:
            raise parse_error("filter", value, 'expecting "null", "true", "false" or "unknown"')
        return Filter(column, "is", operand.lower(), negated)
    if operator == "in":
        if not (operand.startswith("(") and operand.endswith(")")):
            raise parse_error("filter", value, 'unexpected end of input expecting "("')
        inner = operand[1:-1]
        return Filter(column, "in", _split_list(inner) if inner else [], negated)
    return Filter(column, operator, operand, negated)


@dataclass
class Order:
    column: str
    descending: bool = False
    nulls: str | None = None  # "first" or "last"

    def sql(self, relation: sql.Composable) -> sql.Composable:
        parts = [sql.SQL("{}.{}").format(relation, sql.Identifier(self.column))]
        parts.append(sql.SQL("DESC" if self.descending else "ASC"))
        if self.nulls:
            parts.append(sql.SQL(f"NULLS {self.nulls.upper()}"))
        return sql.SQL(" ").join(parts)


def parse_order(text: str) -> list[Order]:
    orders = []
    for raw in text.split(","):
        name, *modifiers = raw.strip().split(".")
        order = Order(_unquote(name))
        for modifier in modifiers:
            if modifier in ("asc", "desc"):
                order.descending = modifier == "desc"
            elif modifier in ("nullsfirst", "nullslast"):
                order.nulls = modifier[5:]
            else:
                raise parse_error("order", text, f'unexpected "{modifier}" expecting asc or desc')
        if not order.column:
            raise parse_error("order", text, "unexpected empty column")
        orders.append(order)
    return orders


def _non_negative(name: str, text: str) -> int:
    if not text.isdigit():
        raise parse_error(f"{name} parameter", text, "expecting a non-negative integer")
    return int(text)


@dataclass
class Query:
    """The read and filter part of one request."""

    select: list[SelectItem] = field(default_factory=lambda: [SelectItem("*")])
    filters: list[Filter] = field(default_factory=list)
    order: list[Order] = field(default_factory=list)
    limit: int | None = None
    offset: int = 0
    on_conflict: list[str] | None = None
    columns: list[str] | None = None

    @classmethod
    def parse(cls, params: dict[str, list[str]]) -> Query:
        query = cls()
        for key, values in params.items():
            last = values[-1]
            if key == "select":
                query.select = parse_select(last)
            elif key == "order":
                query.order = parse_order(last)
            elif key == "limit":
                query.limit = _non_negative("limit", last)
            elif key == "offset":
                query.offset = _non_negative("offset", last)
            elif key == "on_conflict":
                query.on_conflict = [_unquote(c.strip()) for c in last.split(",") if c.strip()]
            elif key == "columns":
                query.columns = [_unquote(c.strip()) for c in last.split(",") if c.strip()]
            elif key not in RESERVED:
                query.filters.extend(parse_filter(key, value) for value in values)
        return query

    def where(self, relation: sql.Composable) -> tuple[sql.Composable, list[Any]]:
        if not self.filters:
            return sql.SQL(""), []
        conditions, params = [], []
        for item in self.filters:
            condition, values = item.sql(relation)
            conditions.append(condition)
            params.extend(values)
        return sql.SQL(" WHERE ") + sql.SQL(" AND ").join(conditions), params

    def select_list(
        self, relation: sql.Composable, star: list[str] | None = None
    ) -> sql.Composable:
        """The select list; ``star`` spells out ``*`` as these columns."""
        return sql.SQL(", ").join(item.sql(relation, star) for item in self.select)

    def order_by(self, relation: sql.Composable) -> sql.Composable:
        if not self.order:
            return sql.SQL("")
        return sql.SQL(" ORDER BY ") + sql.SQL(", ").join(o.sql(relation) for o in self.order)
