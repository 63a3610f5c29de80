"""Multi-hop lineage: one statement per direction, a depth-bounded walk written as one CTE per
level with the caller's visibility inside each, so an artifact the caller may not see is never
entered nor crossed (only counted). The same statement runs on SQLite and PostgreSQL. (A
recursive CTE expands an artifact again at every depth it is reached at, and cannot stop at
`first`: on a hub of 10,000 that ran into the statement timeout.)

UPSTREAM follows the links an artifact holds (what it was built from), DOWNSTREAM the links held
to it (what was built from it); BOTH is the union of the two walks. Each artifact is returned
once, at its shortest distance, never the root; `edges` are the links the walk crossed between
the root and returned artifacts, in link direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.tables import artifacts, edges
from glaregraph.catalog.errors import BadUserInput
from glaregraph.catalog.principal import Principal
from glaregraph.catalog.records import ArtifactRecord

UPSTREAM, DOWNSTREAM, BOTH = "UPSTREAM", "DOWNSTREAM", "BOTH"
MAX_DEPTH = 20
MAX_FIRST = 10_000
DEFAULT_FIRST = 100


@dataclass(frozen=True, slots=True)
class LineageEdge:
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
    walks = [UPSTREAM, DOWNSTREAM] if direction == BOTH else [direction]
    found: dict[str, tuple[ArtifactRecord, int]] = {}
    hidden: set[str] = set()
    expanded: dict[str, set[str]] = {}  # per walk: ids whose links the walk followed
    async with catalog.db.read() as conn:
        for walk in walks:
            stmt = _walk(catalog, principal, root.id, walk, depth, relations, type_names, first)
            seen: set[str] = {root.id}
            for row in (await conn.execute(stmt)).mappings():
                if row["_hidden"]:
                    hidden.add(row["id"])
                    continue
                if row["id"] == root.id:  # a cycle back to the root: never a node
                    continue
                record, d = ArtifactRecord.from_row(row), row["_depth"]
                if d < depth:
                    seen.add(record.id)
                if record.id not in found or d < found[record.id][1]:
                    found[record.id] = (record, d)
            expanded[walk] = seen
        ordered = sorted(found.values(), key=lambda n: (n[1], n[0].id))
        result = Lineage(root, ordered[:first], truncated=len(ordered) > first)
        result.hidden_count = len(hidden - found.keys() - {root.id})
        kept = {root.id} | {r.id for r, _ in result.nodes}
        result.edges = await _edges(conn, walks, expanded, kept, depth, found, relations)
    return result


def _walk(
    catalog: Catalog,
    principal: Principal,
    root_id: str,
    direction: str,
    depth: int,
    relations: Sequence[str] | None,
    type_names: Sequence[str] | None,
    first: int,
) -> sa.CompoundSelect[Any]:
    """One statement: the walk as one CTE per level, each level the visible artifacts next to
    the previous one, bounded (in id order) by what could still be returned; plus the hidden
    artifacts next to the walk, flagged `_hidden`. Each artifact's shortest depth is kept by
    the caller. The visibility rule is inside every level: a hidden artifact is never entered,
    so never crossed."""
    near, far = (
        (edges.c.source_id, edges.c.target_id)
        if direction == UPSTREAM
        else (edges.c.target_id, edges.c.source_id)
    )
    step = artifacts.alias("step")
    visible = catalog.authz.visible(principal, step)
    enterable = [step.c.status != "DELETED", step.c.type_name.in_(catalog.served_types)]
    if type_names is not None:
        enterable.append(step.c.type_name.in_(list(type_names)))
    followed = [] if relations is None else [edges.c.relation.in_(list(relations))]

    start = sa.cast(sa.literal(root_id), artifacts.c.id.type).label("id")
    levels: list[sa.CTE] = [sa.select(start).cte("level0")]
    hidden: list[sa.CTE] = []
    for k in range(1, depth + 1):
        frontier = sa.select(levels[-1].c.id)
        around = (
            sa.select(far.label("id"), visible.label("vis"))
            .select_from(edges.join(step, step.c.id == far))
            .where(near.in_(frontier), *enterable, *followed)
            .distinct()
            .cte(f"around{k}")
            .prefix_with("MATERIALIZED")  # computed once: later levels read it again
        )
        # Not excluding what earlier levels reached keeps every level a reference to the one
        # before only (SQLite expands each CTE reference: excluding them all grows as 2^depth).
        # Revisits take at most (first + 1) x (k - 1) places of a level, so (first + 1) x k
        # still leaves room for every new artifact that could be returned.
        levels.append(
            sa.select(around.c.id)
            .where(around.c.vis)
            .order_by(around.c.id)
            .limit((first + 1) * k)
            .cte(f"level{k}")
            .prefix_with("MATERIALIZED")
        )
        hidden.append(sa.select(around.c.id).where(sa.not_(around.c.vis)).cte(f"hidden{k}"))
    reached = sa.union_all(
        *(
            sa.select(level.c.id, sa.literal(k, sa.Integer).label("depth"))
            for k, level in enumerate(levels)
            if k > 0
        )
    ).subquery("reached")
    nodes = sa.select(artifacts, reached.c.depth.label("_depth"), sa.false().label("_hidden")).join(
        reached, reached.c.id == artifacts.c.id
    )
    unseen = sa.union(*(sa.select(h.c.id) for h in hidden)).subquery("unseen")
    hidden_rows = sa.select(
        *[sa.null().label(c.name) if c.name != "id" else unseen.c.id for c in artifacts.c],
        sa.literal(0, sa.Integer).label("_depth"),
        sa.true().label("_hidden"),
    )
    return sa.union_all(nodes, hidden_rows)


async def _edges(
    conn: AsyncConnection,
    walks: list[str],
    expanded: dict[str, set[str]],
    kept: set[str],
    depth: int,
    found: dict[str, tuple[ArtifactRecord, int]],
    relations: Sequence[str] | None,
) -> list[LineageEdge]:
    """Links between kept artifacts that a walk crossed: from an artifact it expanded (the
    root, or one reached before the last level) to a kept one."""
    out: dict[tuple[str, str, str], LineageEdge] = {}
    ids = sorted(kept)
    # Both ends among the kept artifacts, in SQL: a hub among them must not bring its whole
    # fan-in over the wire. Sources go in chunks; the targets list is at most `first` + 1 ids.
    for i in range(0, len(ids), 1000):
        chunk = ids[i : i + 1000]
        stmt = sa.select(edges.c.source_id, edges.c.target_id, edges.c.relation).where(
            edges.c.source_id.in_(chunk), edges.c.target_id.in_(ids)
        )
        if relations is not None:
            stmt = stmt.where(edges.c.relation.in_(list(relations)))
        for source, target, relation in await conn.execute(stmt):
            for walk in walks:
                near = source if walk == UPSTREAM else target
                if near in expanded[walk]:
                    out[(source, target, relation)] = LineageEdge(source, target, relation)
    return sorted(out.values(), key=lambda e: (e.from_id, e.to_id, e.relation))
