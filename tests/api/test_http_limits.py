"""Body size and query limits (depth, aliases, cost): refused before anything runs."""

from __future__ import annotations

import json

import httpx
import pytest
from conftest import make_settings

from glaregraph.server.app import create_app

AUTH = {"authorization": "Bearer alice-token"}
SMALL = {"max_body_bytes": 2000, "max_query_depth": 4, "max_query_cost": 50, "max_query_aliases": 3}


@pytest.fixture(scope="module")
async def small_app(migrated):
    app = create_app(make_settings(migrated, **SMALL))
    yield app
    await app.state.catalog.db.dispose()


@pytest.fixture
async def small(small_app):
    transport = httpx.ASGITransport(app=small_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def _post(http, query, variables=None):
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=AUTH
    )
    body = response.json()
    return response.status_code, body


def _nested(levels):
    return '{ artifact(id: "x") { ' + "derivedFrom { " * levels + "id" + " }" * levels + " } }"


async def test_body_over_the_limit_is_413(small):
    query = "{ me { userId } }" + " " * 3000
    response = await small.post("/graphql", json={"query": query}, headers=AUTH)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_chunked_body_over_the_limit_is_413(small):
    async def chunks():
        yield b'{"query": "{ me { userId } }", "pad": "'
        for _ in range(100):
            yield b"x" * 100
        yield b'"}'

    response = await small.post("/graphql", content=chunks(), headers=AUTH)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_body_at_the_limit_is_read(small):
    payload = {"query": "{ me { userId } }", "pad": ""}
    size = len(json.dumps(payload).encode())
    payload["pad"] = "x" * (SMALL["max_body_bytes"] - size)
    content = json.dumps(payload).encode()
    assert len(content) == SMALL["max_body_bytes"]
    headers = {**AUTH, "content-type": "application/json"}
    response = await small.post("/graphql", content=content, headers=headers)
    assert response.status_code == 200
    assert response.json()["data"] == {"me": {"userId": "alice"}}


async def test_depth_over_the_limit(small):
    status, body = await _post(small, _nested(4))  # artifact + 4 x derivedFrom + id = 6
    ext = body["errors"][0]["extensions"]
    assert (ext["code"], ext["limit"], ext["actual"]) == ("QUERY_TOO_COMPLEX", 4, 6)
    assert "data" not in body or body["data"] is None
    assert status < 500


async def test_depth_at_the_limit_runs(small):
    status, body = await _post(small, _nested(2))  # depth 4
    assert status == 200
    assert body == {"data": {"artifact": None}}


async def test_depth_counts_through_fragments(small):
    query = """
    query { artifact(id: "x") { ...A } }
    fragment A on Artifact { derivedFrom { ...B } }
    fragment B on Artifact { derivedFrom { derivedFrom { id } } }"""
    _, body = await _post(small, query)
    ext = body["errors"][0]["extensions"]
    assert (ext["code"], ext["actual"]) == ("QUERY_TOO_COMPLEX", 5)


async def test_too_many_aliases(small):
    query = "{ " + " ".join(f"a{i}: me {{ userId }}" for i in range(5)) + " }"
    _, body = await _post(small, query)
    ext = body["errors"][0]["extensions"]
    assert (ext["code"], ext["limit"], ext["actual"]) == ("QUERY_TOO_COMPLEX", 3, 5)


async def test_cost_over_the_limit(small):
    query = "{ images(first: 10) { nodes { id name version owner createdBy } } }"
    _, body = await _post(small, query)
    ext = body["errors"][0]["extensions"]
    assert (ext["code"], ext["limit"]) == ("QUERY_TOO_COMPLEX", 50)
    assert ext["actual"] > 50


async def test_cost_uses_first_from_variables(small):
    query = "query($n: Int) { images(first: $n) { nodes { id name } } }"
    status, body = await _post(small, query, {"n": 2})
    assert status == 200
    _, body = await _post(small, query, {"n": 40})
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_cost_without_first_uses_the_default_page(small):
    _, body = await _post(small, "{ images { nodes { id name } } }")  # 25 x 3 > 50
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_too_complex_mutation_does_not_run(small, gql):
    aliases = " ".join(f'm{i}: imageCreate(input: {{name: "n{i}"}}) {{ id }}' for i in range(4))
    _, body = await _post(small, "mutation { " + aliases + " }")
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert (await gql("{ images { totalCount } }"))["images"]["totalCount"] == 0


async def test_default_depth_limit_is_15(gql):
    ext = await gql.error(_nested(15))  # depth 17
    assert (ext["code"], ext["limit"], ext["actual"]) == ("QUERY_TOO_COMPLEX", 15, 17)
    assert (await gql(_nested(13)))["artifact"] is None  # depth 15


async def test_default_alias_limit_is_200(gql):
    query = "{ " + " ".join(f"a{i}: me {{ userId }}" for i in range(201)) + " }"
    ext = await gql.error(query)
    assert (ext["code"], ext["limit"], ext["actual"]) == ("QUERY_TOO_COMPLEX", 200, 201)
    query = "{ " + " ".join(f"a{i}: me {{ userId }}" for i in range(200)) + " }"
    assert len(await gql(query)) == 200


async def test_default_cost_limit_is_100000(gql):
    fields = "id name version owner createdBy status visibility tags metadata revision"
    pages = " ".join(f"p{i}: images(first: 500) {{ nodes {{ {fields} }} }}" for i in range(20))
    ext = await gql.error("{ " + pages + " }")
    assert (ext["code"], ext["limit"]) == ("QUERY_TOO_COMPLEX", 100000)
    assert ext["actual"] > 100000


async def test_default_body_limit_is_1_mib(gql):
    query = "{ me { userId } }" + " " * (1_048_576 + 10)
    response = await gql.http.post("/graphql", json={"query": query}, headers=AUTH)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
