"""Blob transfer types and mutations: start / complete / abort an upload over presigned URLs,
set an external location, import from a URL, delete a value."""

import datetime as dt
from typing import Any, Optional

import strawberry

from glaregraph.resolvers import blobs as resolve
from glaregraph.schema.artifact import Artifact
from glaregraph.schema.common import Blob, blob_from_row
from glaregraph.schema.rootgen import REVISION, arg
from glaregraph.schema.scalars import JSON, Long

ID = strawberry.ID
OptStr = Optional[str]
OptInt = Optional[int]


@strawberry.type(description="One presigned request of an upload: send part `number` with it.")
class PresignedPart:
    number: int = strawberry.field(description="Part number, from 1.")
    url: str = strawberry.field(description="Where to send the part.")
    method: str = strawberry.field(description="PUT, or POST for a form upload.")
    headers: JSON = strawberry.field(description="Headers to send, exactly these.")
    fields: Optional[JSON] = strawberry.field(
        description="POST only: form fields to send (all of them), then the bytes as `file`."
    )


@strawberry.type(description="An open upload: send the bytes, then complete (or abort) it.")
class BlobUpload:
    id: ID = strawberry.field(description="Upload id, for complete and abort.")
    artifact_id: ID = strawberry.field(description="The artifact the blob belongs to.")
    field: str = strawberry.field(description="Blob field.")
    key: Optional[str] = strawberry.field(description="Folder entry (blob_dict fields).")
    size: Long = strawberry.field(description="Declared size in bytes.")
    part_size: Long = strawberry.field(description="Bytes per part (the last may be shorter).")
    parts: list[PresignedPart] = strawberry.field(description="One request per part.")
    expires_at: dt.datetime = strawberry.field(description="The upload and its URLs end then.")


@strawberry.input(description="What to upload, and where.")
class BlobUploadInput:
    artifact_id: ID = strawberry.field(description="The artifact.")
    field: str = strawberry.field(description="Blob field (GraphQL or definition name).")
    key: OptStr = strawberry.field(default=None, description="Folder entry (blob_dict only).")
    size: Long = strawberry.field(description="Exact size in bytes.")
    sha256: OptStr = strawberry.field(default=None, description="Hex SHA-256, checked if given.")
    content_type: OptStr = strawberry.field(default=None, description="Media type.")
    expected_revision: OptInt = strawberry.field(default=None, description=REVISION)


@strawberry.input(description="A part of a multipart upload as the store acknowledged it.")
class CompletedPartInput:
    number: int = strawberry.field(description="Part number.")
    etag: str = strawberry.field(description="The ETag header the part's request answered.")


@strawberry.input(description="An external location as a blob value (no data stored).")
class BlobLocationInput:
    artifact_id: ID = strawberry.field(description="The artifact.")
    field: str = strawberry.field(description="Blob field.")
    key: OptStr = strawberry.field(default=None, description="Folder entry (blob_dict only).")
    url: str = strawberry.field(description="Absolute http(s) URL of the data.")
    sha256: OptStr = strawberry.field(default=None, description="Hex SHA-256, as claimed.")
    content_type: OptStr = strawberry.field(default=None, description="Media type.")
    expected_revision: OptInt = strawberry.field(default=None, description=REVISION)


@strawberry.input(description="Copy-from: the server fetches a URL into the store.")
class BlobImportInput:
    artifact_id: ID = strawberry.field(description="The artifact.")
    field: str = strawberry.field(description="Blob field.")
    key: OptStr = strawberry.field(default=None, description="Folder entry (blob_dict only).")
    source_url: str = strawberry.field(description="Absolute http(s) URL to fetch.")
    sha256: OptStr = strawberry.field(default=None, description="Hex SHA-256, checked if given.")
    content_type: OptStr = strawberry.field(default=None, description="Media type.")
    expected_revision: OptInt = strawberry.field(default=None, description=REVISION)


def _ticket(t: Any) -> BlobUpload:
    return BlobUpload(
        id=ID(t.id),
        artifact_id=ID(t.artifact_id),
        field=t.field,
        key=t.key,
        size=t.size,
        part_size=t.part_size,
        parts=[
            PresignedPart(number=n, url=r.url, method=r.method, headers=r.headers, fields=r.fields)
            for n, r in t.parts
        ],
        expires_at=t.expires_at,
    )


def _values(input_: Any, *names: str) -> dict[str, Any]:
    return {
        "artifact_id": str(input_.artifact_id),
        "field": input_.field,
        "key": input_.key,
        "expected_revision": input_.expected_revision,
        **{n: getattr(input_, n) for n in names},
    }


def mutation_fields() -> list[Any]:
    async def blob_upload_start(info: strawberry.Info, input: BlobUploadInput) -> BlobUpload:
        values = _values(input, "size", "sha256", "content_type")
        return _ticket(await resolve.upload_start(info.context, **values))

    async def blob_upload_complete(
        info: strawberry.Info, upload_id: ID, parts: Optional[list[CompletedPartInput]] = None
    ) -> Blob:
        given = None if parts is None else [(p.number, p.etag) for p in parts]
        return blob_from_row(*await resolve.upload_complete(info.context, upload_id, given))

    async def blob_upload_abort(info: strawberry.Info, upload_id: ID) -> bool:
        return await resolve.upload_abort(info.context, upload_id)

    async def blob_set_location(info: strawberry.Info, input: BlobLocationInput) -> Blob:
        values = _values(input, "url", "sha256", "content_type")
        return blob_from_row(*await resolve.set_location(info.context, **values))

    async def blob_import(info: strawberry.Info, input: BlobImportInput) -> Blob:
        values = _values(input, "source_url", "sha256", "content_type")
        return blob_from_row(*await resolve.import_from(info.context, **values))

    async def blob_delete(
        info: strawberry.Info,
        artifact_id: ID,
        field: str,
        key: OptStr = None,
        expected_revision: OptInt = None,
    ) -> Artifact:
        return await resolve.delete_value(
            info.context,
            artifact_id=artifact_id,
            field=field,
            key=key,
            expected_revision=expected_revision,
        )

    blob_upload_start.__annotations__["input"] = arg(BlobUploadInput, "What to upload, and where.")
    blob_set_location.__annotations__["input"] = arg(BlobLocationInput, "The location to set.")
    blob_import.__annotations__["input"] = arg(BlobImportInput, "The source to copy from.")
    blob_upload_complete.__annotations__["upload_id"] = arg(ID, "The upload.")
    blob_upload_complete.__annotations__["parts"] = arg(
        Optional[list[CompletedPartInput]], "Every part of a multipart upload; none otherwise."
    )
    blob_upload_abort.__annotations__["upload_id"] = arg(ID, "The upload.")
    blob_delete.__annotations__["artifact_id"] = arg(ID, "The artifact.")
    blob_delete.__annotations__["field"] = arg(str, "Blob field.")
    blob_delete.__annotations__["key"] = arg(OptStr, "Folder entry (blob_dict only).")
    blob_delete.__annotations__["expected_revision"] = arg(OptInt, REVISION)
    text = {
        blob_upload_start: "Start an upload: reserves the bytes and returns presigned requests.",
        blob_upload_complete: "Complete an upload: verified from the store, then the value.",
        blob_upload_abort: "Abort an open upload; the previous value shows again.",
        blob_set_location: "Set an external location as the value (no data stored).",
        blob_import: "Copy-from: the server fetches a URL into the store and sets the value.",
        blob_delete: "Remove a blob value (mutability rules apply).",
    }
    return [strawberry.field(resolver=fn, description=d) for fn, d in text.items()]
