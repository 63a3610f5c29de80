"""Sorting: base and type fields both ways, several keys, semver, nulls, default order."""

from __future__ import annotations

import pytest

CREATE = """
mutation($input: SampleArtifactCreateInput!) { sampleArtifactCreate(input: $input) { id } }"""
LIST = """
query($sort: [SampleArtifactSort!]) { sampleArtifacts(sort: $sort) { nodes { name } } }"""
ROWS = [
    {
        "name": "b",
        "version": "1.10.0",
        "stringField": "kiwi",
        "intField": 5,
        "longField": 2**40,
        "floatField": 2.5,
        "boolField": True,
        "datetimeField": "2024-05-01T00:00:00Z",
        "versionField": "1.10.0",
    },
    {
        "name": "a",
        "version": "1.2.0",
        "stringField": "apple",
        "intField": -3,
        "longField": 7,
        "floatField": 10.0,
        "boolField": False,
        "datetimeField": "2025-01-01T00:00:00Z",
        "versionField": "1.2.0",
    },
    {
        "name": "c",
        "version": "1.9.0",
        "stringField": "mango",
        "intField": 40,
        "longField": -1,
        "floatField": -0.5,
        "boolField": True,
        "datetimeField": "2023-01-01T00:00:00+05:00",
        "versionField": "1.9.0",
    },
    {"name": "n", "version": "0.1.0"},  # every type field null
]


@pytest.fixture
async def rows(sample_gql):
    for row in ROWS:
        await sample_gql(CREATE, {"input": row})


async def _order(gql, *sort):
    data = await gql(LIST, {"sort": [{"field": f, "direction": d} for f, d in sort]})
    return [n["name"] for n in data["sampleArtifacts"]["nodes"]]


@pytest.mark.parametrize(
    ("field", "asc"),
    [
        ("NAME", ["a", "b", "c", "n"]),
        ("VERSION", ["n", "a", "c", "b"]),
        ("STRING_FIELD", ["a", "b", "c", "n"]),
        ("INT_FIELD", ["a", "b", "c", "n"]),
        ("LONG_FIELD", ["c", "a", "b", "n"]),
        ("FLOAT_FIELD", ["c", "b", "a", "n"]),
        ("DATETIME_FIELD", ["c", "b", "a", "n"]),
        ("VERSION_FIELD", ["a", "c", "b", "n"]),
    ],
)
async def test_sort_asc_nulls_last_and_desc_nulls_first(sample_gql, rows, field, asc):
    assert await _order(sample_gql, (field, "ASC")) == asc
    nulls = [n for n in asc if n == "n" and field not in ("NAME", "VERSION")]
    desc = nulls + [n for n in reversed(asc) if n not in nulls]
    assert await _order(sample_gql, (field, "DESC")) == desc


async def test_bool_sort_false_before_true_nulls_at_the_ends(sample_gql, rows):
    asc = await _order(sample_gql, ("BOOL_FIELD", "ASC"), ("NAME", "ASC"))
    assert asc == ["a", "b", "c", "n"]
    desc = await _order(sample_gql, ("BOOL_FIELD", "DESC"), ("NAME", "ASC"))
    assert desc == ["n", "b", "c", "a"]


async def test_version_sort_is_semver_not_text(sample_gql):
    for version in ("1.10.0", "1.2.0", "1.9.0", "10.0.0", "2.0.0"):
        await sample_gql(CREATE, {"input": {"name": f"v{version}", "version": version}})
    data = await sample_gql("{ sampleArtifacts(sort: [{field: VERSION}]) { nodes { version } } }")
    versions = [n["version"] for n in data["sampleArtifacts"]["nodes"]]
    assert versions == ["1.2.0", "1.9.0", "1.10.0", "2.0.0", "10.0.0"]


async def test_multiple_sort_keys(sample_gql):
    for name, version in (("x", "1.0.0"), ("y", "2.0.0"), ("x", "1.10.0"), ("y", "1.0.0")):
        await sample_gql(CREATE, {"input": {"name": name, "version": version}})
    data = await sample_gql(
        "{ sampleArtifacts(sort: [{field: NAME, direction: DESC}, {field: VERSION}])"
        " { nodes { name version } } }"
    )
    assert [(n["name"], n["version"]) for n in data["sampleArtifacts"]["nodes"]] == [
        ("y", "1.0.0"),
        ("y", "2.0.0"),
        ("x", "1.0.0"),
        ("x", "1.10.0"),
    ]


async def test_default_sort_is_created_at_desc(sample_gql):
    for name in ("first", "second", "third"):
        await sample_gql(CREATE, {"input": {"name": name}})
    data = await sample_gql("{ sampleArtifacts { nodes { name createdAt } } }")
    nodes = data["sampleArtifacts"]["nodes"]
    assert [n["name"] for n in nodes] == ["third", "second", "first"]
    stamps = [n["createdAt"] for n in nodes]
    assert stamps == sorted(stamps, reverse=True)


async def test_sort_by_status_owner_and_activation(sample_gql):
    ids = []
    for name in ("p", "q"):
        data = await sample_gql(CREATE, {"input": {"name": name, "requiredOnActivate": "set"}})
        ids.append(data["sampleArtifactCreate"]["id"])
    await sample_gql("mutation($id: ID!) { artifactActivate(id: $id) { id } }", {"id": ids[1]})
    await sample_gql(CREATE, {"input": {"name": "r"}}, as_="admin")
    owner = await sample_gql(
        "{ sampleArtifacts(sort: [{field: OWNER}, {field: NAME}]) { nodes { name owner } } }",
        as_="admin",
    )
    assert [n["owner"] for n in owner["sampleArtifacts"]["nodes"]] == ["ops", "p1", "p1"]
    activated = await _order(sample_gql, ("ACTIVATED_AT", "ASC"))
    assert activated[0] == "q"
    assert (await _order(sample_gql, ("ACTIVATED_AT", "DESC")))[-1] == "q"
    assert await _order(sample_gql, ("UPDATED_AT", "DESC"), ("NAME", "ASC")) == ["q", "p"]


async def test_status_sort_groups_statuses(sample_gql):
    data = await sample_gql(CREATE, {"input": {"name": "live", "requiredOnActivate": "x"}})
    await sample_gql(
        "mutation($id: ID!) { artifactActivate(id: $id) { id } }",
        {"id": data["sampleArtifactCreate"]["id"]},
    )
    await sample_gql(CREATE, {"input": {"name": "draft"}})
    asc = await _order(sample_gql, ("STATUS", "ASC"))
    desc = await _order(sample_gql, ("STATUS", "DESC"))
    assert asc == list(reversed(desc))
    assert set(asc) == {"live", "draft"}


async def test_artifacts_sort_by_type_name(sample_gql):
    await sample_gql(CREATE, {"input": {"name": "s"}})
    await sample_gql('mutation { sampleTargetCreate(input: {name: "t"}) { id } }')
    data = await sample_gql(
        "{ artifacts(sort: [{field: TYPE_NAME, direction: DESC}]) { nodes { typeName } } }"
    )
    assert [n["typeName"] for n in data["artifacts"]["nodes"]] == [
        "sample_target",
        "sample_artifact",
    ]


@pytest.mark.parametrize("field", ["TEXT_FIELD", "STR_LIST", "BLOB", "CHOICE", "DESCRIPTION"])
async def test_sort_by_non_sortable_field_fails_validation(sample_gql, field):
    ext = await sample_gql.error(
        "{ sampleArtifacts(sort: [{field: " + field + "}]) { nodes { id } } }"
    )
    assert ext["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_sort_by_non_sortable_field_in_variables_is_bad_user_input(sample_gql):
    ext = await sample_gql.error(LIST, {"sort": [{"field": "TEXT_FIELD"}]})
    assert ext["code"] == "BAD_USER_INPUT"


async def test_image_sort_by_disk_format_and_min_ram(gql):
    for name, fmt, ram in (("a", "raw", 512), ("b", "qcow2", 2048), ("c", "iso", 128)):
        await gql(
            "mutation($input: ImageCreateInput!) { imageCreate(input: $input) { id } }",
            {"input": {"name": name, "diskFormat": fmt, "minRam": ram}},
        )
    data = await gql("{ images(sort: [{field: DISK_FORMAT}]) { nodes { name } } }")
    assert [n["name"] for n in data["images"]["nodes"]] == ["c", "b", "a"]
    data = await gql("{ images(sort: [{field: MIN_RAM, direction: DESC}]) { nodes { name } } }")
    assert [n["name"] for n in data["images"]["nodes"]] == ["b", "a", "c"]
