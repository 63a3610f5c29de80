"""Share and unshare: who sees a SHARED artifact, who sees `sharedWith`, and the way back to
PRIVATE (API.md §3, §5)."""

CREATE = """
mutation($input: ImageCreateInput!) { imageCreate(input: $input) { id } }"""
SHARE = """
mutation($id: ID!, $project: String!) {
  artifactShare(id: $id, project: $project) { visibility sharedWith revision }
}"""
UNSHARE = """
mutation($id: ID!, $project: String!) {
  artifactUnshare(id: $id, project: $project) { visibility sharedWith revision }
}"""
READ = "query($id: ID!) { artifact(id: $id) { id visibility sharedWith } }"


async def draft(gql, as_="alice"):
    return (await gql(CREATE, {"input": {"name": "cirros"}}, as_=as_))["imageCreate"]["id"]


async def share(gql, image, project, as_="alice"):
    return (await gql(SHARE, {"id": image, "project": project}, as_=as_))["artifactShare"]


async def unshare(gql, image, project, as_="alice"):
    return (await gql(UNSHARE, {"id": image, "project": project}, as_=as_))["artifactUnshare"]


async def read(gql, image, as_):
    return (await gql(READ, {"id": image}, as_=as_))["artifact"]


async def test_bob_sees_the_artifact_only_after_it_is_shared_with_his_project(gql):
    image = await draft(gql)
    assert await read(gql, image, "bob") is None
    shared = await share(gql, image, "p2")
    assert (shared["visibility"], shared["sharedWith"]) == ("SHARED", ["p2"])
    assert (await read(gql, image, "bob"))["id"] == image


async def test_shared_artifact_appears_in_the_other_projects_list(gql):
    image = await draft(gql)
    await share(gql, image, "p2")
    listed = await gql("{ images { nodes { id } } }", as_="bob")
    assert listed["images"]["nodes"] == [{"id": image}]


async def test_shared_with_is_filled_for_owner_and_admin_and_empty_for_bob(gql):
    image = await draft(gql)
    await share(gql, image, "p2")
    await share(gql, image, "p3")
    assert sorted((await read(gql, image, "alice"))["sharedWith"]) == ["p2", "p3"]
    assert sorted((await read(gql, image, "admin"))["sharedWith"]) == ["p2", "p3"]
    assert (await read(gql, image, "bob"))["sharedWith"] == []


async def test_sharing_with_another_project_does_not_show_it_to_bob(gql):
    image = await draft(gql)
    await share(gql, image, "p3")
    assert await read(gql, image, "bob") is None


async def test_share_bumps_the_revision(gql):
    image = await draft(gql)
    assert (await share(gql, image, "p2"))["revision"] == 2


async def test_sharing_twice_with_the_same_project_changes_nothing(gql):
    image = await draft(gql)
    first = await share(gql, image, "p2")
    assert await share(gql, image, "p2") == first


async def test_unshare_of_the_last_project_makes_it_private(gql):
    image = await draft(gql)
    await share(gql, image, "p2")
    unshared = await unshare(gql, image, "p2")
    assert (unshared["visibility"], unshared["sharedWith"]) == ("PRIVATE", [])
    assert await read(gql, image, "bob") is None


async def test_unshare_of_one_project_keeps_the_others(gql):
    image = await draft(gql)
    await share(gql, image, "p2")
    await share(gql, image, "p3")
    unshared = await unshare(gql, image, "p2")
    assert (unshared["visibility"], unshared["sharedWith"]) == ("SHARED", ["p3"])
    assert await read(gql, image, "bob") is None


async def test_another_project_cannot_share_an_invisible_artifact(gql):
    image = await draft(gql)
    error = await gql.error(SHARE, {"id": image, "project": "p2"}, as_="bob")
    assert error["code"] == "NOT_FOUND"


async def test_the_project_it_is_shared_with_cannot_reshare_it(gql):
    image = await draft(gql)
    await share(gql, image, "p2")
    error = await gql.error(SHARE, {"id": image, "project": "p3"}, as_="bob")
    assert error["code"] == "FORBIDDEN"


async def test_the_project_it_is_shared_with_cannot_update_it(gql):
    image = await draft(gql)
    await share(gql, image, "p2")
    error = await gql.error(
        'mutation($id: ID!) { imageUpdate(id: $id, input: {osDistro: "x"}) { id } }',
        {"id": image},
        as_="bob",
    )
    assert error["code"] == "FORBIDDEN"


async def test_admin_may_share_any_artifact(gql):
    image = await draft(gql)
    assert (await share(gql, image, "p2", as_="admin"))["visibility"] == "SHARED"
    assert (await read(gql, image, "bob"))["id"] == image
