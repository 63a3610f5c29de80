"""Aliases: a name for one version of an artifact name, unique per project, type and name;
setting it on another version moves it in one statement."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from glaregraph.catalog import lifecycle
from glaregraph.catalog.access import lock_for_change, save_changes
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.errors import BadUserInput, Conflict, NotFound
from glaregraph.catalog.principal import Principal
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.catalog.store.tables import aliases
from glaregraph.catalog.store.upsert import upsert


async def set_alias(
    catalog: Catalog,
    principal: Principal,
    artifact_id: str,
    alias: str,
    expected_revision: int | None = None,
) -> ArtifactRecord:
    """Point `alias` at this artifact; it moves away from whichever version held it."""
    _check_alias(alias)
    async with catalog.db.write() as conn:
        record = await lock_for_change(
            conn, catalog, principal, artifact_id, "set_alias", expected_revision
        )
        if record.status == lifecycle.DEACTIVATED:
            raise Conflict("a deactivated artifact cannot take an alias")
        holder = await conn.scalar(
            sa.select(aliases.c.artifact_id).where(*_alias_key(record, alias))
        )
        if holder == record.id:
            return record
        await conn.execute(
            upsert(
                conn,
                aliases,
                {
                    "owner": record.owner,
                    "type_name": record.type_name,
                    "name": record.name,
                    "alias": alias,
                    "artifact_id": record.id,
                },
                key=["owner", "type_name", "name", "alias"],
            )
        )
        return await save_changes(conn, record, catalog.clock())


async def remove_alias(
    catalog: Catalog,
    principal: Principal,
    artifact_id: str,
    alias: str,
    expected_revision: int | None = None,
) -> ArtifactRecord:
    async with catalog.db.write() as conn:
        record = await lock_for_change(
            conn, catalog, principal, artifact_id, "set_alias", expected_revision
        )
        result = await conn.execute(
            sa.delete(aliases).where(*_alias_key(record, alias), aliases.c.artifact_id == record.id)
        )
        if not result.rowcount:
            raise NotFound(f"artifact {artifact_id} has no alias '{alias}'", field="alias")
        return await save_changes(conn, record, catalog.clock())


def _alias_key(record: ArtifactRecord, alias: str) -> list[Any]:
    return [
        aliases.c.owner == record.owner,
        aliases.c.type_name == record.type_name,
        aliases.c.name == record.name,
        aliases.c.alias == alias,
    ]


def _check_alias(alias: str) -> None:
    if not alias or len(alias) > 255 or "/" in alias or "," in alias:
        raise BadUserInput("an alias is 1-255 characters without ',' or '/'", field="alias")
