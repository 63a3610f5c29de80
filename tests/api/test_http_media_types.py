"""GraphQL over HTTP media types: application/graphql-response+json when the client accepts it
(request errors 4xx), application/json otherwise (every well-formed request 200)."""

from __future__ import annotations

import pytest

AUTH = {"authorization": "Bearer alice-token"}
GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.mark.parametrize(
    ("query", "variables"),
    [("{ me { ", None), ("{ nope }", None), ("query($n: Int!) { me { userId } }", {"n": "x"})],
    ids=["parse", "validation", "variables"],
)
async def test_request_errors_by_media_type(gql, query, variables):
    body = {"query": query, "variables": variables}
    modern = await gql.http.post(
        "/graphql", json=body, headers={**AUTH, "accept": GRAPHQL_RESPONSE}
    )
    assert modern.status_code == 400
    assert modern.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    legacy = await gql.http.post(
        "/graphql", json=body, headers={**AUTH, "accept": "application/json"}
    )
    assert legacy.status_code == 200
    assert legacy.headers["content-type"].startswith("application/json")
    assert legacy.json()["errors"] == modern.json()["errors"]


async def test_data_is_200_in_either(gql):
    for accept in (GRAPHQL_RESPONSE, "application/json", "*/*"):
        answer = await gql.http.post(
            "/graphql", json={"query": "{ me { userId } }"}, headers={**AUTH, "accept": accept}
        )
        assert answer.status_code == 200
        assert answer.json() == {"data": {"me": {"userId": "alice"}}}


@pytest.mark.parametrize("extensions", ["x", 1, True, [1]])
async def test_extensions_must_be_an_object(gql, extensions):
    body = {"query": "{ me { userId } }", "extensions": extensions}
    answer = await gql.http.post("/graphql", json=body, headers=AUTH)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_a_mutation_over_get_is_405_with_allow_post(gql):
    answer = await gql.http.get(
        "/graphql",
        params={"query": 'mutation { imageCreate(input: {name: "g"}) { id } }'},
        headers=AUTH,
    )
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"


async def test_head_answers_as_get_without_a_body(gql):
    answer = await gql.http.head("/graphql", params={"query": "{ me { userId } }"}, headers=AUTH)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.content == b""
