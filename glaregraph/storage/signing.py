"""HMAC-SHA256 signed URLs of the local store: the signature covers the method, the resource path,
the expiry and every query parameter, so no part of a URL can be changed or added."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Literal
from urllib.parse import parse_qsl, quote

METHOD = "method"
EXPIRES = "expires"
SIGNATURE = "signature"

Reason = Literal["expired", "tampered", "method"]


class SignatureInvalid(Exception):
    """A signed URL was refused; `reason` says why (expired, tampered or method)."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason: Reason = reason


class UrlSigner:
    """Signs and verifies query strings with one secret key."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("a signing key needs at least 16 bytes")
        self._key = key

    def sign(self, method: str, path: str, params: Mapping[str, str], expires_at: datetime) -> str:
        """The query string (signature last) that allows `method` on `path` until `expires_at`."""
        if expires_at.tzinfo is None:
            raise ValueError("expires_at must be timezone-aware")
        if {METHOD, EXPIRES, SIGNATURE} & params.keys():
            raise ValueError("method, expires and signature are reserved parameter names")
        signed = {**params, METHOD: method.upper(), EXPIRES: str(int(expires_at.timestamp()))}
        pairs = sorted(signed.items())
        pairs.append((SIGNATURE, self._signature(path, pairs)))
        return _canonical(pairs)

    def verify(
        self,
        method: str,
        path: str,
        query: str | Iterable[tuple[str, str]],
        now: datetime,
    ) -> dict[str, str]:
        """The signed parameters (method and expires included) if the query allows `method` on
        `path` at `now`; otherwise SignatureInvalid. A GET signature also allows HEAD."""
        pairs = parse_qsl(query, keep_blank_values=True) if isinstance(query, str) else list(query)
        params = dict(pairs)
        given = params.pop(SIGNATURE, None)
        if len(params) + 1 != len(pairs) or given is None or not {METHOD, EXPIRES} <= params.keys():
            raise SignatureInvalid("tampered")  # a repeated name or a missing part
        expected = self._signature(path, sorted(params.items()))
        # compare_digest takes as long for any mismatch: the time says nothing of the secret
        if not hmac.compare_digest(expected.encode(), given.encode()):
            raise SignatureInvalid("tampered")
        allowed = params[METHOD]
        if method.upper() != allowed and not (allowed == "GET" and method.upper() == "HEAD"):
            raise SignatureInvalid("method")
        if now.timestamp() >= int(params[EXPIRES]):
            raise SignatureInvalid("expired")
        return params

    def _signature(self, path: str, pairs: list[tuple[str, str]]) -> str:
        message = f"{path}\n{_canonical(pairs)}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _canonical(pairs: Iterable[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in pairs)
