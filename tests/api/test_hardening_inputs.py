"""Inputs refused before they reach the database: unstorable strings, out-of-range date-times,
versions whose key does not fit; and the parse cache and page costs of odd requests."""

from __future__ import annotations

import json

import httpx
import pytest
from conftest import make_settings

from glaregraph.catalog.listing import DEFAULT_PAGE
from glaregraph.catalog.typedef.loader import load_registry
from glaregraph.schema.build import build_schema
from glaregraph.schema.executor import MAX_CACHED_QUERY, Executor
from glaregraph.schema.limits import Limits
from glaregraph.server.app import create_app

CREATE = """
mutation($input: SampleArtifactCreateInput!) {
  sampleArtifactCreate(input: $input) { id versionField } }"""
CREATE_IMAGE = "mutation($input: ImageCreateInput!) { imageCreate(input: $input) { id version } }"
LIST = "query($filter: SampleArtifactFilter) { sampleArtifacts(filter: $filter) { totalCount } }"
TAGS_REMOVE = (
    "mutation($id: ID!, $tags: [String!]!) { artifactTagsRemove(id: $id, tags: $tags) { id } }"
)
ALIAS_SET = "mutation($id: ID!, $alias: String!) { aliasSet(id: $id, alias: $alias) { aliases } }"
SHARE = "mutation($id: ID!, $project: String!) { artifactShare(id: $id, project: $project) { id } }"
READ = "query($id: ID!) { artifact(id: $id) { id aliases sharedWith tags } }"
AUTH = {"authorization": "Bearer alice-token"}

# (document, variables, the path named in `field`); "ID" stands for a real artifact's id
UNSTORABLE = {
    "eq variable": (LIST, {"filter": {"name": {"eq": "a\x00"}}}, "filter.name.eq"),
    "like variable": (LIST, {"filter": {"name": {"like": "%\x00%"}}}, "filter.name.like"),
    "hasKey surrogate": (
        LIST,
        {"filter": {"strDict": {"hasKey": "k\ud800"}}},
        "filter.strDict.hasKey",
    ),
    "in list": (LIST, {"filter": {"name": {"in": ["a", "\udfff"]}}}, "filter.name.in[1]"),
    "nested not": (LIST, {"filter": {"not": {"name": {"eq": "\x00"}}}}, "filter.not.name.eq"),
    "id variable": ("query($id: ID!) { artifact(id: $id) { id } }", {"id": "\x00"}, "id"),
    "id literal": ('{ artifact(id: "\\u0000") { id } }', None, "id"),
    "lookup name": ('{ sampleArtifact(name: "a\\u0000") { id } }', None, "name"),
    "lookup alias": ('{ sampleArtifact(alias: "x\\u0000") { id } }', None, "alias"),
    "literal filter": (
        '{ sampleArtifacts(filter: {name: {eq: "\\u0000"}}) { totalCount } }',
        None,
        "filter.name.eq",
    ),
    "literal input list": (
        'mutation { sampleArtifactCreate(input: {name: "n", tags: ["a\\u0000"]}) { id } }',
        None,
        "input.tags[0]",
    ),
    "variable default": (
        'query($n: String = "a\\u0000") { sampleArtifact(name: $n) { id } }',
        None,
        "n",
    ),
    "input name": (CREATE, {"input": {"name": "a\x00b"}}, "input.name"),
    "input surrogate": (CREATE, {"input": {"name": "\ud800"}}, "input.name"),
    "input tag": (CREATE, {"input": {"name": "n", "tags": ["ok", "b\x00"]}}, "input.tags[1]"),
    "metadata value": (
        CREATE,
        {"input": {"name": "n", "metadata": {"k": "\x00"}}},
        "input.metadata.k",
    ),
    "metadata key": (
        CREATE,
        {"input": {"name": "n", "metadata": {"k\x00": "v"}}},
        "input.metadata",
    ),
    "tags remove": (TAGS_REMOVE, {"id": "ID", "tags": ["ok", "b\x00"]}, "tags[1]"),
    "alias nul": (ALIAS_SET, {"id": "ID", "alias": "a\x00"}, "alias"),
    "alias surrogate": (ALIAS_SET, {"id": "ID", "alias": "a\ud800"}, "alias"),
    "share project nul": (SHARE, {"id": "ID", "project": "p\x00"}, "project"),
    "share project surrogate": (SHARE, {"id": "ID", "project": "p\udc00"}, "project"),
}


async def _post(http, body):
    """Posts `body` as ASCII JSON (httpx's own encoder cannot write a lone surrogate), accepting
    application/graphql-response+json: request errors then answer 4xx (GraphQL over HTTP)."""
    content = json.dumps(body).encode()
    headers = {
        **AUTH,
        "content-type": "application/json",
        "accept": "application/graphql-response+json",
    }
    return await http.post("/graphql", content=content, headers=headers)


def _with_id(value, artifact_id):
    if isinstance(value, dict):
        return {k: _with_id(v, artifact_id) for k, v in value.items()}
    return artifact_id if value == "ID" else value


@pytest.mark.parametrize(
    ("query", "variables", "field"), UNSTORABLE.values(), ids=UNSTORABLE.keys()
)
async def test_unstorable_strings_are_bad_user_input(sample_gql, query, variables, field):
    created = await sample_gql(CREATE, {"input": {"name": "x", "tags": ["t"]}})
    artifact_id = created["sampleArtifactCreate"]["id"]
    body = {"query": query, "variables": _with_id(variables, artifact_id)}
    response = await _post(sample_gql.http, body)
    body = response.json()
    assert response.status_code == 400, body
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert "data" not in body
    artifact = (await sample_gql(READ, {"id": artifact_id}))["artifact"]
    assert (artifact["aliases"], artifact["sharedWith"], artifact["tags"]) == ([], [], ["t"])
    assert (await sample_gql(LIST))["sampleArtifacts"]["totalCount"] == 1


async def test_ordinary_unicode_passes(sample_gql):
    name = "é😀\u2028\x01"  # astral characters arrive as one code point, not a surrogate pair
    await sample_gql(CREATE, {"input": {"name": name, "metadata": {"ключ": "значение"}}})
    found = await sample_gql(LIST, {"filter": {"name": {"eq": name}}})
    assert found["sampleArtifacts"]["totalCount"] == 1
    literal = '{ sampleArtifacts(filter: {name: {eq: "\\uD83D\\uDE00"}}) { totalCount } }'
    assert (await sample_gql(literal))["sampleArtifacts"]["totalCount"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {  # graphql-core quotes an unknown key in its message
            "query": CREATE,
            "variables": {"input": {"name": "n", "\ud800": 1}},
        },
        {"query": LIST, "operationName": "\ud800"},
    ],
    ids=["unknown key", "operation name"],
)
async def test_messages_quoting_a_lone_surrogate_are_rendered(sample_gql, body):
    response = await _post(sample_gql.http, body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] in ("BAD_USER_INPUT", "BAD_REQUEST")


@pytest.mark.parametrize(
    "spec",
    [
        {"createdAt": {"gt": "0001-01-01T00:00:00+01:00"}},
        {"datetimeField": {"lt": "9999-12-31T23:59:59-01:00"}},
    ],
    ids=["createdAt before year 1 in UTC", "datetimeField after 9999 in UTC"],
)
async def test_out_of_range_datetimes_are_bad_user_input(sample_gql, spec):
    response = await _post(sample_gql.http, {"query": LIST, "variables": {"filter": spec}})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    field, ops = next(iter(spec.items()))
    op, value = next(iter(ops.items()))
    literal = f'{{ sampleArtifacts(filter: {{{field}: {{{op}: "{value}"}}}}) {{ totalCount }} }}'
    ext = await sample_gql.error(literal)
    assert ext["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_datetimes_at_the_edges_of_the_range_still_work(sample_gql):
    await sample_gql(CREATE, {"input": {"name": "n", "datetimeField": "2024-01-01T00:00:00Z"}})
    for spec, count in (
        ({"createdAt": {"gt": "0001-01-01T00:00:00-01:00"}}, 1),
        ({"datetimeField": {"lt": "9999-12-31T23:59:59+01:00"}}, 1),
        ({"datetimeField": {"gt": "2024-01-01T01:30:00+02:00"}}, 1),  # 2023-12-31T23:30Z
        ({"datetimeField": {"gt": "2024-01-01T01:30:00+01:00"}}, 0),  # 2024-01-01T00:30Z
    ):
        assert (await sample_gql(LIST, {"filter": spec}))["sampleArtifacts"]["totalCount"] == count


def _prerelease(count: int) -> str:
    """A short version whose key grows by 12 characters per numeric identifier (32 + 12n)."""
    return "1.0.0-" + ".".join(["1"] * count)


async def test_version_whose_key_does_not_fit_is_bad_user_input(gql, sample_gql):
    assert len(_prerelease(120)) <= 255
    for count in (19, 120):
        ext = await gql.error(CREATE_IMAGE, {"input": {"name": "n", "version": _prerelease(count)}})
        assert (ext["code"], ext["field"]) == ("BAD_USER_INPUT", "input.version")
        ext = await sample_gql.error(
            CREATE, {"input": {"name": "n", "versionField": _prerelease(count)}}
        )
        assert (ext["code"], ext["field"]) == ("BAD_USER_INPUT", "input.versionField")
    fits = _prerelease(18)  # a key of 248 characters
    created = await gql(CREATE_IMAGE, {"input": {"name": "n", "version": fits}})
    assert created["imageCreate"]["version"] == fits
    created = await sample_gql(CREATE, {"input": {"name": "n", "versionField": fits}})
    assert created["sampleArtifactCreate"]["versionField"] == fits
    assert (await gql("{ images { totalCount } }"))["images"]["totalCount"] == 1


@pytest.fixture(scope="module")
def executor():
    return Executor(build_schema(load_registry()), Limits())


def test_only_short_documents_are_cached(executor):
    short = "{ me { userId } }"
    at_limit = short + " " * (MAX_CACHED_QUERY - len(short))
    too_long = at_limit + " "
    for query in (short, at_limit, too_long, short, at_limit, too_long):
        assert executor.prepare(query).document is not None
    info = executor.cached_prepare.cache_info()
    assert (info.hits, info.misses, info.currsize) == (2, 2, 2)


async def test_a_long_document_still_runs(gql):
    query = "{ me { userId } }" + " " * (MAX_CACHED_QUERY * 2)
    assert await gql(query) == {"me": {"userId": "alice"}}


@pytest.fixture(scope="module")
async def cheap_app(migrated):
    app = create_app(make_settings(migrated, max_query_cost=50))
    yield app
    await app.state.catalog.db.dispose()


@pytest.fixture
async def cheap(cheap_app):
    transport = httpx.ASGITransport(app=cheap_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def _cost_error(http, query, variables):
    response = await _post(http, {"query": query, "variables": variables})
    body = response.json()
    return response.status_code, (body.get("errors") or [{}])[0].get("extensions")


@pytest.mark.parametrize("variables", [{}, {"n": None}], ids=["omitted", "null"])
async def test_page_size_variable_null_or_omitted_costs_the_default_page(cheap, variables):
    query = "query($n: Int) { images(first: $n) { nodes { id name } } }"  # 1 + 25 x 3 > 50
    status, ext = await _cost_error(cheap, query, variables)
    assert (status, ext["code"], ext["actual"]) == (400, "QUERY_TOO_COMPLEX", 1 + DEFAULT_PAGE * 3)
    status, ext = await _cost_error(cheap, "{ images(last: null) { nodes { id name } } }", None)
    assert (status, ext["code"]) == (400, "QUERY_TOO_COMPLEX")


async def test_page_size_zero_is_cheap(cheap):
    query = "query($n: Int) { images(first: $n) { nodes { id name } totalCount } }"
    assert await _cost_error(cheap, query, {"n": 0}) == (200, None)  # 1 + 1 x 4
    query = "query($n: Int) { images(first: $n) { nodes { id name } } }"
    assert await _cost_error(cheap, query, {"n": 16}) == (200, None)  # 1 + 16 x 3 = 49
