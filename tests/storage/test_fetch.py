"""The copy-from fetcher against a real HTTP server (uvicorn on a loopback port, in a thread):
the address guard at connect time and on redirects, errors, limits and streaming."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator, Iterator

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from glaregraph.storage.addresses import host_key, is_forbidden
from glaregraph.storage.fetch import (
    AddressRefused,
    FetchError,
    SourceFailed,
    SourceTooLarge,
    check_url,
    fetch,
)

DATA = bytes(range(256)) * 40  # 10 KiB
MiB = 1 << 20
BIG_TOTAL = 256 * MiB  # what /big would send if nobody stopped reading
ALLOW = ["127.0.0.1"]


class Big:
    """What /big has sent so far, and whether its generator has ended."""

    sent = 0
    done = threading.Event()


async def data(request: Request) -> Response:
    return Response(DATA, media_type="application/octet-stream")


async def sized(request: Request) -> Response:
    return Response(b"x" * (2 * MiB), media_type="application/octet-stream")


async def big(request: Request) -> Response:
    async def body() -> AsyncIterator[bytes]:
        Big.sent, chunk = 0, b"b" * (64 * 1024)
        Big.done.clear()
        try:
            # uvicorn drops what is sent after a disconnect, so notice it: a client that drained
            # the body instead of closing the connection would make this send everything
            while Big.sent < BIG_TOTAL and not await request.is_disconnected():
                Big.sent += len(chunk)
                yield chunk
        finally:
            Big.done.set()

    return StreamingResponse(body(), media_type="application/octet-stream")


async def missing(request: Request) -> Response:
    return PlainTextResponse("gone", status_code=404)


async def slow(request: Request) -> Response:
    await asyncio.sleep(1)
    return Response(DATA)


async def to_localhost(request: Request) -> Response:
    return RedirectResponse(f"http://localhost:{request.url.port}/data", status_code=302)


async def relative(request: Request) -> Response:
    return RedirectResponse("../data", status_code=301)


async def chain(request: Request) -> Response:
    left = int(request.path_params["left"])
    return RedirectResponse(f"/chain/{left - 1}" if left else "/data", status_code=307)


APP = Starlette(
    routes=[
        Route("/data", data),
        Route("/sized", sized),
        Route("/big", big),
        Route("/missing", missing),
        Route("/slow", slow),
        Route("/redirect/localhost", to_localhost),
        Route("/redirect/relative", relative),
        Route("/chain/{left:int}", chain),
    ]
)


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(APP, lifespan="off", log_level="warning", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]})
    thread.start()
    try:
        for _ in range(500):
            if server.started or not thread.is_alive():
                break
            threading.Event().wait(0.01)
        assert server.started, "the test server did not start"
        yield int(sock.getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


async def read(url: str, **options: object) -> tuple[str, list[bytes]]:
    settings: dict[str, object] = {"allow_hosts": (), "max_bytes": None, "timeout": 5.0}
    settings.update(options)
    async with fetch(url, **settings) as source:  # type: ignore[arg-type]
        return source.url, [chunk async for chunk in source.chunks()]


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "LocalHost", "[::1]", "127.1", "2130706433", "[::ffff:127.0.0.1]"],
)
async def test_loopback_is_refused_without_allow_list(port: int, host: str) -> None:
    with pytest.raises(AddressRefused, match="not a public address"):
        await read(f"http://{host}:{port}/data")


async def test_allow_listed_host_is_fetched_in_chunks(port: int) -> None:
    async with fetch(
        f"http://127.0.0.1:{port}/data",
        allow_hosts=ALLOW,
        max_bytes=None,
        timeout=5,
        chunk_size=1000,
    ) as source:
        assert source.content_type == "application/octet-stream"
        assert source.content_length == len(DATA)
        chunks = [chunk async for chunk in source.chunks()]
    assert b"".join(chunks) == DATA
    assert len(chunks) == 11
    assert all(len(chunk) == 1000 for chunk in chunks[:-1])


async def test_allow_list_matches_names_case_insensitively(port: int) -> None:
    _, chunks = await read(f"http://localhost:{port}/data", allow_hosts=["LOCALHOST"])
    assert b"".join(chunks) == DATA


async def test_redirect_to_a_host_not_allowed_is_refused(port: int) -> None:
    with pytest.raises(AddressRefused, match="localhost"):
        await read(f"http://127.0.0.1:{port}/redirect/localhost", allow_hosts=ALLOW)


async def test_relative_redirect_is_followed(port: int) -> None:
    url, chunks = await read(f"http://127.0.0.1:{port}/redirect/relative", allow_hosts=ALLOW)
    assert url == f"http://127.0.0.1:{port}/data"
    assert b"".join(chunks) == DATA


async def test_five_redirects_are_followed_and_six_are_too_many(port: int) -> None:
    url, _ = await read(f"http://127.0.0.1:{port}/chain/4", allow_hosts=ALLOW)
    assert url.endswith("/data")  # 4 hops in the chain, and one more to /data
    with pytest.raises(SourceFailed, match="redirected more than 5 times"):
        await read(f"http://127.0.0.1:{port}/chain/5", allow_hosts=ALLOW)


async def test_http_error_is_source_failed_naming_the_status(port: int) -> None:
    with pytest.raises(SourceFailed, match="HTTP 404"):
        await read(f"http://127.0.0.1:{port}/missing", allow_hosts=ALLOW)


async def test_unreachable_port_is_source_failed() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago, with nobody listening
        sock.bind(("127.0.0.1", 0))
        unused = sock.getsockname()[1]
    with pytest.raises(SourceFailed, match="could not be reached"):
        await read(f"http://127.0.0.1:{unused}/data", allow_hosts=ALLOW)


async def test_slow_source_times_out(port: int) -> None:
    with pytest.raises(SourceFailed, match="timed out"):
        await read(f"http://127.0.0.1:{port}/slow", allow_hosts=ALLOW, timeout=0.2)


async def test_declared_length_over_limit_is_refused_before_reading(port: int) -> None:
    with pytest.raises(SourceTooLarge) as refused:
        async with fetch(
            f"http://127.0.0.1:{port}/sized", allow_hosts=ALLOW, max_bytes=MiB, timeout=5
        ):
            pytest.fail("the source was opened")
    assert refused.value.limit == MiB


async def test_stream_over_limit_stops_reading_early(port: int) -> None:
    received: list[int] = []

    async def consume() -> None:
        async with fetch(
            f"http://127.0.0.1:{port}/big", allow_hosts=ALLOW, max_bytes=MiB, timeout=5
        ) as source:
            assert source.content_length is None
            async for chunk in source.chunks():
                received.append(len(chunk))

    with pytest.raises(SourceTooLarge):
        await consume()
    assert 0 < sum(received) <= MiB
    assert await asyncio.to_thread(Big.done.wait, 10), "the server kept sending"
    assert Big.sent < BIG_TOTAL // 8  # the connection closed: the server stopped early too


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "/relative/path", "example.com/x", "http:///x", "file:///etc"]
)
def test_check_url_refuses_non_http_or_relative(url: str) -> None:
    with pytest.raises(AddressRefused):
        check_url(url)


def test_check_url_accepts_absolute_http_and_https() -> None:
    check_url("http://example.com/x")
    check_url("https://[2001:4860::8888]:8443/blob?x=1")


async def test_fetch_checks_the_url_first() -> None:
    with pytest.raises(AddressRefused):
        await read("ftp://127.0.0.1/x", allow_hosts=ALLOW)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.255.0.9", "0.0.0.0", "10.1.2.3", "172.16.0.1", "192.168.1.1",
        "100.64.0.1", "169.254.169.254", "224.0.0.1", "239.255.255.250", "240.0.0.1",
        "255.255.255.255", "192.0.2.1", "198.18.0.1",
        "::1", "::", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::127.0.0.1", "fc00::1",
        "fd12:3456::1", "fe80::1", "fec0::1", "ff02::1", "2001:db8::1", "2002:7f00:1::",
        "64:ff9b::a00:1", "2001::1",
    ],
)  # fmt: skip
def test_non_public_addresses_are_forbidden(address: str) -> None:
    assert is_forbidden(address)


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:808:808::"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert not is_forbidden(address)


def test_host_key_compares_names_and_literals() -> None:
    assert host_key("LocalHost") == "localhost"
    assert host_key("[::1]") == host_key("0:0::1") == "::1"


def test_errors_share_one_base() -> None:
    assert issubclass(AddressRefused, FetchError)
    assert issubclass(SourceFailed, FetchError)
    assert issubclass(SourceTooLarge, FetchError)
