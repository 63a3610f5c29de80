"""Tags and metadata of one artifact: set operations in one unit of work."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog import basefields, lifecycle
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.tables import artifact_tags
from glaregraph.catalog.errors import BadUserInput
from glaregraph.catalog.principal import Caller
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.catalog.tagcounts import ledger as tag_tally
from glaregraph.catalog.unit_of_work import UnitOfWork, unit_of_work


async def add_tags(
    catalog: Catalog,
    caller: Caller,
    artifact_id: str,
    tags: list[str],
    expected_revision: int | None = None,
) -> ArtifactRecord:
    wanted = basefields.validate_tags(tags, "tags")
    async with unit_of_work(catalog, caller, "artifactTagsAdd") as uow:
        record = await uow.artifact(artifact_id, "edit_tags", expected_revision)
        current = await _tags(uow.conn, record.id)
        new = [t for t in wanted if t not in current]
        if not new:
            return record
        if len(current) + len(new) > basefields.MAX_TAGS:
            raise BadUserInput(
                f"an artifact carries at most {basefields.MAX_TAGS} tags", field="tags"
            )
        await uow.conn.execute(
            sa.insert(artifact_tags), [{"artifact_id": record.id, "tag": t} for t in new]
        )
        before = await tag_tally.holding(uow.conn, record, current)
        tag_tally.note(uow, before, before.retagged(current.union(new)))
        await uow.touch(record)
    return record


async def remove_tags(
    catalog: Catalog,
    caller: Caller,
    artifact_id: str,
    tags: list[str],
    expected_revision: int | None = None,
) -> ArtifactRecord:
    names = basefields.validate_tags(tags, "tags")  # what add refuses cannot be there
    async with unit_of_work(catalog, caller, "artifactTagsRemove") as uow:
        record = await uow.artifact(artifact_id, "edit_tags", expected_revision)
        current = await _tags(uow.conn, record.id)
        result = await uow.conn.execute(
            sa.delete(artifact_tags).where(
                artifact_tags.c.artifact_id == record.id, artifact_tags.c.tag.in_(names)
            )
        )
        if result.rowcount:
            before = await tag_tally.holding(uow.conn, record, current)
            tag_tally.note(uow, before, before.retagged(current.difference(names)))
            await uow.touch(record)
    return record


async def set_metadata(
    catalog: Catalog,
    caller: Caller,
    artifact_id: str,
    entries: Any,
    expected_revision: int | None = None,
) -> ArtifactRecord:
    given = basefields.validate_metadata(entries, "entries")
    async with unit_of_work(catalog, caller, "artifactMetadataSet") as uow:
        record = await uow.artifact(artifact_id, "edit_metadata", expected_revision)
        merged = basefields.validate_metadata({**record.meta, **given}, "entries")
        await _save_metadata(uow, record, merged)
    return record


async def remove_metadata(
    catalog: Catalog,
    caller: Caller,
    artifact_id: str,
    keys: list[str],
    expected_revision: int | None = None,
) -> ArtifactRecord:
    names = set(basefields.validate_metadata_keys(keys, "keys"))
    async with unit_of_work(catalog, caller, "artifactMetadataRemove") as uow:
        record = await uow.artifact(artifact_id, "edit_metadata", expected_revision)
        kept = {k: v for k, v in record.meta.items() if k not in names}
        await _save_metadata(uow, record, kept)
    return record


async def _save_metadata(uow: UnitOfWork, record: ArtifactRecord, meta: dict[str, str]) -> None:
    if meta == record.meta:
        return
    lifecycle.check_field_change(record.status, False, "metadata")
    await uow.save(record, meta=meta)


async def _tags(conn: AsyncConnection, artifact_id: str) -> set[str]:
    rows = await conn.execute(
        sa.select(artifact_tags.c.tag).where(artifact_tags.c.artifact_id == artifact_id)
    )
    return set(rows.scalars())
