"""Paging, cursors, filters and lookups at their edges: every one answers data or a coded
BAD_USER_INPUT, never an internal error."""

from __future__ import annotations

import base64
import json

import pytest
import sqlalchemy as sa

from glaregraph.catalog.database.engine import Database

CREATE = "mutation($i: SampleArtifactCreateInput!) { sampleArtifactCreate(input: $i) { id } }"
PAGE = """query($s: [SampleArtifactSort!], $first: Int, $after: String, $last: Int,
                 $before: String) {
  sampleArtifacts(sort: $s, first: $first, after: $after, last: $last, before: $before) {
    nodes { name } pageInfo { startCursor endCursor hasNextPage hasPreviousPage } } }"""
BY_NAME = [{"field": "NAME"}]


async def _names(gql, **args):
    data = await gql(PAGE, args)
    return [n["name"] for n in data["sampleArtifacts"]["nodes"]], data["sampleArtifacts"]


@pytest.fixture
async def six(sample_gql):
    for i in range(6):
        await sample_gql(CREATE, {"i": {"name": f"a{i}", "boolField": i % 2 == 0}})


@pytest.mark.usefixtures("six")
@pytest.mark.parametrize("field", ["BOOL_FIELD", "NAME", "INT_FIELD"])
async def test_walking_every_sort_kind_page_by_page_visits_each_row_once(sample_gql, field):
    seen, after = [], None
    while True:
        names, page = await _names(sample_gql, s=[{"field": field}], first=2, after=after)
        seen += names
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == [f"a{i}" for i in range(6)]


@pytest.mark.usefixtures("six")
async def test_first_with_before_takes_from_the_start_of_the_bounded_list(sample_gql):
    _, page = await _names(sample_gql, s=BY_NAME, first=4)
    before_a3 = page["pageInfo"]["endCursor"]  # cursor of a3
    names, _ = await _names(sample_gql, s=BY_NAME, first=2, before=before_a3)
    assert names == ["a0", "a1"]


@pytest.mark.usefixtures("six")
async def test_last_with_after_takes_from_the_end_of_the_bounded_list(sample_gql):
    _, page = await _names(sample_gql, s=BY_NAME, first=2)
    after_a1 = page["pageInfo"]["endCursor"]
    names, page = await _names(sample_gql, s=BY_NAME, last=2, after=after_a1)
    assert names == ["a4", "a5"]
    assert page["pageInfo"]["hasPreviousPage"] is True


@pytest.mark.usefixtures("six")
async def test_after_and_before_together_bound_both_ends(sample_gql):
    _, page = await _names(sample_gql, s=BY_NAME, first=1)
    after_a0 = page["pageInfo"]["endCursor"]
    _, page = await _names(sample_gql, s=BY_NAME, first=5)
    before_a4 = page["pageInfo"]["endCursor"]
    names, _ = await _names(sample_gql, s=BY_NAME, after=after_a0, before=before_a4)
    assert names == ["a1", "a2", "a3"]


async def test_first_and_last_together_are_refused(sample_gql):
    ext = await sample_gql.error(PAGE, {"first": 2, "last": 2})
    assert ext["code"] == "BAD_USER_INPUT"


def _forge(cursor: str, values: list) -> str:
    sig, _ = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw = json.dumps([sig, values]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.usefixtures("six")
@pytest.mark.parametrize("value", [["x"], 10**30, "abc", True, 1.5, {"a": 1}])
async def test_a_cursor_with_forged_values_is_bad_user_input(sample_gql, value):
    _, page = await _names(sample_gql, s=[{"field": "INT_FIELD"}], first=1)
    forged = _forge(page["pageInfo"]["endCursor"], [value, "00000000-0000-0000-0000-0"])
    ext = await sample_gql.error(PAGE, {"s": [{"field": "INT_FIELD"}], "first": 1, "after": forged})
    assert ext["code"] == "BAD_USER_INPUT"
    assert ext["field"] == "after"


@pytest.mark.parametrize(
    "flt",
    [
        {"not": {"not": {"not": {"not": {"not": {"not": {"not": {"not": {"not": {}}}}}}}}}},
        {"or": [{"name": {"eq": f"n{i}"}} for i in range(300)]},
        {"name": {"like": "%" * 5000}},
        {"name": {"in": [f"n{i}" for i in range(1000)]}},
    ],
    ids=["deep not", "wide or", "long like", "long in"],
)
async def test_oversized_filters_are_refused_with_a_code(sample_gql, flt):
    ext = await sample_gql.error(
        "query($f: SampleArtifactFilter) { sampleArtifacts(filter: $f) { nodes { id } } }",
        {"f": flt},
    )
    assert ext["code"] == "BAD_USER_INPUT"
    assert ext["field"].startswith("filter")


async def test_filter_errors_name_the_graphql_path(sample_gql):
    ext = await sample_gql.error(
        "query($f: SampleArtifactFilter) { sampleArtifacts(filter: $f) { nodes { id } } }",
        {"f": {"and": [{"name": {"eq": "x"}}, {"versionField": {"in": ["not a version"]}}]}},
    )
    assert ext == {"code": "BAD_USER_INPUT", "field": "filter.and[1].versionField.in"}


LIST = "query($f: SampleArtifactFilter) { sampleArtifacts(filter: $f) { nodes { name } } }"


async def _matching(gql, flt):
    found = await gql(LIST, {"f": flt})
    return [n["name"] for n in found["sampleArtifacts"]["nodes"]]


async def test_list_and_dict_filters_compare_values_as_stored(sample_gql):
    await sample_gql(
        CREATE,
        {
            "i": {
                "name": "v",
                "datetimeList": ["2026-01-01T12:00:00+02:00"],
                "versionDict": {"engine": "1.0"},
            }
        },
    )
    same_instant = "2026-01-01T10:00:00+00:00"
    assert await _matching(sample_gql, {"datetimeList": {"contains": same_instant}}) == ["v"]
    entry = {"entries": [{"key": "engine", "value": {"eq": "1"}}]}
    assert await _matching(sample_gql, {"versionDict": entry}) == ["v"]
    ordered = {"entries": [{"key": "engine", "value": {"gt": "0.9"}}]}
    ext = await sample_gql.error(LIST, {"f": {"versionDict": ordered}})
    assert ext == {"code": "BAD_USER_INPUT", "field": "filter.versionDict.entries[0].value.gt"}


async def test_exact_version_lookup_keeps_build_metadata_apart(gql):
    create = "mutation($i: ImageCreateInput!) { imageCreate(input: $i) { id } }"
    for version in ("1.0.0", "1.0.0+a", "1.0.0+b"):
        await gql(create, {"i": {"name": "bm", "version": version}})
    query = 'query($v: String) { image(name: "bm", version: $v) { version } }'
    for version in ("1.0.0+a", "1.0.0+b", "1.0"):
        found = await gql(query, {"v": version})
        assert found["image"]["version"] == (version if "+" in version else "1.0.0")


async def test_rows_of_a_type_the_server_does_not_serve_are_invisible(gql, migrated):
    created = await gql('mutation { imageCreate(input: {name: "keep"}) { id } }')
    db = Database(migrated)
    async with db.write() as conn:  # as if `image` had been disabled after this row was made
        await conn.execute(sa.text("UPDATE artifacts SET type_name = 'retired'"))
    await db.dispose()
    artifact_id = created["imageCreate"]["id"]
    listed = await gql("{ artifacts { totalCount nodes { id } } }", as_="admin")
    assert listed["artifacts"] == {"totalCount": 0, "nodes": []}
    one = await gql("query($id: ID!) { artifact(id: $id) { id } }", {"id": artifact_id})
    assert one["artifact"] is None
    ext = await gql.error(
        'mutation($id: ID!) { artifactTagsAdd(id: $id, tags: ["x"]) { id } }', {"id": artifact_id}
    )
    assert ext["code"] == "NOT_FOUND"
