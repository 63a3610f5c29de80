"""GraphQL over HTTP: request shapes, GET for queries, GraphiQL, SDL and health routes."""

from __future__ import annotations

import json

import pytest

AUTH = {"authorization": "Bearer alice-token"}


def _code(response):
    return response.json()["errors"][0]["extensions"]["code"]


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"{",
        b"",
        b"\xff\xfe\x00garbage",
        b"query { me { userId } }",
    ],
)
async def test_non_json_body_is_400_bad_request(gql, body):
    response = await gql.http.post(
        "/graphql", content=body, headers={**AUTH, "content-type": "application/json"}
    )
    assert response.status_code == 400
    assert _code(response) == "BAD_REQUEST"


@pytest.mark.parametrize(
    "payload",
    [
        [{"query": "{ me { userId } }"}],
        "{ me { userId } }",
        42,
        None,
        {},
        {"variables": {}},
        {"query": None},
        {"query": 5},
        {"query": ["{ me { userId } }"]},
        {"query": {"text": "{ me { userId } }"}},
        {"query": "{ me { userId } }", "variables": [1]},
        {"query": "{ me { userId } }", "variables": "x"},
        {"query": "{ me { userId } }", "operationName": 7},
    ],
)
async def test_body_that_is_not_a_graphql_request_is_400_bad_request(gql, payload):
    response = await gql.http.post(
        "/graphql",
        content=json.dumps(payload),
        headers={**AUTH, "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert _code(response) == "BAD_REQUEST"


async def test_post_query_works(gql):
    response = await gql.http.post("/graphql", json={"query": "{ me { userId } }"}, headers=AUTH)
    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"userId": "alice"}}}
    assert response.headers["content-type"].startswith("application/json")


async def test_get_query_works(gql):
    response = await gql.http.get("/graphql", params={"query": "{me{userId}}"}, headers=AUTH)
    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"userId": "alice"}}}


async def test_get_query_with_variables_and_operation_name(gql):
    params = {
        "query": "query A($n: String!) { image(name: $n) { id } } query B { me { userId } }",
        "variables": json.dumps({"n": "nope"}),
        "operationName": "A",
    }
    response = await gql.http.get("/graphql", params=params, headers=AUTH)
    assert response.status_code == 200
    assert response.json() == {"data": {"image": None}}


async def test_get_with_bad_variables_is_400(gql):
    params = {"query": "{ me { userId } }", "variables": "{not json"}
    response = await gql.http.get("/graphql", params=params, headers=AUTH)
    assert response.status_code == 400
    assert _code(response) == "BAD_REQUEST"


async def test_get_without_query_is_400(gql):
    response = await gql.http.get("/graphql", headers={**AUTH, "accept": "application/json"})
    assert response.status_code == 400
    assert _code(response) == "BAD_REQUEST"


@pytest.mark.parametrize(
    "query",
    [
        'mutation { imageCreate(input: {name: "x"}) { id } }',
        'query Q { me { userId } } mutation M { imageCreate(input: {name: "x"}) { id } }',
    ],
)
async def test_mutation_over_get_is_405_and_changes_nothing(gql, query):
    params = {"query": query}
    if query.startswith("query Q"):
        params["operationName"] = "M"
    response = await gql.http.get("/graphql", params=params, headers=AUTH)
    assert response.status_code == 405
    assert _code(response) == "BAD_REQUEST"
    assert (await gql("{ images { totalCount } }"))["images"]["totalCount"] == 0


async def test_get_of_query_operation_in_a_document_with_a_mutation_runs(gql):
    params = {
        "query": 'query Q { me { userId } } mutation M { imageCreate(input: {name: "x"}) { id } }',
        "operationName": "Q",
    }
    response = await gql.http.get("/graphql", params=params, headers=AUTH)
    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"userId": "alice"}}}


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
async def test_other_methods_are_refused(gql, method):
    response = await gql.http.request(method, "/graphql", headers=AUTH)
    assert response.status_code == 405


async def test_graphiql_page_for_browsers(gql):
    response = await gql.http.get("/graphql", headers={"accept": "text/html,application/xhtml"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_schema_sdl(gql):
    response = await gql.http.get("/schema.graphql")
    assert response.status_code == 200
    assert "interface Artifact" in response.text
    assert "type Image implements Artifact" in response.text
    assert "type Query" in response.text


async def test_sample_schema_sdl_has_sample_types(sample_gql):
    response = await sample_gql.http.get("/schema.graphql")
    assert "type SampleArtifact implements Artifact" in response.text


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_health_routes_need_no_token(gql, path):
    response = await gql.http.get(path)
    assert response.status_code == 200


async def test_request_id_is_echoed(gql):
    response = await gql.http.post(
        "/graphql",
        json={"query": "{ me { userId } }"},
        headers={**AUTH, "x-request-id": "req-123"},
    )
    assert response.headers["x-request-id"] == "req-123"


async def test_batched_requests_are_not_accepted(gql):
    body = [{"query": "{ me { userId } }"}, {"query": "{ me { project } }"}]
    response = await gql.http.post("/graphql", json=body, headers=AUTH)
    assert response.status_code == 400
    assert _code(response) == "BAD_REQUEST"


async def test_operation_name_selects_the_operation(gql):
    query = "query A { me { userId } } query B { me { project } }"
    response = await gql.post(query, operationName="B")
    assert response.json() == {"data": {"me": {"project": "p1"}}}


async def test_several_operations_without_a_name_is_an_error(gql):
    response = await gql.post("query A { me { userId } } query B { me { project } }")
    body = response.json()
    assert response.status_code < 500
    assert body["errors"][0]["extensions"]["code"] in (
        "GRAPHQL_VALIDATION_FAILED",
        "BAD_USER_INPUT",
        "BAD_REQUEST",
    )


async def test_unknown_operation_name_is_an_error(gql):
    response = await gql.post("query A { me { userId } }", operationName="Z")
    assert response.status_code < 500
    assert response.json()["errors"][0]["extensions"]["code"]


async def test_wrong_method_and_unknown_path_answer_in_json(gql):
    put = await gql.http.put("/graphql", json={"query": "{ me { userId } }"})
    assert put.status_code == 405
    assert put.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    missing = await gql.http.get("/nowhere")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
