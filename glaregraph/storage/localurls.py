"""The local store's URLs: what it signs for each presigned request, and what a verified URL
allows when it comes back to the server's /transfer/ routes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from glaregraph.storage.base import PresignedRequest, check_key, content_disposition
from glaregraph.storage.signing import UrlSigner

TRANSFER_PATH = "/transfer/"


@dataclass(frozen=True, slots=True)
class Grant:
    """What a verified URL allows: an upload of exactly `size` bytes (of part `part` when
    `upload_id` is set), or a download answered with `content_type` and `disposition`."""

    method: str
    size: int | None = None
    content_type: str | None = None
    disposition: str | None = None
    upload_id: str | None = None
    part: int | None = None


class LocalUrls:
    """Builds `public_url/transfer/<key>?<signed query>`; pure computation."""

    def __init__(self, public_url: str, signing_key: bytes) -> None:
        self._base = public_url.rstrip("/") + TRANSFER_PATH
        self._signer = UrlSigner(signing_key)

    def upload(
        self, key: str, size: int, content_type: str | None, expires_at: datetime
    ) -> PresignedRequest:
        params = {"size": str(size)} | ({"type": content_type} if content_type else {})
        headers = {"Content-Type": content_type} if content_type else {}
        return self._request("PUT", key, params, headers, expires_at)

    def part(
        self, key: str, upload_id: str, number: int, size: int, expires_at: datetime
    ) -> PresignedRequest:
        params = {"size": str(size), "upload": upload_id, "part": str(number)}
        return self._request("PUT", key, params, {}, expires_at)

    def download(
        self, key: str, expires_at: datetime, filename: str | None, content_type: str | None
    ) -> PresignedRequest:
        params = {"type": content_type} if content_type else {}
        if filename:
            params["disposition"] = content_disposition(filename)
        return self._request("GET", key, params, {}, expires_at)

    def _request(
        self,
        method: str,
        key: str,
        params: dict[str, str],
        headers: dict[str, str],
        expires_at: datetime,
    ) -> PresignedRequest:
        query = self._signer.sign(method, check_key(key), params, expires_at)
        return PresignedRequest(f"{self._base}{key}?{query}", method, headers, None, expires_at)

    def check(
        self, method: str, key: str, query: str | Iterable[tuple[str, str]], now: datetime
    ) -> Grant:
        """What the signed `query` allows for `method` on `key` at `now`: SignatureInvalid
        if nothing, ValueError for a malformed key."""
        params = self._signer.verify(method, check_key(key), query, now)
        size, part = params.get("size"), params.get("part")
        return Grant(
            method=params["method"],
            size=int(size) if size is not None else None,
            content_type=params.get("type"),
            disposition=params.get("disposition"),
            upload_id=params.get("upload"),
            part=int(part) if part is not None else None,
        )
