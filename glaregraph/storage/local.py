"""The folder store: objects in <root>/objects/<key> (ETag, content type in <root>/meta/<key>),
parts in <root>/parts/<upload_id>/<n>; clients reach it through HMAC-signed /transfer/ URLs."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
from collections.abc import AsyncIterable, AsyncIterator, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from glaregraph.storage import localfiles as files
from glaregraph.storage.base import (
    ObjectInfo,
    ObjectMissing,
    PartsInvalid,
    PresignedRequest,
    StorageError,
    check_key,
    check_prefix,
    iterate_in_thread,
    parse_etag,
)
from glaregraph.storage.localurls import Grant, LocalUrls

_UPLOAD_ID = re.compile(r"[0-9a-f]{32}")


class LocalStore:
    kind = "local"

    def __init__(self, root: Path, public_url: str, signing_key: bytes) -> None:
        self.root = root
        self.urls = LocalUrls(public_url, signing_key)

    @staticmethod
    def load_or_create_key(root: Path) -> bytes:
        """The key in <root>/.signing-key, created (32 random bytes, mode 0600) if missing;
        worker processes starting together all end up with the same key."""
        return files.read_or_create_key(root / ".signing-key")

    async def open(self) -> None:
        for folder in ("objects", "meta", "parts"):
            await asyncio.to_thread((self.root / folder).mkdir, parents=True, exist_ok=True)

    async def close(self) -> None:
        return None

    def object_path(self, key: str) -> Path:
        return self.root / "objects" / check_key(key)

    def _new_object_path(self, key: str) -> Path:
        """The object's path, its folder created (a key that runs into an object fails here)."""
        path = self.object_path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot store {key}: {exc}") from exc
        return path

    def _meta_path(self, key: str) -> Path:
        return self.root / "meta" / check_key(key)

    def _upload_dir(self, upload_id: str) -> Path:
        if not _UPLOAD_ID.fullmatch(upload_id):
            raise PartsInvalid(f"unknown upload {upload_id!r}")
        return self.root / "parts" / upload_id

    def presign_upload(
        self, key: str, size: int, content_type: str | None, expires_at: datetime
    ) -> PresignedRequest:
        return self.urls.upload(check_key(key), size, content_type, expires_at)

    def presign_part(
        self, key: str, upload_id: str, number: int, size: int, expires_at: datetime
    ) -> PresignedRequest:
        return self.urls.part(check_key(key), upload_id, number, size, expires_at)

    def presign_download(
        self, key: str, expires_at: datetime, filename: str | None, content_type: str | None
    ) -> PresignedRequest:
        return self.urls.download(check_key(key), expires_at, filename, content_type)

    async def receive(self, key: str, grant: Grant, chunks: AsyncIterable[bytes]) -> str:
        """Store an upload the grant allows: exactly grant.size bytes. Returns the ETag."""
        if grant.upload_id is not None and grant.part is not None:
            folder = self._upload_dir(grant.upload_id)
            if (files.read_json(folder / "upload.json") or {}).get("key") != key:
                raise ObjectMissing(f"no upload {grant.upload_id} for {key}")
            return await files.receive_part(folder / str(grant.part), chunks, grant.size)
        target = await asyncio.to_thread(self._new_object_path, key)
        written = await files.write_temp(target, chunks, grant.size, grant.size)
        return await asyncio.to_thread(
            self._publish, key, written.temp, written.md5, grant.content_type
        )

    def _publish(self, key: str, temp: Path, md5: str, content_type: str | None) -> str:
        """Make a finished temp file the object `key` (sidecar first, so a visible object
        always has its ETag and content type)."""
        etag = f'"{md5}"'
        try:
            meta = self._meta_path(key)
            meta.parent.mkdir(parents=True, exist_ok=True)
            files.write_json(meta, {"etag": etag, "content_type": content_type})
            os.replace(temp, self.object_path(key))
        except OSError as exc:
            raise StorageError(f"cannot store {key}: {exc}") from exc
        finally:
            temp.unlink(missing_ok=True)
        return etag

    # -- operations --------------------------------------------------------------------------

    async def multipart_create(self, key: str, content_type: str | None) -> str:
        upload_id = secrets.token_hex(16)
        folder = self._upload_dir(upload_id)
        await asyncio.to_thread(folder.mkdir, parents=True)
        record = {"key": check_key(key), "content_type": content_type}
        await asyncio.to_thread(files.write_json, folder / "upload.json", record)
        return upload_id

    async def multipart_complete(
        self, key: str, upload_id: str, parts: Sequence[tuple[int, str]]
    ) -> None:
        await asyncio.to_thread(self._assemble, key, upload_id, list(parts))

    def _assemble(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> None:
        folder = self._upload_dir(upload_id)
        upload = files.read_json(folder / "upload.json")
        if upload is None or upload.get("key") != key:
            raise PartsInvalid(f"no upload {upload_id} for {key}")
        numbers = [number for number, _ in parts]
        if not parts or numbers != sorted(set(numbers)):
            raise PartsInvalid("parts must be given once each, in ascending order")
        temp = files.temp_beside(self._new_object_path(key))
        try:
            md5 = files.concatenate(temp, [(folder / str(n), etag) for n, etag in parts])
            self._publish(key, temp, md5, upload["content_type"])
        finally:
            temp.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)

    async def multipart_abort(self, key: str, upload_id: str) -> None:
        if not _UPLOAD_ID.fullmatch(upload_id):
            return  # never created here: nothing to remove
        folder = self._upload_dir(upload_id)
        if (files.read_json(folder / "upload.json") or {}).get("key") == key:
            await asyncio.to_thread(shutil.rmtree, folder, True)

    async def stat(self, key: str) -> ObjectInfo | None:
        return await asyncio.to_thread(self._stat, key)

    def _stat(self, key: str) -> ObjectInfo | None:
        path = self.object_path(key)
        try:
            if not path.is_file():  # also a folder made by a longer key
                return None
            size = path.stat().st_size
            meta = files.read_json(self._meta_path(key)) or {
                "etag": f'"{files.file_hash(path, "md5")}"',  # placed there by hand
                "content_type": None,
            }
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None
        return ObjectInfo(key, size, meta["etag"], meta["content_type"])

    async def sha256(self, key: str) -> str:
        try:
            return await asyncio.to_thread(files.file_hash, self.object_path(key), "sha256")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
            raise ObjectMissing(key) from exc

    async def copy(self, source: str, target: str) -> None:
        await asyncio.to_thread(self._copy, source, target)

    def _copy(self, source: str, target: str) -> None:
        info = self._stat(source)
        if info is None:
            raise ObjectMissing(source)
        temp = files.temp_beside(self._new_object_path(target))
        try:
            shutil.copyfile(self.object_path(source), temp)
            self._publish(target, temp, parse_etag(info.etag), info.content_type)
        except FileNotFoundError as exc:
            raise ObjectMissing(source) from exc
        finally:
            temp.unlink(missing_ok=True)

    async def delete(self, key: str) -> None:
        def remove() -> None:
            self.object_path(key).unlink(missing_ok=True)
            self._meta_path(key).unlink(missing_ok=True)

        await asyncio.to_thread(remove)

    async def put_stream(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        content_type: str | None,
        max_bytes: int | None,
    ) -> tuple[int, str]:
        target = await asyncio.to_thread(self._new_object_path, key)
        written = await files.write_temp(target, chunks, max_bytes, None)
        await asyncio.to_thread(self._publish, key, written.temp, written.md5, content_type)
        return written.size, written.sha256

    def keys(self, prefix: str) -> AsyncIterator[str]:
        return iterate_in_thread(self._walk(check_prefix(prefix)))

    def _walk(self, prefix: str) -> Iterator[str]:
        base = self.root / "objects"
        for folder, subfolders, names in os.walk(base / prefix.rpartition("/")[0]):
            subfolders.sort()
            relative = Path(folder).relative_to(base).as_posix()
            for name in sorted(names):
                key = name if relative == "." else f"{relative}/{name}"
                if files.TEMP_MARK not in name and key.startswith(prefix):
                    yield key
