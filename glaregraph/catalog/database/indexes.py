"""Expression indexes for type fields, derived from the registry and created at start-up.

Types are data, so these are not in the migrations: each sortable or filterable scalar field gets
a partial index `(expr) WHERE type_name = '<type>'`, named `ix_af_...` (ignored by alembic).
PostgreSQL keeps no statistics for the expressions of partial indexes, so text fields also get
extended statistics `(type_name, expr)`: without them the planner guesses a filter's selectivity
and may sort thousands of rows instead of walking the sort index.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.query.columns import field_column
from glaregraph.catalog.typedef.model import FieldDef, Kind, Registry, TypeDef

PREFIX = "ix_af_"
_INDEXABLE = {Kind.STRING, Kind.INTEGER, Kind.LONG, Kind.FLOAT, Kind.DATETIME, Kind.VERSION}


STATS_PREFIX = "st_af_"
# Text expressions only: a cast would fail in ANALYZE on another type's value under the same key.
_TEXT_KINDS = {Kind.STRING, Kind.DATETIME, Kind.VERSION}
# PostgreSQL plans a table that was never analyzed (pg_class.reltuples = -1) as at least 10 pages,
# since it may be filling up (estimate_rel_size); an ANALYZE records its size and drops that floor.
# Run on the empty table of a new database, it made each connection of a long-running server plan
# the foreign-key check of every artifact_tags insert (`SELECT 1 FROM ONLY artifacts x WHERE id =
# $1 FOR KEY SHARE OF x`, cached per connection, generic from the 6th call) as a Seq Scan of a
# 1-page table, kept until an ANALYZE invalidates it (never without autovacuum): creates slowed
# down as the catalog grew. Below 10 pages an ANALYZE has nothing worth collecting, so the new
# statistics are left to autovacuum.
_ANALYZE_MIN_PAGES = 10


def has_index(f: FieldDef) -> bool:
    return f.kind in _INDEXABLE and (f.sortable or f.filterable)


def _indexed_fields(registry: Registry) -> list[tuple[TypeDef, FieldDef]]:
    return [(t, f) for t in registry.values() for f in t.data_fields if has_index(f)]


def _suffix(t: TypeDef, f: FieldDef) -> str:
    digest = hashlib.sha1(f"{t.name}.{f.name}".encode()).hexdigest()[:10]
    return f"{t.name[:20]}_{f.name[:20]}_{digest}"


def index_statements(registry: Registry, dialect: Any) -> list[str]:
    out = []
    for t, f in _indexed_fields(registry):
        expr = str(field_column(f).compile(dialect=dialect))
        out.append(
            f"CREATE INDEX IF NOT EXISTS {PREFIX}{_suffix(t, f)} ON artifacts (({expr}), id) "
            f"WHERE type_name = '{t.name}'"
        )
    return out


def statistics_names(registry: Registry) -> dict[str, FieldDef]:
    return {
        f"{STATS_PREFIX}{_suffix(t, f)}": f
        for t, f in _indexed_fields(registry)
        if f.kind in _TEXT_KINDS
    }


async def ensure_type_indexes(db: Database, registry: Registry) -> int:
    """Create the missing indexes (and, on PostgreSQL, statistics); returns how many statements
    ran. New statistics are filled by one ANALYZE of the artifacts table, unless it is (nearly)
    empty: see _ANALYZE_MIN_PAGES."""
    async with db.engine.begin() as conn:
        statements = index_statements(registry, conn.dialect)
        for sql in statements:
            await conn.exec_driver_sql(sql)
        if conn.dialect.name != "postgresql":
            return len(statements)
        wanted = statistics_names(registry)
        rows = await conn.exec_driver_sql(
            f"SELECT stxname FROM pg_statistic_ext WHERE stxname LIKE '{STATS_PREFIX}%'"
        )
        missing = set(wanted) - {name for (name,) in rows}
        for name in sorted(missing):
            expr = str(field_column(wanted[name]).compile(dialect=conn.dialect))
            await conn.exec_driver_sql(
                f"CREATE STATISTICS IF NOT EXISTS {name} ON type_name, ({expr}) FROM artifacts"
            )
        if missing and await _pages(conn) >= _ANALYZE_MIN_PAGES:
            await conn.exec_driver_sql("ANALYZE artifacts")
    return len(statements) + len(missing)


async def _pages(conn: AsyncConnection) -> int:
    size = await conn.exec_driver_sql(
        "SELECT pg_relation_size('artifacts') / current_setting('block_size')::int"
    )
    return int(size.scalar_one())
