"""Completing an upload: the parts assembled, the size checked, the sha256 computed from the
store (constant memory), the content stored once per project at its content key, then made the
slot's value in one short transaction. A failed check ends the upload and keeps nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from glaregraph.catalog.blobs import keys, store_calls, upload_rows, values
from glaregraph.catalog.blobs.config import MAX_PARTS
from glaregraph.catalog.blobs.upload_rows import COMPLETED, FAILED, Upload
from glaregraph.catalog.blobs.uploads import discard_staging, slot_for_change, visible_upload
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.tables import blobs, stored_objects
from glaregraph.catalog.errors import BadUserInput, Conflict, NotFound
from glaregraph.catalog.principal import Caller
from glaregraph.catalog.quotas import usage
from glaregraph.catalog.unit_of_work import UnitOfWork, unit_of_work
from glaregraph.storage import PartsInvalid


async def complete(
    catalog: Catalog,
    caller: Caller,
    upload_id: str,
    parts: Sequence[tuple[int, str]] | None,
) -> dict[str, Any]:
    """The slot's new value (the same one again for an upload already completed)."""
    check_part_list(len(parts or ()))
    config = store_calls.config(catalog)
    store = config.store
    upload = await visible_upload(catalog, caller, upload_id)
    if upload.state == COMPLETED:
        return await _completed_value(catalog, upload)
    if not upload.is_open(catalog.clock()):
        raise NotFound(f"upload {upload_id} not found")
    _check_parts(upload, parts)
    if upload.multipart_id is not None:
        try:
            await store_calls.call(
                store.multipart_complete(
                    upload.staging_key, upload.multipart_id, sorted(parts or [])
                )
            )
        except PartsInvalid as exc:
            await _fail(catalog, caller, upload, f"the parts do not match what was uploaded: {exc}")
    info = await store_calls.call(store.stat(upload.staging_key))
    if info is None:
        await _fail(catalog, caller, upload, "nothing was uploaded")
    assert info is not None
    if info.size != upload.size:
        await _fail(catalog, caller, upload, f"{info.size} bytes arrived, {upload.size} declared")
    sha256, verified = upload.sha256, False
    if info.size <= config.verify_max_bytes:
        sha256, verified = await store_calls.call(store.sha256(upload.staging_key)), True
        if upload.sha256 is not None and upload.sha256 != sha256:
            await _fail(catalog, caller, upload, "the content does not match the declared sha256")
    assert sha256 is not None or not verified
    target = (
        keys.content(upload.project, sha256)
        if verified and sha256
        else keys.unique(upload.project, upload.id)
    )
    copied = await _place(catalog, upload.staging_key, target)
    content = values.Content(
        target, upload.project, info.size, sha256, verified, upload.content_type
    )
    try:
        row = await _commit(catalog, caller, upload, content)
    except BaseException:
        if copied:
            await adopt(catalog, content)
        raise
    await store_calls.tidy(store.delete(upload.staging_key), upload.staging_key)
    return row


async def _commit(
    catalog: Catalog, caller: Caller, upload: Upload, content: values.Content
) -> dict[str, Any]:
    async with unit_of_work(catalog, caller, "blobUploadComplete") as uow:
        record, slot = await slot_for_change(
            uow, upload.artifact_id, upload.field, upload.key or None
        )
        current = await upload_rows.read(uow.conn, upload.id, lock=True)
        if current is not None and current.state == COMPLETED:
            return await _value(uow, current)
        if current is None or not current.is_open(uow.now):
            raise NotFound(f"upload {upload.id} not found")
        await values.reference(uow.conn, content, uow.now)
        row = await values.put(
            uow.conn,
            usage.ledger(uow),
            slot,
            uow.now,
            size=content.size,
            sha256=content.sha256,
            verified=content.verified,
            content_type=content.content_type,
            storage_key=content.key,
        )
        await upload_rows.end(uow.conn, upload.id, COMPLETED, uow.now, blob_id=row["id"])
        await uow.touch(record)
    return row


async def _place(catalog: Catalog, staging: str, target: str) -> bool:
    """Copy the upload to its content key unless that content is stored already (then the
    copy is skipped: identical content is stored once). True when a copy was made."""
    async with catalog.db.read() as conn:
        state = await conn.scalar(
            sa.select(stored_objects.c.state).where(stored_objects.c.key == target)
        )
    if state == values.DELETING:
        raise Conflict("the stored content is being removed; complete the upload again")
    if state == values.LIVE:
        return False
    await store_calls.call(store_calls.config(catalog).store.copy(staging, target))
    return True


async def adopt(catalog: Catalog, content: values.Content) -> None:
    """A copy whose completion failed: keep it as unreferenced content, which garbage
    collection removes after the grace period (it may be shared by now; never delete it
    here). Content under a unique key is nobody else's: it goes at once."""
    store = store_calls.config(catalog).store
    if content.key.startswith(keys.UNIQUE):
        await store_calls.tidy(store.delete(content.key), content.key)
        return
    now = catalog.clock()
    async with catalog.db.write() as conn:
        exists = await conn.scalar(
            sa.select(stored_objects.c.key).where(stored_objects.c.key == content.key)
        )
        if exists is None:
            await conn.execute(
                sa.insert(stored_objects).values(
                    key=content.key,
                    project=content.project,
                    sha256=content.sha256 or "",
                    size=content.size,
                    state=values.LIVE,
                    created_at=now,
                    unreferenced_since=now,
                )
            )


async def _fail(catalog: Catalog, caller: Caller, upload: Upload, reason: str) -> None:
    """A failed completion ends the upload: its reservation goes, the slot's previous value
    shows again, and nothing it sent is kept."""
    async with unit_of_work(catalog, caller, "blobUploadComplete") as uow:
        record = await uow.artifact(upload.artifact_id, "update")
        current = await upload_rows.read(uow.conn, upload.id, lock=True)
        if current is None or not current.is_open(uow.now):
            raise NotFound(f"upload {upload.id} not found")
        await upload_rows.end_and_release(
            uow.conn, usage.ledger(uow), current, FAILED, uow.now, record.type_name
        )
        # the request fails, but the upload's end commits (the slot shows its previous value
        # again, revision + 1): the audit trail says so rather than leave a gap
        uow.details = {"outcome": "failed", "uploadId": upload.id, "reason": reason}
        await uow.touch(record)
    await discard_staging(catalog, upload)
    raise BadUserInput(f"upload {upload.id} failed: {reason}", field="uploadId")


def check_part_list(count: int) -> None:
    """No upload has more than MAX_PARTS parts, so no completion lists more."""
    if count > MAX_PARTS:
        raise BadUserInput(f"an upload has at most {MAX_PARTS} parts", field="parts")


def _check_parts(upload: Upload, parts: Sequence[tuple[int, str]] | None) -> None:
    """Input shape only: every part of a multipart upload, numbered 1..n, and none otherwise."""
    if upload.multipart_id is None:
        if parts:
            raise BadUserInput("a single-request upload is completed without parts", field="parts")
        return
    numbers = sorted(n for n, _ in parts or [])
    if numbers != list(range(1, upload.parts + 1)):
        raise BadUserInput(
            f"give every part's number (1-{upload.parts}) and ETag, once each", field="parts"
        )


async def _completed_value(catalog: Catalog, upload: Upload) -> dict[str, Any]:
    async with catalog.db.read() as conn:
        row = (
            (await conn.execute(sa.select(blobs).where(blobs.c.id == upload.blob_id)))
            .mappings()
            .first()
        )
    if row is None:  # replaced or removed since: the upload no longer names a value
        raise NotFound(f"upload {upload.id} not found")
    return dict(row)


async def _value(uow: UnitOfWork, upload: Upload) -> dict[str, Any]:
    row = (
        (await uow.conn.execute(sa.select(blobs).where(blobs.c.id == upload.blob_id)))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"upload {upload.id} not found")
    return dict(row)
