"""Dialect-specific SQL for list, dict and tag conditions (JSONB on PostgreSQL, JSON1 on SQLite)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from glaregraph.catalog.database.tables import artifact_tags, artifacts, tags
from glaregraph.catalog.query.columns import PG_CASTS, cache_markers
from glaregraph.catalog.typedef.model import Kind

_PG_TYPES = {bool: "BOOLEAN", int: "BIGINT", float: "DOUBLE PRECISION"}


def _path(column: str, key: str | None) -> tuple[str, str]:
    """(PG expression, SQLite json_each arguments) of a JSON container in a column."""
    if key is None:
        return f"artifacts.{column}", f"artifacts.{column}"
    return f"(artifacts.{column} -> '{key}')", f"artifacts.{column}, '$.\"{key}\"'"


class list_contains_el(FunctionElement[bool]):
    inherit_cache = True
    type = sa.Boolean()
    name = "list_contains"

    def __init__(self, key: str, value: Any) -> None:
        self.key = key
        self.pg_type = _PG_TYPES.get(type(value), "TEXT")
        super().__init__(sa.bindparam(None, value, unique=True), *cache_markers(key, self.pg_type))


@compiles(list_contains_el, "postgresql")
def _pg_list_contains(el: list_contains_el, compiler: Any, **kw: Any) -> str:
    value = compiler.process(next(iter(el.clauses)), **kw)
    return f"({_path('data', el.key)[0]} @> jsonb_build_array(CAST({value} AS {el.pg_type})))"


@compiles(list_contains_el, "sqlite")
def _sqlite_list_contains(el: list_contains_el, compiler: Any, **kw: Any) -> str:
    value = compiler.process(next(iter(el.clauses)), **kw)
    source = _path("data", el.key)[1]
    return f"EXISTS (SELECT 1 FROM json_each({source}) AS je WHERE je.value = {value})"


class dict_has_key_el(FunctionElement[bool]):
    inherit_cache = True
    type = sa.Boolean()
    name = "dict_has_key"

    def __init__(self, column: str, field: str | None, key: str) -> None:
        self.column, self.field = column, field
        super().__init__(
            sa.bindparam(None, key, type_=sa.String(), unique=True),
            *cache_markers(column, str(field)),
        )


@compiles(dict_has_key_el, "postgresql")
def _pg_has_key(el: dict_has_key_el, compiler: Any, **kw: Any) -> str:
    key = compiler.process(next(iter(el.clauses)), **kw)
    return f"jsonb_exists({_path(el.column, el.field)[0]}, CAST({key} AS TEXT))"


@compiles(dict_has_key_el, "sqlite")
def _sqlite_has_key(el: dict_has_key_el, compiler: Any, **kw: Any) -> str:
    key = compiler.process(next(iter(el.clauses)), **kw)
    source = _path(el.column, el.field)[1]
    return f"EXISTS (SELECT 1 FROM json_each({source}) AS je WHERE je.key = {key})"


class dict_entry_el(FunctionElement[Any]):
    inherit_cache = True
    name = "dict_entry"

    def __init__(self, column: str, field: str | None, key: str, kind: Kind) -> None:
        self.column, self.field, self.kind = column, field, kind
        super().__init__(
            sa.bindparam(None, key, type_=sa.String(), unique=True),
            *cache_markers(column, str(field), kind.value),
        )


@compiles(dict_entry_el, "postgresql")
def _pg_entry(el: dict_entry_el, compiler: Any, **kw: Any) -> str:
    key = compiler.process(next(iter(el.clauses)), **kw)
    text = f"({_path(el.column, el.field)[0]} ->> CAST({key} AS TEXT))"
    cast = PG_CASTS.get(el.kind)
    return f"CAST({text} AS {cast})" if cast else text


@compiles(dict_entry_el, "sqlite")
def _sqlite_entry(el: dict_entry_el, compiler: Any, **kw: Any) -> str:
    key = compiler.process(next(iter(el.clauses)), **kw)
    source = _path(el.column, el.field)[1]
    return f"(SELECT je.value FROM json_each({source}) AS je WHERE je.key = {key})"


def list_contains(field: str, value: Any) -> ColumnElement[bool]:
    """The list type field `field` holds `value`."""
    return list_contains_el(field, value)


def dict_has_key(column: str, key: str) -> ColumnElement[bool]:
    """`column` is `meta` (metadata) or a dict type field's name (inside `data`)."""
    return dict_has_key_el(*_where(column), key)


def dict_entry(column: str, key: str, kind: Kind) -> ColumnElement[Any]:
    return dict_entry_el(*_where(column), key, kind)


def _where(column: str) -> tuple[str, str | None]:
    return ("meta", None) if column == "meta" else ("data", column)


def tag_filter(spec: Mapping[str, Any]) -> ColumnElement[bool]:
    """TagFilter: `all`, `any`, `none` of tag names; optionally counting descendant tags."""
    deep = bool(spec.get("include_descendants"))
    parts: list[ColumnElement[bool]] = []
    for tag in spec.get("all") or ():
        parts.append(_has_any([tag], deep))
    if spec.get("any") is not None:
        parts.append(_has_any(list(spec["any"]), deep))
    if spec.get("none"):
        parts.append(sa.not_(_has_any(list(spec["none"]), deep)))
    return sa.and_(sa.true(), *parts)


def _has_any(names: list[str], deep: bool) -> ColumnElement[bool]:
    if not names:
        return sa.false()
    if deep:
        seed = sa.select(tags.c.name).where(tags.c.name.in_(names))
        tree = seed.cte(recursive=True)
        tree = tree.union(sa.select(tags.c.name).join(tree, tags.c.parent == tree.c.name))
        wanted = sa.union(sa.select(tree.c.name), *(sa.select(sa.literal(n)) for n in names))
        return sa.exists().where(
            artifact_tags.c.artifact_id == artifacts.c.id, artifact_tags.c.tag.in_(wanted)
        )
    return sa.exists().where(
        artifact_tags.c.artifact_id == artifacts.c.id, tag_among(artifact_tags.c.tag, names)
    )


class NameList(sa.types.TypeDecorator[list[str]]):
    """A list of names bound as ONE parameter: a text[] on PostgreSQL, a JSON array on SQLite."""

    impl = sa.String
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.ARRAY(sa.String()))
        return dialect.type_descriptor(sa.String())

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None or dialect.name == "postgresql":
            return value
        return orjson.dumps(list(value)).decode()


class tag_among(FunctionElement[bool]):
    """`column` is one of `names`, the names bound as one parameter (PostgreSQL: `= ANY`,
    SQLite: `IN` its `json_each`): one statement text whatever their number, where an `IN`
    list is a parameter per name, rendered (with its cast) on every execution (a tag's subtree
    of 111 names: ~1 ms a request) and a new statement text, so a new prepared statement, for
    each length."""

    inherit_cache = True
    name = "tag_among"
    type = sa.types.Boolean()

    def __init__(self, column: Any, names: list[str]) -> None:
        super().__init__(column, sa.bindparam(None, list(names), type_=NameList()))


@compiles(tag_among, "postgresql")
def _pg_tag_among(el: tag_among, compiler: Any, **kw: Any) -> str:
    column, names = el.clauses
    return f"{compiler.process(column, **kw)} = ANY({compiler.process(names, **kw)})"


@compiles(tag_among)
def _tag_among(el: tag_among, compiler: Any, **kw: Any) -> str:
    column, names = el.clauses
    return (
        f"{compiler.process(column, **kw)} IN "
        f"(SELECT value FROM json_each({compiler.process(names, **kw)}))"
    )


# Values of one artifact kept in a table of their own, read along with the row:
# relation -> (table, value column). The names are constants, so they are rendered as text.
RELATED_VALUES: dict[str, tuple[str, str]] = {
    "tags": ("artifact_tags", "tag"),
    "aliases": ("aliases", "alias"),
    "shared_with": ("artifact_shares", "project"),
}


class related_values_el(FunctionElement[Any]):
    """One artifact's values of a relation, in code point order (as SQLite's BINARY collation
    and Python's sorted()): an array on PostgreSQL, a JSON array text on SQLite."""

    inherit_cache = True
    name = "related_values"
    type = sa.types.NullType()

    def __init__(self, relation: str) -> None:
        self.relation = relation
        super().__init__(*cache_markers(relation))


@compiles(related_values_el, "postgresql")
def _pg_related_values(el: related_values_el, compiler: Any, **kw: Any) -> str:
    table, column = RELATED_VALUES[el.relation]
    # a text[] arrives as a Python list: nothing to parse
    return (
        f"ARRAY(SELECT t.{column} FROM {table} AS t WHERE t.artifact_id = artifacts.id "
        f'ORDER BY t.{column} COLLATE "C")'
    )


@compiles(related_values_el, "sqlite")
def _sqlite_related_values(el: related_values_el, compiler: Any, **kw: Any) -> str:
    table, column = RELATED_VALUES[el.relation]
    return (
        f"(SELECT json_group_array(s.v) FROM (SELECT t.{column} AS v FROM {table} AS t "
        f"WHERE t.artifact_id = artifacts.id ORDER BY t.{column}) AS s)"
    )


def related_values(relation: str) -> ColumnElement[Any]:
    """The column `relation` (a key of RELATED_VALUES) of an artifacts query."""
    return related_values_el(relation).label(relation)
