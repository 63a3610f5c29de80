"""Who sees what: own project, PUBLIC, SHARED, admin, on every read path; `me`."""

from __future__ import annotations

import pytest

CREATE = """
mutation($input: SampleArtifactCreateInput!) {
  sampleArtifactCreate(input: $input) { id } }"""
TARGET = """
mutation($input: SampleTargetCreateInput!) { sampleTargetCreate(input: $input) { id } }"""
LISTS = """
{ sampleArtifacts { totalCount nodes { name } }
  artifacts(sort: [{field: NAME}]) { totalCount nodes { name } } }"""


async def _artifact(gql, name, as_="alice", **fields):
    data = await gql(CREATE, {"input": {"name": name, **fields}}, as_=as_)
    return data["sampleArtifactCreate"]["id"]


async def _public(gql, name, as_="alice"):
    id_ = await _artifact(gql, name, as_=as_, requiredOnActivate="x")
    await gql("mutation($id: ID!) { artifactActivate(id: $id) { id } }", {"id": id_}, as_=as_)
    await gql("mutation($id: ID!) { artifactPublish(id: $id) { id } }", {"id": id_}, as_="admin")
    return id_


async def _listed(gql, as_):
    data = await gql(LISTS, as_=as_)
    typed = data["sampleArtifacts"]
    every = data["artifacts"]
    assert typed["totalCount"] == len(typed["nodes"])
    assert every["totalCount"] == len(every["nodes"])
    return sorted(n["name"] for n in typed["nodes"]), [n["name"] for n in every["nodes"]]


@pytest.fixture
async def world(sample_gql):
    """p1 has a private and a public artifact, p2 a private one, ops one too."""
    return {
        "p1-private": await _artifact(sample_gql, "p1-private"),
        "p1-public": await _public(sample_gql, "p1-public"),
        "p2-private": await _artifact(sample_gql, "p2-private", as_="bob"),
        "ops-private": await _artifact(sample_gql, "ops-private", as_="admin"),
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("alice", ["p1-private", "p1-public"]),
        ("carol", ["p1-private", "p1-public"]),
        ("bob", ["p1-public", "p2-private"]),
        ("admin", ["ops-private", "p1-private", "p1-public", "p2-private"]),
    ],
)
async def test_lists_and_counts_show_only_visible(sample_gql, world, who, expected):
    typed, every = await _listed(sample_gql, who)
    assert typed == expected
    assert every == expected


async def test_single_reads_hide_other_projects_private(sample_gql, world):
    for name, id_ in world.items():
        visible_to_bob = name in ("p1-public", "p2-private")
        for query in (
            "query($id: ID!) { artifact(id: $id) { id } }",
            "query($id: ID) { sampleArtifact(id: $id) { id } }",
        ):
            data = await sample_gql(query, {"id": id_}, as_="bob")
            found = next(iter(data.values()))
            assert (found is not None) is visible_to_bob, (name, query)
        by_name = await sample_gql(
            "query($n: String) { sampleArtifact(name: $n) { id } }", {"n": name}, as_="bob"
        )
        assert (by_name["sampleArtifact"] is not None) is visible_to_bob, name


async def test_admin_reads_everything_by_id(sample_gql, world):
    for id_ in world.values():
        data = await sample_gql(
            "query($id: ID!) { artifact(id: $id) { id } }", {"id": id_}, as_="admin"
        )
        assert data["artifact"] == {"id": id_}


async def test_filters_cannot_reveal_hidden_artifacts(sample_gql, world):
    for flt in (
        {"owner": {"eq": "p1"}},
        {"visibility": {"eq": "PRIVATE"}},
        {"id": {"eq": world["p1-private"]}},
        {"name": {"like": "p1%"}},
    ):
        data = await sample_gql(
            "query($f: SampleArtifactFilter) { sampleArtifacts(filter: $f)"
            " { totalCount nodes { name } } }",
            {"f": flt},
            as_="bob",
        )
        names = [n["name"] for n in data["sampleArtifacts"]["nodes"]]
        assert "p1-private" not in names
        assert data["sampleArtifacts"]["totalCount"] == len(names)


async def test_shared_artifact_is_visible_to_the_shared_project_only(sample_gql, world):
    await sample_gql(
        'mutation($id: ID!) { artifactShare(id: $id, project: "p2") { id } }',
        {"id": world["p1-private"]},
    )
    typed, _ = await _listed(sample_gql, "bob")
    assert "p1-private" in typed
    data = await sample_gql(
        "query($id: ID!) { artifact(id: $id) { visibility sharedWith } }",
        {"id": world["p1-private"]},
        as_="bob",
    )
    assert data["artifact"] == {"visibility": "SHARED", "sharedWith": []}
    owner_view = await sample_gql(
        "query($id: ID!) { artifact(id: $id) { sharedWith } }", {"id": world["p1-private"]}
    )
    assert owner_view["artifact"]["sharedWith"] == ["p2"]


async def test_incoming_links_from_hidden_artifacts_are_left_out(sample_gql):
    data = await sample_gql(TARGET, {"input": {"name": "target"}})
    target = data["sampleTargetCreate"]["id"]
    await sample_gql(
        'mutation($id: ID!) { artifactShare(id: $id, project: "p2") { id } }', {"id": target}
    )
    await _artifact(sample_gql, "alice-holder", linkId=target)
    await _artifact(sample_gql, "bob-holder", as_="bob", linkId=target)
    query = """query($id: ID!) { artifact(id: $id) {
      links(direction: IN) { relation artifactId artifact { name } } } }"""
    seen_by_bob = (await sample_gql(query, {"id": target}, as_="bob"))["artifact"]["links"]
    assert [link["artifact"]["name"] for link in seen_by_bob] == ["bob-holder"]
    seen_by_alice = (await sample_gql(query, {"id": target}))["artifact"]["links"]
    assert [link["artifact"]["name"] for link in seen_by_alice] == ["alice-holder"]
    seen_by_admin = (await sample_gql(query, {"id": target}, as_="admin"))["artifact"]["links"]
    assert sorted(link["artifact"]["name"] for link in seen_by_admin) == [
        "alice-holder",
        "bob-holder",
    ]


async def test_outgoing_link_to_hidden_target_keeps_id_with_null_artifact(sample_gql):
    data = await sample_gql(TARGET, {"input": {"name": "target"}})
    target = data["sampleTargetCreate"]["id"]
    holder = await _artifact(sample_gql, "holder", linkId=target, requiredOnActivate="x")
    await sample_gql("mutation($id: ID!) { artifactActivate(id: $id) { id } }", {"id": holder})
    await sample_gql(
        "mutation($id: ID!) { artifactPublish(id: $id) { id } }", {"id": holder}, as_="admin"
    )
    data = await sample_gql(
        "query($id: ID!) { sampleArtifact(id: $id) { link { id }"
        " links { relation artifactId artifact { id } } } }",
        {"id": holder},
        as_="bob",
    )
    assert data["sampleArtifact"]["link"] is None
    assert data["sampleArtifact"]["links"] == [
        {"relation": "link", "artifactId": target, "artifact": None}
    ]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("alice", {"userId": "alice", "project": "p1", "isAdmin": False, "anonymous": False}),
        ("carol", {"userId": "carol", "project": "p1", "isAdmin": False, "anonymous": False}),
        ("bob", {"userId": "bob", "project": "p2", "isAdmin": False, "anonymous": False}),
        ("admin", {"userId": "root", "project": "ops", "isAdmin": True, "anonymous": False}),
    ],
)
async def test_me(gql, who, expected):
    data = await gql("{ me { userId project roles isAdmin anonymous } }", as_=who)
    roles = data["me"].pop("roles")
    assert data["me"] == expected
    assert roles == (["admin"] if who == "admin" else ["member"])
