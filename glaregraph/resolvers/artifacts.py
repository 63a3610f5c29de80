"""Query glue: lists, single lookups and the per-artifact fields read through loaders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from glaregraph.catalog import listing, lookup
from glaregraph.catalog.errors import BadUserInput
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.catalog.typedef.model import TypeDef
from glaregraph.resolvers.context import RequestContext


async def list_page(
    ctx: RequestContext,
    t: TypeDef | None,
    filter_spec: Mapping[str, Any] | None,
    sort: list[tuple[str, bool]] | None,
    args: listing.PageArgs,
    related: tuple[str, ...] = (),
    count: bool = False,
) -> listing.Page:
    """`related`: values (aliases, shared_with) to read along with the rows; `count`: the
    answer selects `totalCount`, so it is counted in the same statement."""
    return await listing.list_artifacts(
        ctx.catalog, ctx.principal, t, filter_spec, sort, args, related, count
    )


async def total_count(ctx: RequestContext, page: listing.Page) -> int:
    if page.total is not None:
        return page.total
    return await listing.count_artifacts(ctx.catalog.db, page.where)


async def find_one(
    ctx: RequestContext, t: TypeDef, related: tuple[str, ...] = (), **by: Any
) -> ArtifactRecord | None:
    record = await lookup.find_one(ctx.catalog, ctx.principal, t, related=related, **by)
    if record is not None:
        ctx.loaders.artifact.prime(record.id, record)
    return record


MAX_NODES = 500


async def by_ids(ctx: RequestContext, ids: list[str]) -> list[ArtifactRecord | None]:
    """Relay's `nodes(ids:)`: in order, None where the caller may not see one."""
    if len(ids) > MAX_NODES:
        raise BadUserInput(f"at most {MAX_NODES} ids", field="ids")
    return list(await ctx.loaders.artifact.load_many([str(i) for i in ids]))


async def by_id(ctx: RequestContext, artifact_id: str) -> ArtifactRecord | None:
    return await ctx.loaders.artifact.load(artifact_id)


async def shared_with(ctx: RequestContext, record: ArtifactRecord) -> list[str]:
    """The projects `record` is shared with, when the caller may see them (else empty)."""
    if record.shared_with is not None:  # read with the row, already authorized
        return record.shared_with
    if not await ctx.catalog.authz.sees_shares(ctx.principal, record):
        return []
    return await ctx.loaders.shares.load(record.id)


async def linked(
    ctx: RequestContext, record: ArtifactRecord, relation: str
) -> list[tuple[dict[str, Any], ArtifactRecord | None]]:
    """The edges `record` holds for `relation`, each with its target if visible."""
    edges = [e for e in await ctx.loaders.links.load(record.id) if e["relation"] == relation]
    targets = await ctx.loaders.artifact.load_many([e["target_id"] for e in edges])
    return list(zip(edges, targets, strict=True))


async def all_links(
    ctx: RequestContext, record: ArtifactRecord, direction: str, relation: str | None
) -> list[tuple[dict[str, Any], str, ArtifactRecord | None]]:
    """(edge, id of the other end, the other end if visible) for OUT, IN or BOTH."""
    ends: list[tuple[dict[str, Any], str]] = []
    if direction in ("OUT", "BOTH"):
        ends += [(e, e["target_id"]) for e in await ctx.loaders.links.load(record.id)]
    if direction in ("IN", "BOTH"):
        ends += [(e, e["source_id"]) for e in await ctx.loaders.links_in.load(record.id)]
    ends = [(e, other) for e, other in ends if relation is None or e["relation"] == relation]
    others = await ctx.loaders.artifact.load_many([other for _, other in ends])
    return [(e, other, rec) for (e, other), rec in zip(ends, others, strict=True)]
