"""Loading an artifact for a mutation: visible or NOT_FOUND, row-locked, policy and revision
checked.

Every mutation of an existing artifact goes through `lock_for_change`, so the later lease and
quota checks have one place to plug in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog.context import Catalog
from glaregraph.catalog.errors import Forbidden, NotFound, RevisionMismatch, Unauthenticated
from glaregraph.catalog.principal import Principal
from glaregraph.catalog.query.visibility import visible
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.catalog.store.tables import artifacts


def require_user(principal: Principal) -> None:
    if principal.anonymous or principal.user_id is None or principal.project is None:
        raise Unauthenticated("this operation needs an authenticated caller")


async def lock_for_change(
    conn: AsyncConnection,
    catalog: Catalog,
    principal: Principal,
    artifact_id: str,
    action: str,
    expected_revision: int | None = None,
    *,
    guard: bool = True,
) -> ArtifactRecord:
    """The artifact, locked for this transaction, once the caller may `action` it. With
    `guard=False` the caller runs `check_protected` itself, once it knows something changes."""
    require_user(principal)
    stmt = sa.select(artifacts).where(
        artifacts.c.id == artifact_id,
        artifacts.c.type_name.in_(sorted(catalog.registry.keys())),
        visible(principal),
    )
    row = (await conn.execute(stmt.with_for_update(of=artifacts))).mappings().first()
    if row is None:
        raise NotFound(f"artifact {artifact_id} not found")
    record = ArtifactRecord.from_row(row)
    catalog.policy.check(action, principal, record.owner)
    if guard:
        check_protected(record, principal)
    if expected_revision is not None and expected_revision != record.revision:
        raise RevisionMismatch(expected_revision, record.revision)
    return record


def check_protected(record: ArtifactRecord, principal: Principal) -> None:
    """PUBLIC and DEACTIVATED artifacts change only by an admin."""
    protected = record.visibility == "PUBLIC" or record.status == "DEACTIVATED"
    if protected and not principal.is_admin:
        raise Forbidden("only an admin may change a public or deactivated artifact")


async def save_changes(
    conn: AsyncConnection, record: ArtifactRecord, now: dt.datetime, **changes: Any
) -> ArtifactRecord:
    """Write `changes` (column values), bump revision and `updated_at`; return the new record."""
    values = {**changes, "revision": record.revision + 1, "updated_at": now}
    await conn.execute(sa.update(artifacts).where(artifacts.c.id == record.id).values(**values))
    for key, value in values.items():
        if key != "version_key":  # derived from `version`; the record does not carry it
            setattr(record, key, value)
    return record
