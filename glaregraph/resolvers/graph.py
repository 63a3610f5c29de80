"""Graph glue: lineage of one artifact, the tag taxonomy and its queries."""

from __future__ import annotations

from collections.abc import Sequence

from glaregraph.catalog.graph import lineage as walk
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.resolvers.context import RequestContext


async def lineage(
    ctx: RequestContext,
    record: ArtifactRecord,
    direction: str,
    depth: int,
    relations: Sequence[str] | None,
    type_names: Sequence[str] | None,
    first: int,
) -> walk.Lineage:
    return await walk.lineage(
        ctx.catalog, ctx.principal, record, direction, depth, relations, type_names, first
    )
