"""Quotas and leases in the schema: `Quota`, `QuotaUsage`, `QuotaInput`, `Lock`; the `quotas`
and `quotaUsage` queries; `quotaSet`, `quotaDelete`, `artifactLock`, `artifactLockRenew` and
`artifactUnlock`."""

import datetime as dt
from typing import Annotated, Any, Optional

import strawberry

from glaregraph.resolvers import controls as resolve
from glaregraph.schema.scalars import Long

ID = strawberry.ID


def _arg(description: str) -> Any:
    return strawberry.argument(description=description)


@strawberry.type(description="A project's quota override for one scope.")
class Quota:
    project: str = strawberry.field(description="The project.")
    type_name: Optional[str] = strawberry.field(description="The type; null: all types.")
    max_artifacts: Optional[int] = strawberry.field(description="Artifacts; null: unlimited.")
    max_bytes: Optional[Long] = strawberry.field(description="Bytes; null: unlimited.")


@strawberry.type(description="What a project uses in one scope, with the limits in force.")
class QuotaUsage:
    project: str = strawberry.field(description="The project.")
    type_name: Optional[str] = strawberry.field(description="The type; null: all types.")
    artifacts: int = strawberry.field(description="Artifacts that are not DELETED.")
    bytes: Long = strawberry.field(description="Bytes of stored blobs plus open uploads.")
    max_artifacts: Optional[int] = strawberry.field(description="Limit; null: unlimited.")
    max_bytes: Optional[Long] = strawberry.field(description="Limit; null: unlimited.")


@strawberry.input(description="One scope's override, as a whole.")
class QuotaInput:
    project: str = strawberry.field(description="The project.")
    type_name: Optional[str] = strawberry.field(
        default=None, description="The type; omitted or null: all types."
    )
    max_artifacts: Optional[int] = strawberry.field(
        default=None, description="Most artifacts; omitted, null or -1: unlimited."
    )
    max_bytes: Optional[Long] = strawberry.field(
        default=None, description="Most bytes; omitted, null or -1: unlimited."
    )


@strawberry.type(description="A lease: while it is live only its holder changes the artifact.")
class Lock:
    artifact_id: ID = strawberry.field(description="The artifact.")
    holder: str = strawberry.field(description="User id of the holder.")
    reason: Optional[str] = strawberry.field(description="Why it is held.")
    acquired_at: dt.datetime = strawberry.field(description="When it was taken.")
    expires_at: dt.datetime = strawberry.field(description="When it ends unless renewed.")


def lock_of(lease: Any) -> Lock:
    return Lock(
        artifact_id=ID(lease.artifact_id),
        holder=lease.holder,
        reason=lease.reason,
        acquired_at=lease.acquired_at,
        expires_at=lease.expires_at,
    )


def _quota(q: Any) -> Quota:
    return Quota(
        project=q.project,
        type_name=q.type_name,
        max_artifacts=q.max_artifacts,
        max_bytes=q.max_bytes,
    )


async def quotas(
    info: strawberry.Info,
    project: Annotated[Optional[str], _arg("The project (default: yours; others: admin).")] = None,
) -> list[Quota]:
    return [_quota(q) for q in await resolve.quotas(info.context, project)]


async def quota_usage(
    info: strawberry.Info,
    project: Annotated[Optional[str], _arg("The project (default: yours; others: admin).")] = None,
) -> list[QuotaUsage]:
    return [
        QuotaUsage(
            project=u.project,
            type_name=u.type_name,
            artifacts=u.artifacts,
            bytes=u.bytes,
            max_artifacts=u.max_artifacts,
            max_bytes=u.max_bytes,
        )
        for u in await resolve.quota_usage(info.context, project)
    ]


async def quota_set(
    info: strawberry.Info, input: Annotated[QuotaInput, _arg("The override.")]
) -> Quota:
    found = await resolve.quota_set(
        info.context, input.project, input.type_name, input.max_artifacts, input.max_bytes
    )
    return _quota(found)


async def quota_delete(
    info: strawberry.Info,
    project: Annotated[str, _arg("The project.")],
    type_name: Annotated[Optional[str], _arg("The type; omitted or null: all types.")] = None,
) -> bool:
    return await resolve.quota_delete(info.context, project, type_name)


async def artifact_lock(
    info: strawberry.Info,
    id: Annotated[ID, _arg("The artifact.")],
    ttl_seconds: Annotated[int, _arg("Seconds the lease lasts (1-86400).")] = 300,
    reason: Annotated[Optional[str], _arg("Why (shown to others).")] = None,
) -> Lock:
    return lock_of(await resolve.lock(info.context, id, ttl_seconds, reason))


async def artifact_lock_renew(
    info: strawberry.Info,
    id: Annotated[ID, _arg("The artifact.")],
    ttl_seconds: Annotated[int, _arg("Seconds from now (1-86400).")] = 300,
) -> Lock:
    return lock_of(await resolve.renew(info.context, id, ttl_seconds))


async def artifact_unlock(
    info: strawberry.Info,
    id: Annotated[ID, _arg("The artifact.")],
    force: Annotated[bool, _arg("Break someone else's lease (admin).")] = False,
) -> bool:
    return await resolve.unlock(info.context, id, force)


def fields() -> tuple[list[Any], list[Any]]:
    """(query fields, mutation fields)."""
    queries = [
        strawberry.field(resolver=quotas, description="A project's quota overrides."),
        strawberry.field(
            resolver=quota_usage,
            description="A project's usage: all types first, then each type, with the limits.",
        ),
    ]
    mutations = [
        strawberry.field(resolver=quota_set, description="Set one scope's override (admin)."),
        strawberry.field(resolver=quota_delete, description="Remove an override (admin)."),
        strawberry.field(resolver=artifact_lock, description="Take (or renew) a lease."),
        strawberry.field(resolver=artifact_lock_renew, description="Renew your lease."),
        strawberry.field(
            resolver=artifact_unlock, description="Release your lease (true if one was live)."
        ),
    ]
    return queries, mutations
