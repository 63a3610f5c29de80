"""CATALOG_AUTH=oidc through the real app: tokens minted by a local identity provider
(tests/idp.py, uvicorn in a thread) and verified against its discovery document and JWKS."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from conftest import make_settings
from idp import AUDIENCE, IdP, generate_key, hs256_token, tampered, unsigned_token
from starlette.applications import Starlette

from glaregraph.server.app import create_app
from glaregraph.server.auth import InvalidToken, challenge, make_authenticator
from glaregraph.server.oidc import OIDCAuthenticator
from glaregraph.server.settings import ConfigurationError, check_configuration

ME = "{ me { userId project roles isAdmin } }"


class Clock:
    """Monotonic time the tests move by hand (the JWKS refetch interval)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def idp() -> Iterator[IdP]:
    provider = IdP()
    provider.add_key("rsa-1", "RSA")
    provider.add_key("ec-1", "EC")
    with provider.running():
        yield provider


@pytest.fixture(autouse=True)
def _idp_up(idp: IdP) -> Iterator[None]:
    yield
    idp.down = False


def authenticator_of(app: Starlette) -> OIDCAuthenticator:
    for route in app.routes:
        if getattr(route, "path", None) == "/graphql":
            auth = route.endpoint.__self__.authenticator  # type: ignore[attr-defined]
            assert isinstance(auth, OIDCAuthenticator)
            return auth
    raise AssertionError("no /graphql route")


class Client:
    def __init__(self, http: httpx.AsyncClient, auth: OIDCAuthenticator) -> None:
        self.http, self.auth = http, auth
        self.clock = Clock()
        auth.keys.clock = self.clock

    async def post(self, token: str | None, query: str = ME) -> httpx.Response:
        headers = {"authorization": f"Bearer {token}"} if token is not None else {}
        return await self.http.post("/graphql", json={"query": query}, headers=headers)

    async def me(self, token: str) -> dict[str, Any]:
        response = await self.post(token)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body
        return body["data"]["me"]

    async def refused(self, token: str | None, reason: str = "") -> str:
        """Asserts a 401 UNAUTHENTICATED; the message."""
        response = await self.post(token)
        body = response.json()
        assert response.status_code == 401, body
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", body
        message: str = body["errors"][0]["message"]
        assert reason in message, message
        return message


@contextlib.asynccontextmanager
async def oidc_client(migrated: str, idp: IdP, **settings: Any) -> AsyncIterator[Client]:
    values = {"auth": "oidc", "oidc_issuer": idp.issuer, "oidc_audience": AUDIENCE, **settings}
    app = create_app(make_settings(migrated, **values))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield Client(http, authenticator_of(app))
    finally:
        await app.state.catalog.db.dispose()


@pytest.fixture(scope="module")
async def shared(migrated: str, idp: IdP) -> AsyncIterator[Client]:
    async with oidc_client(migrated, idp) as client:
        yield client


@pytest.fixture
async def oidc(shared: Client) -> Client:
    shared.clock.now += 60  # every test starts past the refetch interval of the last one
    return shared


# --- valid tokens -----------------------------------------------------------------------------


async def test_a_valid_rs256_token_names_user_project_and_roles(oidc, idp):
    me = await oidc.me(idp.mint(idp.claims(roles=["member", "reader"]), kid="rsa-1"))
    assert me == {
        "userId": "alice",
        "project": "p1",
        "roles": ["member", "reader"],
        "isAdmin": False,
    }


@pytest.mark.parametrize(("kind", "alg"), [("RSA", "PS256"), ("RSA", "RS512"), ("EC", "ES384")])
async def test_other_asymmetric_algorithms_verify(migrated, idp, kind, alg):
    idp.add_key(f"{alg}-key", kind, alg)
    async with oidc_client(migrated, idp) as client:
        me = await client.me(idp.mint(idp.claims(roles=["admin"]), kid=f"{alg}-key", alg=alg))
    assert me["isAdmin"] is True


async def test_es256_and_eddsa_tokens_verify(oidc, idp):
    assert (await oidc.me(idp.mint(kid="ec-1")))["userId"] == "alice"
    idp.add_key("okp-1", "OKP")
    oidc.clock.now += 10  # a new kid: the next unknown kid refetches
    assert (await oidc.me(idp.mint(kid="okp-1", alg="EdDSA")))["project"] == "p1"


async def test_leeway_of_60_seconds_on_exp_and_nbf(oidc, idp):
    now = int(time.time())
    await oidc.me(idp.mint(idp.claims(exp=now - 30)))
    await oidc.me(idp.mint(idp.claims(nbf=now + 30)))


async def test_aud_may_be_a_list_containing_ours(oidc, idp):
    await oidc.me(idp.mint(idp.claims(aud=["account", AUDIENCE])))
    await oidc.refused(idp.mint(idp.claims(aud=["account", "other"])), "aud")


async def test_project_may_be_a_one_element_list(oidc, idp):
    assert (await oidc.me(idp.mint(idp.claims(project_id=["p7"]))))["project"] == "p7"
    await oidc.refused(idp.mint(idp.claims(project_id=["p7", "p8"])), "project_id")
    await oidc.refused(idp.mint(idp.claims(project_id=[])), "project_id")
    await oidc.refused(idp.mint(idp.claims(project_id={"id": "p7"})), "project_id")


async def test_no_token_is_anonymous(oidc):
    introspection = await oidc.post(None, "{ __schema { queryType { name } } }")
    assert introspection.status_code == 200, introspection.json()
    assert await oidc.refused(None) == "authentication required"


# --- refusals ---------------------------------------------------------------------------------


async def test_expired_and_not_yet_valid_tokens_are_refused(oidc, idp):
    now = int(time.time())
    await oidc.refused(idp.mint(idp.claims(exp=now - 61)), "expired")
    await oidc.refused(idp.mint(idp.claims(iat=now - 400, exp=now - 300)), "expired")
    await oidc.refused(idp.mint(idp.claims(nbf=now + 120)), "nbf")
    await oidc.refused(idp.mint(idp.claims(exp=None)), "exp")


async def test_wrong_issuer_or_audience_is_refused(oidc, idp):
    await oidc.refused(idp.mint(idp.claims(iss="http://127.0.0.1:1/realms/other")), "iss")
    await oidc.refused(idp.mint(idp.claims(iss=None)), "iss")
    await oidc.refused(idp.mint(idp.claims(aud="other")), "aud")
    await oidc.refused(idp.mint(idp.claims(aud=None)), "aud")


async def test_missing_user_or_project_claim_is_refused(oidc, idp):
    await oidc.refused(idp.mint(idp.claims(sub=None)), "user claim 'sub'")
    await oidc.refused(idp.mint(idp.claims(project_id=None)), "project claim 'project_id'")


async def test_tampered_payload_is_refused(oidc, idp):
    token = idp.mint(idp.claims(roles=["member"]))
    await oidc.refused(tampered(token, roles=["admin"]), "signature")
    await oidc.refused(tampered(token, sub="root"), "signature")


async def test_alg_none_is_refused(oidc, idp):
    await oidc.refused(unsigned_token(idp.claims(), kid="rsa-1"), "'none'")
    await oidc.refused(unsigned_token(idp.claims()), "'none'")


async def test_hs256_signed_with_the_public_key_is_refused(oidc, idp):
    rsa = idp.keys["rsa-1"]
    for secret in (rsa.as_pem(private=False), rsa.as_bytes(private=False)):
        await oidc.refused(hs256_token(idp.claims(), secret, kid="rsa-1"), "'HS256'")
    await oidc.refused(hs256_token(idp.claims(), b"x" * 32), "'HS256'")


async def test_a_key_not_of_the_issuer_is_refused(oidc, idp):
    forged = generate_key("RSA", "rsa-1")  # the issuer's kid, another key
    await oidc.refused(idp.mint(key=forged), "signature")
    oidc.clock.now += 10
    stranger = generate_key("RSA", "stranger")
    await oidc.refused(idp.mint(key=stranger), "no key of the issuer has kid 'stranger'")


async def test_alg_not_matching_the_key_type_is_refused(oidc, idp):
    token = idp.mint(kid="rsa-1")
    _, payload, signature = token.split(".")
    ec_token = idp.mint(kid="ec-1")
    await oidc.refused(f"{ec_token.split('.')[0]}.{payload}.{signature}")  # ES256 header, RSA key
    await oidc.refused(idp.mint(kid="rsa-1", key=idp.keys["ec-1"], alg="ES256"))


@pytest.mark.parametrize(
    "token",
    ["garbage", "a.b.c", "a.b", "e30.e30.", "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln", "x" * 5000],
)
async def test_malformed_tokens_are_refused(oidc, token):
    await oidc.refused(token)


async def test_non_bearer_authorization_is_refused(oidc):
    response = await oidc.http.post(
        "/graphql", json={"query": ME}, headers={"authorization": "Basic YWxpY2U6c2VjcmV0"}
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_schema_endpoint_refuses_a_bad_token(oidc, idp):
    response = await oidc.http.get(
        "/schema.graphql", headers={"authorization": f"Bearer {idp.mint(idp.claims(aud='x'))}"}
    )
    assert response.status_code == 401
    ok = await oidc.http.get("/schema.graphql", headers={"authorization": f"Bearer {idp.mint()}"})
    assert ok.status_code == 200


@pytest.mark.parametrize("with_token", [True, False])
async def test_401_carries_www_authenticate_bearer(oidc, idp, with_token):
    response = await oidc.post(idp.mint(idp.claims(aud="x")) if with_token else None)
    assert response.status_code == 401
    assert response.headers.get("www-authenticate", "").startswith("Bearer")
    assert ('error="invalid_token"' in response.headers["www-authenticate"]) is with_token


def test_challenge_values():
    assert challenge(InvalidToken('bad "token"\n')) == (
        'Bearer error="invalid_token", error_description="bad token"'
    )
    from glaregraph.catalog.errors import Unauthenticated

    assert challenge(Unauthenticated("authentication required")) == "Bearer"


# --- keys: kid, rotation, issuer down ----------------------------------------------------------


async def test_token_without_kid_uses_the_only_key(migrated):
    with IdP().running() as single:
        single.add_key("only", "RSA")
        async with oidc_client(migrated, single) as client:
            assert (await client.me(single.mint(with_kid=False)))["userId"] == "alice"


async def test_token_without_kid_is_refused_when_the_set_has_several_keys(oidc, idp):
    await oidc.refused(idp.mint(kid="rsa-1", with_kid=False), "no kid")


async def test_rotation_refetches_an_unknown_kid_at_most_every_10_seconds(migrated):
    with IdP().running() as issuer:
        issuer.add_key("k1", "RSA")
        async with oidc_client(migrated, issuer) as client:
            assert (await client.me(issuer.mint(kid="k1")))["userId"] == "alice"
            assert issuer.hits == {"discovery": 1, "jwks": 1}

            issuer.add_key("k2", "EC", publish=False)
            client.clock.now += 10
            await client.refused(issuer.mint(kid="k2"), "kid 'k2'")  # refetched: not there yet
            assert issuer.hits["jwks"] == 2
            issuer.publish("k2")  # the issuer rotates
            client.clock.now += 9.9
            await client.refused(issuer.mint(kid="k2"), "kid 'k2'")  # too soon to refetch
            await client.refused(issuer.mint(kid="k2"), "kid 'k2'")
            assert issuer.hits["jwks"] == 2
            client.clock.now += 0.1
            assert (await client.me(issuer.mint(kid="k2")))["userId"] == "alice"
            assert (await client.me(issuer.mint(kid="k1")))["userId"] == "alice"
            assert issuer.hits == {"discovery": 1, "jwks": 3}  # discovery once, JWKS per refetch

            issuer.withdraw("k1")
            issuer.add_key("k3", "RSA")
            client.clock.now += 10
            assert (await client.me(issuer.mint(kid="k3")))["userId"] == "alice"
            await client.refused(issuer.mint(kid="k1"), "kid 'k1'")  # withdrawn keys stop working


async def test_keys_keep_working_while_the_issuer_is_down(migrated, idp):
    async with oidc_client(migrated, idp) as client:
        await client.me(idp.mint(kid="rsa-1"))
        await client.me(idp.mint(kid="ec-1"))
        idp.down = True
        client.clock.now += 60
        await client.refused(idp.mint(key=generate_key("RSA", "new")), "kid 'new'")
        client.clock.now += 60
        await client.me(idp.mint(kid="rsa-1"))
        await client.me(idp.mint(kid="ec-1"))


async def test_issuer_down_at_start_is_401_until_it_comes_back(migrated, idp):
    idp.down = True
    async with oidc_client(migrated, idp) as client:
        assert await client.auth.keys.start(attempts=2, delay=0) is False
        assert client.auth.keys.fetches == 2
        token = idp.mint(kid="rsa-1")
        await client.refused(token, "keys are not available")
        client.clock.now += 10
        await client.refused(token, "keys are not available")  # a lazy refetch, still down
        idp.down = False
        await client.refused(token, "keys are not available")  # within 10 s of that attempt
        client.clock.now += 10
        await client.me(token)


async def test_start_fetches_the_keys(migrated, idp):
    async with oidc_client(migrated, idp) as client:
        await client.auth.start()
        assert set(client.auth.keys.keys) == set(idp.published)
        before = dict(idp.hits)
        await client.me(idp.mint(kid="ec-1"))
        assert idp.hits == before  # requests use the cached keys


async def test_configured_jwks_url_skips_discovery(migrated, idp):
    async with oidc_client(migrated, idp, oidc_jwks_url=idp.jwks_uri) as client:
        before = idp.hits["discovery"]
        await client.me(idp.mint())
        assert idp.hits["discovery"] == before


async def test_discovery_naming_another_issuer_fetches_no_keys(migrated, idp):
    async with oidc_client(migrated, idp, oidc_issuer=idp.issuer + "/") as client:
        await client.refused(idp.mint(idp.claims(iss=idp.issuer + "/")), "not available")


# --- claims mapping ---------------------------------------------------------------------------


def keycloak_claims(idp: IdP, **extra: Any) -> dict[str, Any]:
    claims = idp.claims(**{"roles": None, "sub": "f3c1e0a2-user-uuid", "project_id": None, **extra})
    claims.update(
        {
            "typ": "Bearer",
            "azp": "glaregraph-cli",
            "preferred_username": "alice",
            "groups": ["/p1"],
            "project": ["p1"],
            "realm_access": {"roles": ["offline_access", "admin", "uma_authorization"]},
            "resource_access": {
                "my-client": {"roles": ["member", "uploader"]},
                "account": {"roles": ["manage-account"]},
            },
        }
    )
    return claims


async def test_keycloak_realm_roles_are_the_default_roles(migrated, idp):
    async with oidc_client(
        migrated, idp, oidc_user_claim="preferred_username", oidc_project_claim="project"
    ) as client:
        me = await client.me(idp.mint(keycloak_claims(idp)))
    assert me == {
        "userId": "alice",
        "project": "p1",
        "roles": ["offline_access", "admin", "uma_authorization"],
        "isAdmin": True,
    }


async def test_configured_roles_claim_replaces_both_defaults(migrated, idp):
    async with oidc_client(
        migrated,
        idp,
        oidc_project_claim="project",
        oidc_roles_claim="resource_access.my-client.roles",
    ) as client:
        me = await client.me(idp.mint(keycloak_claims(idp, roles=["admin"])))
        assert me == {
            "userId": "f3c1e0a2-user-uuid",
            "project": "p1",
            "roles": ["member", "uploader"],
            "isAdmin": False,
        }
        claims = keycloak_claims(idp)
        del claims["resource_access"]
        assert (await client.me(idp.mint(claims)))["roles"] == []


async def test_claim_names_with_dots(migrated, idp):
    async with oidc_client(
        migrated, idp, oidc_project_claim="https://example.com/claims.project"
    ) as client:
        claims = idp.claims(project_id=None, **{"https://example.com/claims": {"project": "p9"}})
        assert (await client.me(idp.mint(claims)))["project"] == "p9"


async def test_roles_that_are_not_strings_are_refused(oidc, idp):
    await oidc.refused(idp.mint(idp.claims(roles=[{"name": "admin"}])), "roles")


async def test_verify_token_is_the_one_check_for_any_transport(idp):
    """What a websocket connection_init would call with the token from its payload; the refetch
    interval is a constructor argument."""
    settings = make_settings(
        "sqlite+aiosqlite://", auth="oidc", oidc_issuer=idp.issuer, oidc_audience=AUDIENCE
    )
    clock = Clock()
    auth = OIDCAuthenticator(settings, refetch_interval=30, clock=clock)
    principal = await auth.verify_token(idp.mint(idp.claims(sub="bob", project_id="p2")))
    assert (principal.user_id, principal.project, principal.subject) == ("bob", "p2", "bob")
    assert principal.issuer == idp.issuer
    assert auth.keys.fetches == 1
    clock.now += 29
    with pytest.raises(InvalidToken, match="kid 'late'"):
        await auth.verify_token(idp.mint(key=generate_key("RSA", "late")))
    assert auth.keys.fetches == 1


# --- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "missing"),
    [({"oidc_audience": AUDIENCE}, "ISSUER"), ({"oidc_issuer": "https://idp.example"}, "AUDIENCE")],
)
def test_oidc_needs_issuer_and_audience(values, missing):
    settings = make_settings("sqlite+aiosqlite://", auth="oidc", **values)
    with pytest.raises(ValueError, match=missing):
        make_authenticator(settings)
    with pytest.raises(ConfigurationError, match="CATALOG_OIDC_ISSUER and CATALOG_OIDC_AUDIENCE"):
        check_configuration(settings)
