"""CATALOG_PUBLIC_SCHEMA=false puts the SDL, GraphiQL and introspection under the auth mode;
the request id a client sends is echoed only when it is a plain token."""

from __future__ import annotations

import httpx
import pytest
from conftest import make_settings

from glaregraph.server.app import create_app

INTROSPECTION = {"query": "{ __schema { queryType { name } } }"}
ALICE = {"authorization": "Bearer alice-token"}


@pytest.fixture
async def private(migrated):
    app = create_app(make_settings(migrated, public_schema=False))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as http:
        yield http
    await app.state.catalog.db.dispose()


async def test_anonymous_gets_401_for_sdl_graphiql_and_introspection(private):
    assert (await private.get("/schema.graphql")).status_code == 401
    page = await private.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 401
    assert page.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await private.post("/graphql", json=INTROSPECTION)).status_code == 401


async def test_a_token_opens_them_again(private):
    assert (await private.get("/schema.graphql", headers=ALICE)).status_code == 200
    page = await private.get("/graphql", headers={"accept": "text/html", **ALICE})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    body = (await private.post("/graphql", json=INTROSPECTION, headers=ALICE)).json()
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_request_id_is_echoed_only_when_plain(private):
    ok = await private.post(
        "/graphql",
        json={"query": "{ me { userId } }"},
        headers={"x-request-id": "req-42.a_b", **ALICE},
    )
    assert ok.headers["x-request-id"] == "req-42.a_b"
    odd = await private.post(
        "/graphql",
        json={"query": "{ me { userId } }"},
        headers={"x-request-id": "x\tinjected value", **ALICE},
    )
    assert odd.headers["x-request-id"] != "x\tinjected value"
    assert len(odd.headers["x-request-id"]) == 32


async def test_a_bad_token_on_the_sdl_is_401_not_a_crash(private, gql):
    for client in (private, gql.http):
        response = await client.get("/schema.graphql", headers={"authorization": "Bearer nope"})
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
