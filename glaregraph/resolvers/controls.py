"""Quota and lease glue: one use case per field."""

from __future__ import annotations

from glaregraph.catalog import locks
from glaregraph.catalog.quotas import admin
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.resolvers.context import RequestContext


async def quota_set(
    ctx: RequestContext,
    project: str,
    type_name: str | None,
    max_artifacts: int | None,
    max_bytes: int | None,
) -> admin.Quota:
    return await admin.set_quota(
        ctx.catalog, ctx.caller, project, type_name, max_artifacts, max_bytes
    )


async def quota_delete(ctx: RequestContext, project: str, type_name: str | None) -> bool:
    return await admin.delete_quota(ctx.catalog, ctx.caller, project, type_name)


async def quotas(ctx: RequestContext, project: str | None) -> list[admin.Quota]:
    return await admin.list_quotas(ctx.catalog, ctx.principal, project)


async def quota_usage(ctx: RequestContext, project: str | None) -> list[admin.Usage]:
    return await admin.usage_of(ctx.catalog, ctx.principal, project)


async def lock(ctx: RequestContext, artifact_id: str, ttl: int, reason: str | None) -> locks.Lease:
    found = await locks.lock(ctx.catalog, ctx.caller, artifact_id, ttl, reason)
    ctx.loaders.forget_lease(found.artifact_id)
    return found


async def renew(ctx: RequestContext, artifact_id: str, ttl: int) -> locks.Lease:
    found = await locks.renew(ctx.catalog, ctx.caller, artifact_id, ttl)
    ctx.loaders.forget_lease(found.artifact_id)
    return found


async def unlock(ctx: RequestContext, artifact_id: str, force: bool) -> bool:
    released = await locks.unlock(ctx.catalog, ctx.caller, artifact_id, force)
    ctx.loaders.forget_lease(artifact_id)
    return released


async def lease_of(ctx: RequestContext, record: ArtifactRecord) -> locks.Lease | None:
    return await ctx.loaders.leases.load(record.id)
