"""Tags, metadata and aliases of one artifact: set operations done in SQL, never lost."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog import basefields, lifecycle
from glaregraph.catalog.access import lock_for_change, save_changes
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.errors import BadUserInput, Conflict, NotFound
from glaregraph.catalog.principal import Principal
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.catalog.store.tables import aliases, artifact_tags
from glaregraph.catalog.store.upsert import upsert


async def add_tags(
    catalog: Catalog,
    principal: Principal,
    artifact_id: str,
    tags: list[str],
    expected_revision: int | None = None,
) -> ArtifactRecord:
    wanted = basefields.validate_tags(tags, "tags")
    async with catalog.db.write() as conn:
        record = await lock_for_change(
            conn, catalog, principal, artifact_id, "edit_tags", expected_revision
        )
        current = await _tags(conn, record.id)
        new = [t for t in wanted if t not in current]
        if not new:
            return record
        if len(current) + len(new) > basefields.MAX_TAGS:
            raise BadUserInput(
                f"an artifact carries at most {basefields.MAX_TAGS} tags", field="tags"
            )
        await conn.execute(
            sa.insert(artifact_tags), [{"artifact_id": record.id, "tag": t} for t in new]
        )
        return await save_changes(conn, record, catalog.clock())


async def remove_tags(
    catalog: Catalog,
    principal: Principal,
    artifact_id: str,
    tags: list[str],
    expected_revision: int | None = None,
) -> ArtifactRecord:
    async with catalog.db.write() as conn:
        record = await lock_for_change(
            conn, catalog, principal, artifact_id, "edit_tags", expected_revision
        )
        result = await conn.execute(
            sa.delete(artifact_tags).where(
                artifact_tags.c.artifact_id == record.id, artifact_tags.c.tag.in_(tags)
            )
        )
        if not result.rowcount:
            return record
        return await save_changes(conn, record, catalog.clock())


async def set_metadata(
    catalog: Catalog,
    principal: Principal,
    artifact_id: str,
    entries: Any,
    expected_revision: int | None = None,
) -> ArtifactRecord:
    async with catalog.db.write() as conn:
        record = await lock_for_change(
            conn, catalog, principal, artifact_id, "edit_metadata", expected_revision
        )
        merged = {**record.meta, **basefields.validate_metadata(entries, "entries")}
        merged = basefields.validate_metadata(merged, "entries")
        return await _save_metadata(conn, catalog, record, merged)


async def remove_metadata(
    catalog: Catalog,
    principal: Principal,
    artifact_id: str,
    keys: list[str],
    expected_revision: int | None = None,
) -> ArtifactRecord:
    async with catalog.db.write() as conn:
        record = await lock_for_change(
            conn, catalog, principal, artifact_id, "edit_metadata", expected_revision
        )
        kept = {k: v for k, v in record.meta.items() if k not in set(keys)}
        return await _save_metadata(conn, catalog, record, kept)


async def _save_metadata(
    conn: AsyncConnection, catalog: Catalog, record: ArtifactRecord, meta: dict[str, str]
) -> ArtifactRecord:
    if meta == record.meta:
        return record
    lifecycle.check_field_change(record.status, False, "metadata")
    return await save_changes(conn, record, catalog.clock(), meta=meta)


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


async def _tags(conn: AsyncConnection, artifact_id: str) -> set[str]:
    rows = await conn.execute(
        sa.select(artifact_tags.c.tag).where(artifact_tags.c.artifact_id == artifact_id)
    )
    return set(rows.scalars())
