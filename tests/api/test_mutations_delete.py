"""artifactDelete: the artifact leaves every lookup and list, frees its name+version, and
DEACTIVATED or PUBLIC artifacts are deleted only by admin (API.md §3, §5)."""

CREATE = """
mutation($input: ImageCreateInput!) { imageCreate(input: $input) { id } }"""
DELETE = "mutation($id: ID!) { artifactDelete(id: $id) }"
ACTIVATE = "mutation($id: ID!) { artifactActivate(id: $id) { id } }"
DEACTIVATE = "mutation($id: ID!) { artifactDeactivate(id: $id) { id } }"
PUBLISH = "mutation($id: ID!) { artifactPublish(id: $id) { id } }"


async def draft(gql, as_="alice", **fields):
    input_ = {"name": "cirros", "containerFormat": "bare", "diskFormat": "qcow2", **fields}
    return (await gql(CREATE, {"input": input_}, as_=as_))["imageCreate"]["id"]


async def active(gql, **fields):
    image = await draft(gql, **fields)
    await gql(ACTIVATE, {"id": image})
    return image


async def test_delete_returns_the_id(gql):
    image = await draft(gql)
    assert (await gql(DELETE, {"id": image}))["artifactDelete"] == image


async def test_deleted_artifact_disappears_from_lookups(gql):
    image = await draft(gql, version="1.0.0")
    await gql(DELETE, {"id": image})
    assert (await gql("query($id: ID!) { artifact(id: $id) { id } }", {"id": image})) == {
        "artifact": None
    }
    assert (await gql("query($id: ID!) { image(id: $id) { id } }", {"id": image}))["image"] is None
    by_name = await gql('{ image(name: "cirros", version: "1.0.0") { id } }')
    assert by_name["image"] is None


async def test_deleted_artifact_disappears_from_lists(gql):
    kept = await draft(gql, name="kept")
    await gql(DELETE, {"id": await draft(gql)})
    assert (await gql("{ images { nodes { id } totalCount } }"))["images"] == {
        "nodes": [{"id": kept}],
        "totalCount": 1,
    }
    assert (await gql("{ artifacts { totalCount } }"))["artifacts"]["totalCount"] == 1


async def test_deleted_artifact_is_hidden_even_from_admin(gql):
    image = await draft(gql)
    await gql(DELETE, {"id": image})
    found = await gql("query($id: ID!) { artifact(id: $id) { id } }", {"id": image}, as_="admin")
    assert found["artifact"] is None


async def test_name_and_version_can_be_reused_after_delete(gql):
    old = await draft(gql, version="1.0.0")
    await gql(DELETE, {"id": old})
    new = await draft(gql, version="1.0.0")
    assert new != old
    found = await gql('{ image(name: "cirros", version: "1.0.0") { id } }')
    assert found["image"] == {"id": new}


async def test_deleting_twice_is_not_found(gql):
    image = await draft(gql)
    await gql(DELETE, {"id": image})
    assert (await gql.error(DELETE, {"id": image}))["code"] == "NOT_FOUND"


async def test_mutations_on_a_deleted_artifact_are_not_found(gql):
    image = await draft(gql)
    await gql(DELETE, {"id": image})
    error = await gql.error(
        'mutation($id: ID!) { artifactTagsAdd(id: $id, tags: ["x"]) { id } }', {"id": image}
    )
    assert error["code"] == "NOT_FOUND"


async def test_another_project_cannot_delete(gql):
    image = await draft(gql)
    assert (await gql.error(DELETE, {"id": image}, as_="bob"))["code"] == "NOT_FOUND"
    found = await gql("query($id: ID!) { artifact(id: $id) { id } }", {"id": image})
    assert found["artifact"] == {"id": image}


async def test_another_user_of_the_project_may_delete(gql):
    image = await draft(gql)
    assert (await gql(DELETE, {"id": image}, as_="carol"))["artifactDelete"] == image


async def test_active_artifact_is_deleted_by_its_owner(gql):
    image = await active(gql)
    assert (await gql(DELETE, {"id": image}))["artifactDelete"] == image


async def test_deactivated_artifact_is_deleted_only_by_admin(gql):
    image = await active(gql)
    await gql(DEACTIVATE, {"id": image}, as_="admin")
    assert (await gql.error(DELETE, {"id": image}))["code"] == "FORBIDDEN"
    assert (await gql(DELETE, {"id": image}, as_="admin"))["artifactDelete"] == image


async def test_public_artifact_is_deleted_only_by_admin(gql):
    image = await active(gql)
    await gql(PUBLISH, {"id": image}, as_="admin")
    assert (await gql.error(DELETE, {"id": image}))["code"] == "FORBIDDEN"
    assert (await gql.error(DELETE, {"id": image}, as_="bob"))["code"] == "FORBIDDEN"
    assert (await gql(DELETE, {"id": image}, as_="admin"))["artifactDelete"] == image


async def test_stale_expected_revision_on_delete_is_conflict(gql):
    image = await draft(gql)
    error = await gql.error(
        "mutation($id: ID!) { artifactDelete(id: $id, expectedRevision: 2) }", {"id": image}
    )
    assert (error["code"], error["expected"], error["actual"]) == ("CONFLICT", 2, 1)
    found = await gql("query($id: ID!) { artifact(id: $id) { id } }", {"id": image})
    assert found["artifact"] == {"id": image}


async def test_anonymous_delete_is_unauthenticated(gql):
    image = await draft(gql)
    assert (await gql.error(DELETE, {"id": image}, as_="anon"))["code"] == "UNAUTHENTICATED"
