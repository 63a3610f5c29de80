"""Every list argument has an upper bound: 40,000 items (more than PostgreSQL's 32,767 bind
parameters) are refused with BAD_USER_INPUT naming the argument, and nothing changes."""

from __future__ import annotations

import json

import pytest

from glaregraph.catalog.blobs.config import MAX_PARTS
from glaregraph.catalog.query.ordering import MAX_SORT_KEYS

MANY = 40_000
AUTH = {"authorization": "Bearer alice-token", "content-type": "application/json"}
CREATE_SAMPLE = """
mutation($input: SampleArtifactCreateInput!) { sampleArtifactCreate(input: $input) { id } }"""
UPDATE_SAMPLE = """
mutation($id: ID!, $input: SampleArtifactUpdateInput!) {
  sampleArtifactUpdate(id: $id, input: $input) { id } }"""
TAGS_ADD = "mutation($id: ID!, $v: [String!]!) { artifactTagsAdd(id: $id, tags: $v) { id } }"
TAGS_REMOVE = "mutation($id: ID!, $v: [String!]!) { artifactTagsRemove(id: $id, tags: $v) { id } }"
KEYS_REMOVE = """
mutation($id: ID!, $v: [String!]!) { artifactMetadataRemove(id: $id, keys: $v) { id } }"""
METADATA_SET = "mutation($id: ID!, $v: JSON!) { artifactMetadataSet(id: $id, entries: $v) { id } }"
SAMPLES = """
query($filter: SampleArtifactFilter, $sort: [SampleArtifactSort!]) {
  sampleArtifacts(filter: $filter, sort: $sort) { totalCount nodes { name } } }"""
ARTIFACTS = """
query($filter: ArtifactFilter, $sort: [ArtifactSort!]) {
  artifacts(filter: $filter, sort: $sort) { totalCount } }"""
READ = "query($id: ID!) { artifact(id: $id) { revision tags metadata } }"
ID = "00000000-0000-0000-0000-000000000000"


def _names(prefix: str) -> list[str]:
    return [f"{prefix}{i}" for i in range(MANY)]


# (document, variables with "ID" for the artifact's id, the `field` the error names)
MUTATIONS = {
    "tags add": (TAGS_ADD, {"v": _names("t")}, "tags"),
    "tags remove": (TAGS_REMOVE, {"v": _names("t")}, "tags"),
    "metadata keys remove": (KEYS_REMOVE, {"v": _names("k")}, "keys"),
    "create tags": (CREATE_SAMPLE, {"input": {"name": "m", "tags": _names("t")}}, "input.tags"),
    "create derivedFromIds": (
        CREATE_SAMPLE,
        {"input": {"name": "m", "derivedFromIds": _names("")}},
        "input.derivedFromIds",
    ),
    "create list field": (
        CREATE_SAMPLE,
        {"input": {"name": "m", "intList": list(range(MANY))}},
        "input.intList",
    ),
    "create link list": (
        CREATE_SAMPLE,
        {"input": {"name": "m", "linkListIds": _names("")}},
        "input.linkListIds",
    ),
    "create link dict": (
        CREATE_SAMPLE,
        {"input": {"name": "m", "linkDict": [{"key": f"{i}", "id": "x"} for i in range(MANY)]}},
        "input.linkDict",
    ),
    "create metadata": (
        CREATE_SAMPLE,
        {"input": {"name": "m", "metadata": {f"k{i}": "v" for i in range(MANY)}}},
        "input.metadata",
    ),
    "metadata set": (
        METADATA_SET,
        {"v": {f"k{i}": "v" for i in range(MANY)}},
        "entries",
    ),
    "update tags": (UPDATE_SAMPLE, {"input": {"tags": _names("t")}}, "input.tags"),
    "update list field": (
        UPDATE_SAMPLE,
        {"input": {"strList": _names("s")}},
        "input.strList",
    ),
}


async def _post(http, query: str, variables: dict) -> tuple[int, dict]:
    # compact: 40,000 items must fit in the 1 MiB body limit
    content = json.dumps({"query": query, "variables": variables}, separators=(",", ":")).encode()
    response = await http.post("/graphql", content=content, headers=AUTH)
    return response.status_code, response.json()


async def _artifact(gql) -> str:
    created = await gql(
        CREATE_SAMPLE,
        {"input": {"name": "a", "tags": ["t1", "keep"], "metadata": {"k1": "v", "keep": "v"}}},
    )
    return created["sampleArtifactCreate"]["id"]


@pytest.mark.parametrize(("query", "variables", "field"), MUTATIONS.values(), ids=MUTATIONS.keys())
async def test_a_list_of_40000_in_a_mutation_is_bad_user_input(sample_gql, query, variables, field):
    artifact_id = await _artifact(sample_gql)
    before = await sample_gql(READ, {"id": artifact_id})
    status, body = await _post(sample_gql.http, query, {"id": artifact_id, **variables})
    assert status in (200, 400), body
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
    assert body["errors"][0]["extensions"]["field"] == field, body
    assert await sample_gql(READ, {"id": artifact_id}) == before
    total = await sample_gql(SAMPLES)
    assert total["sampleArtifacts"]["totalCount"] == 1


@pytest.mark.parametrize("query", [TAGS_REMOVE, KEYS_REMOVE], ids=["tags", "metadata keys"])
async def test_removing_255_names_still_works(sample_gql, query):
    artifact_id = await _artifact(sample_gql)
    names = ["t1", "k1", *(f"x{i}" for i in range(253))]
    await sample_gql(query, {"id": artifact_id, "v": names})
    found = (await sample_gql(READ, {"id": artifact_id}))["artifact"]
    assert (found["tags"], found["metadata"]) in (
        (["keep"], {"k1": "v", "keep": "v"}),
        (["keep", "t1"], {"keep": "v"}),
    )
    status, body = await _post(sample_gql.http, query, {"id": artifact_id, "v": [*names, "x"]})
    assert status == 200, body
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body


# filters: every list input of a filter, 40,000 long
FILTERS = {
    "in": {"name": {"in": _names("n")}},
    "notIn": {"id": {"notIn": _names("")}},
    "int in": {"intField": {"in": list(range(MANY))}},
    "tags any": {"tags": {"any": _names("t")}},
    "tags none": {"tags": {"none": _names("t")}},
    "metadata hasAnyKey": {"metadata": {"hasAnyKey": _names("k")}},
    "dict entries": {"strDict": {"entries": [{"key": "k", "value": {}}] * MANY}},
    "list containsAny": {"intList": {"containsAny": list(range(MANY))}},
    "list containsAll": {"strList": {"containsAll": _names("s")}},
    "or": {"or": [{"name": {"eq": f"n{i}"}} for i in range(MANY)]},
    "and of empty filters": {"and": [{}] * MANY},
    "and of nots": {"and": [{"not": {}}] * MANY},
    "or of nots": {"or": [{"not": {"or": []}}] * MANY},
    "and of empty notIns": {"and": [{"name": {"notIn": []}}] * MANY},
}


@pytest.mark.parametrize("flt", FILTERS.values(), ids=FILTERS.keys())
async def test_a_filter_list_of_40000_is_bad_user_input(sample_gql, flt):
    await _artifact(sample_gql)
    status, body = await _post(sample_gql.http, SAMPLES, {"filter": flt})
    assert status == 200, body
    ext = body["errors"][0]["extensions"]
    assert ext["code"] == "BAD_USER_INPUT", body
    assert ext["field"].startswith("filter"), body


# 200 values at most: each value counts, and each object in a list (an item of and/or/entries)
AT_THE_LIMIT = {
    "in": {"name": {"in": ["a", *_names("n")[:199]]}},
    "and of nots": {"and": [{"not": {"name": {"eq": f"n{i}"}}} for i in range(100)]},
    "or": {"or": [{"name": {"eq": "a"}}, *({"name": {"eq": f"n{i}"}} for i in range(99))]},
    "and of empty filters": {"and": [{}] * 200},
    "entries": {
        "metadata": {"hasKey": "k1", "entries": [{"key": "k1", "value": {"eq": "v"}}] * 66}
    },
}


@pytest.mark.parametrize("flt", AT_THE_LIMIT.values(), ids=AT_THE_LIMIT.keys())
async def test_filters_at_the_limit_still_work_and_one_more_is_refused(sample_gql, flt):
    await _artifact(sample_gql)
    found = await sample_gql(SAMPLES, {"filter": flt})
    assert found["sampleArtifacts"]["nodes"] == [{"name": "a"}]
    one_more = {"and": [flt, {}]}  # two more objects in a list
    ext = await sample_gql.error(SAMPLES, {"filter": one_more})
    assert ext == {"code": "BAD_USER_INPUT", "field": "filter"}


SORT_FIELDS = ["NAME", "VERSION", "CREATED_AT", "UPDATED_AT", "INT_FIELD", "STRING_FIELD"]


@pytest.mark.parametrize("count", [MAX_SORT_KEYS + 1, MANY])
@pytest.mark.parametrize("query", [SAMPLES, ARTIFACTS], ids=["typed", "artifacts"])
async def test_too_many_sort_keys_are_bad_user_input(sample_gql, query, count):
    fields = SORT_FIELDS if query is SAMPLES else SORT_FIELDS[:4]
    sort = [{"field": fields[i % len(fields)]} for i in range(count)]
    status, body = await _post(sample_gql.http, query, {"sort": sort})
    assert status == 200, body
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "sort"}, body


async def test_too_many_sort_keys_refuse_the_whole_request_before_anything_runs(sample_gql):
    await _artifact(sample_gql)
    query = """query($sort: [ArtifactSort!]) {
      all: artifacts { totalCount } sorted: artifacts(sort: $sort) { totalCount } }"""
    sort = [{"field": "NAME"}] * (MAX_SORT_KEYS + 1)
    _, body = await _post(sample_gql.http, query, {"sort": sort})
    assert "data" not in body, body  # a request error: no field ran (not even `all`)
    assert [e["extensions"] for e in body["errors"]] == [
        {"code": "BAD_USER_INPUT", "field": "sort"}
    ]


@pytest.mark.parametrize("count", [MAX_PARTS + 1, 30_000])  # 30,000: what fits in 1 MiB
async def test_more_parts_than_an_upload_can_have_refuse_the_document_before_it_runs(
    sample_gql, count
):
    artifact_id = await _artifact(sample_gql)
    before = await sample_gql(READ, {"id": artifact_id})
    document = """mutation($id: ID!, $parts: [CompletedPartInput!]) {
      artifactTagsAdd(id: $id, tags: ["new"]) { id }
      blobUploadComplete(uploadId: $id, parts: $parts) { size } }"""
    parts = [{"number": n, "etag": "e"} for n in range(1, count + 1)]
    _, body = await _post(sample_gql.http, document, {"id": artifact_id, "parts": parts})
    assert [e["extensions"] for e in body["errors"]] == [
        {"code": "BAD_USER_INPUT", "field": "parts"}
    ]
    assert await sample_gql(READ, {"id": artifact_id}) == before  # the tags were not added


async def test_eight_sort_keys_still_work(sample_gql):
    await _artifact(sample_gql)
    sort = [{"field": SORT_FIELDS[i % len(SORT_FIELDS)]} for i in range(MAX_SORT_KEYS)]
    found = await sample_gql(SAMPLES, {"sort": sort})
    assert found["sampleArtifacts"]["nodes"] == [{"name": "a"}]
    found = await sample_gql(ARTIFACTS, {"sort": sort[:2] * 4})
    assert found["artifacts"]["totalCount"] == 1
