"""StringFilter operators, enum filters and `typeName` on the list queries."""

from __future__ import annotations

import pytest

CREATE_IMAGE = """
mutation($input: ImageCreateInput!) { imageCreate(input: $input) { id name } }"""
IMAGES = """
query($filter: ImageFilter) { images(filter: $filter, sort: [{field: NAME}]) {
  totalCount nodes { name } } }"""
ARTIFACTS = """
query($filter: ArtifactFilter) { artifacts(filter: $filter, sort: [{field: NAME}]) {
  totalCount nodes { name typeName } } }"""
NAMES = ["alpha", "beta", "gamma", "delta", "épsilon", "日本語"]


async def _images(gql, names=NAMES, **fields):
    ids = {}
    for name in names:
        data = await gql(CREATE_IMAGE, {"input": {"name": name, **fields}})
        ids[name] = data["imageCreate"]["id"]
    return ids


async def _names(gql, flt, as_="alice"):
    data = await gql(IMAGES, {"filter": flt}, as_=as_)
    names = [n["name"] for n in data["images"]["nodes"]]
    assert data["images"]["totalCount"] == len(names)
    return names


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", "beta", {"beta"}),
        ("neq", "beta", {"alpha", "gamma", "delta", "épsilon", "日本語"}),
        ("in", ["alpha", "gamma", "nope"], {"alpha", "gamma"}),
        ("notIn", ["alpha", "gamma"], {"beta", "delta", "épsilon", "日本語"}),
        ("like", "%ta", {"beta", "delta"}),
        ("like", "_amma", {"gamma"}),
        ("like", "%lph%", {"alpha"}),
        ("gt", "delta", {"gamma", "épsilon", "日本語"}),
        ("gte", "delta", {"delta", "gamma", "épsilon", "日本語"}),
        ("lt", "beta", {"alpha"}),
        ("lte", "beta", {"alpha", "beta"}),
    ],
)
async def test_string_filter_on_name(gql, op, value, expected):
    await _images(gql)
    assert set(await _names(gql, {"name": {op: value}})) == expected


async def test_string_filter_ops_combine_as_and(gql):
    await _images(gql)
    assert await _names(gql, {"name": {"gte": "beta", "lt": "gamma", "neq": "delta"}}) == ["beta"]


async def test_string_filter_is_null_on_optional_field(gql):
    await _images(gql, ["with"], osDistro="ubuntu")
    await _images(gql, ["without"])
    assert await _names(gql, {"osDistro": {"isNull": True}}) == ["without"]
    assert await _names(gql, {"osDistro": {"isNull": False}}) == ["with"]


async def test_string_neq_includes_nulls_and_not_in_excludes_them(gql):
    await _images(gql, ["ubuntu"], osDistro="ubuntu")
    await _images(gql, ["fedora"], osDistro="fedora")
    await _images(gql, ["none"])
    assert set(await _names(gql, {"osDistro": {"neq": "ubuntu"}})) == {"fedora", "none"}
    assert await _names(gql, {"osDistro": {"notIn": ["ubuntu"]}}) == ["fedora"]


async def test_unicode_values_match_exactly(gql):
    await _images(gql)
    assert await _names(gql, {"name": {"eq": "日本語"}}) == ["日本語"]
    assert await _names(gql, {"name": {"like": "é%"}}) == ["épsilon"]
    assert await _names(gql, {"name": {"in": ["épsilon", "日本語"]}}) == ["épsilon", "日本語"]


async def test_like_is_case_sensitive_on_pattern_literals(gql):
    await _images(gql, ["Alpha", "alpha"])
    assert await _names(gql, {"name": {"like": "A%"}}) == ["Alpha"]


async def test_filter_on_owner_and_created_by(gql):
    await _images(gql, ["mine"])
    await gql(CREATE_IMAGE, {"input": {"name": "carols"}}, as_="carol")
    assert await _names(gql, {"createdBy": {"eq": "carol"}}) == ["carols"]
    assert await _names(gql, {"owner": {"eq": "p1"}}) == ["carols", "mine"]
    assert await _names(gql, {"owner": {"eq": "p2"}}) == []


async def test_id_filter(gql):
    ids = await _images(gql, ["one", "two", "three"])
    assert await _names(gql, {"id": {"eq": ids["two"]}}) == ["two"]
    assert await _names(gql, {"id": {"in": [ids["one"], ids["three"]]}}) == ["one", "three"]
    assert await _names(gql, {"id": {"notIn": [ids["one"]]}}) == ["three", "two"]


async def test_sortable_type_field_filter(gql):
    await _images(gql, ["q"], diskFormat="qcow2")
    await _images(gql, ["r"], diskFormat="raw")
    assert await _names(gql, {"diskFormat": {"eq": "raw"}}) == ["r"]
    assert await _names(gql, {"minRam": {"eq": 0}}) == ["q", "r"]


async def test_status_enum_filter(gql):
    ids = await _images(gql, ["draft", "live"], diskFormat="raw", containerFormat="bare")
    await gql("mutation($id: ID!) { artifactActivate(id: $id) { id } }", {"id": ids["live"]})
    assert await _names(gql, {"status": {"eq": "ACTIVE"}}) == ["live"]
    assert await _names(gql, {"status": {"neq": "ACTIVE"}}) == ["draft"]
    assert await _names(gql, {"status": {"in": ["DRAFTED", "ACTIVE"]}}) == ["draft", "live"]
    assert await _names(gql, {"status": {"notIn": ["DRAFTED"]}}) == ["live"]


async def test_visibility_enum_filter(gql):
    ids = await _images(gql, ["private", "shared"])
    await gql(
        'mutation($id: ID!) { artifactShare(id: $id, project: "p2") { id } }',
        {"id": ids["shared"]},
    )
    assert await _names(gql, {"visibility": {"eq": "SHARED"}}) == ["shared"]
    assert await _names(gql, {"visibility": {"in": ["PRIVATE"]}}) == ["private"]
    assert await _names(gql, {"visibility": {"notIn": ["PUBLIC"]}}) == ["private", "shared"]
    assert await _names(gql, {"visibility": {"eq": "SHARED"}}, as_="bob") == ["shared"]


async def test_bad_enum_value_in_filter_variable_is_bad_user_input(gql):
    ext = await gql.error(IMAGES, {"filter": {"status": {"eq": "DELETED"}}})
    assert ext["code"] == "BAD_USER_INPUT"


async def test_artifacts_type_name_filter(sample_gql):
    await sample_gql('mutation { sampleArtifactCreate(input: {name: "a"}) { id } }')
    await sample_gql('mutation { sampleTargetCreate(input: {name: "t"}) { id } }')
    data = await sample_gql(ARTIFACTS, {"filter": {"typeName": {"eq": "sample_target"}}})
    assert data["artifacts"]["nodes"] == [{"name": "t", "typeName": "sample_target"}]
    data = await sample_gql(ARTIFACTS, {"filter": {"typeName": {"in": ["sample_artifact"]}}})
    assert data["artifacts"]["nodes"] == [{"name": "a", "typeName": "sample_artifact"}]
    data = await sample_gql(ARTIFACTS, {"filter": {"typeName": {"like": "sample%"}}})
    assert data["artifacts"]["totalCount"] == 2


async def test_artifacts_common_filters_span_types(sample_gql):
    await sample_gql('mutation { sampleArtifactCreate(input: {name: "x-a"}) { id } }')
    await sample_gql('mutation { sampleTargetCreate(input: {name: "x-t"}) { id } }')
    await sample_gql('mutation { sampleTargetCreate(input: {name: "y"}) { id } }')
    data = await sample_gql(ARTIFACTS, {"filter": {"name": {"like": "x-%"}}})
    assert [n["name"] for n in data["artifacts"]["nodes"]] == ["x-a", "x-t"]
