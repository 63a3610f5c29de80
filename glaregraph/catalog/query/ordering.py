"""Sort keys, opaque keyset cursors and the "after this row" condition.

Nulls sort last ascending and first descending on both dialects; every order ends with `id`,
so cursors stay stable under inserts. A cursor is caller input: what it decodes to passes the
checks a variable would (type, range, NUL, lone surrogates, length) before it reaches SQL.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.sql.expression import ColumnElement

from glaregraph.catalog.database.tables import artifacts
from glaregraph.catalog.errors import BadUserInput
from glaregraph.catalog.query.columns import BASE_COLUMNS, resolve_column
from glaregraph.catalog.typedef.model import DEFAULT_TEXT_MAX_LENGTH, Kind, TypeDef
from glaregraph.catalog.typedef.values import INT32_RANGE, INT64_RANGE, check_string
from glaregraph.catalog.versions import MAX_KEY_LENGTH

DEFAULT_SORT: tuple[tuple[str, bool], ...] = (("created_at", True),)
MAX_SORT_KEYS = 8  # more keys order nothing further, and each one widens every cursor condition
# JSON characters one cursor value may take: a string's characters escape to at most 12 each
# (an astral character becomes two six-character \u escapes); any other value fits in this many.
_VALUE_JSON = 64
_STRING_JSON_PER_CHAR = 12
_DATA_DATETIME_LENGTH = 64  # the stored form is 32 characters; leave room for other offsets
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
    max_length: int  # the longest string the key holds (string-like kinds)


def check_sort_size(count: int) -> None:
    if count > MAX_SORT_KEYS:
        raise BadUserInput(
            f"at most {MAX_SORT_KEYS} sort keys are allowed (got {count})", field="sort"
        )


def order_terms(sort: list[tuple[str, bool]] | None, t: TypeDef | None) -> list[Term]:
    """(field, descending) pairs → terms, with `id` appended as the tie-breaker."""
    if sort is not None:
        check_sort_size(len(sort))
    terms: list[Term] = []
    for name, descending in sort or DEFAULT_SORT:
        resolved = resolve_column(name, t)
        if resolved is None:
            raise BadUserInput(f"cannot sort by '{name}'", field="sort")
        expr, kind = resolved
        is_base_dt = name in BASE_COLUMNS and kind is Kind.DATETIME
        nullable = name not in _NOT_NULL
        longest = _max_length(name, expr, kind, t)
        terms.append(Term(name, expr, descending, nullable, is_base_dt, kind, longest))
    tie_desc = terms[-1].descending if terms else False
    id_length = _max_length("id", artifacts.c.id, Kind.STRING, t)
    terms.append(Term("id", artifacts.c.id, tie_desc, False, False, Kind.STRING, id_length))
    return terms


def _max_length(name: str, expr: ColumnElement[Any], kind: Kind, t: TypeDef | None) -> int:
    """What the key's column can hold: a longer string in a cursor was not made by us."""
    if kind is Kind.VERSION:
        return MAX_KEY_LENGTH  # both base and type fields sort by the version key
    if kind is Kind.DATETIME:
        return _DATA_DATETIME_LENGTH
    if name in BASE_COLUMNS:
        length = getattr(expr.type, "length", None)
    else:
        f = t.field(name) if t is not None else None
        length = f.validators.max_length if f is not None else None
    return length if isinstance(length, int) else DEFAULT_TEXT_MAX_LENGTH


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


def encode_cursor(sig: str, values: list[Any]) -> str:
    """The cursor of a row whose sort key values are `values`, in the list and order whose
    `signature` is `sig`."""
    out = [v.isoformat() if isinstance(v, dt.datetime) else v for v in values]
    raw = orjson.dumps([sig, out], default=str)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def max_cursor_length(terms: list[Term]) -> int:
    """The longest cursor `encode_cursor` can give for these terms (base64 of the JSON)."""
    json_length = _VALUE_JSON  # brackets, the signature, separators
    for term in terms:
        json_length += _VALUE_JSON
        if term.kind in _STRING_KINDS:
            json_length += _STRING_JSON_PER_CHAR * term.max_length
    return 4 * math.ceil(json_length / 3)


def decode_cursor(terms: list[Term], cursor: str, path: str, scope: str) -> list[Any]:
    """The values of a cursor made for `terms`; BadUserInput (field `path`) for anything else."""
    if len(cursor) > max_cursor_length(terms):
        raise BadUserInput("the cursor is longer than any this query and sort give", field=path)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = json.loads(raw)
        if not isinstance(decoded, list) or len(decoded) != 2:
            raise ValueError("not a cursor")
        sig, values = decoded
        if sig != signature(terms, scope) or not isinstance(values, list):
            raise ValueError("cursor belongs to another query")
        if len(values) != len(terms):
            raise ValueError("cursor belongs to another query")
        return [_checked(term, v, path) for term, v in zip(terms, values, strict=True)]
    except (ValueError, TypeError, UnicodeDecodeError, OverflowError, RecursionError) as exc:
        raise BadUserInput("invalid cursor for this query and sort", field=path) from exc


_STRING_KINDS = frozenset({Kind.STRING, Kind.TEXT, Kind.VERSION, Kind.DATETIME})
_INT_RANGES = {Kind.INTEGER: INT32_RANGE, Kind.LONG: INT64_RANGE}


def _checked(term: Term, value: Any, path: str) -> Any:
    """A cursor value back in the type its column holds; anything else is a forged cursor
    (ValueError, or the BadUserInput a variable holding that string would get)."""
    if value is None:
        if not term.nullable:
            raise ValueError("null in a non-null sort key")
        return None
    kind = term.kind
    if kind in _STRING_KINDS:
        text = check_string(value, path, max_length=term.max_length)
        if kind is not Kind.DATETIME:
            return text
        moment = dt.datetime.fromisoformat(text)
        if not term.is_datetime:
            return text  # a type field's date-time is compared as the text it is stored as
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)
    if kind is Kind.BOOLEAN and isinstance(value, bool):
        return value
    if kind in _INT_RANGES and type(value) is int:
        low, high = _INT_RANGES[kind]
        if low <= value <= high:
            return value
    if kind is Kind.FLOAT and type(value) in (int, float):
        number = float(value)  # SQLite cannot bind an int past 64 bits; any float it can
        if math.isfinite(number):
            return number
    raise ValueError(f"a {kind.value} sort key cannot be {value!r:.60}")


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
