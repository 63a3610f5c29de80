"""Filter trees (plain dicts from the API layer) compiled to one SQL condition.

Keys are field names in snake case (`disk_format`, `created_at`, `and`, ...); operators are
`eq neq in not_in like gt gte lt lte is_null` and the tag, list, dict and version operators of
API.md §4. `version.latest` is lifted out by the caller (see `listing.py`): it needs a window.

`like` has one meaning on both dialects: `%` and `_` are wildcards and a backslash makes the next
character literal. It is rendered with an explicit `ESCAPE '\\'`: SQLite has no escape character
by default, PostgreSQL's default is a backslash but it fails mid-query on a trailing one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.expression import ColumnElement

from glaregraph.catalog.errors import BadUserInput
from glaregraph.catalog.query.columns import resolve_column
from glaregraph.catalog.query.jsonops import (
    dict_entry,
    dict_has_key,
    list_contains,
    tag_filter,
)
from glaregraph.catalog.typedef.model import CONTAINER_KINDS, Kind, TypeDef, to_camel
from glaregraph.catalog.versions import normalize_version, parse_range, version_key

Condition = ColumnElement[bool]


MAX_DEPTH = 8  # nesting of and/or/not
MAX_CONDITIONS = 200  # values, and items of and/or/entries lists, in one filter
MAX_PATTERN = 1024  # characters of a `like` pattern
LIKE_ESCAPE = "\\"


def compile_filter(
    spec: Mapping[str, Any] | None,
    t: TypeDef | None,
    path: str = "filter",
    *,
    unindexed: bool = False,
) -> Condition:
    """AND of every key of `spec`; an empty or missing filter is TRUE. `unindexed` keeps the
    planner off type-field indexes (see `listing.py`). Filters past the size limits are refused:
    SQLite's parser has fixed depth limits, and no real query needs more."""
    check_size(spec, path)
    return _compile(spec, t, path, unindexed)


def check_size(spec: Any, path: str) -> None:
    """Refuses a filter past the size limits (BadUserInput). Every value counts, and so does
    every object in a list: `and: [{not: {}}, ...]` holds no value but still makes one SQL
    condition per item. Operators left out (None) cost nothing."""
    count = 0

    def walk(node: Any, depth: int) -> None:
        nonlocal count
        if depth > MAX_DEPTH:
            raise BadUserInput(f"filters nest at most {MAX_DEPTH} deep", field=path)
        if isinstance(node, dict):
            for key, value in node.items():
                if value is None:
                    continue
                if key == "like" and isinstance(value, str) and len(value) > MAX_PATTERN:
                    raise BadUserInput(
                        f"a like pattern has at most {MAX_PATTERN} characters", field=path
                    )
                walk(value, depth + (key in ("and", "or", "not")))
        elif isinstance(node, list):
            for item in node:
                count += isinstance(item, dict | list)
                walk(item, depth)
        else:
            count += 1
        if count > MAX_CONDITIONS:
            raise BadUserInput(f"a filter has at most {MAX_CONDITIONS} values", field=path)

    walk(spec, 0)


def _compile(
    spec: Mapping[str, Any] | None, t: TypeDef | None, path: str, unindexed: bool
) -> Condition:
    if not spec:
        return sa.true()
    parts: list[Condition] = []
    for key, value in spec.items():
        if value is None:
            continue
        where = f"{path}.{to_camel(key)}"
        if key in ("and", "or"):
            subs = [_compile(s, t, f"{where}[{i}]", unindexed) for i, s in enumerate(value)]
            parts.append(sa.and_(sa.true(), *subs) if key == "and" else sa.or_(sa.false(), *subs))
        elif key == "not":
            # a missing value makes the inner condition NULL; `not` must still keep that row
            inner = _compile(value, t, where, unindexed)
            parts.append(sa.not_(sa.func.coalesce(inner, sa.false())))
        elif key == "tags":
            parts.append(tag_filter(value))
        elif key == "metadata":
            parts.append(_dict_filter("meta", Kind.STRING, value, where))
        else:
            parts.append(_field_filter(key, value, t, where, unindexed))
    return sa.and_(sa.true(), *parts)


def _field_filter(
    key: str, ops: Mapping[str, Any], t: TypeDef | None, path: str, unindexed: bool
) -> Condition:
    f = t.field(key) if t is not None else None
    if f is not None and f.kind in CONTAINER_KINDS:
        assert f.of is not None
        if f.kind is Kind.LIST:
            return _list_filter(f.name, f.of, ops, path)
        return _dict_filter(f.name, f.of, ops, path)
    resolved = resolve_column(key, t, unindexed=unindexed)
    if resolved is None:
        raise BadUserInput(f"cannot filter on '{key}'", field=path)
    column, kind = resolved
    return _scalar_ops(column, kind, ops, path, in_data=f is not None)


def _scalar_ops(
    column: Any, kind: Kind, ops: Mapping[str, Any], path: str, *, in_data: bool, keyed: bool = True
) -> Condition:
    """Operators on one scalar; `keyed` columns hold version keys, not version strings."""
    conv = _converter(kind, in_data=in_data, keyed=keyed)
    parts: list[Condition] = []
    for op, raw in ops.items():
        if raw is None or op == "latest":
            continue
        where = f"{path}.{to_camel(op)}"
        if kind is Kind.VERSION and not keyed and op in _ORDERED:
            raise BadUserInput(
                "versions inside a list or dict compare only for equality", field=where
            )
        if op == "is_null":
            parts.append(column.is_(None) if raw else column.is_not(None))
        elif op in ("in", "not_in"):
            values = [conv(v, where) for v in raw]
            cond = column.in_(values) if values else sa.false()
            parts.append(cond if op == "in" else sa.and_(column.is_not(None), sa.not_(cond)))
        elif op == "range":
            parts.append(version_range(column, raw, where))
        elif op == "like":
            parts.append(like(column, raw, where))
        else:
            parts.append(_COMPARE[op](column, conv(raw, where)))
    return sa.and_(sa.true(), *parts)


def scalar_ops(column: Any, kind: Kind, ops: Mapping[str, Any], path: str) -> Condition:
    """The operators of one scalar filter on a plain column (for tables other than artifacts)."""
    check_size(ops, path)
    return _scalar_ops(column, kind, ops, path, in_data=False)


def like(column: Any, pattern: str, path: str) -> Condition:
    """`column LIKE pattern ESCAPE '\\'`; a pattern ending in a lone backslash escapes nothing."""
    trailing = len(pattern) - len(pattern.rstrip(LIKE_ESCAPE))
    if trailing % 2:
        raise BadUserInput(
            "a like pattern may not end in a lone '\\' (write '\\\\' for a backslash)",
            field=path,
        )
    condition: Condition = column.like(pattern, escape=LIKE_ESCAPE)
    return condition


_ORDERED = frozenset({"gt", "gte", "lt", "lte", "range"})

_COMPARE: dict[str, Callable[[Any, Any], Condition]] = {
    "eq": lambda c, v: c == v,
    "neq": lambda c, v: sa.or_(c != v, c.is_(None)),
    "gt": lambda c, v: c > v,
    "gte": lambda c, v: c >= v,
    "lt": lambda c, v: c < v,
    "lte": lambda c, v: c <= v,
}


def _converter(kind: Kind, *, in_data: bool, keyed: bool) -> Callable[[Any, str], Any]:
    """How a filter value is turned into what the column holds."""
    if kind is Kind.VERSION:
        return lambda v, p: _version_value(v, p, keyed)
    if kind is Kind.DATETIME and in_data:
        return lambda v, _p: datetime_to_data(v)
    return lambda v, _p: v


def _version_value(value: Any, path: str, keyed: bool) -> str:
    try:
        normalized = normalize_version(str(value))
    except ValueError as exc:
        raise BadUserInput(f"not a version: {exc}", field=path) from exc
    return version_key(normalized) if keyed else normalized


def version_range(column: Any, text: str, path: str) -> Condition:
    """`column` (holding version keys) within an npm-style range."""
    try:
        intervals = parse_range(text)
    except ValueError as exc:
        raise BadUserInput(f"not a version range: {exc}", field=path) from exc
    alternatives = []
    for iv in intervals:
        conds: list[Condition] = []
        if iv.lower is not None:
            conds.append(column >= iv.lower if iv.lower_inclusive else column > iv.lower)
        if iv.upper is not None:
            conds.append(column <= iv.upper if iv.upper_inclusive else column < iv.upper)
        alternatives.append(sa.and_(sa.true(), *conds))
    return sa.or_(sa.false(), *alternatives)


def _list_filter(key: str, of: Kind, ops: Mapping[str, Any], path: str) -> Condition:
    convert = _converter(of, in_data=True, keyed=False)

    def holds(value: Any, where: str) -> Condition:
        return list_contains(key, convert(value, where))

    parts: list[Condition] = []
    if ops.get("contains") is not None:
        parts.append(holds(ops["contains"], f"{path}.contains"))
    for i, v in enumerate(ops.get("contains_all") or ()):
        parts.append(holds(v, f"{path}.containsAll[{i}]"))
    if ops.get("contains_any") is not None:
        anyof = [holds(v, f"{path}.containsAny[{i}]") for i, v in enumerate(ops["contains_any"])]
        parts.append(sa.or_(sa.false(), *anyof))
    return sa.and_(sa.true(), *parts)


def _dict_filter(column: str, of: Kind, ops: Mapping[str, Any], path: str) -> Condition:
    parts: list[Condition] = []
    if ops.get("has_key") is not None:
        parts.append(dict_has_key(column, ops["has_key"]))
    if ops.get("has_any_key") is not None:
        parts.append(sa.or_(sa.false(), *(dict_has_key(column, k) for k in ops["has_any_key"])))
    for i, entry in enumerate(ops.get("entries") or ()):
        value_expr = dict_entry(column, entry["key"], of)
        where = f"{path}.entries[{i}].value"
        parts.append(_scalar_ops(value_expr, of, entry["value"], where, in_data=True, keyed=False))
    return sa.and_(sa.true(), *parts)


def datetime_to_data(value: dt.datetime) -> str:
    """The text form a `datetime` type field has inside `data` (lexical order = time order)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
