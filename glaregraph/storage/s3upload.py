"""put_stream for the S3 store: one PUT up to a part, a multipart upload in part-size pieces
above, in constant memory; any failure (TooLarge too) aborts it, so nothing is left behind."""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import AsyncIterable
from typing import TYPE_CHECKING, cast

from glaregraph.storage.base import TooLarge

if TYPE_CHECKING:
    from hashlib import _Hash

    from glaregraph.storage.s3 import S3Store


async def put_stream(
    store: S3Store,
    key: str,
    chunks: AsyncIterable[bytes],
    content_type: str | None,
    max_bytes: int | None,
) -> tuple[int, str]:
    digest, size, buffer = hashlib.sha256(), 0, bytearray()
    upload = _Pieces(store, key, content_type or "application/octet-stream", digest)
    try:
        async for chunk in chunks:
            size += len(chunk)
            if max_bytes is not None and size > max_bytes:
                raise TooLarge(f"more than {max_bytes} bytes")
            buffer += chunk
            # only strictly more than a part is sent on: the last piece is never empty
            while len(buffer) > store.part_size:
                # the part is sent from the buffer itself (only the short tail is copied), so
                # one part, not three, is in memory at a time
                piece, buffer = buffer, buffer[store.part_size :]
                del piece[store.part_size :]
                await upload.send(piece)
                del piece
        await upload.finish(buffer)
    except BaseException:
        await asyncio.shield(upload.abort())  # also when cancelled: leave no parts behind
        raise
    return size, digest.hexdigest()


class _Pieces:
    """The pieces of one put_stream: a multipart upload, begun once a second piece exists."""

    def __init__(self, store: S3Store, key: str, content_type: str, digest: _Hash) -> None:
        self._store, self._key, self._type, self._digest = store, key, content_type, digest
        self._id: str | None = None
        self._parts: list[tuple[int, str]] = []

    async def send(self, data: bytearray) -> None:
        if self._id is None:
            self._id = await self._store.multipart_create(self._key, self._type)
        number = len(self._parts) + 1
        etag = await self._store.run(self._part, self._id, data, number)
        self._parts.append((number, etag))

    def _part(self, upload_id: str, data: bytearray, number: int) -> str:
        self._digest.update(data)  # here, off the event loop, in stream order
        client = self._store.client
        body = cast(bytes, data)  # the SDK only reads it as a buffer: no copy to bytes needed
        return client._upload_part(self._store.bucket, self._key, body, None, upload_id, number)

    async def finish(self, data: bytearray) -> None:
        if self._id is None:
            await self._store.run(self._single, data)
            return
        await self.send(data)
        await self._store.multipart_complete(self._key, self._id, self._parts)
        self._id = None

    def _single(self, data: bytearray) -> None:
        self._digest.update(data)
        client = self._store.client
        client.put_object(self._store.bucket, self._key, io.BytesIO(data), len(data), self._type)

    async def abort(self) -> None:
        if self._id is not None:
            await self._store.multipart_abort(self._key, self._id)
            self._id = None
