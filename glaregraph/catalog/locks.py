"""Leases on artifacts: while one is live only its holder changes the artifact (admins too get
LOCKED); it is never taken over while alive, only `force` breaks it (admin); an expired lease
is simply gone. The check is a guard of the mutation unit of work, so every mutation of an
artifact (fields, tags, metadata, aliases, shares, lifecycle, links, blobs) honours it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.tables import artifact_locks, artifacts
from glaregraph.catalog.database.upsert import upsert
from glaregraph.catalog.errors import BadUserInput, Conflict, Locked
from glaregraph.catalog.principal import Caller
from glaregraph.catalog.unit_of_work import UnitOfWork, unit_of_work

MAX_TTL = 86_400
MAX_REASON = 1024


@dataclass(frozen=True, slots=True)
class Lease:
    artifact_id: str
    holder: str
    reason: str | None
    acquired_at: dt.datetime
    expires_at: dt.datetime


async def lease_guard(uow: UnitOfWork, artifact_id: str) -> None:
    """LOCKED when someone else holds a live lease on the artifact. The artifact's locked row
    says when its lease ends (`lease_until`, kept by every lease mutation under that lock): no
    statement is needed unless one may be live."""
    if artifact_id in uow.lease_ends:
        ends = uow.lease_ends[artifact_id]
        if ends is None or ends <= uow.now:
            return
    lease = await _live(uow.conn, artifact_id, uow.now)
    if lease is not None and lease.holder != uow.principal.user_id:
        raise Locked(
            f"artifact {artifact_id} is locked by {lease.holder}",
            holder=lease.holder,
            expiresAt=lease.expires_at.isoformat(),
        )


async def _live(conn: AsyncConnection, artifact_id: str, now: dt.datetime) -> Lease | None:
    row = (
        await conn.execute(
            sa.select(artifact_locks).where(
                artifact_locks.c.artifact_id == artifact_id, artifact_locks.c.expires_at > now
            )
        )
    ).first()
    return None if row is None else Lease(*row)


async def live_leases(
    catalog: Catalog, artifact_ids: Sequence[str], now: dt.datetime
) -> dict[str, Lease]:
    async with catalog.db.read() as conn:
        rows = await conn.execute(
            sa.select(artifact_locks).where(
                artifact_locks.c.artifact_id.in_(artifact_ids), artifact_locks.c.expires_at > now
            )
        )
        return {r.artifact_id: Lease(*r) for r in rows}


def _check_ttl(ttl_seconds: int) -> dt.timedelta:
    if not 1 <= ttl_seconds <= MAX_TTL:
        raise BadUserInput(f"ttlSeconds is 1-{MAX_TTL}", field="ttlSeconds")
    return dt.timedelta(seconds=ttl_seconds)


async def lock(
    catalog: Catalog, caller: Caller, artifact_id: str, ttl_seconds: int, reason: str | None
) -> Lease:
    """Take a lease (or renew one's own)."""
    ttl = _check_ttl(ttl_seconds)
    if reason is not None and len(reason) > MAX_REASON:
        raise BadUserInput(f"a reason has at most {MAX_REASON} characters", field="reason")
    async with unit_of_work(catalog, caller, "artifactLock") as uow:
        # the lease guard refuses a live lease of someone else; the artifact is not changed
        record = await uow.artifact(artifact_id, "update", guard=False)
        mine = await _live(uow.conn, record.id, uow.now)
        lease = Lease(
            record.id,
            caller.principal.user_id or "",
            reason,
            mine.acquired_at if mine is not None else uow.now,
            uow.now + ttl,
        )
        values = {
            "artifact_id": lease.artifact_id,
            "holder": lease.holder,
            "reason": lease.reason,
            "acquired_at": lease.acquired_at,
            "expires_at": lease.expires_at,
        }
        await uow.conn.execute(upsert(uow.conn, artifact_locks, values, ["artifact_id"]))
        await _lease_ends(uow, record.id, lease.expires_at)
    return lease


async def renew(catalog: Catalog, caller: Caller, artifact_id: str, ttl_seconds: int) -> Lease:
    ttl = _check_ttl(ttl_seconds)
    async with unit_of_work(catalog, caller, "artifactLockRenew") as uow:
        record = await uow.artifact(artifact_id, "update", guard=False)
        mine = await _live(uow.conn, record.id, uow.now)
        if mine is None:
            raise Conflict(f"artifact {artifact_id} has no lease to renew")
        await uow.conn.execute(
            sa.update(artifact_locks)
            .where(artifact_locks.c.artifact_id == record.id)
            .values(expires_at=uow.now + ttl)
        )
        await _lease_ends(uow, record.id, uow.now + ttl)
    return Lease(mine.artifact_id, mine.holder, mine.reason, mine.acquired_at, uow.now + ttl)


async def unlock(catalog: Catalog, caller: Caller, artifact_id: str, force: bool) -> bool:
    """Release one's lease (True if there was a live one); `force` breaks anyone's (admin)."""
    async with unit_of_work(catalog, caller, "artifactUnlock") as uow:
        if force:
            await uow.authorize("force_unlock")
        record = await uow.artifact(artifact_id, "update", guard=False, check_guards=not force)
        live = await _live(uow.conn, record.id, uow.now)
        await uow.conn.execute(
            sa.delete(artifact_locks).where(artifact_locks.c.artifact_id == record.id)
        )
        await _lease_ends(uow, record.id, None)
    return live is not None


async def _lease_ends(uow: UnitOfWork, artifact_id: str, ends: dt.datetime | None) -> None:
    """Note in the (locked) artifact's row when its lease ends; not a change of the artifact
    (no revision bump, no `updatedAt`)."""
    await uow.conn.execute(
        sa.update(artifacts).where(artifacts.c.id == artifact_id).values(lease_until=ends)
    )
    uow.lease_ends[artifact_id] = ends
