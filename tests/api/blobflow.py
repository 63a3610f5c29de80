"""The client side of blob transfers, as a plain HTTP client does it: start, send each part
exactly as presigned (PUT with its headers, or a form POST with its fields), complete."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx

CREATE = """mutation($v: String!) {
  heatTemplateCreate(input: {name: "t", version: $v}) { id revision } }"""
START = """mutation($in: BlobUploadInput!) { blobUploadStart(input: $in) {
  id artifactId field key size partSize expiresAt
  parts { number url method headers fields } } }"""
COMPLETE = """mutation($id: ID!, $parts: [CompletedPartInput!]) {
  blobUploadComplete(uploadId: $id, parts: $parts) {
    field key status size sha256 verified contentType external url } }"""
ABORT = "mutation($id: ID!) { blobUploadAbort(uploadId: $id) }"
BLOBS = """query($id: ID!) { heatTemplate(id: $id) { revision
  template { status size sha256 verified contentType downloadUrl { url method headers } }
  nestedTemplates { key status size sha256 } } }"""


async def send_part(http: httpx.AsyncClient, part: dict[str, Any], data: bytes) -> httpx.Response:
    """One presigned request, sent the way the contract says; a PUT answers an ETag."""
    if part["method"] == "POST":
        return await http.post(part["url"], data=part["fields"], files={"file": ("blob", data)})
    return await http.request(part["method"], part["url"], content=data, headers=part["headers"])


async def upload(
    gql: Any,
    http: httpx.AsyncClient,
    artifact_id: str,
    data: bytes,
    field: str = "template",
    key: str | None = None,
    as_: str = "alice",
    **extra: Any,
) -> dict[str, Any]:
    """Start, send every part, complete: the completed Blob."""
    started = await start(gql, artifact_id, len(data), field, key, as_, **extra)
    etags = await send_all(http, started, data)
    parts = [{"number": n, "etag": e} for n, e in etags] if len(started["parts"]) > 1 else None
    done = await gql(COMPLETE, {"id": started["id"], "parts": parts}, as_=as_)
    return done["blobUploadComplete"]


async def start(
    gql: Any,
    artifact_id: str,
    size: int,
    field: str = "template",
    key: str | None = None,
    as_: str = "alice",
    **extra: Any,
) -> dict[str, Any]:
    values = {"artifactId": artifact_id, "field": field, "key": key, "size": size, **extra}
    return (await gql(START, {"in": values}, as_=as_))["blobUploadStart"]


async def send_all(
    http: httpx.AsyncClient, started: dict[str, Any], data: bytes
) -> list[tuple[int, str]]:
    size = int(started["partSize"])  # Long: a decimal string
    etags = []
    for part in started["parts"]:
        n = part["number"]
        response = await send_part(http, part, data[(n - 1) * size : n * size])
        assert response.status_code in (200, 204), response.text
        etags.append((n, response.headers.get("etag", "")))
    return etags


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
