"""Who is calling: `dev` (a local admin; loopback only), `static` bearer tokens, and `oidc`
JWTs from an OpenID Connect issuer (glaregraph.server.oidc).

Authenticators are async (an OIDC one may have to fetch the issuer's keys). `authenticate`
takes the Authorization header; `verify_token` takes a bare token (a websocket's
`connection_init` payload carries one).
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import yaml

from glaregraph.catalog.errors import Unauthenticated
from glaregraph.catalog.principal import Principal
from glaregraph.server.settings import Settings

DEV_PRINCIPAL = Principal(user_id="dev", project="dev", roles=("admin",), is_admin=True)


class Authenticator(Protocol):
    async def authenticate(self, authorization: str | None) -> Principal:
        """The caller; an anonymous Principal when no credentials came; raises Unauthenticated."""

    async def verify_token(self, token: str) -> Principal:
        """The caller a bare bearer token names; raises InvalidToken."""

    async def start(self) -> None:
        """Work done once when the server starts (OIDC: fetch the issuer's keys); not fatal."""


class InvalidToken(Unauthenticated):
    """A token came and was refused: its 401 says `error="invalid_token"` (RFC 6750 §3.1)."""


def challenge(exc: Unauthenticated) -> str:
    """The WWW-Authenticate value of a 401 answering `exc`."""
    if not isinstance(exc, InvalidToken):
        return "Bearer"
    description = "".join(c for c in exc.message if c.isprintable() and c not in '"\\')
    return f'Bearer error="invalid_token", error_description="{description[:200]}"'


def bearer_token(authorization: str) -> str:
    """The token of an `Authorization: Bearer <token>` header; raises InvalidToken."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("expected 'Authorization: Bearer <token>'")
    return token.strip()


@dataclass(frozen=True)
class DevAuthenticator:
    async def authenticate(self, authorization: str | None) -> Principal:
        return DEV_PRINCIPAL

    async def verify_token(self, token: str) -> Principal:
        return DEV_PRINCIPAL

    async def start(self) -> None:
        return None


class StaticTokenAuthenticator:
    """Tokens from a YAML file: `tokens: {<token>: {user, project, roles}}`."""

    def __init__(self, path: Path, admin_role: str) -> None:
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: not valid YAML: {exc}") from exc
        tokens = doc.get("tokens") if isinstance(doc, dict) else None
        if not isinstance(tokens, dict):
            raise ValueError(f"{path}: expected 'tokens: {{<token>: {{user, project, roles}}}}'")
        self._tokens: dict[str, Principal] = {}
        for token, claims in tokens.items():
            if not isinstance(claims, dict) or not claims.get("user") or not claims.get("project"):
                raise ValueError(f"{path}: every token needs a user and a project")
            roles = tuple(str(r) for r in claims.get("roles") or ())
            self._tokens[str(token)] = Principal(
                user_id=str(claims["user"]),
                project=str(claims["project"]),
                roles=roles,
                is_admin=admin_role in roles,
            )

    async def authenticate(self, authorization: str | None) -> Principal:
        if authorization is None:
            return Principal.anonymous_user()
        return await self.verify_token(bearer_token(authorization))

    async def verify_token(self, token: str) -> Principal:
        for known, principal in self._tokens.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                return principal
        raise InvalidToken("unknown or invalid token")

    async def start(self) -> None:
        return None


def make_authenticator(settings: Settings) -> Authenticator:
    if settings.auth == "dev":
        return DevAuthenticator()
    if settings.auth == "static":
        if settings.static_tokens is None:
            raise ValueError("CATALOG_AUTH=static needs CATALOG_STATIC_TOKENS")
        return StaticTokenAuthenticator(settings.static_tokens, settings.admin_role)
    from glaregraph.server.oidc import OIDCAuthenticator  # it builds on this module

    return OIDCAuthenticator(settings)


def check_bind(settings: Settings, host: str) -> None:
    """`dev` auth makes everyone an admin, so it may only listen on loopback."""
    if settings.auth != "dev":
        return
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise SystemExit(
            f"refusing to serve CATALOG_AUTH=dev on non-loopback host {host!r}; "
            "use static or oidc auth"
        )
