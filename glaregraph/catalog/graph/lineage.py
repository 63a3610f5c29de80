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
) -> Lineage:
    check_arguments(depth, first)
    dialect = catalog.db.dialect
    directions = [UPSTREAM, DOWNSTREAM] if direction == BOTH else [direction]
    walked: dict[str, Walked] = {}
    async with snapshot(catalog.db) as conn:
        for way in directions:
            level = level_statement(catalog, principal, way, relations, type_names, dialect)
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
    Both ends in SQL, the read end first: from a 10k hub cut at its first level that is the
    hub's own links (one index range), not every link of the 1,000 returned artifacts."""
    near = next(iter(expanded.values())) if len(expanded) == 1 else set()
    one = len(near) == 1  # one artifact read (the root, a walk cut in its first level)
    stmt = _edges_statement(
        dialect, tuple(expanded), None if relations is None else tuple(relations), one
    )
    params = {"ends": bind_ids(ends, dialect)}
    if one:
        params["near"] = next(iter(near))
    else:
        params.update({f"expanded_{w}": bind_ids(ids, dialect) for w, ids in expanded.items()})
    rows = (await conn.execute(stmt, params)).all()
    # a link held twice (two positions of a list) is one edge; plain tuples hash and compare
    # twice as fast as result rows or named tuples (3,000 edges: 7 ms -> 3.4), and are sorted
    # before they are made edges (`_make`, not a call per edge: 6.1 -> 4.3 ms for 2,890)
    crossed = {(s, t, r) for s, t, r in rows}
    return list(map(LineageEdge._make, sorted(crossed)))


@functools.lru_cache(maxsize=256)
def _edges_statement(
    dialect: str, directions: tuple[str, ...], relations: tuple[str, ...] | None, one: bool
) -> sa.Select[Any] | sa.CompoundSelect[Any]:
    """`one`: a single direction from a single artifact (`:near`), whose links to `:ends` are
    then looked up one by one in the index on (target, source) when it is the target, rather
    than all of its links read: a hub's 10,000."""

    def crossed(direction: str) -> sa.Select[Any]:
        near, far = link_ends(direction)
        # the far end compared bytewise on PostgreSQL: the one index that orders it so is the
        # (target, source) one, and only after the near end; so the links are always reached
        # from the near end (the links the walk read), never from an index on the far end,
        # which would read every link held to or by each end (a pipeline's artifacts: 100,000
        # index entries for 2,890 edges, 40 ms instead of 6; a hub: 10,000 each)
        key = far.collate("C") if dialect == "postgresql" else far
        if one:
            near_in = near == sa.bindparam("near", type_=sa.String())
        else:
            near_in = near.in_(id_list(f"expanded_{direction}", dialect))
        stmt = sa.select(edges.c.source_id, edges.c.target_id, edges.c.relation).where(
            near_in, key.in_(id_list("ends", dialect))
        )
        return stmt if relations is None else stmt.where(edges.c.relation.in_(relations))

    # a UNION, not an OR: each part keeps its semi-joins (an OR of IN-subqueries scans edges)
    parts = [crossed(d) for d in directions]
    return parts[0] if len(parts) == 1 else sa.union(*parts)
