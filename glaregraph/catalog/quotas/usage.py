"""Charging and releasing usage: each scope's counter changes by one conditional upsert in the
mutation's own transaction (never read-then-write), all-types scope first, then the type's."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog.database.tables import quota_usage
from glaregraph.catalog.errors import QuotaExceeded
from glaregraph.catalog.quotas.limits import ALL_TYPES, Limit, limits
from glaregraph.catalog.unit_of_work import UnitOfWork

ARTIFACTS, BYTES = "artifacts", "bytes"


def charge(uow: UnitOfWork, project: str, type_name: str, counter: str, amount: int) -> None:
    """Add `amount` to `counter` in both scopes of `type_name` at the end of the mutation's
    transaction, or QUOTA_EXCEEDED (and the mutation rolls back, so nothing is charged). Every
    create of a project writes the same counter rows: charged last, just before COMMIT, their
    row locks are held for the least time."""
    if amount <= 0:
        return

    async def apply() -> None:
        catalog, conn = uow.catalog, uow.conn
        found = await limits(conn, catalog.quota, catalog.registry, project, [type_name])
        for limit in found:
            await _add(conn, project, limit, counter, amount)

    uow.last.append(apply)


async def release(
    conn: AsyncConnection, project: str, type_name: str, counter: str, amount: int
) -> None:
    """Give `amount` of `counter` back in both scopes."""
    if amount <= 0:
        return
    column = quota_usage.c[counter]
    for scope in (ALL_TYPES, type_name):
        await conn.execute(
            sa.update(quota_usage)
            .where(quota_usage.c.project == project, quota_usage.c.type_name == scope)
            .values({counter: column - amount})
        )


async def _add(
    conn: AsyncConnection, project: str, limit: Limit, counter: str, amount: int
) -> None:
    cap = limit.max_artifacts if counter == ARTIFACTS else limit.max_bytes
    column = quota_usage.c[counter]
    if cap is not None and amount > cap:
        await _refuse(conn, project, limit, counter, amount, cap)
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    start = {"artifacts": 0, "bytes": 0, counter: amount}
    insert = dialect.insert(quota_usage).values(project=project, type_name=limit.scope, **start)
    stmt = insert.on_conflict_do_update(
        index_elements=[quota_usage.c.project, quota_usage.c.type_name],
        set_={counter: column + amount},
        where=None if cap is None else column + amount <= cap,
    ).returning(column)
    if (await conn.execute(stmt)).first() is None:
        assert cap is not None
        await _refuse(conn, project, limit, counter, amount, cap)


async def _refuse(
    conn: AsyncConnection, project: str, limit: Limit, counter: str, amount: int, cap: int
) -> None:
    used = await conn.scalar(
        sa.select(quota_usage.c[counter]).where(
            quota_usage.c.project == project, quota_usage.c.type_name == limit.scope
        )
    )
    scope = "project" if limit.scope == ALL_TYPES else "type"
    what = "artifacts" if counter == ARTIFACTS else "bytes"
    raise QuotaExceeded(
        f"the {scope} quota of {cap} {what} would be exceeded",
        scope=scope,
        limit=cap,
        used=int(used or 0),
        requested=amount,
        typeName=None if limit.scope == ALL_TYPES else limit.scope,
    )
