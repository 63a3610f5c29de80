"""Tags and metadata of one artifact: set operations in one unit of work.

Many writers may send these to one artifact, one after another on its row lock, so each does as
little as it can while it holds it: the taxonomy work comes first (`tag_tally.prepare`), and the
writes go out with the audit event in one round trip before COMMIT (`later`)."""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

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
    async with unit_of_work(catalog, caller, "artifactTagsAdd", turn=artifact_id) as uow:
        await tag_tally.prepare(uow, wanted)
        record = await uow.artifact(artifact_id, "edit_tags", expected_revision)
        current = await tag_tally.carried(uow, record.id)
        new = [t for t in wanted if t not in current]
        if not new:
            return record
        if len(current) + len(new) > basefields.MAX_TAGS:
            raise BadUserInput(
                f"an artifact carries at most {basefields.MAX_TAGS} tags", field="tags"
            )
        _insert_later(uow, record.id, new)
        before = await tag_tally.holding(uow.conn, record, current)
        tag_tally.note(uow, before, before.retagged(current.union(new)))
        await uow.touch(record, later=True)
    return record


async def remove_tags(
    catalog: Catalog,
    caller: Caller,
    artifact_id: str,
    tags: list[str],
    expected_revision: int | None = None,
) -> ArtifactRecord:
    names = basefields.validate_tags(tags, "tags")  # what add refuses cannot be there
    async with unit_of_work(catalog, caller, "artifactTagsRemove", turn=artifact_id) as uow:
        await tag_tally.prepare(uow, names)
        record = await uow.artifact(artifact_id, "edit_tags", expected_revision)
        current = await tag_tally.carried(uow, record.id)
        gone = current.intersection(names)
        if gone:
            uow.later(_delete(), {"tag_artifact": record.id, "tag_names": sorted(gone)})
            before = await tag_tally.holding(uow.conn, record, current)
            tag_tally.note(uow, before, before.retagged(current - gone))
            await uow.touch(record, later=True)
    return record


async def set_metadata(
    catalog: Catalog,
    caller: Caller,
    artifact_id: str,
    entries: Any,
    expected_revision: int | None = None,
) -> ArtifactRecord:
    given = basefields.validate_metadata(entries, "entries")
    async with unit_of_work(catalog, caller, "artifactMetadataSet", turn=artifact_id) as uow:
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
    async with unit_of_work(catalog, caller, "artifactMetadataRemove", turn=artifact_id) as uow:
        record = await uow.artifact(artifact_id, "edit_metadata", expected_revision)
        kept = {k: v for k, v in record.meta.items() if k not in names}
        await _save_metadata(uow, record, kept)
    return record


async def _save_metadata(uow: UnitOfWork, record: ArtifactRecord, meta: dict[str, str]) -> None:
    if meta == record.meta:
        return
    lifecycle.check_field_change(record.status, False, "metadata")
    await uow.save(record, meta=meta, later=True)


def _insert_later(uow: UnitOfWork, artifact_id: str, tags: list[str]) -> None:
    """The tag rows, with the mutation's last writes (PostgreSQL: one statement for any number
    of tags, built once: an INSERT of many VALUES rows is compiled anew every time)."""
    if uow.catalog.db.is_sqlite:
        uow.later(sa.insert(artifact_tags), [{"artifact_id": artifact_id, "tag": t} for t in tags])
    else:
        uow.later(_unnested_insert(), {"tag_artifact": artifact_id, "tag_names": tags})


@functools.cache
def _unnested_insert() -> sa.Insert:
    names = sa.bindparam("tag_names", type_=postgresql.ARRAY(artifact_tags.c.tag.type))
    artifact = sa.bindparam("tag_artifact", type_=artifact_tags.c.artifact_id.type)
    rows = sa.select(artifact, sa.func.unnest(names))
    return sa.insert(artifact_tags).from_select(["artifact_id", "tag"], rows)


@functools.cache
def _delete() -> sa.Delete:
    names: sa.BindParameter[str] = sa.bindparam("tag_names", expanding=True)
    artifact = sa.bindparam("tag_artifact", type_=artifact_tags.c.artifact_id.type)
    return sa.delete(artifact_tags).where(
        artifact_tags.c.artifact_id == artifact, artifact_tags.c.tag.in_(names)
    )
