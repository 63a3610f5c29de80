"""Mutation glue: one use case per mutation, called with the request's caller."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from glaregraph.catalog import aliases, tagging, transitions, writing
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.catalog.typedef.model import TypeDef
from glaregraph.resolvers.context import RequestContext


async def create(ctx: RequestContext, t: TypeDef, values: Mapping[str, Any]) -> ArtifactRecord:
    return await writing.create_artifact(ctx.catalog, ctx.caller, t, values)


async def update(
    ctx: RequestContext,
    t: TypeDef,
    artifact_id: str,
    values: Mapping[str, Any],
    expected_revision: int | None,
) -> ArtifactRecord:
    return await writing.update_artifact(
        ctx.catalog, ctx.caller, t, artifact_id, values, expected_revision
    )


async def transition(
    ctx: RequestContext, artifact_id: str, name: str, expected_revision: int | None
) -> ArtifactRecord:
    return await transitions.transition(
        ctx.catalog, ctx.caller, artifact_id, name, expected_revision
    )


async def publish(
    ctx: RequestContext, artifact_id: str, expected_revision: int | None
) -> ArtifactRecord:
    return await transitions.publish(ctx.catalog, ctx.caller, artifact_id, expected_revision)


async def share(
    ctx: RequestContext, artifact_id: str, project: str, add: bool, expected_revision: int | None
) -> ArtifactRecord:
    return await transitions.share(
        ctx.catalog, ctx.caller, artifact_id, project, add, expected_revision
    )


async def delete(ctx: RequestContext, artifact_id: str, expected_revision: int | None) -> str:
    return await transitions.delete(ctx.catalog, ctx.caller, artifact_id, expected_revision)


async def tags(
    ctx: RequestContext,
    artifact_id: str,
    names: list[str],
    add: bool,
    expected_revision: int | None,
) -> ArtifactRecord:
    op = tagging.add_tags if add else tagging.remove_tags
    return await op(ctx.catalog, ctx.caller, artifact_id, names, expected_revision)


async def metadata_set(
    ctx: RequestContext, artifact_id: str, entries: Any, expected_revision: int | None
) -> ArtifactRecord:
    return await tagging.set_metadata(
        ctx.catalog, ctx.caller, artifact_id, entries, expected_revision
    )


async def metadata_remove(
    ctx: RequestContext, artifact_id: str, keys: list[str], expected_revision: int | None
) -> ArtifactRecord:
    return await tagging.remove_metadata(
        ctx.catalog, ctx.caller, artifact_id, keys, expected_revision
    )


async def alias(
    ctx: RequestContext, artifact_id: str, name: str, add: bool, expected_revision: int | None
) -> ArtifactRecord:
    op = aliases.set_alias if add else aliases.remove_alias
    return await op(ctx.catalog, ctx.caller, artifact_id, name, expected_revision)
