"""What a browser app on another origin meets first: CORS preflights and headers, and no
mutation through a request a browser sends without a preflight (a text/plain or form POST)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from conftest import make_settings

from glaregraph.server.app import create_app

CREATE = '{"query": "mutation { imageCreate(input: {name: \\"csrf\\"}) { id } }"}'
COUNT = "{ images { totalCount } }"


@pytest.fixture
async def browser(migrated: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(migrated, cors_origins=["https://app.example.org"]))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
    await app.state.catalog.db.dispose()


def _preflight(origin: str) -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }


async def test_an_allowed_origin_gets_its_preflight_and_headers(browser):
    answer = await browser.options("/graphql", headers=_preflight("https://app.example.org"))
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "https://app.example.org"
    assert "authorization" in answer.headers["access-control-allow-headers"].lower()
    posted = await browser.post(
        "/graphql",
        json={"query": "{ me { userId } }"},
        headers={"origin": "https://app.example.org", "authorization": "Bearer alice-token"},
    )
    assert posted.headers["access-control-allow-origin"] == "https://app.example.org"
    assert "x-request-id" in posted.headers["access-control-expose-headers"].lower()


async def test_another_origin_gets_no_cors_answer(browser):
    answer = await browser.options("/graphql", headers=_preflight("https://evil.example.com"))
    assert answer.status_code == 400
    assert "access-control-allow-origin" not in answer.headers


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None]
)
async def test_a_simple_request_runs_nothing(browser, content_type):
    headers = {"origin": "https://evil.example.com", "authorization": "Bearer alice-token"}
    if content_type:
        headers["content-type"] = content_type
    answer = await browser.post("/graphql", content=CREATE, headers=headers)
    assert answer.status_code == 415
    assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    count = await browser.post(
        "/graphql", json={"query": COUNT}, headers={"authorization": "Bearer alice-token"}
    )
    assert count.json()["data"]["images"]["totalCount"] == 0


async def test_json_with_a_charset_is_json(browser):
    answer = await browser.post(
        "/graphql",
        content='{"query": "{ me { userId } }"}',
        headers={
            "content-type": "application/json; charset=utf-8",
            "authorization": "Bearer alice-token",
        },
    )
    assert answer.json() == {"data": {"me": {"userId": "alice"}}}


async def test_dev_mode_allows_loopback_origins(migrated: str):
    app = create_app(make_settings(migrated, auth="dev"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        ok = await http.options("/graphql", headers=_preflight("http://localhost:5173"))
        assert ok.headers["access-control-allow-origin"] == "http://localhost:5173"
        other = await http.options("/graphql", headers=_preflight("https://example.org"))
        assert "access-control-allow-origin" not in other.headers
    await app.state.catalog.db.dispose()


async def test_a_browser_may_put_to_a_presigned_local_url_and_read_its_etag(browser):
    headers = {**_preflight("https://app.example.org"), "access-control-request-method": "PUT"}
    answer = await browser.options("/transfer/uploads/x", headers=headers)
    assert answer.status_code == 200
    assert "PUT" in answer.headers["access-control-allow-methods"]
    got = await browser.get(
        "/graphql?query={__typename}", headers={"origin": "https://app.example.org"}
    )
    assert "etag" in got.headers["access-control-expose-headers"].lower()
