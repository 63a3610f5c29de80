"""Requests without a token: refused (but introspection) by default; PUBLIC-only reads when
anonymous reads are on, and mutations then get UNAUTHENTICATED."""

from __future__ import annotations

import httpx
import pytest
from conftest import SAMPLE_TYPES, make_settings

from glaregraph.server.app import create_app

CREATE = """
mutation($input: SampleArtifactCreateInput!) { sampleArtifactCreate(input: $input) { id } }"""
INTROSPECTION = "{ __schema { queryType { name } } }"


@pytest.fixture(scope="module")
async def open_app(migrated):
    app = create_app(make_settings(migrated, types=SAMPLE_TYPES, anonymous_read=True))
    yield app
    await app.state.catalog.db.dispose()


@pytest.fixture
async def anon(open_app):
    transport = httpx.ASGITransport(app=open_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def _post(http, query, variables=None, headers=None):
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers or {}
    )
    return response.status_code, response.json()


async def _world(gql):
    ids = {}
    for name in ("private", "public"):
        data = await gql(CREATE, {"input": {"name": name, "requiredOnActivate": "x"}})
        ids[name] = data["sampleArtifactCreate"]["id"]
    await gql("mutation($id: ID!) { artifactActivate(id: $id) { id } }", {"id": ids["public"]})
    await gql(
        "mutation($id: ID!) { artifactPublish(id: $id) { id } }", {"id": ids["public"]}, as_="admin"
    )
    return ids


@pytest.mark.parametrize(
    "query",
    [
        "{ me { userId } }",
        "{ sampleArtifacts { totalCount } }",
        "{ artifactTypes { name } }",
        'mutation { sampleArtifactCreate(input: {name: "x"}) { id } }',
    ],
)
async def test_anonymous_is_refused_when_anonymous_reads_are_off(sample_gql, query):
    response = await sample_gql.post(query, as_="anon")
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_introspection_is_allowed_without_a_token(sample_gql):
    response = await sample_gql.post(INTROSPECTION, as_="anon")
    assert response.status_code == 200
    assert response.json()["data"] == {"__schema": {"queryType": {"name": "Query"}}}
    response = await sample_gql.post('{ __type(name: "SampleArtifact") { name } }', as_="anon")
    assert response.json()["data"] == {"__type": {"name": "SampleArtifact"}}


async def test_introspection_mixed_with_data_is_refused(sample_gql):
    response = await sample_gql.post(
        "{ __schema { queryType { name } } sampleArtifacts { totalCount } }", as_="anon"
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_anonymous_sees_only_public(sample_gql, anon):
    ids = await _world(sample_gql)
    status, body = await _post(
        anon,
        "{ sampleArtifacts { totalCount nodes { name } } artifacts { totalCount nodes { name } } }",
    )
    assert status == 200
    assert body["data"]["sampleArtifacts"] == {"totalCount": 1, "nodes": [{"name": "public"}]}
    assert body["data"]["artifacts"] == {"totalCount": 1, "nodes": [{"name": "public"}]}
    for name, id_ in ids.items():
        _, body = await _post(anon, "query($id: ID!) { artifact(id: $id) { id } }", {"id": id_})
        assert (body["data"]["artifact"] is not None) is (name == "public")
    _, body = await _post(anon, '{ sampleArtifact(name: "private") { id } }')
    assert body["data"]["sampleArtifact"] is None


async def test_anonymous_me(anon):
    status, body = await _post(anon, "{ me { userId project roles isAdmin anonymous } }")
    assert status == 200
    assert body["data"]["me"] == {
        "userId": None,
        "project": None,
        "roles": [],
        "isAdmin": False,
        "anonymous": True,
    }


@pytest.mark.parametrize(
    "mutation",
    [
        'mutation { sampleArtifactCreate(input: {name: "x"}) { id } }',
        'mutation { artifactTagsAdd(id: "00000000-0000-0000-0000-000000000000", tags: ["a"])'
        " { id } }",
    ],
)
async def test_anonymous_mutations_are_unauthenticated(sample_gql, anon, mutation):
    _, body = await _post(anon, mutation)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await sample_gql("{ sampleArtifacts { totalCount } }", as_="admin"))["sampleArtifacts"][
        "totalCount"
    ] == 0


async def test_anonymous_mutation_on_public_artifact_changes_nothing(sample_gql, anon):
    ids = await _world(sample_gql)
    _, body = await _post(
        anon,
        'mutation($id: ID!) { artifactTagsAdd(id: $id, tags: ["x"]) { id } }',
        {"id": ids["public"]},
    )
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    data = await sample_gql(
        "query($id: ID!) { artifact(id: $id) { tags revision } }", {"id": ids["public"]}
    )
    assert data["artifact"]["tags"] == []


@pytest.mark.parametrize("token", ["Bearer nope", "Bearer ", "Basic YWxpY2U6eA==", "garbage"])
async def test_bad_token_is_401_even_with_anonymous_reads(anon, token):
    status, body = await _post(anon, "{ me { userId } }", headers={"authorization": token})
    assert status == 401
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_tokens_still_work_with_anonymous_reads_on(sample_gql, anon):
    await _world(sample_gql)
    status, body = await _post(
        anon, "{ sampleArtifacts { totalCount } }", headers={"authorization": "Bearer alice-token"}
    )
    assert status == 200
    assert body["data"]["sampleArtifacts"]["totalCount"] == 2
