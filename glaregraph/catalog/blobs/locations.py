"""Values set without an upload: an external location (no data stored, the server never
fetches it), a copy-from import, and removing a slot's value."""

from __future__ import annotations

import uuid
from typing import Any

from glaregraph.catalog.blobs import keys, store_calls, upload_rows, values
from glaregraph.catalog.blobs.completion import adopt
from glaregraph.catalog.blobs.slots import check_size
from glaregraph.catalog.blobs.uploads import (
    check_content_type,
    check_sha256,
    discard_staging,
    slot_for_change,
)
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.errors import BadUserInput, NotFound, PayloadTooLarge, StorageUnavailable
from glaregraph.catalog.principal import Caller
from glaregraph.catalog.quotas import usage
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.catalog.unit_of_work import unit_of_work
from glaregraph.storage import StorageError, TooLarge, fetch

MAX_URL = 2048


def check_url(url: str, path: str) -> str:
    if len(url) > MAX_URL:
        raise BadUserInput(f"a URL has at most {MAX_URL} characters", field=path)
    try:
        fetch.check_url(url)
    except fetch.FetchError as exc:
        raise BadUserInput(str(exc), field=path) from None
    return url


async def set_location(
    catalog: Catalog,
    caller: Caller,
    artifact_id: str,
    field: str,
    key: str | None,
    url: str,
    sha256: str | None = None,
    content_type: str | None = None,
    expected_revision: int | None = None,
) -> dict[str, Any]:
    """The slot's value becomes a reference to `url` at once (an open upload of it ends)."""
    url = check_url(url, "input.url")
    sha256 = check_sha256(sha256, "input.sha256")
    content_type = check_content_type(content_type)
    async with unit_of_work(catalog, caller, "blobSetLocation") as uow:
        record, slot = await slot_for_change(uow, artifact_id, field, key, expected_revision)
        await check_size(uow.conn, slot, 0, uow.now)  # a folder's entry count; no bytes
        ended = await upload_rows.end_open_of_slot(uow.conn, usage.ledger(uow), slot, uow.now)
        row = await values.put(
            uow.conn,
            usage.ledger(uow),
            slot,
            uow.now,
            external=True,
            url=url,
            sha256=sha256,
            content_type=content_type,
        )
        await uow.touch(record)
    for upload in ended:
        await discard_staging(catalog, upload)
    return row


async def delete_value(
    catalog: Catalog,
    caller: Caller,
    artifact_id: str,
    field: str,
    key: str | None,
    expected_revision: int | None = None,
) -> ArtifactRecord:
    """Remove the slot's value (and end an open upload of it); NOT_FOUND if it has neither."""
    async with unit_of_work(catalog, caller, "blobDelete") as uow:
        record, slot = await slot_for_change(uow, artifact_id, field, key, expected_revision)
        ended = await upload_rows.end_open_of_slot(uow.conn, usage.ledger(uow), slot, uow.now)
        removed = await values.clear(uow.conn, usage.ledger(uow), slot, uow.now)
        if not removed and not ended:
            raise NotFound(f"'{field}' has no value to delete")
        await uow.touch(record)
    for upload in ended:
        await discard_staging(catalog, upload)
    return record


async def import_from(
    catalog: Catalog,
    caller: Caller,
    artifact_id: str,
    field: str,
    key: str | None,
    source_url: str,
    sha256: str | None = None,
    content_type: str | None = None,
    expected_revision: int | None = None,
) -> dict[str, Any]:
    """Copy-from: stream the source into the store within the request (constant memory), with
    the slot's size limit enforced as bytes arrive, then make it the slot's value."""
    config = store_calls.config(catalog)
    check_url(source_url, "input.sourceUrl")
    sha256 = check_sha256(sha256, "input.sha256")
    content_type = check_content_type(content_type)
    # the same checks a change makes, before a byte moves (repeated when the value is written)
    async with unit_of_work(catalog, caller, "blobImport") as uow:
        uow.audited = False  # a check only: the unit of work that writes the value records it
        record, slot = await slot_for_change(uow, artifact_id, field, key, expected_revision)
        await check_size(uow.conn, slot, 0, uow.now)
        limit = slot.field.validators.max_size
    project = record.owner
    staging = keys.importing(str(uuid.uuid4()))
    size, digest, source_type = await _stream(catalog, source_url, staging, limit, content_type)
    copied = False
    try:
        if sha256 is not None and sha256 != digest:
            raise BadUserInput("the source does not match the given sha256", field="input.sha256")
        target = keys.content(project, digest)
        content = values.Content(target, project, size, digest, True, content_type or source_type)
        async with catalog.db.read() as conn:
            live = await values.is_live(conn, target)
        if not live:
            await store_calls.call(config.store.copy(staging, target))
            copied = True
        async with unit_of_work(catalog, caller, "blobImport") as uow:
            record, slot = await slot_for_change(uow, artifact_id, field, key, expected_revision)
            await check_size(uow.conn, slot, size, uow.now)
            ended = await upload_rows.end_open_of_slot(uow.conn, usage.ledger(uow), slot, uow.now)
            await values.clear(
                uow.conn, usage.ledger(uow), slot, uow.now
            )  # its bytes go back first
            usage.charge(uow, slot.project, slot.type_name, usage.BYTES, size)
            await values.reference(uow.conn, content, uow.now)
            row = await values.put(
                uow.conn,
                usage.ledger(uow),
                slot,
                uow.now,
                size=size,
                sha256=digest,
                verified=True,
                content_type=content.content_type,
                storage_key=target,
            )
            await uow.touch(record)
    except BaseException:
        if copied:
            await adopt(catalog, content)
        raise
    finally:
        await store_calls.tidy(config.store.delete(staging), staging)
    for upload in ended:
        await discard_staging(catalog, upload)
    return row


async def _stream(
    catalog: Catalog, url: str, staging: str, limit: int | None, content_type: str | None
) -> tuple[int, str, str | None]:
    config = store_calls.config(catalog)
    try:
        async with fetch.fetch(
            url,
            allow_hosts=config.import_allow_hosts,
            max_bytes=limit,
            timeout=config.import_timeout,
        ) as source:
            size, digest = await config.store.put_stream(
                staging, source.chunks(), content_type or source.content_type, limit
            )
            return size, digest, source.content_type
    except TooLarge:
        raise PayloadTooLarge(
            f"the source is larger than the limit of {limit} bytes", limit=limit
        ) from None
    except StorageError as exc:
        raise StorageUnavailable("the blob store did not answer; try again") from exc
    except fetch.SourceTooLarge as exc:
        raise PayloadTooLarge(str(exc), limit=exc.limit) from None
    except fetch.FetchError as exc:
        raise BadUserInput(str(exc), field="input.sourceUrl") from None
