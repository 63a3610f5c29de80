"""Blob glue: one use case per mutation, and the download request of a Blob field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from glaregraph.catalog.blobs import completion, downloads, locations, uploads
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.resolvers.context import RequestContext
from glaregraph.storage import PresignedRequest


async def upload_start(ctx: RequestContext, **values: Any) -> uploads.UploadTicket:
    return await uploads.start(ctx.catalog, ctx.caller, **values)


async def upload_complete(
    ctx: RequestContext, upload_id: str, parts: Sequence[tuple[int, str]] | None
) -> tuple[dict[str, Any], ArtifactRecord | None]:
    row = await completion.complete(ctx.catalog, ctx.caller, upload_id, parts)
    return row, await ctx.loaders.artifact.load(row["artifact_id"])


async def upload_abort(ctx: RequestContext, upload_id: str) -> bool:
    return await uploads.abort(ctx.catalog, ctx.caller, upload_id)


async def set_location(
    ctx: RequestContext, **values: Any
) -> tuple[dict[str, Any], ArtifactRecord | None]:
    row = await locations.set_location(ctx.catalog, ctx.caller, **values)
    return row, await ctx.loaders.artifact.load(row["artifact_id"])


async def import_from(
    ctx: RequestContext, **values: Any
) -> tuple[dict[str, Any], ArtifactRecord | None]:
    row = await locations.import_from(ctx.catalog, ctx.caller, **values)
    return row, await ctx.loaders.artifact.load(row["artifact_id"])


async def delete_value(ctx: RequestContext, **values: Any) -> ArtifactRecord:
    return await locations.delete_value(ctx.catalog, ctx.caller, **values)


async def download(
    ctx: RequestContext, artifact: ArtifactRecord, row: Mapping[str, Any], expires_in: int
) -> PresignedRequest | None:
    return await downloads.download_request(ctx.catalog, ctx.principal, artifact, row, expires_in)
