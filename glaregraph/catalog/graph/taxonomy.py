"""Walking the tag taxonomy (each tag at most one parent, no cycles) up and down, and the lock
that keeps it still: a taxonomy change takes it alone, every mutation that changes maintained
tag counts shares it while it reads ancestors and adds to the counts, so no count is ever added
under one taxonomy and recomputed under another (glaregraph/catalog/tagcounts)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog.database.tables import artifact_tags, tags

LOCK_KEY = 7_340_113  # PostgreSQL advisory lock key of the taxonomy


async def lock(conn: AsyncConnection, *, shared: bool) -> None:
    """Hold the taxonomy lock until the transaction ends (SQLite: its write transaction already
    excludes every other writer)."""
    if conn.dialect.name == "sqlite":
        return
    take = sa.func.pg_advisory_xact_lock_shared if shared else sa.func.pg_advisory_xact_lock
    await conn.execute(sa.select(take(LOCK_KEY)))


async def ancestors(conn: AsyncConnection, names: Sequence[str]) -> dict[str, list[str]]:
    """Each tag's ancestors, nearest first, for many tags in one statement."""
    if not names:
        return {}
    if conn.dialect.name == "postgresql":
        rows = await conn.execute(_ancestors_by_array(), {"names": list(names)})
    else:
        rows = await conn.execute(_ancestors(_seeds(names)))
    out: dict[str, list[str]] = {n: [] for n in names}
    for root, name in rows:
        out[root].append(name)
    return out


async def carried(conn: AsyncConnection, artifact_id: str) -> dict[str, list[str]]:
    """The tags `artifact_id` carries, each with its ancestors nearest first, in one statement
    (a tag mutation reads them while it holds the artifact's row)."""
    out: dict[str, list[str]] = {}
    for root, name in await conn.execute(_carried(), {"artifact_id": artifact_id}):
        above = out.setdefault(root, [])
        if name != root:
            above.append(name)
    return out


@functools.cache
def _carried() -> sa.Select[Any]:
    seeds = sa.select(artifact_tags.c.tag.label("root")).where(
        artifact_tags.c.artifact_id == sa.bindparam("artifact_id")
    )
    return _ancestors(seeds.subquery("seeds"), roots=True)


@functools.cache
def _ancestors_by_array() -> sa.Select[Any]:
    """PostgreSQL: the names as one array parameter, so one statement serves any number of
    names; built once (building it took longer than running it)."""
    return _ancestors(_array_seeds())


def _ancestors(start: sa.Subquery, *, roots: bool = False) -> sa.Select[Any]:
    """(root, ancestor) from the nearest up, for each `root` of `start`; with `roots`, first
    (root, root) for each."""
    seed = sa.select(
        start.c.root, start.c.root.label("name"), sa.literal(0, sa.Integer).label("level")
    ).cte("up", recursive=True)
    up = seed.union_all(
        sa.select(seed.c.root, tags.c.parent, (seed.c.level + 1))
        .join(tags, tags.c.name == seed.c.name)
        .where(tags.c.parent.is_not(None), seed.c.level < 1000)
    )
    shown = sa.select(up.c.root, up.c.name)
    return (shown if roots else shown.where(up.c.level > 0)).order_by(up.c.root, up.c.level)


Name = str | sa.BindParameter[str]  # a tag name, or a parameter that will be one


def _seeds(names: Sequence[Name]) -> sa.Subquery:
    """The names as rows of one column, `root` (a recursive CTE's anchor selects from it)."""
    rows = [sa.select(_value(n).label("root")) for n in names]
    return (rows[0] if len(rows) == 1 else sa.union_all(*rows)).subquery("seeds")


def _array_seeds() -> sa.Subquery:
    """PostgreSQL: the same rows from one array parameter `names`, unnested, so the statement
    is the same for any number of names (built and planned once, not once per length)."""
    array = sa.bindparam("names", type_=postgresql.ARRAY(tags.c.name.type))
    return sa.select(sa.func.unnest(array).label("root")).subquery("seeds")


def _value(name: Name) -> sa.ColumnElement[str]:
    return name if isinstance(name, sa.BindParameter) else sa.literal(name, tags.c.name.type)


def descendants_of(names: Sequence[Name]) -> sa.CTE:
    """(root, name) for each of `names` and every tag below it in the taxonomy."""
    start = _seeds(names)
    seed = sa.select(start.c.root, start.c.root.label("name")).cte("down", recursive=True)
    return seed.union(sa.select(seed.c.root, tags.c.name).join(tags, tags.c.parent == seed.c.name))
