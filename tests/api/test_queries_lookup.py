"""Single lookups: by id, by name and version (exact, latest, ranges), by alias."""

from __future__ import annotations

import pytest

CREATE = """
mutation($input: ImageCreateInput!) { imageCreate(input: $input) { id } }"""
BY_NAME = """
query($name: String, $version: String, $alias: String) {
  image(name: $name, version: $version, alias: $alias) { id version owner status } }"""
BY_NAME_DEFAULT = "query($name: String) { image(name: $name) { id version owner status } }"
READY = {"diskFormat": "raw", "containerFormat": "bare"}


async def _create(gql, name, version, as_="alice", **fields):
    data = await gql(CREATE, {"input": {"name": name, "version": version, **fields}}, as_=as_)
    return data["imageCreate"]["id"]


async def _activate(gql, id_, as_="alice"):
    await gql("mutation($id: ID!) { artifactActivate(id: $id) { id } }", {"id": id_}, as_=as_)


async def _publish(gql, id_):
    await gql("mutation($id: ID!) { artifactPublish(id: $id) { id } }", {"id": id_}, as_="admin")


async def _version(gql, version=None, as_="alice", name="cirros", alias=None):
    if version is None and alias is None:
        data = await gql(BY_NAME_DEFAULT, {"name": name}, as_=as_)
    else:
        variables = {"name": name, "version": version, "alias": alias}
        data = await gql(BY_NAME, variables, as_=as_)
    return data["image"] and data["image"]["version"]


async def test_lookup_by_id(gql):
    id_ = await _create(gql, "cirros", "1.0")
    data = await gql("query($id: ID) { image(id: $id) { id name version } }", {"id": id_})
    assert data["image"] == {"id": id_, "name": "cirros", "version": "1.0.0"}


@pytest.mark.parametrize("id_", ["00000000-0000-0000-0000-000000000000", "not-a-uuid", "", "💥"])
async def test_lookup_by_unknown_id_is_null(gql, id_):
    await _create(gql, "cirros", "1.0")
    data = await gql("query($id: ID) { image(id: $id) { id } }", {"id": id_})
    assert data["image"] is None
    assert (await gql("query($id: ID!) { artifact(id: $id) { id } }", {"id": id_}))[
        "artifact"
    ] is None


async def test_lookup_by_id_of_another_type_is_null(sample_gql):
    data = await sample_gql('mutation { sampleTargetCreate(input: {name: "t"}) { id } }')
    id_ = data["sampleTargetCreate"]["id"]
    found = await sample_gql("query($id: ID) { sampleArtifact(id: $id) { id } }", {"id": id_})
    assert found["sampleArtifact"] is None
    found = await sample_gql("query($id: ID) { sampleTarget(id: $id) { id } }", {"id": id_})
    assert found["sampleTarget"] == {"id": id_}


async def test_exact_version_normalises_short_forms(gql):
    await _create(gql, "cirros", "1.0.0")
    await _create(gql, "cirros", "1.0.1")
    assert await _version(gql, "1.0") == "1.0.0"
    assert await _version(gql, "1.0.0") == "1.0.0"
    assert await _version(gql, "1") == "1.0.0"
    assert await _version(gql, "1.0.1") == "1.0.1"
    assert await _version(gql, "1.0.2") is None


async def test_unknown_name_is_null(gql):
    await _create(gql, "cirros", "1.0")
    assert await _version(gql, name="fedora") is None
    assert await _version(gql, "1.0.0", name="fedora") is None


async def test_latest_is_highest_semver(gql):
    for version in ("1.2.0", "1.10.0", "1.9.0"):
        await _create(gql, "cirros", version)
    assert await _version(gql) == "1.10.0"
    assert await _version(gql, "latest") == "1.10.0"


async def test_latest_prefers_active_over_drafted(gql):
    active = await _create(gql, "cirros", "1.0.0", **READY)
    await _activate(gql, active)
    await _create(gql, "cirros", "2.0.0")
    assert await _version(gql) == "1.0.0"


async def test_a_range_takes_the_highest_match_whatever_its_status(gql):
    active = await _create(gql, "cirros", "1.0.0", **READY)
    await _activate(gql, active)
    await _create(gql, "cirros", "1.2.0")
    assert await _version(gql, "^1.0") == "1.2.0"
    assert await _version(gql, "1.0") == "1.0.0"


async def test_latest_prefers_own_project_over_public(gql):
    mine = await _create(gql, "cirros", "1.0.0")
    theirs = await _create(gql, "cirros", "3.0.0", as_="bob", **READY)
    await _activate(gql, theirs, as_="bob")
    await _publish(gql, theirs)
    data = await gql(BY_NAME_DEFAULT, {"name": "cirros"})
    assert data["image"]["id"] == mine
    assert data["image"]["owner"] == "p1"
    data = await gql(BY_NAME_DEFAULT, {"name": "cirros"}, as_="bob")
    assert data["image"]["id"] == theirs
    data = await gql(BY_NAME_DEFAULT, {"name": "cirros"}, as_="carol")  # carol is in p1
    assert data["image"]["id"] == mine


async def test_latest_falls_back_to_public_when_the_project_has_none(gql):
    theirs = await _create(gql, "cirros", "3.0.0", as_="bob", **READY)
    await _activate(gql, theirs, as_="bob")
    assert await _version(gql) is None  # still private
    await _publish(gql, theirs)
    assert await _version(gql) == "3.0.0"


async def test_latest_falls_back_to_shared(gql):
    theirs = await _create(gql, "cirros", "4.0.0", as_="bob")
    await gql(
        'mutation($id: ID!) { artifactShare(id: $id, project: "p1") { id } }',
        {"id": theirs},
        as_="bob",
    )
    assert await _version(gql) == "4.0.0"


@pytest.mark.parametrize(
    ("rng", "expected"),
    [
        ("^1.2", "1.10.0"),
        ("~1.2.3", "1.2.5"),
        (">=1.0.0 <2.0.0", "1.10.0"),
        (">=2.0.0", "2.0.0"),
        ("^3", None),
        ("~1.3", "1.3.0"),
    ],
)
async def test_range_returns_highest_match(gql, rng, expected):
    for version in ("1.2.0", "1.2.5", "1.3.0", "1.10.0", "2.0.0", "0.9.0"):
        await _create(gql, "cirros", version)
    assert await _version(gql, rng) == expected


async def test_alias_resolves_to_its_artifact(gql):
    old = await _create(gql, "cirros", "1.0.0")
    await _create(gql, "cirros", "2.0.0")
    await gql('mutation($id: ID!) { aliasSet(id: $id, alias: "stable") { id } }', {"id": old})
    data = await gql(BY_NAME, {"name": "cirros", "alias": "stable"})
    assert data["image"]["id"] == old
    assert await _version(gql, alias="nope") is None
    assert await _version(gql, alias="stable", name="fedora") is None


async def test_other_projects_private_artifact_is_null(gql):
    id_ = await _create(gql, "cirros", "1.0.0")
    await gql('mutation($id: ID!) { aliasSet(id: $id, alias: "a") { id } }', {"id": id_})
    for query, variables in (
        ("query($id: ID) { image(id: $id) { id } }", {"id": id_}),
        (BY_NAME, {"name": "cirros", "version": "1.0.0"}),
        (BY_NAME_DEFAULT, {"name": "cirros"}),
        (BY_NAME, {"name": "cirros", "version": "^1"}),
        (BY_NAME, {"name": "cirros", "alias": "a"}),
    ):
        assert (await gql(query, variables, as_="bob"))["image"] is None, variables
        assert (await gql(query, variables, as_="admin"))["image"]["id"] == id_, variables


async def test_public_artifact_is_visible_to_other_projects(gql):
    id_ = await _create(gql, "cirros", "1.0.0", **READY)
    await _activate(gql, id_)
    await _publish(gql, id_)
    data = await gql("query($id: ID) { image(id: $id) { id visibility } }", {"id": id_}, as_="bob")
    assert data["image"] == {"id": id_, "visibility": "PUBLIC"}
    assert await _version(gql, "1.0", as_="bob") == "1.0.0"


async def test_deleted_artifact_is_not_found(gql):
    id_ = await _create(gql, "cirros", "1.0.0")
    await _create(gql, "cirros", "0.5.0")
    await gql("mutation($id: ID!) { artifactDelete(id: $id) }", {"id": id_})
    assert (await gql("query($id: ID) { image(id: $id) { id } }", {"id": id_}))["image"] is None
    assert await _version(gql) == "0.5.0"
    assert await _version(gql, "1.0.0") is None
