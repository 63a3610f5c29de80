"""Column expressions for base fields and for type fields stored in the `data` document.

Type-field keys and type names are validated GraphQL/snake names, so they are rendered as
literals: that keeps the SQL identical to the expression indexes made from the registry.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from glaregraph.catalog.database.tables import artifacts
from glaregraph.catalog.typedef.model import SCALAR_KINDS, FieldDef, Kind, TypeDef

PG_CASTS = {
    Kind.INTEGER: "BIGINT",
    Kind.LONG: "BIGINT",
    Kind.FLOAT: "DOUBLE PRECISION",
    Kind.BOOLEAN: "BOOLEAN",
}

# Base fields: name -> (column, kind used for filter values and cursors).
BASE_COLUMNS: dict[str, tuple[Any, Kind]] = {
    "id": (artifacts.c.id, Kind.STRING),
    "type_name": (artifacts.c.type_name, Kind.STRING),
    "name": (artifacts.c.name, Kind.STRING),
    "version": (artifacts.c.version_key, Kind.VERSION),
    "description": (artifacts.c.description, Kind.TEXT),
    "owner": (artifacts.c.owner, Kind.STRING),
    "created_by": (artifacts.c.created_by, Kind.STRING),
    "visibility": (artifacts.c.visibility, Kind.STRING),
    "status": (artifacts.c.status, Kind.STRING),
    "created_at": (artifacts.c.created_at, Kind.DATETIME),
    "updated_at": (artifacts.c.updated_at, Kind.DATETIME),
    "activated_at": (artifacts.c.activated_at, Kind.DATETIME),
}


def version_key_name(field: str) -> str:
    """Where the sortable key of a `version`-kind type field is kept inside `data`."""
    return f"{field}@key"


def cache_markers(*parts: str) -> list[Any]:
    """Literal clauses carrying a construct's settings into SQLAlchemy's compiled-cache key."""
    return [sa.literal_column(repr(p)) for p in parts]


class data_value(FunctionElement[Any]):
    """`data`'s value at a literal key, typed by kind (SQL NULL when missing)."""

    inherit_cache = True
    name = "data_value"

    def __init__(self, key: str, kind: Kind, *, unindexed: bool = False) -> None:
        self.key, self.kind, self.unindexed = key, kind, unindexed
        # the settings ride along as literal clauses so they are part of the statement cache key
        markers = cache_markers(key, kind.value, "unindexed" if unindexed else "")
        super().__init__(artifacts.c.data, *markers)

    @property
    def type(self) -> Any:  # type: ignore[override]
        return {
            Kind.INTEGER: sa.BigInteger(),
            Kind.LONG: sa.BigInteger(),
            Kind.FLOAT: sa.Float(),
            Kind.BOOLEAN: sa.Boolean(),
        }.get(self.kind, sa.String())


@compiles(data_value, "postgresql")
def _pg_data_value(element: data_value, compiler: Any, **kw: Any) -> str:
    text = f"(data ->> '{element.key}')"
    cast = PG_CASTS.get(element.kind)
    return f"CAST({text} AS {cast})" if cast else text


@compiles(data_value, "sqlite")
def _sqlite_data_value(element: data_value, compiler: Any, **kw: Any) -> str:
    # unary + keeps SQLite's planner off the expression index (see `unindexed_filters`)
    plus = "+" if element.unindexed else ""
    return f"{plus}json_extract(data, '$.\"{element.key}\"')"


def field_column(f: FieldDef, *, unindexed: bool = False) -> ColumnElement[Any]:
    """The sortable/filterable expression of a scalar type field."""
    if f.kind is Kind.VERSION:
        return data_value(version_key_name(f.name), Kind.STRING, unindexed=unindexed)
    return data_value(f.name, f.kind, unindexed=unindexed)


def type_literal(type_name: str) -> ColumnElement[bool]:
    """`type_name = '<name>'` with the name inlined (matches the partial expression indexes)."""
    return artifacts.c.type_name == sa.literal_column(f"'{type_name}'")


def resolve_column(
    name: str, t: TypeDef | None, *, unindexed: bool = False
) -> tuple[ColumnElement[Any], Kind] | None:
    """A base field or a scalar field of `t`, as (expression, kind); None if unknown."""
    if name in BASE_COLUMNS:
        return BASE_COLUMNS[name]
    f = t.field(name) if t is not None else None
    if f is None or f.kind not in SCALAR_KINDS:
        return None
    return field_column(f, unindexed=unindexed), f.kind
