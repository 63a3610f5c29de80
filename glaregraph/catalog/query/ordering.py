"""Sort keys, opaque keyset cursors and the "after this row" condition.

Nulls sort last ascending and first descending on both dialects; every order ends with `id`,
so cursors stay stable under inserts.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.expression import ColumnElement

from glaregraph.catalog.database.tables import artifacts
from glaregraph.catalog.errors import BadUserInput
from glaregraph.catalog.query.columns import BASE_COLUMNS, resolve_column
from glaregraph.catalog.typedef.model import Kind, TypeDef

DEFAULT_SORT: tuple[tuple[str, bool], ...] = (("created_at", True),)
_NOT_NULL = {
    "id",
    "type_name",
    "name",
    "version",
    "owner",
    "created_by",
    "visibility",
    "status",
    "created_at",
    "updated_at",
}


@dataclass(frozen=True, slots=True)
class Term:
    name: str
    expr: ColumnElement[Any]
    descending: bool
    nullable: bool
    is_datetime: bool  # a base timestamp column: cursor values go back to datetimes
    kind: Kind


def order_terms(sort: list[tuple[str, bool]] | None, t: TypeDef | None) -> list[Term]:
    """(field, descending) pairs → terms, with `id` appended as the tie-breaker."""
    terms: list[Term] = []
    for name, descending in sort or DEFAULT_SORT:
        resolved = resolve_column(name, t)
        if resolved is None:
            raise BadUserInput(f"cannot sort by '{name}'", field="sort")
        expr, kind = resolved
        is_base_dt = name in BASE_COLUMNS and kind is Kind.DATETIME
        terms.append(Term(name, expr, descending, name not in _NOT_NULL, is_base_dt, kind))
    tie_desc = terms[-1].descending if terms else False
    terms.append(Term("id", artifacts.c.id, tie_desc, False, False, Kind.STRING))
    return terms


def order_by(terms: list[Term], reverse: bool = False) -> list[Any]:
    clauses = []
    for term in terms:
        desc = term.descending != reverse
        clause = term.expr.desc() if desc else term.expr.asc()
        if term.nullable:
            clause = clause.nulls_first() if desc else clause.nulls_last()
        clauses.append(clause)
    return clauses


def signature(terms: list[Term], scope: str) -> str:
    """Ties a cursor to the list (type) and order it came from."""
    text = scope + "|" + ",".join(f"{t.name}:{'d' if t.descending else 'a'}" for t in terms)
    return hashlib.sha1(text.encode()).hexdigest()[:8]


def encode_cursor(terms: list[Term], values: list[Any], scope: str) -> str:
    out = [v.isoformat() if isinstance(v, dt.datetime) else v for v in values]
    raw = json.dumps([signature(terms, scope), out], separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(terms: list[Term], cursor: str, path: str, scope: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        sig, values = json.loads(raw)
        if sig != signature(terms, scope) or len(values) != len(terms):
            raise ValueError("cursor belongs to another query")
        return [_checked(term, v) for term, v in zip(terms, values, strict=True)]
    except (ValueError, TypeError, UnicodeDecodeError, OverflowError) as exc:
        raise BadUserInput("invalid cursor for this query and sort", field=path) from exc


_INT64 = range(-(2**63), 2**63)


def _checked(term: Term, value: Any) -> Any:
    """A cursor value back in the type its column holds; anything else is a forged cursor."""
    if value is None:
        if not term.nullable:
            raise ValueError("null in a non-null sort key")
        return None
    kind = term.kind
    if term.is_datetime:
        return dt.datetime.fromisoformat(value).astimezone(dt.UTC)
    if kind is Kind.BOOLEAN and isinstance(value, bool):
        return value
    if kind in (Kind.INTEGER, Kind.LONG) and type(value) is int and value in _INT64:
        return value
    if kind is Kind.FLOAT and type(value) in (int, float) and math.isfinite(value):
        return value
    if kind in (Kind.STRING, Kind.TEXT, Kind.VERSION, Kind.DATETIME) and isinstance(value, str):
        return value
    raise ValueError(f"a {kind.value} sort key cannot be {value!r}")


def after(terms: list[Term], values: list[Any], reverse: bool = False) -> ColumnElement[bool]:
    """Rows strictly after the cursor row in the order (before it, when `reverse`)."""
    alternatives: list[ColumnElement[bool]] = []
    equal_so_far: list[ColumnElement[bool]] = []
    for term, value in zip(terms, values, strict=True):
        desc = term.descending != reverse
        alternatives.append(sa.and_(*equal_so_far, _beyond(term, value, desc)))
        same = term.expr.is_(None) if value is None else term.expr == _bound(term, value)
        equal_so_far.append(same)
    return sa.or_(*alternatives)


def _bound(term: Term, value: Any) -> Any:
    """A typed parameter: comparing with a bare True/False would be read as IS TRUE/FALSE."""
    return sa.bindparam(None, value, type_=term.expr.type, unique=True)


def _beyond(term: Term, value: Any, desc: bool) -> ColumnElement[bool]:
    expr: Any = term.expr
    if value is None:  # nulls come last ascending and first descending
        return sa.false() if not desc else expr.is_not(None)
    bound = _bound(term, value)
    beyond: ColumnElement[bool] = expr < bound if desc else expr > bound
    if term.nullable and not desc:
        return sa.or_(beyond, expr.is_(None))
    return beyond
