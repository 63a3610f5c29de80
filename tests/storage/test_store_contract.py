"""The same contract for both blob stores: data moves over presigned requests with a plain HTTP
client, every refused request writes nothing, and the server-side operations agree. Last, the
local store's own /transfer/ route rules."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from glaregraph.storage import (
    BlobStore,
    LocalStore,
    ObjectMissing,
    PartsInvalid,
    PresignedRequest,
    TooLarge,
)
from glaregraph.storage.factory import make_store
from glaregraph.storage.localfiles import TEMP_MARK

MiB = 1024 * 1024
CTYPE = "application/x-test"


def soon() -> datetime:
    return datetime.now(UTC) + timedelta(minutes=5)


async def send(http: httpx.AsyncClient, req: PresignedRequest, data: bytes) -> httpx.Response:
    """What a client does with a presigned upload: a form POST (S3) or a PUT."""
    if req.fields is not None:
        return await http.post(req.url, data=req.fields, files={"file": ("blob", data)})
    return await http.request(req.method, req.url, headers=req.headers, content=data)


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True)) | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


def flip(text: str) -> str:
    return text[:-1] + ("A" if text[-1] != "A" else "B")


async def chunks(total: int, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, total, size):
        yield os.urandom(min(size, total - start))


@pytest.mark.parametrize("size", [0, 1024])
async def test_single_upload_then_download(
    store: BlobStore, http: httpx.AsyncClient, prefix: str, size: int
) -> None:
    key, data = f"{prefix}blob", os.urandom(size)
    response = await send(http, store.presign_upload(key, size, CTYPE, soon()), data)
    assert response.is_success, response.text
    info = await store.stat(key)
    assert info is not None
    assert (info.size, info.content_type) == (size, CTYPE)
    assert info.etag == f'"{hashlib.md5(data).hexdigest()}"'
    assert await store.sha256(key) == hashlib.sha256(data).hexdigest()

    got = await http.get(store.presign_download(key, soon(), "résumé 1.bin", "text/plain").url)
    assert got.status_code == 200
    assert got.content == data
    assert got.headers["content-type"].startswith("text/plain")
    disposition = got.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="r_sum_ 1.bin"')
    assert "filename*=UTF-8''r%C3%A9sum%C3%A9%201.bin" in disposition


async def test_download_range(store: BlobStore, http: httpx.AsyncClient, prefix: str) -> None:
    key = f"{prefix}ranged"
    await store.put_stream(key, chunks(1000), None, None)
    whole = (await http.get(store.presign_download(key, soon(), None, None).url)).content
    url = store.presign_download(key, soon(), None, None).url
    part = await http.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.content == whole[10:20]


async def test_multipart_upload(store: BlobStore, http: httpx.AsyncClient, prefix: str) -> None:
    key, data = f"{prefix}big", os.urandom(12 * MiB + 17)
    upload_id = await store.multipart_create(key, CTYPE)
    parts = []
    for number, start in enumerate(range(0, len(data), 5 * MiB), start=1):
        piece = data[start : start + 5 * MiB]
        req = store.presign_part(key, upload_id, number, len(piece), soon())
        response = await send(http, req, piece)
        assert response.status_code == 200, response.text
        parts.append((number, response.headers["etag"]))
    assert await store.stat(key) is None  # nothing visible before complete
    await store.multipart_complete(key, upload_id, parts)
    info = await store.stat(key)
    assert info is not None
    assert (info.size, info.content_type) == (len(data), CTYPE)
    assert await store.sha256(key) == hashlib.sha256(data).hexdigest()


async def test_multipart_wrong_etag_and_abort(
    store: BlobStore, http: httpx.AsyncClient, prefix: str
) -> None:
    key, piece = f"{prefix}parts", os.urandom(1000)
    upload_id = await store.multipart_create(key, None)
    response = await send(http, store.presign_part(key, upload_id, 1, len(piece), soon()), piece)
    assert response.status_code == 200
    with pytest.raises(PartsInvalid):
        await store.multipart_complete(key, upload_id, [(1, '"' + "0" * 32 + '"')])
    with pytest.raises(PartsInvalid):  # part 2 never arrived
        await store.multipart_complete(key, upload_id, [(1, response.headers["etag"]), (2, "x")])
    await store.multipart_abort(key, upload_id)
    await store.multipart_abort(key, upload_id)  # idempotent
    again = await send(http, store.presign_part(key, upload_id, 2, len(piece), soon()), piece)
    assert again.status_code == 404  # the upload and its parts are gone
    with pytest.raises(PartsInvalid):
        await store.multipart_complete(key, upload_id, [(1, response.headers["etag"])])
    assert await store.stat(key) is None


def _refused_uploads(store: BlobStore, key: str) -> dict[str, tuple[PresignedRequest, int]]:
    """Upload attempts that must fail: (request, bytes sent) by what is wrong with them."""
    good = store.presign_upload(key, 100, None, soon())
    past = datetime.now(UTC) - timedelta(seconds=30)
    if good.fields is not None:  # S3 POST policy
        fields = good.fields
        return {
            "tampered": (_replace(good, fields=fields | {"x-amz-signature": "0" * 64}), 100),
            "other key": (_replace(good, fields=fields | {"key": key + "x"}), 100),
            "expired": (store.presign_upload(key, 100, None, past), 100),
            "too large": (good, 101),
            "too small": (good, 99),
            "other method": (_replace(good, method="PUT", fields=None), 100),
        }
    signature = dict(parse_qsl(urlsplit(good.url).query))["signature"]
    return {
        "tampered": (_replace(good, url=with_query(good.url, signature=flip(signature))), 100),
        "changed size": (_replace(good, url=with_query(good.url, size="101")), 101),
        "expired": (store.presign_upload(key, 100, None, past), 100),
        "too large": (good, 101),
        "too small": (good, 99),
        "other method": (_replace(good, method="POST"), 100),
    }


def _replace(req: PresignedRequest, **changes: object) -> PresignedRequest:
    values = {name: getattr(req, name) for name in req.__slots__} | changes  # type: ignore[attr-defined]
    return PresignedRequest(**values)  # type: ignore[arg-type]


async def test_refused_uploads_write_nothing(
    store: BlobStore, http: httpx.AsyncClient, prefix: str
) -> None:
    key = f"{prefix}refused"
    for name, (req, size) in _refused_uploads(store, key).items():
        response = await send(http, req, os.urandom(size))
        assert 400 <= response.status_code < 500, (name, response.status_code, response.text)
        assert await store.stat(key) is None, name
        assert await store.stat(key + "x") is None, name
    assert [k async for k in store.keys(prefix)] == []


async def test_refused_downloads(store: BlobStore, http: httpx.AsyncClient, prefix: str) -> None:
    key = f"{prefix}secret"
    await store.put_stream(key, chunks(10), None, None)
    good = store.presign_download(key, soon(), "a.bin", None).url
    assert (await http.get(good)).status_code == 200
    sig = "X-Amz-Signature" if "X-Amz-Signature" in good else "signature"
    changed_name = "response-content-disposition" if sig != "signature" else "disposition"
    past = datetime.now(UTC) - timedelta(seconds=30)
    refused = {
        "tampered": http.get(
            with_query(good, **{sig: flip(dict(parse_qsl(urlsplit(good).query))[sig])})
        ),
        "changed": http.get(with_query(good, **{changed_name: "inline"})),
        "added": http.get(with_query(good, extra="1")),
        "expired": http.get(store.presign_download(key, past, None, None).url),
        "other method": http.put(good, content=b"0123456789"),
        "other key": http.get(good.replace("/secret?", "/secreT?")),
    }
    for name, pending in refused.items():
        response = await pending
        assert response.status_code == 403, (name, response.status_code)
    assert await store.sha256(key) == await store.sha256(key)  # still there, unchanged
    info = await store.stat(key)
    assert info is not None
    assert info.size == 10


async def test_operations(store: BlobStore, prefix: str) -> None:
    data = os.urandom(3000)

    async def one() -> AsyncIterator[bytes]:
        yield data

    key, copy = f"{prefix}a", f"{prefix}b"
    digest = hashlib.sha256(data).hexdigest()
    assert await store.put_stream(key, one(), CTYPE, None) == (3000, digest)
    await store.copy(key, copy)
    info = await store.stat(copy)
    assert info is not None
    assert (info.size, info.content_type) == (3000, CTYPE)
    assert await store.sha256(copy) == digest
    assert [k async for k in store.keys(prefix)] == [key, copy]
    assert [k async for k in store.keys(f"{prefix}b")] == [copy]
    await store.delete(copy)
    await store.delete(copy)  # idempotent
    assert await store.stat(copy) is None
    with pytest.raises(ObjectMissing):
        await store.sha256(copy)
    with pytest.raises(ObjectMissing):
        await store.copy(copy, f"{prefix}c")
    assert [k async for k in store.keys(prefix)] == [key]


async def test_put_stream_in_parts(store: BlobStore, prefix: str) -> None:
    key, digest, total = f"{prefix}streamed", hashlib.sha256(), 12 * MiB + 17

    async def recorded() -> AsyncIterator[bytes]:
        async for chunk in chunks(total):
            digest.update(chunk)
            yield chunk

    assert await store.put_stream(key, recorded(), None, total) == (total, digest.hexdigest())
    assert await store.sha256(key) == digest.hexdigest()


@pytest.mark.parametrize("total", [1000, 11 * MiB])  # within one part, and past two
async def test_put_stream_too_large_keeps_nothing(
    store: BlobStore, prefix: str, total: int
) -> None:
    key = f"{prefix}huge"
    with pytest.raises(TooLarge):
        await store.put_stream(key, chunks(total), None, total - 1)
    assert await store.stat(key) is None
    assert [k async for k in store.keys(prefix)] == []


@pytest.mark.parametrize("key", ["../x", "a//b", "/a", "a/./b", "a b", "a?b", "", "ü"])
def test_bad_keys_are_refused(store: BlobStore, key: str) -> None:
    with pytest.raises(ValueError, match="key"):
        store.presign_upload(key, 1, None, soon())


# -- the local store's own /transfer/ rules ------------------------------------------------


async def test_local_head_and_other_paths(local_store: LocalStore, http: httpx.AsyncClient) -> None:
    await local_store.put_stream("head/x", chunks(300), None, None)
    url = local_store.presign_download("head/x", soon(), None, "image/png").url
    head = await http.head(url)
    assert head.status_code == 200
    assert (head.headers["content-length"], head.headers["content-type"]) == ("300", "image/png")
    assert head.content == b""
    base = url.split("/transfer/")[0]
    for path in ("/elsewhere", "/transfer/", "/transfer/a//b?x=1"):
        assert (await http.get(base + path)).status_code in (403, 404), path
    assert (await http.delete(url)).status_code == 405


async def test_local_upload_rules(local_store: LocalStore, http: httpx.AsyncClient) -> None:
    req = local_store.presign_upload("rules/x", 10, "text/csv", soon())

    async def body() -> AsyncIterator[bytes]:
        yield b"0123456789"

    chunked = await http.put(req.url, headers=req.headers, content=body())  # no Content-Length
    assert chunked.status_code == 411
    other_type = await http.put(req.url, headers={"Content-Type": "text/html"}, content=b"0" * 10)
    assert other_type.status_code == 403
    assert await local_store.stat("rules/x") is None
    ok = await http.put(req.url, headers=req.headers, content=b"0123456789")
    assert ok.status_code == 200
    assert ok.headers["etag"] == f'"{hashlib.md5(b"0123456789").hexdigest()}"'


async def test_local_more_bytes_than_signed(local_store: LocalStore) -> None:
    # HTTP/1.1 cannot send more than Content-Length, but the store must stop on its own
    url = local_store.presign_upload("rules/more", 10, None, soon()).url
    grant = local_store.urls.check("PUT", "rules/more", urlsplit(url).query, datetime.now(UTC))
    with pytest.raises(TooLarge):
        await local_store.receive("rules/more", grant, chunks(11, 4))
    assert await local_store.stat("rules/more") is None


def test_local_leaves_no_temp_files(local_store: LocalStore) -> None:
    # runs after the refusals above (file order): none left a temp file or an upload behind
    leftovers = [p for p in local_store.root.rglob("*") if TEMP_MARK in p.name]
    assert leftovers == []
    assert list((local_store.root / "parts").iterdir()) == []


def test_make_store_and_offline_presigning(tmp_path: Path) -> None:
    local = make_store("local", blob_dir=tmp_path, public_url="http://example.test")
    assert isinstance(local, LocalStore)
    assert (tmp_path / ".signing-key").stat().st_size == 32
    # nothing listens on port 9: presigning must not need the server (explicit region)
    s3 = make_store(
        "s3",
        blob_dir=tmp_path,
        public_url="http://example.test",
        s3_endpoint="http://127.0.0.1:9",
        s3_public_endpoint="https://s3.example.test",
        s3_access_key="key",
        s3_secret_key="secretsecret",
    )
    started = time.monotonic()
    upload = s3.presign_upload("uploads/x", 5, "text/plain", soon())
    download = s3.presign_download("uploads/x", soon(), "x.txt", None)
    assert time.monotonic() - started < 0.5
    assert upload.url == "https://s3.example.test/glaregraph"
    assert upload.fields is not None
    assert upload.fields["key"] == "uploads/x"
    assert download.url.startswith("https://s3.example.test/glaregraph/uploads/x?")
