"""Server-side "copy-from": stream an http(s) URL that a user named, refusing any host that is or
resolves to a non-public address (checked when connecting, so on every redirect too) unless
the host is allow-listed.

Errors::

    FetchError            the source could not be fetched (the message is safe to show users)
     ├── AddressRefused   not an absolute http(s) URL, or a forbidden address (also on redirect)
     ├── SourceFailed     HTTP error status, unreachable, timed out, too many redirects
     └── SourceTooLarge   more than max_bytes arrived (or were announced)
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import AsyncIterator, Collection, Iterable, Iterator
from contextlib import aclosing, asynccontextmanager, contextmanager
from dataclasses import dataclass, field

import httpcore
import httpx

from glaregraph.storage.addresses import IPAddress, host_key, is_forbidden

MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})  # all followed with GET: we only ever GET


class FetchError(Exception):
    """The source could not be fetched; the message is safe to show the user."""


class AddressRefused(FetchError):
    """The URL, or a redirect, is not absolute http(s) or names a forbidden address."""


class SourceFailed(FetchError):
    """The source answered an HTTP error, was unreachable, timed out or redirected too often."""


class SourceTooLarge(FetchError):
    """More than `limit` bytes arrived, or the source announced more."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the source is larger than the limit of {limit} bytes")
        self.limit = limit


def check_url(url: str) -> None:
    """Syntax only, no network: `url` must be an absolute http or https URL with a host."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise AddressRefused("the source URL is not a valid URL") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise AddressRefused("the source URL must be an absolute http or https URL")


@dataclass
class Source:
    """An open response: what it says about itself, and its body as chunks."""

    url: str
    content_type: str | None
    content_length: int | None
    _response: httpx.Response = field(repr=False, compare=False)
    _max_bytes: int | None = field(repr=False, compare=False)
    _chunk_size: int = field(repr=False, compare=False)

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body, at most `chunk_size` bytes at a time; raises SourceTooLarge as soon as the
        running total passes max_bytes, without reading further."""
        total = 0
        with _translated("the source broke off while sending"):
            # aiter_bytes is an async generator, though typed as an iterator
            body = self._response.aiter_bytes(self._chunk_size)
            async with aclosing(body):  # type: ignore[type-var]
                async for chunk in body:
                    total += len(chunk)
                    if self._max_bytes is not None and total > self._max_bytes:
                        raise SourceTooLarge(self._max_bytes)
                    yield chunk


@asynccontextmanager
async def fetch(
    url: str,
    *,
    allow_hosts: Collection[str],
    max_bytes: int | None,
    timeout: float,  # noqa: ASYNC109 - handed to httpx, which applies it per connect and read
    chunk_size: int = 1 << 20,
) -> AsyncIterator[Source]:
    """Open `url` (following at most MAX_REDIRECTS redirects, each one re-checked) and yield the
    successful response as a Source; everything is closed when the block ends. `timeout` bounds
    connecting and each read; `allow_hosts` are host names or IP literals exempt from the check."""
    check_url(url)
    allowed = frozenset(host_key(host) for host in allow_hosts)
    async with httpx.AsyncClient(
        transport=_GuardedTransport(allowed),
        trust_env=False,  # no proxy (nor anything else) from the environment
        follow_redirects=False,  # followed below, so that every hop is checked
        timeout=httpx.Timeout(timeout),
        # plain bodies only, if the source agrees: httpx decodes one network read at a time,
        # and a compressed read can expand a thousandfold before our count sees it
        headers={"Accept-Encoding": "identity"},
    ) as client:
        response = await _open(client, url)
        try:
            yield _source(response, max_bytes, chunk_size)
        finally:
            await response.aclose()


async def _open(client: httpx.AsyncClient, url: str) -> httpx.Response:
    for _ in range(MAX_REDIRECTS + 1):
        check_url(url)
        with _translated("the source could not be reached"):
            response = await client.send(client.build_request("GET", url), stream=True)
        location = response.headers.get("location")
        if response.status_code not in _REDIRECTS or location is None:
            if not response.is_success:
                await response.aclose()
                raise SourceFailed(f"the source answered HTTP {response.status_code}")
            return response
        await response.aclose()
        try:
            url = str(response.url.join(location))
        except httpx.InvalidURL as exc:
            raise AddressRefused("the source redirected to an invalid URL") from exc
    raise SourceFailed(f"the source redirected more than {MAX_REDIRECTS} times")


def _source(response: httpx.Response, max_bytes: int | None, chunk_size: int) -> Source:
    length: int | None = None
    encoded = response.headers.get("content-encoding", "identity").lower() != "identity"
    declared = response.headers.get("content-length", "")
    # a Content-Length counts encoded bytes, not the ones we stream out
    if declared.isascii() and declared.isdigit() and not encoded:
        length = int(declared)
    if max_bytes is not None and length is not None and length > max_bytes:
        raise SourceTooLarge(max_bytes)
    return Source(
        url=str(response.url),
        content_type=response.headers.get("content-type"),
        content_length=length,
        _response=response,
        _max_bytes=max_bytes,
        _chunk_size=chunk_size,
    )


@contextmanager
def _translated(message: str) -> Iterator[None]:
    """httpx's errors as ours; the user sees `message`, never internals (those are chained)."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise SourceFailed("the source timed out") from exc
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise AddressRefused("the source URL must be an absolute http or https URL") from exc
    except httpx.HTTPError as exc:
        raise SourceFailed(message) from exc


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport, with a connection pool whose every connection goes through
    _GuardedBackend."""

    def __init__(self, allowed: frozenset[str]) -> None:
        ssl_context = httpx.create_ssl_context(trust_env=False)
        super().__init__(verify=ssl_context, trust_env=False)
        # httpcore takes a network backend (AsyncConnectionPool(network_backend=...), public
        # API), but httpx 0.28's transport does not pass one through (an open httpx proposal
        # would add it). Writing our own transport on httpcore would copy httpx's private
        # request and error mapping, so we keep httpx's transport and replace the pool it
        # built, unused so far, with an equal one on our backend. The check makes a future
        # httpx that keeps its pool elsewhere fail here, instead of silently fetching unguarded.
        if type(self._pool) is not httpcore.AsyncConnectionPool:
            raise RuntimeError("this httpx keeps its connection pool elsewhere; pin httpx")
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context, network_backend=_GuardedBackend(allowed)
        )


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves each host itself, refuses it when any of its addresses is forbidden, and
    connects to the very address it checked: DNS cannot answer differently in between
    (rebinding). TLS still verifies the URL's host name: httpcore passes it to start_tls."""

    def __init__(self, allowed: frozenset[str]) -> None:
        self._allowed = allowed
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if host_key(host) in self._allowed:
            return await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        try:
            async with asyncio.timeout(timeout):
                addresses = await _resolve(host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
        if any(is_forbidden(address) for address in addresses):
            raise AddressRefused(f"the source host {host} is not a public address")
        failure = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                failure = exc
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("the source must be reached over TCP")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


async def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:  # socket.gaierror: no such host
        raise httpcore.ConnectError(f"{host} could not be resolved") from exc
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
