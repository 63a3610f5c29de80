"""A small local OpenID Connect identity provider for tests: a Starlette app serving discovery
and a JWKS (Keycloak's paths), with keys generated per run (RSA, EC, OKP via joserfc), that can
publish new keys (rotation), withdraw them and go down (503 on every request), served by
uvicorn in a thread (`IdP.running()`). `mint` signs tokens with its keys."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import time
import warnings
from collections.abc import Iterator
from typing import Any

from joserfc import jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, OKPKey, RSAKey
from servers import free_port, in_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

AUDIENCE = "glaregraph"
REALM_PATH = "/realms/test"
PrivateKey = RSAKey | ECKey | OKPKey
_DEFAULT_ALG = {"RSA": "RS256", "EC": "ES256", "OKP": "EdDSA"}
_EC_CURVES = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}


def generate_key(kind: str = "RSA", kid: str | None = None, alg: str | None = None) -> PrivateKey:
    """A new private key: kind RSA (2048 bits), EC (curve of `alg`, P-256 by default), OKP."""
    params: dict[str, Any] = {"use": "sig"}
    if kid is not None:
        params["kid"] = kid
    alg = alg or _DEFAULT_ALG[kind]
    if kind == "RSA":
        return RSAKey.generate_key(2048, parameters=params)
    if kind == "EC":
        return ECKey.generate_key(_EC_CURVES[alg], parameters=params)
    return OKPKey.generate_key("Ed25519", parameters=params)


def b64(data: bytes | dict[str, Any]) -> str:
    raw = json.dumps(data).encode() if isinstance(data, dict) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class IdP:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.issuer = f"http://127.0.0.1:{self.port}{REALM_PATH}"
        self.jwks_uri = f"{self.issuer}/protocol/openid-connect/certs"
        self.keys: dict[str, PrivateKey] = {}  # every key made, published or not
        self.published: list[str] = []  # kids in the JWKS, in order
        self.down = False  # True: every request answers 503
        self.hits = {"discovery": 0, "jwks": 0}
        self.app = Starlette(
            routes=[
                Route(f"{REALM_PATH}/.well-known/openid-configuration", self._discovery),
                Route(f"{REALM_PATH}/protocol/openid-connect/certs", self._jwks),
            ]
        )

    # --- keys -------------------------------------------------------------------------------

    def add_key(
        self, kid: str, kind: str = "RSA", alg: str | None = None, publish: bool = True
    ) -> PrivateKey:
        key = generate_key(kind, kid, alg)
        self.keys[kid] = key
        if publish:
            self.publish(kid)
        return key

    def publish(self, kid: str) -> None:
        if kid not in self.published:
            self.published.append(kid)

    def withdraw(self, kid: str) -> None:
        self.published.remove(kid)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.keys[kid].as_dict(private=False) for kid in self.published]}

    # --- tokens -----------------------------------------------------------------------------

    def claims(self, **overrides: Any) -> dict[str, Any]:
        """A valid access token's claims; an override of None removes that claim."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": "alice",
            "project_id": "p1",
            "roles": ["member"],
            "iat": now,
            "exp": now + 300,
            **overrides,
        }
        return {k: v for k, v in claims.items() if v is not None}

    def mint(
        self,
        claims: dict[str, Any] | None = None,
        *,
        kid: str | None = None,
        alg: str | None = None,
        key: PrivateKey | None = None,
        with_kid: bool = True,
        header: dict[str, Any] | None = None,
    ) -> str:
        """A token signed by key `kid` (default: the first published key) or by `key`; its
        header names the kid unless `with_kid` is False."""
        kid = kid or (key.kid if key is not None else self.published[0])
        signer = key or self.keys[kid]
        alg = alg or _DEFAULT_ALG[signer.key_type]
        head: dict[str, Any] = {"alg": alg, **(header or {})}
        if with_kid and kid is not None:
            head["kid"] = kid
        with warnings.catch_warnings():  # joserfc: "EdDSA is deprecated via RFC 9864"
            warnings.filterwarnings("ignore", "EdDSA is deprecated", SecurityWarning)
            return jwt.encode(head, claims or self.claims(), signer, algorithms=[alg])

    # --- service ----------------------------------------------------------------------------

    async def _discovery(self, _: Request) -> Response:
        if self.down:
            return Response("down", status_code=503)
        self.hits["discovery"] += 1
        return JSONResponse(
            {
                "issuer": self.issuer,
                "jwks_uri": self.jwks_uri,
                "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            }
        )

    async def _jwks(self, _: Request) -> Response:
        if self.down:
            return Response("down", status_code=503)
        self.hits["jwks"] += 1
        return JSONResponse(self.jwks())

    @contextlib.contextmanager
    def running(self) -> Iterator[IdP]:
        with in_thread(self.app, self.port):
            yield self


def unsigned_token(claims: dict[str, Any], kid: str | None = None) -> str:
    """alg=none: header and payload, empty signature."""
    head = {"alg": "none", "typ": "JWT", **({"kid": kid} if kid else {})}
    return f"{b64(head)}.{b64(claims)}."


def hs256_token(claims: dict[str, Any], secret: bytes, kid: str | None = None) -> str:
    """HS256 with `secret` (e.g. an RSA public key's PEM: the algorithm-confusion attack)."""
    head = {"alg": "HS256", "typ": "JWT", **({"kid": kid} if kid else {})}
    signing_input = f"{b64(head)}.{b64(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


def tampered(token: str, **changes: Any) -> str:
    """The same header and signature over a changed payload."""
    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return f"{head}.{b64({**claims, **changes})}.{signature}"
