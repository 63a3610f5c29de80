"""The blob store contract: the Protocol both stores implement, the values they return, their
errors, and the key rules they share. Nothing here touches a disk or the network.

Errors::

    StorageError          the store is unreachable or failed after retries
     ├── ObjectMissing    the object named does not exist
     ├── PartsInvalid     multipart complete refused: missing part, wrong etag, part too small
     └── TooLarge         put_stream received more than max_bytes (nothing was kept)
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterable, AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Protocol
from urllib.parse import quote

MIN_PART_SIZE = 5 * 1024 * 1024  # S3 refuses smaller parts, except the last one
CHUNK = 1024 * 1024  # hashing and copying read this much at a time
_KEY = re.compile(r"[A-Za-z0-9._/-]+")


class StorageError(Exception):
    """The store is unreachable, or an operation failed after retries."""


class ObjectMissing(StorageError):
    """The object named does not exist."""


class PartsInvalid(StorageError):
    """A multipart upload cannot be completed as asked."""


class TooLarge(StorageError):
    """More bytes arrived than allowed; nothing was kept."""


@dataclass(frozen=True, slots=True)
class PresignedRequest:
    """One HTTP request a client may send straight to the store until `expires_at` (UTC).
    `fields` is set for a form upload (S3 POST policy): send them all, then the bytes as `file`."""

    url: str
    method: str
    headers: dict[str, str]
    fields: dict[str, str] | None
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """What the store knows of an object. `etag` is as the ETag header gives it (quoted)."""

    key: str
    size: int
    etag: str
    content_type: str | None


class BlobStore(Protocol):
    """Stores bytes under flat keys; clients move the data over presigned requests."""

    kind: str

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    def presign_upload(
        self, key: str, size: int, content_type: str | None, expires_at: datetime
    ) -> PresignedRequest: ...
    async def multipart_create(self, key: str, content_type: str | None) -> str: ...
    def presign_part(
        self, key: str, upload_id: str, number: int, size: int, expires_at: datetime
    ) -> PresignedRequest: ...
    async def multipart_complete(
        self, key: str, upload_id: str, parts: Sequence[tuple[int, str]]
    ) -> None: ...
    async def multipart_abort(self, key: str, upload_id: str) -> None: ...
    async def stat(self, key: str) -> ObjectInfo | None: ...
    async def sha256(self, key: str) -> str: ...
    async def copy(self, source: str, target: str) -> None: ...
    async def delete(self, key: str) -> None: ...
    async def put_stream(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        content_type: str | None,
        max_bytes: int | None,
    ) -> tuple[int, str]: ...
    def presign_download(
        self, key: str, expires_at: datetime, filename: str | None, content_type: str | None
    ) -> PresignedRequest: ...
    def keys(self, prefix: str) -> AsyncIterator[str]: ...


def check_key(key: str) -> str:
    """Return `key` if it is a flat object key both stores (and a file system) accept."""
    if not _KEY.fullmatch(key) or key.startswith("/"):
        raise ValueError(f"invalid object key {key!r}: use [A-Za-z0-9._/-], no leading '/'")
    if any(part in ("", ".", "..") for part in key.split("/")):
        raise ValueError(f"invalid object key {key!r}: empty, '.' or '..' segment")
    return key


def check_prefix(prefix: str) -> str:
    """A listing prefix: empty, or a key, or a key followed by '/'."""
    if prefix:
        check_key(prefix[:-1] if prefix.endswith("/") else prefix)
    return prefix


def content_disposition(filename: str) -> str:
    """`attachment` with a quoted ASCII filename, plus RFC 6266 `filename*` for other text."""
    plain = "".join(c for c in filename if c.isprintable() and c not in '"\\')
    fallback = plain.encode("ascii", "replace").decode("ascii").replace("?", "_") or "download"
    header = f'attachment; filename="{fallback}"'
    if fallback != plain:
        header += f"; filename*=UTF-8''{quote(plain, safe='')}"
    return header


def parse_etag(etag: str) -> str:
    """The bare hex of an ETag as clients send it back (quoted, or weak, or bare)."""
    return etag.strip().removeprefix("W/").strip('"')


async def iterate_in_thread(items: Iterator[str], batch: int = 1000) -> AsyncIterator[str]:
    """Drain a blocking iterator (a listing) off the event loop, a batch per thread hop."""
    while True:
        chunk = await asyncio.to_thread(lambda: list(islice(items, batch)))
        if not chunk:
            return
        for item in chunk:
            yield item
