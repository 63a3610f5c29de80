"""Who is calling: `dev` (a local admin; loopback only) and `static` bearer tokens.

OIDC/JWT verification plugs in here as a third authenticator (its own capability).
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
    def authenticate(self, authorization: str | None) -> Principal:
        """The caller; an anonymous Principal when no credentials came; raises Unauthenticated."""


@dataclass(frozen=True)
class DevAuthenticator:
    def authenticate(self, authorization: str | None) -> Principal:
        return DEV_PRINCIPAL


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

    def authenticate(self, authorization: str | None) -> Principal:
        if authorization is None:
            return Principal.anonymous_user()
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("expected 'Authorization: Bearer <token>'")
        for known, principal in self._tokens.items():
            if hmac.compare_digest(known.encode(), token.strip().encode()):
                return principal
        raise Unauthenticated("unknown or invalid token")


def make_authenticator(settings: Settings) -> Authenticator:
    if settings.auth == "dev":
        return DevAuthenticator()
    if settings.auth == "static":
        if settings.static_tokens is None:
            raise ValueError("CATALOG_AUTH=static needs CATALOG_STATIC_TOKENS")
        return StaticTokenAuthenticator(settings.static_tokens, settings.admin_role)
    raise ValueError("CATALOG_AUTH=oidc is not available in this version; use dev or static")


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
