"""The issuer's signing keys: found by OIDC discovery (or a configured JWKS URL), fetched with
httpx.AsyncClient, parsed once into a kid -> key map, and refetched when a token names a kid
that is not known yet (key rotation), at most once per `refetch_interval` seconds.

Fetch failures never reach a request as anything but "no such key": the keys already fetched
keep working while the issuer is unreachable.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, OKPKey, RSAKey

log = logging.getLogger(__name__)

AsymmetricKey = RSAKey | ECKey | OKPKey
ASYMMETRIC_KEY_TYPES = ("RSA", "EC", "OKP")


class KeysUnavailable(Exception):
    """No key can verify this token (unknown kid, ambiguous kid-less token, issuer not reached)."""


class JWKSFetchError(Exception):
    """Discovery or the JWKS fetch failed; the message says which and why."""


def parse_jwks(document: Any) -> dict[str | None, AsymmetricKey]:
    """The public, asymmetric signing keys of a JWKS document by kid (None for a key without
    one). Keys of other types (oct), for encryption, or that do not parse are skipped."""
    if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
        raise JWKSFetchError("the JWKS is not a JSON object with a 'keys' list")
    keys: dict[str | None, AsymmetricKey] = {}
    for data in document["keys"]:
        if not isinstance(data, Mapping) or data.get("kty") not in ASYMMETRIC_KEY_TYPES:
            continue
        if data.get("use", "sig") != "sig":
            continue
        public = {k: v for k, v in data.items() if k not in _PRIVATE_MEMBERS}
        try:
            key = KeySet.import_key_set({"keys": [public]}).keys[0]
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            log.warning(
                "OIDC: skipping a JWKS key (kid %r) that does not parse: %s", data.get("kid"), exc
            )
            continue
        assert isinstance(key, RSAKey | ECKey | OKPKey)
        kid = data.get("kid")
        keys[kid if isinstance(kid, str) else None] = key
    if not keys:
        raise JWKSFetchError("the JWKS has no usable asymmetric signing key")
    return keys


# JWK members of private keys (RFC 7518 §6.2.2, §6.3.2; RFC 8037): a JWKS publishes none, and a
# verifier must never hold them.
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


class KeyCache:
    """The issuer's keys, fetched lazily (or by `start`), refetched on unknown kids."""

    def __init__(
        self,
        issuer: str,
        jwks_url: str | None = None,
        *,
        timeout: float = 5.0,
        refetch_interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = issuer
        self.jwks_url = jwks_url  # found by discovery when not configured
        self.timeout = timeout
        self.refetch_interval = refetch_interval
        self.clock = clock  # replaceable, so tests can move time without sleeping
        self.keys: dict[str | None, AsymmetricKey] = {}
        self.fetches = 0  # completed fetch attempts, successful or not (for tests and logs)
        self._last_attempt: float | None = None
        self._lock: asyncio.Lock | None = None

    async def get(self, kid: str | None) -> AsymmetricKey:
        """The key for `kid`; a kid-less token gets the set's only key. Raises KeysUnavailable."""
        key = self._lookup(kid)
        if key is not None:
            return key
        if kid is None and len(self.keys) > 1:
            raise KeysUnavailable(f"the token has no kid and the issuer has {len(self.keys)} keys")
        await self.refresh()
        key = self._lookup(kid)
        if key is not None:
            return key
        if not self.keys:
            raise KeysUnavailable("the issuer's signing keys are not available")
        if kid is None:
            raise KeysUnavailable(f"the token has no kid and the issuer has {len(self.keys)} keys")
        raise KeysUnavailable(f"no key of the issuer has kid {kid!r}")

    def _lookup(self, kid: str | None) -> AsymmetricKey | None:
        if kid is None and len(self.keys) == 1:
            return next(iter(self.keys.values()))
        return self.keys.get(kid)

    async def refresh(self) -> bool:
        """Fetch the JWKS unless an attempt was made in the last `refetch_interval` seconds
        (callers waiting here share one attempt). True when keys were fetched now."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            now = self.clock()
            if self._last_attempt is not None and now - self._last_attempt < self.refetch_interval:
                return False
            self._last_attempt = now
            try:
                self.keys = await self.fetch()
            except JWKSFetchError as exc:
                log.warning("OIDC: %s; keeping %d known key(s)", exc, len(self.keys))
                return False
            finally:
                self.fetches += 1
            log.info("OIDC: fetched %d signing key(s) from %s", len(self.keys), self.jwks_url)
            return True

    async def start(self, attempts: int = 3, delay: float = 0.5) -> bool:
        """Fetch at start, retrying a few times; never fatal (requests fetch lazily later)."""
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(delay * 2 ** (attempt - 1))
            self._last_attempt = None  # start's retries are not rate-limited
            if await self.refresh():
                return True
        log.warning("OIDC: no signing keys at start; requests will fetch them when they can")
        return False

    async def fetch(self) -> dict[str | None, AsymmetricKey]:
        """Discovery (when no JWKS URL is known yet), then the JWKS, parsed."""
        async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=True) as http:
            if self.jwks_url is None:
                self.jwks_url = await self._discover(http)
            return parse_jwks(await _get_json(http, self.jwks_url, "the JWKS"))

    async def _discover(self, http: httpx.AsyncClient) -> str:
        url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        doc = await _get_json(http, url, "OIDC discovery")
        if not isinstance(doc, Mapping) or not isinstance(doc.get("jwks_uri"), str):
            raise JWKSFetchError(f"OIDC discovery at {url} names no jwks_uri")
        if doc.get("issuer") != self.issuer:
            raise JWKSFetchError(
                f"OIDC discovery at {url} names issuer {doc.get('issuer')!r}, "
                f"not CATALOG_OIDC_ISSUER {self.issuer!r}"
            )
        return str(doc["jwks_uri"])


async def _get_json(http: httpx.AsyncClient, url: str, what: str) -> Any:
    try:
        response = await http.get(url, headers={"accept": "application/json"})
        response.raise_for_status()
        return response.json()
    except httpx.HTTPError as exc:
        raise JWKSFetchError(f"{what} at {url} failed: {type(exc).__name__}: {exc}") from exc
    except ValueError as exc:
        raise JWKSFetchError(f"{what} at {url} is not JSON") from exc
