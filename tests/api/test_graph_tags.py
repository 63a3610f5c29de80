"""The tag graph through the real app: the taxonomy (cycles refused, admin only by default),
counts and co-occurrence over what the caller may see, and tags that never leak."""

from __future__ import annotations

import itertools

import pytest

CREATE = """mutation($n: String!, $v: String!, $tags: [String!]) {
  imageCreate(input: {name: $n, version: $v, tags: $tags}) { id } }"""
SET_PARENT = """mutation($n: String!, $p: String) { tagSetParent(name: $n, parent: $p) {
  name parent { name } } }"""
TAG = """query($n: String!) { tag(name: $n) { name parent { name } children { name }
  ancestors { name } artifactCount related { tag { name } count }
  artifacts(first: 50) { totalCount nodes { name } } } }"""
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
