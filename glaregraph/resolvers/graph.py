"""Graph glue: lineage of one artifact, the tag taxonomy and its queries."""

from __future__ import annotations

from collections.abc import Sequence

from glaregraph.catalog import listing
from glaregraph.catalog.errors import BadUserInput
from glaregraph.catalog.graph import lineage as walk
from glaregraph.catalog.graph import tags as tag_graph
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
    needed: Sequence[str] | None = None,
) -> walk.Lineage:
    return await walk.lineage(
        ctx.catalog, ctx.principal, record, direction, depth, relations, type_names, first, needed
    )


async def tag_set_parent(ctx: RequestContext, name: str, parent: str | None) -> str:
    name = await tag_graph.set_parent(ctx.catalog, ctx.caller, name, parent)
    ctx.loaders.forget_tags()
    return name


async def tag(ctx: RequestContext, name: str, subtree: bool = False) -> str | None:
    """`subtree`: its artifacts are asked for (their filter names its subtree)."""
    try:
        name = tag_graph.check_name(name, "name")
    except BadUserInput:
        return None  # no such tag can exist
    found = await tag_graph.lookup(ctx.catalog, ctx.principal, name, subtree)
    if found is None:
        return None
    # its artifactCount and subtree, read in the same statement
    ctx.loaders.tag_count.prime(name, found.count)
    if found.subtree is not None:
        ctx.loaders.tag_subtree.prime(name, found.subtree)
    return name


async def tags_page(
    ctx: RequestContext, prefix: str | None, first: int | None, after: str | None
) -> tag_graph.TagPage:
    size = listing.DEFAULT_PAGE if first is None else first
    if not 0 <= size <= listing.MAX_PAGE:
        raise BadUserInput(f"first must be between 0 and {listing.MAX_PAGE}", field="first")
    return await tag_graph.page(ctx.catalog, ctx.principal, prefix, size, after)


async def tag_parent(ctx: RequestContext, name: str) -> str | None:
    return await ctx.loaders.tag_parent.load(name)


async def tag_children(ctx: RequestContext, name: str) -> list[str]:
    return await ctx.loaders.tag_children.load(name)


async def tag_ancestors(ctx: RequestContext, name: str) -> list[str]:
    return await ctx.loaders.tag_ancestors.load(name)


async def tag_count(ctx: RequestContext, name: str) -> int:
    return await ctx.loaders.tag_count.load(name)


async def tag_artifacts(
    ctx: RequestContext,
    name: str,
    deep: bool,
    args: listing.PageArgs,
    related: tuple[str, ...],
    count: bool,
) -> listing.Page:
    below = await ctx.loaders.tag_subtree.load(name) if deep else None
    spec = tag_graph.artifacts_filter(name, below)
    return await listing.list_artifacts(
        ctx.catalog, ctx.principal, None, spec, None, args, related, count
    )


async def tag_related(ctx: RequestContext, name: str, first: int) -> list[tuple[str, int]]:
    return await tag_graph.related(ctx.catalog, ctx.principal, name, first)
