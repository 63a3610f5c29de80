"""Cursor pagination: forward and backward walks, keyset stability, limits, bad cursors."""

from __future__ import annotations

import pytest

CREATE = """
mutation($input: SampleArtifactCreateInput!) { sampleArtifactCreate(input: $input) { id } }"""
PAGE = """
query($first: Int, $after: String, $last: Int, $before: String,
      $sort: [SampleArtifactSort!], $filter: SampleArtifactFilter) {
  sampleArtifacts(first: $first, after: $after, last: $last, before: $before, sort: $sort,
                  filter: $filter) {
    totalCount
    edges { cursor node { id name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
# The same page with sizes written inline (page sizes as variables have their own test).
INLINE_PAGE = """
query($after: String, $before: String, $sort: [SampleArtifactSort!],
      $filter: SampleArtifactFilter) {
  sampleArtifacts(%s after: $after, before: $before, sort: $sort, filter: $filter) {
    totalCount
    edges { cursor node { id name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
NULLABLE_SORT = [{"field": "INT_FIELD", "direction": "ASC"}]


async def _seed(gql, count=23):
    for i in range(count):
        # every third item has no int_field; the others repeat values so ties need the id
        row = {"name": f"item-{i:02d}"}
        if i % 3:
            row["intField"] = i % 4
        await gql(CREATE, {"input": row})


def _inline(first=None, last=None):
    sizes = "".join(f"{k}: {v} " for k, v in (("first", first), ("last", last)) if v is not None)
    return INLINE_PAGE % sizes


async def _page(gql, first=None, last=None, **variables):
    data = await gql(_inline(first, last), variables)
    return data["sampleArtifacts"]


async def _walk_forward(gql, size, **variables):
    seen, after, pages = [], None, 0
    while True:
        page = await _page(gql, first=size, after=after, **variables)
        pages += 1
        seen += [e["node"]["name"] for e in page["edges"]]
        info = page["pageInfo"]
        assert info["hasPreviousPage"] is (after is not None)
        if not info["hasNextPage"]:
            return seen, pages
        after = info["endCursor"]
        assert pages < 50


async def _walk_backward(gql, size, **variables):
    seen, before, pages = [], None, 0
    while True:
        page = await _page(gql, last=size, before=before, **variables)
        pages += 1
        seen = [e["node"]["name"] for e in page["edges"]] + seen
        info = page["pageInfo"]
        assert info["hasNextPage"] is (before is not None)
        if not info["hasPreviousPage"]:
            return seen, pages
        before = info["startCursor"]
        assert pages < 50


@pytest.mark.parametrize("sort", [None, NULLABLE_SORT], ids=["default", "nullable"])
async def test_forward_walk_has_no_duplicates_or_gaps(sample_gql, sort):
    await _seed(sample_gql)
    full = await _page(sample_gql, first=100, sort=sort)
    expected = [e["node"]["name"] for e in full["edges"]]
    assert len(expected) == 23
    seen, pages = await _walk_forward(sample_gql, 5, sort=sort)
    assert seen == expected
    assert pages == 5


@pytest.mark.parametrize("sort", [None, NULLABLE_SORT], ids=["default", "nullable"])
async def test_backward_walk_matches_forward_order(sample_gql, sort):
    await _seed(sample_gql)
    forward, _ = await _walk_forward(sample_gql, 5, sort=sort)
    backward, pages = await _walk_backward(sample_gql, 5, sort=sort)
    assert backward == forward
    assert pages == 5


async def test_nullable_sort_puts_nulls_last_across_pages(sample_gql):
    await _seed(sample_gql)
    seen, _ = await _walk_forward(sample_gql, 5, sort=NULLABLE_SORT)
    nulls = [f"item-{i:02d}" for i in range(23) if i % 3 == 0]
    assert set(seen[-len(nulls) :]) == set(nulls)
    desc = [{"field": "INT_FIELD", "direction": "DESC"}]
    seen_desc, _ = await _walk_forward(sample_gql, 4, sort=desc)
    assert set(seen_desc[: len(nulls)]) == set(nulls)
    assert len(set(seen_desc)) == 23


async def test_cursor_is_stable_when_items_are_inserted_between_pages(sample_gql):
    await _seed(sample_gql, 10)
    sort = [{"field": "NAME", "direction": "ASC"}]
    first = await _page(sample_gql, first=5, sort=sort)
    for name in ("item-00a", "item-03a", "aaa"):  # all sort before the cursor
        await sample_gql(CREATE, {"input": {"name": name}})
    second = await _page(sample_gql, first=5, after=first["pageInfo"]["endCursor"], sort=sort)
    assert [e["node"]["name"] for e in second["edges"]] == [f"item-{i:02d}" for i in range(5, 10)]


async def test_cursor_is_stable_under_default_sort_inserts(sample_gql):
    await _seed(sample_gql, 8)
    first = await _page(sample_gql, first=4)
    await sample_gql(CREATE, {"input": {"name": "newest"}})
    rest = await _page(sample_gql, first=10, after=first["pageInfo"]["endCursor"])
    names = [e["node"]["name"] for e in first["edges"] + rest["edges"]]
    assert "newest" not in names
    assert sorted(names) == [f"item-{i:02d}" for i in range(8)]


async def test_page_info_cursors_match_edges(sample_gql):
    await _seed(sample_gql, 7)
    page = await _page(sample_gql, first=3)
    info = page["pageInfo"]
    assert info["startCursor"] == page["edges"][0]["cursor"]
    assert info["endCursor"] == page["edges"][-1]["cursor"]
    assert (info["hasNextPage"], info["hasPreviousPage"]) == (True, False)
    last = await _page(sample_gql, first=10, after=info["endCursor"])
    assert len(last["edges"]) == 4
    assert (last["pageInfo"]["hasNextPage"], last["pageInfo"]["hasPreviousPage"]) == (False, True)


async def test_empty_result_page_info(sample_gql):
    page = await _page(sample_gql, first=5)
    assert page["edges"] == []
    assert page["totalCount"] == 0
    assert page["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


async def test_total_count_is_exact_and_follows_the_filter(sample_gql):
    await _seed(sample_gql)
    assert (await _page(sample_gql, first=5))["totalCount"] == 23
    filtered = await _page(sample_gql, first=2, filter={"intField": {"isNull": True}})
    assert filtered["totalCount"] == 8
    assert len(filtered["edges"]) == 2
    after = await _page(sample_gql, first=2, after=filtered["pageInfo"]["endCursor"])
    assert after["totalCount"] == 23  # the whole match, not what is left after the cursor


async def test_default_page_size_is_25(sample_gql):
    await _seed(sample_gql, 27)
    page = await _page(sample_gql)
    assert len(page["edges"]) == 25
    assert page["pageInfo"]["hasNextPage"] is True


async def test_first_500_is_allowed(sample_gql):
    await _seed(sample_gql, 3)
    assert len((await _page(sample_gql, first=500))["edges"]) == 3


async def test_page_sizes_given_as_variables(sample_gql):
    await _seed(sample_gql, 4)
    data = await sample_gql(PAGE, {"first": 3})
    assert len(data["sampleArtifacts"]["edges"]) == 3
    data = await sample_gql(PAGE, {"last": 2})
    assert len(data["sampleArtifacts"]["edges"]) == 2


@pytest.mark.parametrize("args", [{"first": 501}, {"last": 501}, {"first": -1}, {"last": -3}])
async def test_page_size_out_of_range_is_bad_user_input(sample_gql, args):
    ext = await sample_gql.error(_inline(**args))
    assert ext["code"] == "BAD_USER_INPUT"


async def test_page_size_variable_out_of_range_is_bad_user_input(sample_gql):
    ext = await sample_gql.error(PAGE, {"first": 501})
    assert ext["code"] == "BAD_USER_INPUT"


async def test_first_zero_returns_no_edges_but_counts(sample_gql):
    await _seed(sample_gql, 3)
    page = await _page(sample_gql, first=0)
    assert page["edges"] == []
    assert page["totalCount"] == 3
    assert page["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize("cursor", ["garbage", "", "eyJ4IjoxfQ==", "%%%", "a" * 2000])
async def test_garbage_cursor_is_bad_user_input(sample_gql, cursor):
    await _seed(sample_gql, 2)
    ext = await sample_gql.error(_inline(first=5), {"after": cursor})
    assert ext["code"] == "BAD_USER_INPUT"
    ext = await sample_gql.error(_inline(last=1), {"before": cursor})
    assert ext["code"] == "BAD_USER_INPUT"


async def test_cursor_from_another_sort_is_bad_user_input(sample_gql):
    await _seed(sample_gql, 4)
    page = await _page(sample_gql, first=2, sort=[{"field": "NAME", "direction": "ASC"}])
    cursor = page["pageInfo"]["endCursor"]
    for sort in (
        None,
        [{"field": "NAME", "direction": "DESC"}],
        [{"field": "INT_FIELD", "direction": "ASC"}],
    ):
        ext = await sample_gql.error(_inline(first=2), {"after": cursor, "sort": sort})
        assert ext["code"] == "BAD_USER_INPUT", sort


async def test_artifacts_connection_walks_every_type(sample_gql):
    await _seed(sample_gql, 6)
    for i in range(5):
        await sample_gql(
            "mutation($n: String!) { sampleTargetCreate(input: {name: $n}) { id } }", {"n": f"t{i}"}
        )
    seen, after = [], None
    while True:
        data = await sample_gql(
            "query($after: String) { artifacts(first: 4, after: $after) { totalCount"
            " nodes { id } pageInfo { hasNextPage endCursor } } }",
            {"after": after},
        )
        conn = data["artifacts"]
        assert conn["totalCount"] == 11
        seen += [n["id"] for n in conn["nodes"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 11
