"""Files of the local store: streamed writes that become visible atomically (temp file in the same
folder, fsync, os.replace), hashing in constant memory, and small JSON sidecars."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import secrets
from collections.abc import AsyncIterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from glaregraph.storage.base import (
    CHUNK,
    MIN_PART_SIZE,
    ObjectMissing,
    PartsInvalid,
    StorageError,
    TooLarge,
    parse_etag,
)

TEMP_MARK = "~"  # never in a key, so a temp file is never taken for an object


class IncompleteBody(StorageError):
    """Fewer bytes arrived than announced; nothing was kept."""


@dataclass(frozen=True, slots=True)
class Written:
    """A finished temp file, not yet visible under its final name (os.replace makes it so,
    atomically: readers see the old file or the whole new one)."""

    temp: Path
    size: int
    sha256: str
    md5: str


def temp_beside(target: Path) -> Path:
    return target.with_name(f"{target.name}{TEMP_MARK}{secrets.token_hex(8)}")


async def write_temp(
    target: Path, chunks: AsyncIterable[bytes], limit: int | None, exact: int | None
) -> Written:
    """Stream `chunks` into a temp file beside `target` (whose folder must exist), hashing as
    it goes. TooLarge past `limit`, IncompleteBody short of `exact`; the temp file is gone
    after any failure."""
    temp = temp_beside(target)
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    size, buffer = 0, bytearray()
    try:
        file = await asyncio.to_thread(open, temp, "xb")
    except OSError as exc:
        raise StorageError(f"cannot write {target}: {exc}") from exc
    try:
        async for chunk in chunks:
            size += len(chunk)
            if limit is not None and size > limit:
                raise TooLarge(f"more than {limit} bytes")
            buffer += chunk
            if len(buffer) >= CHUNK:  # one thread hop per MiB, not per network read
                await asyncio.to_thread(_absorb, file, buffer, sha, md5)
                buffer.clear()
        if exact is not None and size != exact:
            raise IncompleteBody(f"{size} of {exact} bytes arrived")
        await asyncio.to_thread(_absorb, file, buffer, sha, md5)
        await asyncio.to_thread(_seal, file)
    except OSError as exc:
        file.close()
        temp.unlink(missing_ok=True)
        raise StorageError(f"cannot write {target.name}: {exc}") from exc
    except BaseException:  # also cancellation: clean up without awaiting
        file.close()
        temp.unlink(missing_ok=True)
        raise
    return Written(temp, size, sha.hexdigest(), md5.hexdigest())


async def receive_part(target: Path, chunks: AsyncIterable[bytes], size: int | None) -> str:
    """Store one part of exactly `size` bytes in its upload's folder; returns its ETag."""
    written = await write_temp(target, chunks, size, size)
    try:
        await asyncio.to_thread(os.replace, written.temp, target)
    except FileNotFoundError as exc:  # the upload was aborted meanwhile
        written.temp.unlink(missing_ok=True)
        raise ObjectMissing(f"upload {target.parent.name} is gone") from exc
    return f'"{written.md5}"'


def _absorb(file: IO[bytes], data: bytearray, *hashes: Any) -> None:
    file.write(data)
    for h in hashes:
        h.update(data)


def _seal(file: IO[bytes]) -> None:
    file.flush()
    os.fsync(file.fileno())  # a renamed file must not come back empty after a crash
    file.close()


def read_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            yield chunk


def file_hash(path: Path, algorithm: str) -> str:
    h = hashlib.new(algorithm, usedforsecurity=False)
    for chunk in read_chunks(path):
        h.update(chunk)
    return h.hexdigest()


def write_json(target: Path, value: dict[str, Any]) -> None:
    temp = temp_beside(target)
    try:
        temp.write_text(json.dumps(value))
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def read_json(path: Path) -> dict[str, Any] | None:
    with contextlib.suppress(OSError, ValueError):
        value = json.loads(path.read_text())
        if isinstance(value, dict):
            return value
    return None


def concatenate(target: Path, parts: list[tuple[Path, str]]) -> str:
    """Write the part files one after the other into the new file `target`, checking each
    against its ETag (and every part but the last against the S3 minimum size, as S3 does).
    Returns the md5 hex of the whole."""
    total = hashlib.md5(usedforsecurity=False)
    with target.open("xb") as out:
        for index, (path, etag) in enumerate(parts):
            md5 = hashlib.md5(usedforsecurity=False)
            try:
                if index < len(parts) - 1 and path.stat().st_size < MIN_PART_SIZE:
                    raise PartsInvalid(f"part {path.name} is smaller than 5 MiB")
                for chunk in read_chunks(path):
                    out.write(chunk)
                    md5.update(chunk)
                    total.update(chunk)
            except FileNotFoundError as exc:
                raise PartsInvalid(f"part {path.name} was not uploaded") from exc
            if md5.hexdigest() != parse_etag(etag):
                raise PartsInvalid(f"part {path.name}: ETag {etag} does not match")
        out.flush()
        os.fsync(out.fileno())
    return total.hexdigest()


def read_or_create_key(path: Path) -> bytes:
    """32 random bytes kept in `path` (mode 0600). The key is written whole to a temp file and
    then linked into place: link refuses an existing name (as O_EXCL does) and, unlike an
    O_EXCL create-then-write, nobody can read a half-written key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f"{path.name}{TEMP_MARK}{secrets.token_hex(8)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(secrets.token_bytes(32))
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return path.read_bytes()
