"""One direction of a lineage walk: breadth first, one statement per level, each level only
the artifacts no earlier level reached, stopping as soon as the walk has `limit` artifacts.

A level's statement takes the previous level (the frontier) and everything reached so far (the
visited ids, root included) as two list parameters, and answers the artifacts linked to the
frontier that no level reached yet, in id order, each with its visibility to the caller (and
its row when visible: the records the answer is made of). So an artifact is reached once, at
its shortest distance, and expanded once; a hidden artifact is never entered (so never
crossed), only remembered. Levels do not grow with revisits, and a hub's 10,000 neighbours are
not all looked at when `limit` of them are enough.

Which hidden artifacts are counted: every one linked to an artifact the walk expanded, in the
levels it went through entirely; in the level where it stopped (`limit` reached), those before
the last artifact it took, in id order. Looking at the rest of that level only to count would
cost what stopping early saves (all 10,000 artifacts of a hub, a row each).

A level reached from one artifact (the first level, a chain) has a statement of its own, with
that artifact as a plain value: the links held to it are then read from the index on (target,
source in bytewise order) in the order the page needs, stopping with the page, where a list of
artifacts makes the database read all their links and sort them: a hub's 10,000 links, when
the walk wants 1,000. (The links an artifact holds are few: read and sorted.)

The candidates of a level are read in pages (id order, `after` the last id of the previous
page): the first page what the walk still needs plus a margin for hidden artifacts and
artifacts it may not enter, each next one at least twice the last. A level rarely takes more
than one page, and never more than a few: every statement is bounded by what is asked for,
and by the statement timeout.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog.authz import Authorizer
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.tables import artifacts, edges
from glaregraph.catalog.graph import noderows
from glaregraph.catalog.graph.idlist import bind_ids, id_list
from glaregraph.catalog.principal import Principal
from glaregraph.catalog.records import ArtifactRecord

UPSTREAM, DOWNSTREAM = "UPSTREAM", "DOWNSTREAM"


@dataclass(slots=True)
class Walked:
    """What one walk reached: visible artifacts at their shortest depth, in the order reached
    ((depth, id)), the hidden artifacts it met, the artifacts whose links it read (the root
    and every level before the last one it read: not the level where it stopped at `limit`,
    nor level `depth`), and the records of the visible ones."""

    depths: dict[str, int] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    expanded: set[str] = field(default_factory=set)
    records: dict[str, ArtifactRecord] = field(default_factory=dict)


def link_ends(direction: str) -> tuple[sa.Column[str], sa.Column[str]]:
    """(near, far): the end of a link the walk comes from and the one it goes to. UPSTREAM
    follows the links an artifact holds, DOWNSTREAM the links held to it."""
    if direction == UPSTREAM:
        return edges.c.source_id, edges.c.target_id
    return edges.c.target_id, edges.c.source_id


@dataclass(frozen=True, slots=True)
class Level:
    """A level's statement for a frontier of one artifact (`:near`) and for a list of them
    (`:frontier`)."""

    one: sa.Select[Any]
    many: sa.Select[Any]
    record: Callable[[Sequence[Any]], ArtifactRecord]  # of a row's columns after (id, visible)


def level_statement(
    catalog: Catalog,
    principal: Principal,
    direction: str,
    relations: Sequence[str] | None,
    type_names: Sequence[str] | None,
    dialect: str,
    columns: tuple[str, ...] = noderows.NAMES,
) -> Level:
    """The artifacts linked to the frontier and not in `:visited`, id after `:after`, in id
    order, at most `:page`: (id, visible, the `noderows` `columns`), where visible is NULL for an
    artifact the walk may not enter whoever asks (deleted, of a type not served or not asked
    for), and the columns are NULL unless visible.

    The visibility is looked up per candidate of the page (the LIMIT applied first), never by a
    join: PostgreSQL then reads only the rows of the page, where a join let it read every
    candidate's row (or the whole table) first. The id order is bytewise (COLLATE "C" on
    PostgreSQL, SQLite's default), as Python sorts strings.

    Built once per shape (building it took 2 ms, most of it the visibility rule on a new
    alias); the values are parameters."""
    shape = (
        catalog.authz,
        tuple(catalog.served_types),
        principal,
        direction,
        None if relations is None else tuple(relations),
        None if type_names is None else tuple(type_names),
        dialect,
        columns,
    )
    return Level(
        _cached_level(*shape, one=True), _cached_level(*shape, one=False), noderows.maker(columns)
    )


def _level(
    authz: Authorizer,
    served_types: tuple[str, ...],
    principal: Principal,
    direction: str,
    relations: tuple[str, ...] | None,
    type_names: tuple[str, ...] | None,
    dialect: str,
    columns: tuple[str, ...],
    one: bool,
) -> sa.Select[Any]:
    near, far = link_ends(direction)
    pg = dialect == "postgresql"
    key = far.collate("C") if pg else far
    frontier = (
        near == sa.bindparam("near", type_=sa.String())
        if one
        else near.in_(id_list("frontier", dialect))
    )
    linked = [
        frontier,
        far.not_in(id_list("visited", dialect)),
        key > sa.bindparam("after", type_=sa.String()),
    ]
    if relations is not None:
        linked.append(edges.c.relation.in_(relations))
    # one order (bytewise) both removes duplicates and pages; the LIMIT inside the DISTINCT:
    # planned apart, a DISTINCT subquery is not told that only a page of it is read, and sorts
    # every link (a hub's 10,000) rather than read them from the index in order until the page
    # is full
    candidates = (
        sa.select(key.label("id"))
        .where(*linked)
        .distinct()
        .order_by(key)
        .limit(sa.bindparam("page", type_=sa.Integer()))
        .subquery("c")
    )
    if pg:
        return _with_rows_pg(authz, served_types, principal, type_names, candidates, columns)
    step = artifacts.alias("step")
    same = step.c.id == candidates.c.id
    visible = (
        sa.select(authz.visible(principal, step))
        .where(same, *_enterable(step, served_types, type_names))
        .scalar_subquery()
    )
    page = sa.select(candidates.c.id, visible.label("visible")).subquery("page")
    # the rows of the visible ones, read here rather than by a statement of their own
    node = artifacts.alias("node")
    joined = page.outerjoin(node, sa.and_(node.c.id == page.c.id, page.c.visible))
    return (
        sa.select(page.c.id, page.c.visible, *noderows.columns(node, columns))
        .select_from(joined)
        .order_by(page.c.id)
    )


def _enterable(
    table: Any, served_types: tuple[str, ...], type_names: tuple[str, ...] | None
) -> list[sa.ColumnElement[bool]]:
    """Whether the walk may enter an artifact, whoever asks."""
    enterable = [table.c.status != "DELETED", table.c.type_name.in_(served_types)]
    if type_names is not None:
        enterable.append(table.c.type_name.in_(type_names))
    return enterable


def _with_rows_pg(
    authz: Authorizer,
    served_types: tuple[str, ...],
    principal: Principal,
    type_names: tuple[str, ...] | None,
    candidates: sa.Subquery,
    columns: tuple[str, ...],
) -> sa.Select[Any]:
    """The page's candidates with their visibility and rows: one LATERAL lookup per candidate
    (LIMIT 1: never a join planned over the whole table) answers both, the columns then
    NULLed unless visible. The id is compared in the column's own collation again, so that
    the primary key's index serves."""
    node = artifacts.alias("node")
    found = (
        sa.select(authz.visible(principal, node).label("visible"), *noderows.columns(node, columns))
        .where(
            node.c.id == candidates.c.id.collate("default"),
            *_enterable(node, served_types, type_names),
        )
        .limit(1)
        .lateral("found")
    )
    visible = found.c.visible
    shown = [sa.case((visible, found.c[name]), else_=sa.null()) for name in columns]
    return (
        sa.select(candidates.c.id, visible, *shown)
        .select_from(candidates.outerjoin(found, sa.true()))
        .order_by(candidates.c.id)
    )


_cached_level = functools.lru_cache(maxsize=1024)(_level)


async def walk(
    conn: AsyncConnection,
    level: Level,
    dialect: str,
    root_id: str,
    depth: int,
    limit: int,
) -> Walked:
    """Up to `depth` levels of `level_statement` from `root_id`, until `limit` artifacts."""
    out = Walked()
    frontier = [root_id]
    for k in range(1, depth + 1):
        out.expanded.update(frontier)
        visited = bind_ids([root_id, *out.depths], dialect)
        if len(frontier) == 1:
            stmt, near = level.one, {"near": frontier[0]}
        else:
            stmt, near = level.many, {"frontier": bind_ids(frontier, dialect)}
        reached = await _read_level(conn, stmt, level.record, near, visited, limit, out)
        for artifact_id in reached:
            out.depths[artifact_id] = k
        if not reached or len(out.depths) >= limit:
            break
        frontier = reached
    return out


async def _read_level(
    conn: AsyncConnection,
    level: sa.Select[Any],
    record: Callable[[Sequence[Any]], ArtifactRecord],
    frontier: dict[str, Any],
    visited: Any,
    limit: int,
    out: Walked,
) -> list[str]:
    """The visible artifacts of one level (no more than the walk still needs), adding the
    hidden ones met before the last of them to `out.hidden`."""
    needed = limit - len(out.depths)
    reached: list[str] = []
    after, page = "", 0
    while True:
        # at least twice the previous page: a level crowded with artifacts the walk may not
        # enter takes a few statements, not one per handful of them
        wanted = needed - len(reached)
        page = max(wanted + wanted // 8 + 8, 2 * page)
        params = {**frontier, "visited": visited, "after": after, "page": page}
        rows = (await conn.execute(level, params)).all()
        for artifact_id, visible, *columns in rows:
            if visible is None:
                continue
            if not visible:
                out.hidden.add(artifact_id)
                continue
            reached.append(artifact_id)
            out.records[artifact_id] = record(columns)
            if len(reached) == needed:
                return reached
        if len(rows) < page:
            return reached
        after = rows[-1][0]
