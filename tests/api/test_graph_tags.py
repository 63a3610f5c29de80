"""The tag graph through the real app: the taxonomy (cycles refused, admin only by default),
counts and co-occurrence over what the caller may see, and tags that never leak."""

from __future__ import annotations

import itertools

import pytest

from glaregraph.catalog.graph import tags as tag_graph
from tests.api.test_queries_statements import counting

CREATE = """mutation($n: String!, $v: String!, $tags: [String!]) {
  imageCreate(input: {name: $n, version: $v, tags: $tags}) { id } }"""
SET_PARENT = """mutation($n: String!, $p: String) { tagSetParent(name: $n, parent: $p) {
  name parent { name } } }"""
TAG = """query($n: String!) { tag(name: $n) { name parent { name } children { name }
  ancestors { name } artifactCount related { tag { name } count }
  artifacts(first: 50) { totalCount nodes { name } } } }"""
ISSUE_14 = """query($n: String!) { tag(name: $n) { artifactCount
  artifacts(first: 50, includeDescendants: true) { nodes { name } }
  related { tag { name } count } } }"""
_versions = itertools.count()


async def _image(gql, tags: list[str], as_: str = "alice", name: str = "i") -> str:
    variables = {"n": name, "v": f"1.0.{next(_versions)}", "tags": tags}
    return (await gql(CREATE, variables, as_=as_))["imageCreate"]["id"]


async def _taxonomy(gql) -> None:
    """animal > mammal > cat, animal > bird."""
    for name, parent in (("mammal", "animal"), ("cat", "mammal"), ("bird", "animal")):
        await gql(SET_PARENT, {"n": name, "p": parent}, as_="admin")


async def test_the_taxonomy_refuses_cycles_and_members(gql):
    await _taxonomy(gql)
    for name, parent in (("animal", "cat"), ("cat", "cat")):
        error = await gql.error(SET_PARENT, {"n": name, "p": parent}, as_="admin")
        assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "parent")
    assert (await gql.error(SET_PARENT, {"n": "x", "p": "y"}))["code"] == "FORBIDDEN"
    detached = await gql(SET_PARENT, {"n": "bird", "p": None}, as_="admin")
    assert detached["tagSetParent"] == {"name": "bird", "parent": None}


async def test_a_tag_counts_its_descendants_over_visible_artifacts(gql):
    await _taxonomy(gql)
    await _image(gql, ["cat", "pet"], name="tom")
    await _image(gql, ["mammal", "pet"], name="generic")
    await _image(gql, ["bird"], name="tweety")
    await _image(gql, ["cat", "secret"], as_="bob", name="hidden")  # p2's: not alice's
    tag = (await gql(TAG, {"n": "animal"}))["tag"]
    assert tag["children"] == [{"name": "bird"}, {"name": "mammal"}]
    assert tag["artifactCount"] == 3
    assert tag["artifacts"]["totalCount"] == 3
    assert sorted(n["name"] for n in tag["artifacts"]["nodes"]) == ["generic", "tom", "tweety"]
    cat = (await gql(TAG, {"n": "cat"}))["tag"]
    assert cat["ancestors"] == [{"name": "mammal"}, {"name": "animal"}]
    assert cat["related"] == [{"tag": {"name": "pet"}, "count": 1}]  # "secret" stays bob's
    assert cat["artifactCount"] == 1
    admin = (await gql(TAG, {"n": "cat"}, as_="admin"))["tag"]
    assert admin["artifactCount"] == 2
    assert {r["tag"]["name"] for r in admin["related"]} == {"pet", "secret"}


async def test_a_tag_only_on_invisible_artifacts_does_not_exist_for_the_caller(gql):
    await _image(gql, ["bobs-own"], as_="bob")
    assert (await gql(TAG, {"n": "bobs-own"}))["tag"] is None
    page = await gql('{ tags(prefix: "bobs") { nodes { name } } }')
    assert page["tags"]["nodes"] == []
    assert (await gql(TAG, {"n": "bobs-own"}, as_="bob"))["tag"]["artifactCount"] == 1


async def test_tags_pages_in_name_order_with_a_prefix(gql):
    await _taxonomy(gql)
    await _image(gql, ["an_x", "an%y", "zebra"])
    first = await gql(
        '{ tags(prefix: "an", first: 2) { nodes { name } pageInfo { hasNextPage endCursor } } }'
    )
    page = first["tags"]
    assert [n["name"] for n in page["nodes"]] == ["an%y", "an_x"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await gql(
        'query($a: String) { tags(prefix: "an", after: $a) { nodes { name } } }',
        {"a": page["pageInfo"]["endCursor"]},
    )
    assert [n["name"] for n in rest["tags"]["nodes"]] == ["animal"]
    literal = await gql('{ tags(prefix: "an_") { nodes { name } } }')  # `_` is no wildcard
    assert [n["name"] for n in literal["tags"]["nodes"]] == ["an_x"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("{ tags(first: 501) { nodes { name } } }", "first"),
        ('{ tags(after: "bogus") { nodes { name } } }', "after"),
        ('{ tag(name: "a") { related(first: 101) { count } } }', "first"),
    ],
)
async def test_bad_arguments_are_bad_user_input(gql, query, field):
    await gql(SET_PARENT, {"n": "a", "p": None}, as_="admin")
    error = await gql.error(query)
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", field)


async def test_a_tag_and_its_count_cost_one_statement_and_issue_14_three(gql, app):
    """The tag is looked up with its count, so artifactCount costs no statement of its own;
    the tag query of issue 14 is that one (reading the subtree its artifacts are filtered on
    too), the page and related."""
    await _taxonomy(gql)
    await _image(gql, ["cat", "pet"], name="tom")
    with counting(app) as seen:
        counted = await gql('{ tag(name: "animal") { name artifactCount } }')
        alone = len(seen)
        tag = (await gql(ISSUE_14, {"n": "animal"}))["tag"]
    assert counted["tag"] == {"name": "animal", "artifactCount": 1}
    assert alone == 1, seen
    assert tag["artifactCount"] == 1
    assert tag["artifacts"]["nodes"] == [{"name": "tom"}]
    assert tag["related"] == []
    assert len(seen) - alone == 3, seen[alone:]


async def test_the_subtrees_of_a_page_of_tags_are_read_in_one_statement(gql, app):
    """`tags { nodes { artifacts } }`: each tag's page is a statement, their subtrees one."""
    await _taxonomy(gql)
    await _image(gql, ["cat", "pet"], name="tom")
    query = "{ tags(first: 10) { nodes { name artifacts(first: 5) { nodes { name } } } } }"
    with counting(app) as seen:
        found = (await gql(query))["tags"]["nodes"]
    pages = {n["name"]: [a["name"] for a in n["artifacts"]["nodes"]] for n in found}
    assert pages["animal"] == pages["cat"] == pages["pet"] == ["tom"]
    assert pages["bird"] == []
    subtrees = [s for s in seen if "WITH RECURSIVE" in s and "artifacts" not in s]
    assert len(subtrees) == 1, subtrees
    assert len(seen) == 2 + len(found), seen  # the tags, their subtrees, a page each


async def test_a_subtree_too_large_to_name_keeps_the_same_page(gql, monkeypatch):
    """Named in the filter or walked by the recursive filter: the same artifacts, the same
    pages (cursors included), the same totalCount."""
    await _taxonomy(gql)
    for tags in (["cat"], ["bird", "pet"], ["mammal"], ["other"], ["animal"]):
        await _image(gql, tags, name="-".join(tags))
    await _image(gql, ["cat"], as_="bob", name="hidden")
    query = """query($n: String!, $after: String) { tag(name: $n) {
      artifacts(first: 2, after: $after) { totalCount nodes { name }
        pageInfo { hasNextPage endCursor } } } }"""

    async def walk() -> tuple[int, list[str]]:
        names, after, total = [], None, 0
        while True:
            page = (await gql(query, {"n": "animal", "after": after}))["tag"]["artifacts"]
            total = page["totalCount"]
            names += [n["name"] for n in page["nodes"]]
            if not page["pageInfo"]["hasNextPage"]:
                return total, names
            after = page["pageInfo"]["endCursor"]

    named = await walk()
    monkeypatch.setattr(tag_graph, "MAX_NAMED_SUBTREE", 1)
    assert await walk() == named
    assert named[0] == 4
    assert sorted(named[1]) == ["animal", "bird-pet", "cat", "mammal"]
