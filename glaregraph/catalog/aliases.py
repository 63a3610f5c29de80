"""Aliases: a name for one version of an artifact name, unique per project, type and name.
Setting it on another version moves it: the previous holder is locked and changes too."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog import lifecycle
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.tables import aliases
from glaregraph.catalog.errors import BadUserInput, Conflict, NotFound
from glaregraph.catalog.principal import Caller
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.catalog.typedef.values import check_string
from glaregraph.catalog.unit_of_work import (
    Related,
    UnitOfWork,
    again_if_concurrent,
    unit_of_work,
)


async def set_alias(
    catalog: Catalog,
    caller: Caller,
    artifact_id: str,
    alias: str,
    expected_revision: int | None = None,
) -> ArtifactRecord:
    """Point `alias` at this artifact; it moves away from whichever version held it. Run
    again when a holder found after the locks were taken is busy (see `_take`)."""
    alias = _check_alias(alias)
    return await again_if_concurrent(
        lambda: _set_alias(catalog, caller, artifact_id, alias, expected_revision)
    )


async def _set_alias(
    catalog: Catalog,
    caller: Caller,
    artifact_id: str,
    alias: str,
    expected_revision: int | None,
) -> ArtifactRecord:
    async with unit_of_work(catalog, caller, "aliasSet") as uow:
        record = await uow.artifact(
            artifact_id, "set_alias", expected_revision, related=_holder_of(alias)
        )
        if record.status == lifecycle.DEACTIVATED:
            raise Conflict("a deactivated artifact cannot take an alias")
        previous = await _take(uow, record, alias)
        if previous != record.id:
            await uow.touch(record, *([previous] if previous else []))
    return record


async def remove_alias(
    catalog: Catalog,
    caller: Caller,
    artifact_id: str,
    alias: str,
    expected_revision: int | None = None,
) -> ArtifactRecord:
    alias = _check_alias(alias)
    async with unit_of_work(catalog, caller, "aliasRemove") as uow:
        record = await uow.artifact(artifact_id, "set_alias", expected_revision)
        result = await uow.conn.execute(
            sa.delete(aliases).where(*_key(record, alias), aliases.c.artifact_id == record.id)
        )
        if not result.rowcount:
            raise NotFound(f"artifact {artifact_id} has no alias '{alias}'", field="alias")
        await uow.touch(record)
    return record


def _holder_of(alias: str) -> Related:
    async def related(conn: AsyncConnection, record: ArtifactRecord) -> list[str]:
        holder = await _holder(conn, record, alias)
        return [holder] if holder is not None else []

    return related


async def _take(uow: UnitOfWork, record: ArtifactRecord, alias: str) -> str | None:
    """Point `alias` at `record`; its previous holder (None: new alias). A holder changes only
    under its own row lock, so a locked holder stays put; one created or moved since it was
    read is locked before the alias moves, if no other transaction holds it (else the
    mutation ends with ConcurrentChange, and its next run locks the new holder in order)."""
    holder = uow.related[0] if uow.related else None
    while True:
        if holder == record.id:
            return holder
        if holder is None:
            if await _insert(uow, record, alias):
                return None
        elif holder in uow.locked:
            await uow.conn.execute(
                sa.update(aliases).where(*_key(record, alias)).values(artifact_id=record.id)
            )
            return holder
        else:
            await uow.lock_related([holder])
        holder = await _holder(uow.conn, record, alias)


async def _holder(conn: AsyncConnection, record: ArtifactRecord, alias: str) -> str | None:
    found: str | None = await conn.scalar(
        sa.select(aliases.c.artifact_id).where(*_key(record, alias))
    )
    return found


async def _insert(uow: UnitOfWork, record: ArtifactRecord, alias: str) -> bool:
    """Create the alias unless it exists (then nothing is written): one statement, so two
    mutations creating it at once cannot both win."""
    dialect = postgresql if uow.conn.dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(aliases)
        .values(
            owner=record.owner,
            type_name=record.type_name,
            name=record.name,
            alias=alias,
            artifact_id=record.id,
        )
        .on_conflict_do_nothing(index_elements=["owner", "type_name", "name", "alias"])
    )
    return bool((await uow.conn.execute(stmt)).rowcount)


def _key(record: ArtifactRecord, alias: str) -> list[Any]:
    return [
        aliases.c.owner == record.owner,
        aliases.c.type_name == record.type_name,
        aliases.c.name == record.name,
        aliases.c.alias == alias,
    ]


def _check_alias(alias: str) -> str:
    alias = check_string(alias, "alias", min_length=1, max_length=255)
    if "/" in alias or "," in alias:
        raise BadUserInput("an alias is 1-255 characters without ',' or '/'", field="alias")
    return alias
