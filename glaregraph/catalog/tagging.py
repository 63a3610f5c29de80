"""Tags and metadata of one artifact: set operations under the artifact's row lock."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog import basefields, lifecycle
from glaregraph.catalog.access import lock_for_change, save_changes
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.errors import BadUserInput
from glaregraph.catalog.principal import Principal
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.catalog.store.tables import artifact_tags


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


async def _tags(conn: AsyncConnection, artifact_id: str) -> set[str]:
    rows = await conn.execute(
        sa.select(artifact_tags.c.tag).where(artifact_tags.c.artifact_id == artifact_id)
    )
    return set(rows.scalars())
