"""Multi-hop lineage of one artifact: the walk (graph/walk.py, one statement per level with the
caller's visibility inside, same shape on SQLite and PostgreSQL), then the rows of the artifacts
returned and the links between them, a statement each whatever the number of artifacts, all in
one snapshot (graph/snapshot.py).

UPSTREAM follows the links an artifact holds (what it was built from), DOWNSTREAM the links held
to it (what was built from it); BOTH is the union of the two walks (a sibling, reached down then
up, is not in it). Each artifact is returned once, at its shortest distance, never the root,
nearest first then in id order; an artifact the caller may not see is neither returned nor
crossed, only counted (see graph/walk.py for which are counted when a walk stops at `first`).
`edges` are the links the walks crossed between the root and returned artifacts, in link
direction: those of the root and of every artifact whose links a walk read (all it reached
before level `depth`, unless `first` stopped it: then not those of the level it stopped in).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.tables import edges
from glaregraph.catalog.errors import BadUserInput
from glaregraph.catalog.graph import noderows
from glaregraph.catalog.graph.idlist import bind_ids, id_list
from glaregraph.catalog.graph.snapshot import snapshot
from glaregraph.catalog.graph.walk import (
    DOWNSTREAM,
    UPSTREAM,
    Walked,
    level_statement,
    link_ends,
    walk,
)
from glaregraph.catalog.principal import Principal
from glaregraph.catalog.records import ArtifactRecord

BOTH = "BOTH"
MAX_DEPTH = 20
MAX_FIRST = 10_000
DEFAULT_FIRST = 100


class LineageEdge(NamedTuple):
    """A tuple: thousands are made, deduplicated and sorted per answer, at tuple speed."""

    from_id: str
    to_id: str
    relation: str


@dataclass(slots=True)
class Lineage:
    root: ArtifactRecord
    nodes: list[tuple[ArtifactRecord, int]] = field(default_factory=list)  # (artifact, depth)
    edges: list[LineageEdge] = field(default_factory=list)
    truncated: bool = False
    hidden_count: int = 0


def check_arguments(depth: int, first: int) -> None:
    if not 1 <= depth <= MAX_DEPTH:
        raise BadUserInput(f"depth is 1-{MAX_DEPTH}", field="depth")
    if not 0 <= first <= MAX_FIRST:
        raise BadUserInput(f"first is 0-{MAX_FIRST}", field="first")


async def lineage(
    catalog: Catalog,
    principal: Principal,
    root: ArtifactRecord,
    direction: str,
    depth: int,
    relations: Sequence[str] | None,
    type_names: Sequence[str] | None,
    first: int,
    needed: Sequence[str] | None = None,
) -> Lineage:
    """`needed`: the record fields the nodes' selection reads (None: any of them)."""
    check_arguments(depth, first)
    columns = noderows.chosen(needed)
    dialect = catalog.db.dialect
    directions = [UPSTREAM, DOWNSTREAM] if direction == BOTH else [direction]
    walked: dict[str, Walked] = {}
    # generic plans: a level's statement was planned again at every execution (custom plans:
    # PostgreSQL judged the generic one costlier, not knowing the lists' lengths), 1.3 ms a
    # level, most of a chain's walk; the generic plan is the one the custom plans chose
    async with snapshot(catalog.db, generic_plans=True) as conn:
        for way in directions:
            level = level_statement(
                catalog, principal, way, relations, type_names, dialect, columns
            )
            # first + 1: one more than can be returned tells whether `first` cut any
            walked[way] = await walk(conn, level, dialect, root.id, depth, first + 1)
        # Each walk holds its first + 1 nearest (depth, id): so does their union.
        nearest: dict[str, int] = {}
        for w in walked.values():
            for artifact_id, k in w.depths.items():
                if k < nearest.get(artifact_id, MAX_DEPTH + 1):
                    nearest[artifact_id] = k
        ordered = sorted(nearest.items(), key=lambda n: (n[1], n[0]))
        kept = ordered[:first]
        records = {i: r for w in walked.values() for i, r in w.records.items()}
        result = Lineage(root, [(records[i], d) for i, d in kept], truncated=len(ordered) > first)
        hidden = set().union(*(w.hidden for w in walked.values()))
        result.hidden_count = len(hidden - nearest.keys() - {root.id})
        ends = {root.id, *(i for i, _ in kept)}
        expanded = {way: w.expanded & ends for way, w in walked.items()}
        result.edges = await _edges(conn, dialect, ends, expanded, relations)
    return result


async def _edges(
    conn: AsyncConnection,
    dialect: str,
    ends: set[str],
    expanded: dict[str, set[str]],
    relations: Sequence[str] | None,
) -> list[LineageEdge]:
    """The links the walks crossed: held (UPSTREAM) or pointed at (DOWNSTREAM) by an artifact
    whose links a walk read, the other end among `ends` (the root and the returned artifacts).
    Read from the end the walk came from: from a 10k hub cut at its first level that is the
    hub's own links (one index range), not every link of the 1,000 returned artifacts."""
    near = next(iter(expanded.values())) if len(expanded) == 1 else set()
    one = len(near) == 1  # one artifact read (the root, a walk cut in its first level)
    stmt = _edges_statement(
        dialect, tuple(expanded), None if relations is None else tuple(relations), one
    )
    if one:
        # what that artifact's one level returned is a run of its links in id order (the
        # returned artifacts and the hidden ones between them): that run, read in index order,
        # costs a fraction of looking up each returned artifact's link (1,000 index descents)
        (only,) = near
        others = ends - near or near
        params = {"near": only, "low": min(others), "high": max(others)}
    else:
        params = {
            "ends": bind_ids(ends, dialect),
            **{f"expanded_{w}": bind_ids(ids, dialect) for w, ids in expanded.items()},
        }
    rows = (await conn.execute(stmt, params)).all()
    # distinct and in order already (the database sorts 3,000 short keys faster than Python
    # hashes and sorts them: 2,890 edges, 11 ms of Python for 3 of SQL); the run read from one
    # artifact has the hidden ones' links too: kept out here
    if one:
        rows = [r for r in rows if r[0] in ends and r[1] in ends]
    return list(map(LineageEdge._make, rows))


@functools.lru_cache(maxsize=256)
def _edges_statement(
    dialect: str, directions: tuple[str, ...], relations: tuple[str, ...] | None, one: bool
) -> sa.Select[Any]:
    """Distinct, in (from, to, relation) order. `one`: a single direction from a single
    artifact (`:near`): its links whose other end is from `:low` to `:high` (bytewise), and
    its link to itself if it holds one."""

    def crossed(direction: str) -> sa.Select[Any] | sa.CompoundSelect[Any]:
        near, far = link_ends(direction)
        # the far end compared bytewise on PostgreSQL: the one index that orders it so is the
        # (target, source) one, and only after the near end; so the links are always reached
        # from the near end (the links the walk read), never from an index on the far end,
        # which would read every link held to or by each end (a pipeline's artifacts: 100,000
        # index entries for 2,890 edges, 40 ms instead of 6; a hub: 10,000 each)
        key = far.collate("C") if dialect == "postgresql" else far
        links = sa.select(edges.c.source_id, edges.c.target_id, edges.c.relation)
        if relations is not None:
            links = links.where(edges.c.relation.in_(relations))
        if not one:
            return links.where(
                near.in_(id_list(f"expanded_{direction}", dialect)),
                key.in_(id_list("ends", dialect)),
            )
        at = sa.bindparam("near", type_=sa.String())
        low, high = sa.bindparam("low", type_=sa.String()), sa.bindparam("high", type_=sa.String())
        # a UNION, not an OR: each part is one index range
        return sa.union_all(
            links.where(near == at, key >= low, key <= high), links.where(near == at, far == at)
        )

    # a UNION, not an OR: each part keeps its semi-joins (an OR of IN-subqueries scans edges)
    parts = [crossed(d) for d in directions]
    found = (sa.union_all(*parts) if len(parts) > 1 else parts[0]).subquery("crossed")
    # a link held twice (two positions of a list) is one edge; deduplicated by the same sort
    # that orders them, bytewise as Python orders strings (the database's own collation
    # compares by locale: a second sort, twice as slow)
    columns: list[sa.ColumnElement[Any]] = [
        found.c[name] for name in ("source_id", "target_id", "relation")
    ]
    if dialect == "postgresql":
        columns = [column.collate("C") for column in columns]
    return sa.select(*columns).distinct().order_by(*columns)
