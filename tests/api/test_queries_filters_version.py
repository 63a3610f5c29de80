"""VersionFilter in semver order, ranges and `latest` (top level only)."""

from __future__ import annotations

import pytest

CREATE = """
mutation($input: ImageCreateInput!) { imageCreate(input: $input) { id } }"""
LIST = """
query($filter: ImageFilter) {
  images(filter: $filter, sort: [{field: NAME}, {field: VERSION}]) {
    totalCount nodes { name version } } }"""
VERSIONS = ["1.2.0", "1.9.0", "1.10.0", "2.0.0", "1.2.5", "0.9.0"]


@pytest.fixture
async def cirros(gql):
    for version in VERSIONS:
        await gql(CREATE, {"input": {"name": "cirros", "version": version}})


async def _versions(gql, flt):
    data = await gql(LIST, {"filter": flt})
    nodes = data["images"]["nodes"]
    assert data["images"]["totalCount"] == len(nodes)
    return [n["version"] for n in nodes]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"eq": "1.10.0"}, ["1.10.0"]),
        ({"eq": "1.2"}, ["1.2.0"]),  # normalised like stored versions
        ({"neq": "1.2.0"}, ["0.9.0", "1.2.5", "1.9.0", "1.10.0", "2.0.0"]),
        ({"in": ["2.0", "0.9.0", "3.0.0"]}, ["0.9.0", "2.0.0"]),
        ({"gt": "1.9.0"}, ["1.10.0", "2.0.0"]),
        ({"gte": "1.10.0"}, ["1.10.0", "2.0.0"]),
        ({"lt": "1.10.0"}, ["0.9.0", "1.2.0", "1.2.5", "1.9.0"]),
        ({"lte": "1.2.5"}, ["0.9.0", "1.2.0", "1.2.5"]),
        ({"gt": "1.2.0", "lt": "2.0.0"}, ["1.2.5", "1.9.0", "1.10.0"]),
    ],
)
async def test_version_comparisons_follow_semver(gql, cirros, flt, expected):
    assert await _versions(gql, {"version": flt}) == expected


async def test_gt_1_9_returns_1_10(gql, cirros):
    assert "1.10.0" in await _versions(gql, {"version": {"gt": "1.9.0"}})


async def test_prerelease_sorts_below_its_release(gql, cirros):
    await gql(CREATE, {"input": {"name": "cirros", "version": "1.10.0-rc.1"}})
    flt = {"version": {"gt": "1.9.0", "lte": "1.10.0"}}
    assert await _versions(gql, flt) == ["1.10.0-rc.1", "1.10.0"]


@pytest.mark.parametrize(
    ("rng", "expected"),
    [
        ("^1.2", ["1.2.0", "1.2.5", "1.9.0", "1.10.0"]),
        ("~1.2.3", ["1.2.5"]),
        (">=1.0.0 <2.0.0", ["1.2.0", "1.2.5", "1.9.0", "1.10.0"]),
        ("1.x || 2", ["1.2.0", "1.2.5", "1.9.0", "1.10.0", "2.0.0"]),
    ],
)
async def test_version_range(gql, cirros, rng, expected):
    assert await _versions(gql, {"version": {"range": rng}}) == expected


async def test_latest_keeps_highest_version_per_name(gql, cirros):
    for version in ("0.1.0", "0.10.0", "0.2.0"):
        await gql(CREATE, {"input": {"name": "fedora", "version": version}})
    data = await gql(LIST, {"filter": {"version": {"latest": True}}})
    assert data["images"]["nodes"] == [
        {"name": "cirros", "version": "2.0.0"},
        {"name": "fedora", "version": "0.10.0"},
    ]
    assert data["images"]["totalCount"] == 2


async def test_latest_applies_after_the_other_filters(gql, cirros):
    flt = {"version": {"latest": True, "lt": "2.0.0"}}
    assert await _versions(gql, flt) == ["1.10.0"]
    flt = {"version": {"latest": True}, "name": {"eq": "cirros"}, "minRam": {"eq": 0}}
    assert await _versions(gql, flt) == ["2.0.0"]


async def test_latest_false_changes_nothing(gql, cirros):
    assert len(await _versions(gql, {"version": {"latest": False}})) == len(VERSIONS)


@pytest.mark.parametrize(
    "flt",
    [
        {"or": [{"version": {"latest": True}}, {"name": {"eq": "x"}}]},
        {"and": [{"version": {"latest": True}}]},
        {"not": {"version": {"latest": True}}},
    ],
)
async def test_latest_nested_is_bad_user_input(gql, cirros, flt):
    ext = await gql.error(LIST, {"filter": flt})
    assert ext["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "flt", [{"eq": "not-a-version"}, {"gt": "1.2.3.4.5"}, {"range": ">>>1"}, {"in": ["x"]}]
)
async def test_invalid_version_in_filter_is_bad_user_input(gql, flt):
    ext = await gql.error(LIST, {"filter": {"version": flt}})
    assert ext["code"] == "BAD_USER_INPUT"


async def test_version_kind_type_field_filters_in_semver_order(sample_gql):
    for name, version in (("a", "1.9.0"), ("b", "1.10.0"), ("c", "1.2.0"), ("n", None)):
        await sample_gql(
            "mutation($input: SampleArtifactCreateInput!) {"
            " sampleArtifactCreate(input: $input) { id } }",
            {"input": {"name": name, "versionField": version}},
        )
    data = await sample_gql(
        "query($f: SampleArtifactFilter) { sampleArtifacts(filter: $f, sort: [{field: NAME}])"
        " { nodes { name } } }",
        {"f": {"versionField": {"gt": "1.9.0"}}},
    )
    assert [n["name"] for n in data["sampleArtifacts"]["nodes"]] == ["b"]
    data = await sample_gql(
        "query($f: SampleArtifactFilter) { sampleArtifacts(filter: $f, sort: [{field: NAME}])"
        " { nodes { name } } }",
        {"f": {"versionField": {"range": "^1.2"}}},
    )
    assert [n["name"] for n in data["sampleArtifacts"]["nodes"]] == ["a", "b", "c"]
