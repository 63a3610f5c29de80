"""`CATALOG_AUTH=oidc`: glaregraph as an OAuth 2 / OIDC resource server.

A bearer token is a JWS-signed JWT from CATALOG_OIDC_ISSUER, verified with joserfc (the JOSE
base of authlib) against the issuer's JWKS (oidc_keys.KeyCache): an asymmetric algorithm only,
`iss`, `aud`, `exp` (required) and `nbf` within the leeway, then the user, project and roles
claims by dotted paths become the Principal. `verify_token` is the one place a token is
checked; the HTTP endpoint calls it through `authenticate`, and a websocket `connection_init`
can call it with the token from its payload.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwt import JWTClaimsRegistry

from glaregraph.catalog.principal import Principal
from glaregraph.server.auth import InvalidToken, bearer_token
from glaregraph.server.oidc_keys import KeyCache, KeysUnavailable
from glaregraph.server.settings import Settings

ALGORITHMS = (
    *("RS256", "RS384", "RS512"),
    *("PS256", "PS384", "PS512"),
    *("ES256", "ES384", "ES512"),
    "EdDSA",
)
# Keycloak puts realm roles here; used when CATALOG_OIDC_ROLES_CLAIM is not set and the token
# has no top-level `roles`.
KEYCLOAK_REALM_ROLES = "realm_access.roles"


class _Registry(jws.JWSRegistry):
    """Only the asymmetric algorithms exist here: `none` and HS* cannot even be looked up."""


def _algorithms() -> dict[str, Any]:
    found = {name: copy.copy(jws.JWSRegistry.algorithms[name]) for name in ALGORITHMS}
    # joserfc warns on every use of `EdDSA` (RFC 9864 prefers Ed25519/Ed448, which IdPs do not
    # emit yet); the issuer's choice of name is not for us to warn about.
    found["EdDSA"].security_warning = None
    return found


_Registry.algorithms = _algorithms()
_Registry.recommended = list(ALGORITHMS)
# Extra header parameters (typ, x5t, ...) are ignored as RFC 7515 says; `crit` and `b64`
# (unencoded payloads) have no place in an access token.
_JWS = _Registry(algorithms=ALGORITHMS, strict_check_header=False)
_REFUSED_HEADERS = ("crit", "b64")


class OIDCAuthenticator:
    def __init__(
        self,
        settings: Settings,
        *,
        refetch_interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not settings.oidc_issuer or not settings.oidc_audience:
            raise ValueError(
                "CATALOG_AUTH=oidc needs CATALOG_OIDC_ISSUER and CATALOG_OIDC_AUDIENCE"
            )
        self.issuer = settings.oidc_issuer
        self.audience = settings.oidc_audience
        self.admin_role = settings.admin_role
        self.keys = KeyCache(
            self.issuer,
            settings.oidc_jwks_url,
            timeout=settings.oidc_timeout,
            refetch_interval=refetch_interval,
            clock=clock,
        )
        self.claims = JWTClaimsRegistry(
            leeway=settings.oidc_leeway,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            exp={"essential": True},
        )
        self.user_path = _path(settings.oidc_user_claim)
        self.project_path = _path(settings.oidc_project_claim)
        self.roles_paths = (
            (_path(settings.oidc_roles_claim),)
            if settings.oidc_roles_claim
            else (("roles",), _path(KEYCLOAK_REALM_ROLES))
        )

    async def start(self) -> None:
        """Fetch the keys at start (retried, never fatal)."""
        await self.keys.start()

    async def authenticate(self, authorization: str | None) -> Principal:
        if authorization is None:
            return Principal.anonymous_user()
        return await self.verify_token(bearer_token(authorization))

    async def verify_token(self, token: str) -> Principal:
        """The Principal a JWT names; raises InvalidToken (an Unauthenticated) with the reason."""
        try:
            obj = jws.extract_compact(token.encode(), registry=_JWS)
            header = obj.headers()
            alg, kid = header.get("alg"), header.get("kid")
            if alg not in ALGORITHMS:
                raise InvalidToken(f"token algorithm {alg!r} is not accepted")
            if any(name in header for name in _REFUSED_HEADERS):
                raise InvalidToken("token header has unsupported parameters")
            if kid is not None and not isinstance(kid, str):
                raise InvalidToken("token kid is not a string")
            key = await self.keys.get(kid)
            if not jws.validate_compact(obj, key, registry=_JWS):
                raise InvalidToken("token signature is invalid")
            claims = json.loads(obj.payload)
            if not isinstance(claims, dict):
                raise InvalidToken("token payload is not a JSON object")
            self.claims.validate(claims)
        except KeysUnavailable as exc:
            raise InvalidToken(str(exc)) from exc
        except JoseError as exc:
            raise InvalidToken(f"invalid token: {_describe(exc)}") from exc
        except (ValueError, TypeError, RecursionError) as exc:  # malformed beyond joserfc's checks
            raise InvalidToken("malformed token") from exc
        return self.principal(claims)

    def principal(self, claims: dict[str, Any]) -> Principal:
        user = _claim(claims, self.user_path)
        if not isinstance(user, str) or not user:
            raise InvalidToken(f"token has no user claim {'.'.join(self.user_path)!r}")
        project = _claim(claims, self.project_path)
        if isinstance(project, list) and len(project) == 1:
            project = project[0]
        if not isinstance(project, str) or not project:
            raise InvalidToken(f"token has no single project claim {'.'.join(self.project_path)!r}")
        roles = self._roles(claims)
        sub = claims.get("sub")
        return Principal(
            user_id=user,
            project=project,
            roles=roles,
            is_admin=self.admin_role in roles,
            subject=sub if isinstance(sub, str) else None,
            issuer=self.issuer,
        )

    def _roles(self, claims: dict[str, Any]) -> tuple[str, ...]:
        for path in self.roles_paths:
            value = _claim(claims, path)
            if value is None:
                continue
            if isinstance(value, str):  # a space-separated string, like `scope`
                return tuple(value.split())
            if isinstance(value, list) and all(isinstance(r, str) for r in value):
                return tuple(value)
            raise InvalidToken(f"token roles claim {'.'.join(path)!r} is not a list of strings")
        return ()


def _path(dotted: str) -> tuple[str, ...]:
    return tuple(part for part in dotted.split(".") if part)


def _claim(claims: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The value at a dotted path. A claim name may itself contain dots (Auth0's
    `https://example.com/project`, a client id `my.client`): the longest name that exists at
    each level wins."""
    if not path:
        return claims
    for end in range(len(path), 0, -1):
        name = ".".join(path[:end])
        if name in claims:
            value = claims[name]
            if end == len(path):
                return value
            return _claim(value, path[end:]) if isinstance(value, dict) else None
    return None


def _describe(exc: JoseError) -> str:
    """joserfc's error code, the claim it is about, and its description."""
    claim = getattr(exc, "claim", None)
    code = f"{exc.error} ({claim})" if isinstance(claim, str) else exc.error
    return f"{code}: {exc.description}" if exc.description else code
