"""Quota overrides (`quotaSet`, `quotaDelete`, admin by default) and what projects use
(`quotas`, `quotaUsage`: members read their own project, admins any)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from glaregraph.catalog.authz import require_user
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.tables import artifacts, quota_counters, quotas, uploads
from glaregraph.catalog.database.upsert import upsert
from glaregraph.catalog.errors import BadUserInput, Forbidden
from glaregraph.catalog.principal import Caller, Principal
from glaregraph.catalog.quotas import counters
from glaregraph.catalog.quotas.limits import ALL_TYPES, limits
from glaregraph.catalog.unit_of_work import unit_of_work

MAX_PROJECT = 255


@dataclass(frozen=True, slots=True)
class Quota:
    project: str
    type_name: str | None  # None: all types
    max_artifacts: int | None  # None: unlimited
    max_bytes: int | None


@dataclass(frozen=True, slots=True)
class Usage:
    project: str
    type_name: str | None
    artifacts: int
    bytes: int
    max_artifacts: int | None
    max_bytes: int | None


def _check(catalog: Catalog, project: str, type_name: str | None, path: str) -> str:
    if not project or len(project) > MAX_PROJECT or not project.isprintable():
        raise BadUserInput("a project is 1-255 printable characters", field=f"{path}project")
    if type_name is not None and type_name not in catalog.registry:
        raise BadUserInput(f"unknown artifact type '{type_name}'", field=f"{path}typeName")
    return ALL_TYPES if type_name is None else type_name


def _max(value: int | None, path: str) -> int | None:
    """Omitted, null or -1: unlimited (stored as null); below -1 is refused."""
    if value is None or value == -1:
        return None
    if value < -1:
        raise BadUserInput("a limit is a count of 0 or more, or -1 for unlimited", field=path)
    return value


async def set_quota(
    catalog: Catalog,
    caller: Caller,
    project: str,
    type_name: str | None,
    max_artifacts: int | None,
    max_bytes: int | None,
) -> Quota:
    scope = _check(catalog, project, type_name, "input.")
    quota = Quota(
        project,
        type_name,
        _max(max_artifacts, "input.maxArtifacts"),
        _max(max_bytes, "input.maxBytes"),
    )
    values = {
        "project": project,
        "type_name": scope,
        "max_artifacts": quota.max_artifacts,
        "max_bytes": quota.max_bytes,
    }
    async with unit_of_work(catalog, caller, "quotaSet") as uow:
        await uow.authorize("set_quota")
        await uow.conn.execute(upsert(uow.conn, quotas, values, ["project", "type_name"]))
        await counters.forget_room(uow.conn, project, scope)
        uow.details = {
            "project": project,
            "typeName": type_name,
            "maxArtifacts": quota.max_artifacts,
            "maxBytes": quota.max_bytes,
        }
    return quota


async def delete_quota(
    catalog: Catalog, caller: Caller, project: str, type_name: str | None
) -> bool:
    scope = _check(catalog, project, type_name, "")
    async with unit_of_work(catalog, caller, "quotaDelete") as uow:
        await uow.authorize("set_quota")
        uow.details = {"project": project, "typeName": type_name}
        gone = await uow.conn.execute(
            sa.delete(quotas).where(quotas.c.project == project, quotas.c.type_name == scope)
        )
        await counters.forget_room(uow.conn, project, scope)
    return bool(gone.rowcount)


def readable_project(principal: Principal, project: str | None) -> str:
    """The project asked about (the caller's own by default); another one only for admins."""
    require_user(principal)
    own = principal.project
    wanted = project if project is not None else own
    if wanted is None:
        raise BadUserInput("name a project", field="project")
    if wanted != own and not principal.is_admin:
        raise Forbidden("you may read only your own project's quotas", action="read_quota")
    return wanted


async def list_quotas(catalog: Catalog, principal: Principal, project: str | None) -> list[Quota]:
    wanted = readable_project(principal, project)
    async with catalog.db.read() as conn:
        rows = await conn.execute(
            sa.select(quotas).where(quotas.c.project == wanted).order_by(quotas.c.type_name)
        )
        return [Quota(r.project, r.type_name or None, r.max_artifacts, r.max_bytes) for r in rows]


async def usage_of(catalog: Catalog, principal: Principal, project: str | None) -> list[Usage]:
    """The all-types row, then one row per type (by name), each with the limits in force.
    Reservations of uploads past their expiry no longer count, even before gc ends them."""
    wanted = readable_project(principal, project)
    names = sorted(catalog.registry)
    now = catalog.clock()
    async with catalog.db.read() as conn:
        qc = quota_counters
        used: dict[str, dict[str, int]] = {}
        for scope, counter, total in await conn.execute(
            sa.select(qc.c.type_name, qc.c.counter, sa.func.sum(qc.c.used))
            .where(qc.c.project == wanted)
            .group_by(qc.c.type_name, qc.c.counter)
        ):
            used.setdefault(scope, {})[counter] = int(total)
        expired = dict(
            (
                await conn.execute(
                    sa.select(artifacts.c.type_name, sa.func.sum(uploads.c.size))
                    .join(artifacts, artifacts.c.id == uploads.c.artifact_id)
                    .where(
                        uploads.c.project == wanted,
                        uploads.c.state == "OPEN",
                        uploads.c.expires_at <= now,
                    )
                    .group_by(artifacts.c.type_name)
                )
            ).all()
        )
        found = await limits(conn, catalog.quota, catalog.registry, wanted, names)
    expired[ALL_TYPES] = sum(expired.values())
    out = []
    for limit in found:
        counted = used.get(limit.scope, {})
        used_artifacts, used_bytes = counted.get("artifacts", 0), counted.get("bytes", 0)
        out.append(
            Usage(
                wanted,
                limit.scope or None,
                int(used_artifacts),
                max(0, int(used_bytes) - int(expired.get(limit.scope) or 0)),
                limit.max_artifacts,
                limit.max_bytes,
            )
        )
    return out
