"""The upload protocol: start (reserve, presign), complete (verify from the store, store the
content once per project, make it the slot's value), abort. The client moves the bytes; the
server never holds a transaction open across a call to the store."""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from glaregraph.catalog.authz import require_user
from glaregraph.catalog.blobs import keys, store_calls, upload_rows
from glaregraph.catalog.blobs.config import MAX_PARTS
from glaregraph.catalog.blobs.slots import (
    OPEN,
    Slot,
    check_may_change,
    check_size,
    slot_of,
)
from glaregraph.catalog.blobs.upload_rows import COMPLETED, Upload
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.tables import artifacts, uploads
from glaregraph.catalog.errors import BadUserInput, Conflict, NotFound, PayloadTooLarge
from glaregraph.catalog.principal import Caller
from glaregraph.catalog.quotas import usage
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.catalog.unit_of_work import UnitOfWork, unit_of_work
from glaregraph.storage import PresignedRequest

_SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_CONTENT_TYPE = 255


@dataclass(frozen=True, slots=True)
class UploadTicket:
    """What `blobUploadStart` answers: where and how to send each part."""

    id: str
    artifact_id: str
    field: str
    key: str | None
    size: int
    part_size: int
    parts: list[tuple[int, PresignedRequest]]
    expires_at: dt.datetime


def check_sha256(value: str | None, path: str) -> str | None:
    if value is None:
        return None
    lowered = value.lower()
    if not _SHA256.fullmatch(lowered):
        raise BadUserInput("sha256 is 64 hexadecimal characters", field=path)
    return lowered


def check_content_type(value: str | None, path: str = "input.contentType") -> str | None:
    if value is not None and (
        not value or len(value) > MAX_CONTENT_TYPE or not value.isprintable()
    ):
        raise BadUserInput("a content type is 1-255 printable characters", field=path)
    return value


def check_part_count(size: int, part_size: int) -> None:
    """A blob needing more than MAX_PARTS parts is refused before anything is created: S3
    refuses part numbers above it, so such an upload could never be completed (the client
    would learn it after sending 10,000 parts)."""
    largest = MAX_PARTS * part_size
    if size > largest:
        raise PayloadTooLarge(
            f"an upload is at most {MAX_PARTS} parts of {part_size} bytes ({largest} bytes); "
            "a larger part size (CATALOG_UPLOAD_PART_SIZE) takes larger blobs",
            limit=largest,
            size=size,
        )


async def start(
    catalog: Catalog,
    caller: Caller,
    artifact_id: str,
    field: str,
    key: str | None,
    size: int,
    sha256: str | None = None,
    content_type: str | None = None,
    expected_revision: int | None = None,
) -> UploadTicket:
    config = store_calls.config(catalog)
    sha256 = check_sha256(sha256, "input.sha256")
    content_type = check_content_type(content_type)
    if size < 0:
        raise BadUserInput("size is a number of bytes, 0 or more", field="input.size")
    check_part_count(size, config.part_size)
    upload_id = str(uuid.uuid4())
    staging = keys.staging(upload_id)
    count = max(1, math.ceil(size / config.part_size))
    multipart_id = None
    if count > 1:  # before the transaction: no transaction waits on the store
        multipart_id = await store_calls.call(config.store.multipart_create(staging, content_type))
    try:
        async with unit_of_work(catalog, caller, "blobUploadStart") as uow:
            record, slot = await slot_for_change(uow, artifact_id, field, key, expected_revision)
            await check_size(uow.conn, slot, size, uow.now)
            replaced = await upload_rows.end_open_of_slot(
                uow.conn, usage.ledger(uow), slot, uow.now
            )
            replaced += await upload_rows.expire_project(
                uow.conn, usage.ledger(uow), record.owner, uow.now
            )
            usage.charge(uow, record.owner, record.type_name, usage.BYTES, size)
            expires_at = uow.now + config.upload_ttl
            await uow.conn.execute(
                sa.insert(uploads).values(
                    id=upload_id,
                    artifact_id=record.id,
                    field=slot.field.name,
                    key=slot.key,
                    project=record.owner,
                    state=OPEN,
                    size=size,
                    part_size=config.part_size,
                    parts=count,
                    sha256=sha256,
                    content_type=content_type,
                    staging_key=staging,
                    multipart_id=multipart_id,
                    created_by=caller.principal.user_id or "",
                    created_at=uow.now,
                    expires_at=expires_at,
                )
            )
            await uow.touch(record)
    except BaseException:
        if multipart_id is not None:
            await store_calls.tidy(config.store.multipart_abort(staging, multipart_id), staging)
        raise
    for old in replaced:
        await discard_staging(catalog, old)
    store = config.store
    if multipart_id is None:
        parts = [(1, store.presign_upload(staging, size, content_type, expires_at))]
    else:
        parts = [
            (
                n,
                store.presign_part(
                    staging, multipart_id, n, _part_length(size, config.part_size, n), expires_at
                ),
            )
            for n in range(1, count + 1)
        ]
    return UploadTicket(
        upload_id,
        record.id,
        slot.field.name,
        slot.key or None,
        size,
        config.part_size,
        parts,
        expires_at,
    )


def _part_length(size: int, part_size: int, number: int) -> int:
    return min(part_size, size - (number - 1) * part_size)


async def slot_for_change(
    uow: UnitOfWork,
    artifact_id: str,
    field: str,
    key: str | None,
    expected_revision: int | None = None,
) -> tuple[ArtifactRecord, Slot]:
    """The artifact, locked and authorized for a change of the slot the input names."""
    record = await uow.artifact(artifact_id, "update", expected_revision)
    slot = slot_of(uow.catalog.type(record.type_name), record, field, key)
    check_may_change(record, slot)
    return record, slot


async def abort(catalog: Catalog, caller: Caller, upload_id: str) -> bool:
    store_calls.config(catalog)
    upload = await visible_upload(catalog, caller, upload_id)
    async with unit_of_work(catalog, caller, "blobUploadAbort") as uow:
        record = await uow.artifact(upload.artifact_id, "update")
        current = await upload_rows.read(uow.conn, upload.id, lock=True)
        if current is not None and current.state == COMPLETED:
            raise Conflict(f"upload {upload_id} is already complete")
        if current is None or not current.is_open(uow.now):
            raise NotFound(f"upload {upload_id} not found")
        await upload_rows.end_and_release(
            uow.conn, usage.ledger(uow), current, upload_rows.ABORTED, uow.now, record.type_name
        )
        await uow.touch(record)
    await discard_staging(catalog, upload)
    return True


async def discard_staging(catalog: Catalog, upload: Upload) -> None:
    """Remove what an ended upload left in the store (garbage collection retries failures)."""
    store = store_calls.config(catalog).store
    if upload.multipart_id is not None:
        await store_calls.tidy(
            store.multipart_abort(upload.staging_key, upload.multipart_id), upload.id
        )
    await store_calls.tidy(store.delete(upload.staging_key), upload.staging_key)


async def visible_upload(catalog: Catalog, caller: Caller, upload_id: str) -> Upload:
    """The upload, if the caller may see its artifact (else NOT_FOUND, as for a missing one)."""
    require_user(caller.principal)  # anonymous callers change nothing: UNAUTHENTICATED first
    try:
        uuid.UUID(upload_id)
    except ValueError:
        raise NotFound(f"upload {upload_id} not found") from None
    visible = sa.and_(
        artifacts.c.id == uploads.c.artifact_id,
        artifacts.c.type_name.in_(catalog.served_types),
        catalog.authz.visible(caller.principal),
    )
    async with catalog.db.read() as conn:
        row = (
            (
                await conn.execute(
                    sa.select(uploads).where(uploads.c.id == upload_id, sa.exists().where(visible))
                )
            )
            .mappings()
            .first()
        )
    if row is None:
        raise NotFound(f"upload {upload_id} not found")
    return Upload.from_row(row)
