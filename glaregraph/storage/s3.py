"""The S3 store (minio SDK): one client for operations, run off the event loop with retries, and
one configured with the public endpoint that only presigns (the signature covers Host)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import warnings
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

import urllib3
from minio import Minio
from minio.commonconfig import ComposeSource
from minio.datatypes import Part, PostPolicy
from minio.error import MinioException, S3Error
from minio.helpers import DictType

from glaregraph.storage.base import (
    CHUNK,
    MIN_PART_SIZE,
    ObjectInfo,
    ObjectMissing,
    PartsInvalid,
    PresignedRequest,
    StorageError,
    check_key,
    check_prefix,
    content_disposition,
    iterate_in_thread,
    parse_etag,
)
from glaregraph.storage.s3upload import put_stream

T = TypeVar("T")
_MISSING = {"NoSuchKey", "NoSuchUpload"}
_PARTS_REFUSED = {"InvalidPart", "InvalidPartOrder", "EntityTooSmall", "NoSuchUpload"}
_BUCKET_EXISTS = {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}
_MAX_PRESIGN = timedelta(days=7)  # the SigV4 limit


def _client(endpoint: str, access_key: str, secret_key: str, region: str, **kw: Any) -> Minio:
    url = urlsplit(endpoint)
    if url.scheme not in ("http", "https") or url.path.strip("/") or not url.netloc:
        raise ValueError(f"S3 endpoint must be http(s)://host[:port], not {endpoint!r}")
    # region given: presigning never asks the server where the bucket is
    return Minio(
        url.netloc, access_key, secret_key, secure=url.scheme == "https", region=region, **kw
    )


class S3Store:
    kind = "s3"

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        region: str = "us-east-1",
        public_endpoint: str | None = None,
        part_size: int = 8 * 1024 * 1024,
    ) -> None:
        if part_size < MIN_PART_SIZE:
            raise ValueError("part_size must be at least 5 MiB")
        self.bucket, self.part_size = bucket, part_size
        self._http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=10, read=300),
            maxsize=10,
            retries=urllib3.Retry(
                total=5, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]
            ),
        )
        self.client = _client(endpoint, access_key, secret_key, region, http_client=self._http)
        public = public_endpoint or endpoint
        self._public = _client(public, access_key, secret_key, region, http_client=self._http)
        self._post_url = f"{public.rstrip('/')}/{bucket}"

    async def run(self, call: Callable[..., T], *args: Any, **kw: Any) -> T:
        """`call` on a worker thread, its failures as StorageError (ObjectMissing for a
        missing key or upload, PartsInvalid for a refused multipart complete)."""
        try:
            return await asyncio.to_thread(call, *args, **kw)
        except S3Error as exc:
            kind = ObjectMissing if exc.code in _MISSING else StorageError
            raise kind(f"{exc.code}: {exc.message}") from exc
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise StorageError(f"S3 request failed: {exc}") from exc

    async def open(self) -> None:
        if not await self.run(self.client.bucket_exists, self.bucket):
            try:
                await self.run(self.client.make_bucket, self.bucket)
            except StorageError as exc:  # another worker made it first
                cause = exc.__cause__
                if not isinstance(cause, S3Error) or cause.code not in _BUCKET_EXISTS:
                    raise

    async def close(self) -> None:
        self._http.clear()

    # -- presigning: pure computation with the public client ---------------------------------

    def presign_upload(
        self, key: str, size: int, content_type: str | None, expires_at: datetime
    ) -> PresignedRequest:
        policy = PostPolicy(self.bucket, expires_at)
        policy.add_equals_condition("key", check_key(key))
        policy.add_content_length_range_condition(size, size)
        if content_type:
            policy.add_equals_condition("Content-Type", content_type)
        with warnings.catch_warnings():  # the SDK calls datetime.utcnow(), deprecated in 3.12
            warnings.simplefilter("ignore", DeprecationWarning)
            signed = self._public.presigned_post_policy(policy)
        fields = {"key": key, **({"Content-Type": content_type} if content_type else {}), **signed}
        return PresignedRequest(self._post_url, "POST", {}, fields, expires_at)

    def _presign(
        self, method: str, key: str, expires_at: datetime, params: DictType
    ) -> PresignedRequest:
        # SigV4 signs a start (whole seconds) and a duration (at least 1 s): the URL ends at
        # most 1 s before expires_at; an end already past is signed as a 1 s URL that ended
        # then, so it is refused like any expired one. Reading the clock is no network call.
        start = datetime.now(UTC).replace(microsecond=0)
        seconds = int((expires_at - start).total_seconds())
        if seconds < 1:
            start, seconds = expires_at.replace(microsecond=0) - timedelta(seconds=1), 1
        if timedelta(seconds=seconds) > _MAX_PRESIGN:
            raise ValueError("S3 presigned URLs live at most 7 days")
        url = self._public.get_presigned_url(
            method,
            self.bucket,
            check_key(key),
            timedelta(seconds=seconds),
            request_date=start,
            extra_query_params=params,
        )
        return PresignedRequest(url, method, {}, None, expires_at)

    def presign_part(
        self, key: str, upload_id: str, number: int, size: int, expires_at: datetime
    ) -> PresignedRequest:
        # A presigned PUT cannot pin the size: complete checks the parts instead.
        params: DictType = {"partNumber": str(number), "uploadId": upload_id}
        return self._presign("PUT", key, expires_at, params)

    def presign_download(
        self, key: str, expires_at: datetime, filename: str | None, content_type: str | None
    ) -> PresignedRequest:
        params: DictType = {"response-content-type": content_type} if content_type else {}
        if filename:
            params["response-content-disposition"] = content_disposition(filename)
        return self._presign("GET", key, expires_at, params)

    # -- operations --------------------------------------------------------------------------

    async def multipart_create(self, key: str, content_type: str | None) -> str:
        headers = {"Content-Type": content_type or "application/octet-stream"}
        # the SDK has no public call for these: they are its own building blocks
        return await self.run(
            self.client._create_multipart_upload, self.bucket, check_key(key), headers
        )

    async def multipart_complete(
        self, key: str, upload_id: str, parts: Sequence[tuple[int, str]]
    ) -> None:
        listed = [Part(number, parse_etag(etag)) for number, etag in parts]
        try:
            await self.run(
                self.client._complete_multipart_upload,
                self.bucket,
                check_key(key),
                upload_id,
                listed,
            )
        except StorageError as exc:
            cause = exc.__cause__
            if isinstance(cause, S3Error) and cause.code in _PARTS_REFUSED:
                raise PartsInvalid(f"{cause.code}: {cause.message}") from cause
            raise

    async def multipart_abort(self, key: str, upload_id: str) -> None:
        with contextlib.suppress(ObjectMissing):  # already aborted or completed
            await self.run(
                self.client._abort_multipart_upload, self.bucket, check_key(key), upload_id
            )

    async def stat(self, key: str) -> ObjectInfo | None:
        try:
            found = await self.run(self.client.stat_object, self.bucket, check_key(key))
        except ObjectMissing:
            return None
        return ObjectInfo(
            key, found.size or 0, f'"{parse_etag(found.etag or "")}"', found.content_type
        )

    async def sha256(self, key: str) -> str:
        return await self.run(self._hash, check_key(key))

    def _hash(self, key: str) -> str:
        response = self.client.get_object(self.bucket, key)
        try:
            digest = hashlib.sha256()
            for chunk in response.stream(CHUNK):
                digest.update(chunk)
            return digest.hexdigest()
        finally:
            response.close()
            response.release_conn()

    async def copy(self, source: str, target: str) -> None:
        info = await self.stat(source)
        if info is None:
            raise ObjectMissing(source)
        # compose copies in one request up to 5 GiB, as a multipart copy above
        meta = {"Content-Type": info.content_type} if info.content_type else None
        sources = [ComposeSource(self.bucket, check_key(source))]
        await self.run(
            self.client.compose_object, self.bucket, check_key(target), sources, metadata=meta
        )

    async def delete(self, key: str) -> None:
        await self.run(self.client.remove_object, self.bucket, check_key(key))

    async def put_stream(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        content_type: str | None,
        max_bytes: int | None,
    ) -> tuple[int, str]:
        """(size, sha256 hex); see s3upload.put_stream."""
        return await put_stream(self, check_key(key), chunks, content_type, max_bytes)

    def keys(self, prefix: str) -> AsyncIterator[str]:
        return iterate_in_thread(self._names(check_prefix(prefix)))

    def _names(self, prefix: str) -> Iterator[str]:
        try:
            for item in self.client.list_objects(self.bucket, prefix=prefix, recursive=True):
                if item.object_name and not item.is_dir:
                    yield item.object_name
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise StorageError(f"S3 listing failed: {exc}") from exc
