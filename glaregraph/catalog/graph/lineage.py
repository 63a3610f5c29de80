"""Multi-hop lineage: one depth-bounded recursive CTE per direction, with the caller's
visibility inside it, so an artifact the caller may not see is never entered nor crossed (only
counted). The same statement runs on SQLite and PostgreSQL.

UPSTREAM follows the links an artifact holds (what it was built from), DOWNSTREAM the links held
to it (what was built from it); BOTH is the union of the two walks. Each artifact is returned
once, at its shortest distance, never the root; `edges` are the links the walk crossed between
the root and returned artifacts, in link direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

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
            stmt = _walk(catalog, principal, root.id, walk, depth, relations, type_names)
            seen: set[str] = {root.id}
            for row in (await conn.execute(stmt)).mappings():
                if row["_hidden"]:
                    hidden.add(row["id"])
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
) -> sa.Select[tuple[object, ...]]:
    """Artifacts reached (each at every depth it is reached at, at most once per depth), plus
    the hidden ones adjacent to the walk, flagged `_hidden`."""
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
    seed = sa.select(start, sa.literal(0, sa.Integer).label("depth")).cte("walk", recursive=True)
    walk = seed.union(
        sa.select(far.label("id"), (seed.c.depth + 1).label("depth"))
        .select_from(seed.join(edges, near == seed.c.id).join(step, step.c.id == far))
        .where(seed.c.depth < depth, visible, *enterable, *followed)
    )
    reached = (
        sa.select(walk.c.id, sa.func.min(walk.c.depth).label("depth"))
        .where(walk.c.id != root_id)
        .group_by(walk.c.id)
        .cte("reached")
    )
    # artifacts next to the walk that it may not enter because the caller may not see them
    inner = sa.select(walk.c.id).where(walk.c.depth < depth)
    hidden = (
        sa.select(far.label("id"))
        .select_from(edges.join(step, step.c.id == far))
        .where(near.in_(inner), ~visible, *enterable, *followed)
        .distinct()
        .cte("hidden")
    )
    nodes = sa.select(
        artifacts,
        reached.c.depth.label("_depth"),
        sa.false().label("_hidden"),
    ).join(reached, reached.c.id == artifacts.c.id)
    hidden_rows = sa.select(
        *[sa.null().label(c.name) if c.name != "id" else hidden.c.id for c in artifacts.c],
        sa.literal(0).label("_depth"),
        sa.true().label("_hidden"),
    )
    return sa.union_all(nodes, hidden_rows)  # type: ignore[return-value]


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
