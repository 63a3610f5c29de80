"""Error codes of GraphQL requests: parse, validation, variable coercion and tokens."""

from __future__ import annotations

import pytest

CREATE = "mutation($input: ImageCreateInput!) { imageCreate(input: $input) { id } }"


@pytest.mark.parametrize(
    "query",
    [
        "{ images { ",
        "query {",
        "{ me { userId } } }",
        "mutation(",
        '{ image(name: "x) { id } }',
        "",
    ],
)
async def test_document_that_does_not_parse(gql, query):
    ext = await gql.error(query)
    assert ext["code"] == "GRAPHQL_PARSE_FAILED"


@pytest.mark.parametrize(
    "query",
    [
        "{ images { nope } }",
        "{ nope }",
        "{ me }",  # object without a selection
        "{ me { userId { x } } }",
        "{ images(nope: 1) { totalCount } }",
        "{ artifact { id } }",  # missing required argument
        "query($x: NoSuchType) { me { userId } }",
        "query($x: Int) { me { userId } }",  # unused variable
        "{ me { ...F } }",  # unknown fragment
        "fragment F on Principal { userId } { me { userId } }",  # unused fragment
        "query A { me { userId } } query A { me { project } }",
    ],
)
async def test_document_that_does_not_validate(gql, query):
    ext = await gql.error(query)
    assert ext["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize(
    "query",
    [
        '{ images(first: "ten") { totalCount } }',
        "{ images(filter: {name: {eq: 5}}) { totalCount } }",
        "{ images(filter: {nope: {eq: 1}}) { totalCount } }",
        "{ images(sort: [{field: NOPE}]) { totalCount } }",
        "{ images(filter: {status: {eq: DELETED}}) { totalCount } }",
        '{ images(filter: {status: {eq: "ACTIVE"}}) { totalCount } }',
        "mutation { imageCreate(input: {}) { id } }",
        'mutation { imageCreate(input: {name: "x", bogus: 1}) { id } }',
        "mutation { imageCreate(input: {name: null}) { id } }",
        'mutation { imageCreate(input: {name: "x", minRam: 3000000000}) { id } }',
    ],
)
async def test_inline_argument_of_wrong_shape_fails_validation(gql, query):
    ext = await gql.error(query)
    assert ext["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"input": {}}, "input.name"),
        ({"input": {"name": None}}, "input.name"),
        ({"input": {"name": "x", "bogus": 1}}, "input.bogus"),
        ({"input": {"name": 5}}, "input.name"),
        ({"input": {"name": "x", "minRam": "big"}}, "input.minRam"),
        ({"input": {"name": "x", "minRam": 2**31}}, "input.minRam"),
        ({"input": {"name": "x", "minRam": 1.5}}, "input.minRam"),
        ({"input": {"name": "x", "tags": {"a": 1}}}, "input.tags"),
        ({}, "input"),
        ({"input": None}, "input"),
        ({"input": "x"}, "input"),
    ],
)
async def test_variable_that_does_not_fit_is_bad_user_input(gql, variables, field):
    ext = await gql.error(CREATE, variables)
    assert ext["code"] == "BAD_USER_INPUT"
    assert ext["field"] == field
    assert (await gql("{ images { totalCount } }"))["images"]["totalCount"] == 0


async def test_nested_variable_path_names_the_list_item(gql):
    ext = await gql.error(CREATE, {"input": {"name": "x", "tags": ["ok", 3]}})
    assert ext["code"] == "BAD_USER_INPUT"
    assert ext["field"].startswith("input.tags")


async def test_nested_filter_variable_path(gql):
    ext = await gql.error(
        "query($f: ImageFilter) { images(filter: $f) { totalCount } }",
        {"f": {"and": [{"name": {"eq": 1}}]}},
    )
    assert ext["code"] == "BAD_USER_INPUT"
    assert ext["field"].startswith("f.and")


async def test_scalar_variable_of_wrong_type(gql):
    ext = await gql.error("query($id: ID!) { artifact(id: $id) { id } }", {"id": {"not": "an id"}})
    assert ext["code"] == "BAD_USER_INPUT"
    assert ext["field"] == "id"


@pytest.mark.parametrize(
    ("variables", "field"),
    [({"d": "yesterday"}, "d"), ({"d": 12}, "d"), ({"d": "2024-13-45T99:00:00Z"}, "d")],
)
async def test_bad_custom_scalar_variable(sample_gql, variables, field):
    ext = await sample_gql.error(
        "query($d: DateTime) { sampleArtifacts(filter: {createdAt: {gt: $d}}) { totalCount } }",
        variables,
    )
    assert ext["code"] == "BAD_USER_INPUT"
    assert ext["field"] == field


async def test_bad_json_scalar_variable_on_metadata(gql):
    ext = await gql.error(CREATE, {"input": {"name": "x", "metadata": ["not", "an", "object"]}})
    assert ext["code"] == "BAD_USER_INPUT"
    assert ext["field"].startswith("input.metadata")


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer wrong-token",
        "Bearer",
        "Bearer ",
        "bearer",
        "Basic YWxpY2U6c2VjcmV0",
        "Token alice-token",
        "Bearer alice-token extra",
        "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.",
    ],
)
async def test_bad_token_is_401_unauthenticated(gql, authorization):
    response = await gql.http.post(
        "/graphql", json={"query": "{ me { userId } }"}, headers={"authorization": authorization}
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_bad_token_is_refused_even_for_introspection(gql):
    response = await gql.http.post(
        "/graphql",
        json={"query": "{ __schema { queryType { name } } }"},
        headers={"authorization": "Bearer wrong-token"},
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_errors_have_no_nested_details(gql):
    ext = await gql.error(CREATE, {"input": {}})
    assert "details" not in ext
    assert set(ext) >= {"code", "field"}


async def test_error_responses_are_json_with_a_code(gql):
    for query in ("{", "{ nope }", "{ artifact(id: 1.5) { id } }"):
        response = await gql.post(query)
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["errors"][0]["extensions"]["code"]
