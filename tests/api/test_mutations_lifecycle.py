"""Lifecycle mutations: activate, deactivate, reactivate and publish, with their permissions and
CONFLICT on transitions not allowed from the current status (API.md §5)."""

import pytest

CREATE = """
mutation($input: ImageCreateInput!) { imageCreate(input: $input) { id } }"""
FIELDS = "id status visibility revision activatedAt"
ACTIVATE = f"mutation($id: ID!) {{ artifactActivate(id: $id) {{ {FIELDS} }} }}"
DEACTIVATE = f"mutation($id: ID!) {{ artifactDeactivate(id: $id) {{ {FIELDS} }} }}"
REACTIVATE = f"mutation($id: ID!) {{ artifactReactivate(id: $id) {{ {FIELDS} }} }}"
PUBLISH = f"mutation($id: ID!) {{ artifactPublish(id: $id) {{ {FIELDS} }} }}"
UNSHARE = 'mutation($id: ID!) { artifactUnshare(id: $id, project: "p2") { visibility } }'


async def draft(gql, as_="alice", **fields):
    input_ = {"name": "cirros", "containerFormat": "bare", "diskFormat": "qcow2", **fields}
    return (await gql(CREATE, {"input": input_}, as_=as_))["imageCreate"]["id"]


async def run(gql, mutation, image, as_="alice"):
    return next(iter((await gql(mutation, {"id": image}, as_=as_)).values()))


async def active(gql, as_="alice", **fields):
    image = await draft(gql, as_=as_, **fields)
    await run(gql, ACTIVATE, image, as_=as_)
    return image


async def test_activate_sets_status_activated_at_and_revision(gql):
    activated = await run(gql, ACTIVATE, await draft(gql))
    assert (activated["status"], activated["revision"]) == ("ACTIVE", 2)
    assert activated["activatedAt"] is not None


async def test_activate_without_required_fields_lists_them(gql):
    image = (await gql(CREATE, {"input": {"name": "bare"}}))["imageCreate"]["id"]
    error = await gql.error(ACTIVATE, {"id": image})
    assert error["code"] == "BAD_USER_INPUT"
    assert sorted(error["fields"]) == ["containerFormat", "diskFormat"]


async def test_activate_lists_only_the_missing_required_field(gql):
    image = (await gql(CREATE, {"input": {"name": "half", "diskFormat": "raw"}}))["imageCreate"]
    error = await gql.error(ACTIVATE, {"id": image["id"]})
    assert (error["code"], error["fields"]) == ("BAD_USER_INPUT", ["containerFormat"])


async def test_failed_activation_leaves_the_artifact_drafted(gql):
    image = (await gql(CREATE, {"input": {"name": "bare"}}))["imageCreate"]["id"]
    await gql.error(ACTIVATE, {"id": image})
    found = await gql("query($id: ID!) { artifact(id: $id) { status revision } }", {"id": image})
    assert found["artifact"] == {"status": "DRAFTED", "revision": 1}


async def test_activate_twice_returns_it_unchanged(gql):
    image = await draft(gql)
    first = await run(gql, ACTIVATE, image)
    assert await run(gql, ACTIVATE, image) == first


async def test_another_user_of_the_project_may_activate(gql):
    assert (await run(gql, ACTIVATE, await draft(gql), as_="carol"))["status"] == "ACTIVE"


async def test_another_project_cannot_activate(gql):
    error = await gql.error(ACTIVATE, {"id": await draft(gql)}, as_="bob")
    assert error["code"] == "NOT_FOUND"


async def test_admin_deactivates_and_reactivates(gql):
    image = await active(gql)
    deactivated = await run(gql, DEACTIVATE, image, as_="admin")
    assert (deactivated["status"], deactivated["revision"]) == ("DEACTIVATED", 3)
    reactivated = await run(gql, REACTIVATE, image, as_="admin")
    assert (reactivated["status"], reactivated["revision"]) == ("ACTIVE", 4)


async def test_owner_cannot_deactivate(gql):
    error = await gql.error(DEACTIVATE, {"id": await active(gql)})
    assert error["code"] == "FORBIDDEN"


async def test_owner_cannot_reactivate(gql):
    image = await active(gql)
    await run(gql, DEACTIVATE, image, as_="admin")
    assert (await gql.error(REACTIVATE, {"id": image}))["code"] == "FORBIDDEN"


@pytest.mark.parametrize(("mutation", "to"), [(DEACTIVATE, "DEACTIVATED"), (REACTIVATE, "ACTIVE")])
async def test_transition_from_drafted_is_conflict(gql, mutation, to):
    error = await gql.error(mutation, {"id": await draft(gql)}, as_="admin")
    assert (error["code"], error["from"], error["to"]) == ("CONFLICT", "DRAFTED", to)


async def test_activate_a_deactivated_artifact_is_conflict(gql):
    image = await active(gql)
    await run(gql, DEACTIVATE, image, as_="admin")
    error = await gql.error(ACTIVATE, {"id": image}, as_="admin")
    assert (error["code"], error["from"], error["to"]) == ("CONFLICT", "DEACTIVATED", "ACTIVE")


async def test_deactivate_twice_returns_it_unchanged(gql):
    image = await active(gql)
    first = await run(gql, DEACTIVATE, image, as_="admin")
    assert await run(gql, DEACTIVATE, image, as_="admin") == first


async def test_deactivated_artifact_is_changed_only_by_admin(gql):
    image = await active(gql)
    await run(gql, DEACTIVATE, image, as_="admin")
    update = 'mutation($id: ID!) { imageUpdate(id: $id, input: {osDistro: "x"}) { osDistro } }'
    assert (await gql.error(update, {"id": image}))["code"] == "FORBIDDEN"
    assert (await gql(update, {"id": image}, as_="admin"))["imageUpdate"]["osDistro"] == "x"


async def test_admin_publishes_an_active_artifact(gql):
    published = await run(gql, PUBLISH, await active(gql), as_="admin")
    assert (published["visibility"], published["status"]) == ("PUBLIC", "ACTIVE")


async def test_publish_by_owner_is_forbidden(gql):
    assert (await gql.error(PUBLISH, {"id": await active(gql)}))["code"] == "FORBIDDEN"


async def test_publish_a_drafted_artifact_is_conflict(gql):
    error = await gql.error(PUBLISH, {"id": await draft(gql)}, as_="admin")
    assert error["code"] == "CONFLICT"


async def test_published_artifact_is_visible_to_other_projects(gql):
    image = await active(gql)
    await run(gql, PUBLISH, image, as_="admin")
    found = await gql("query($id: ID!) { artifact(id: $id) { id } }", {"id": image}, as_="bob")
    assert found["artifact"] == {"id": image}


async def test_publish_is_one_way(gql):
    image = await active(gql)
    await run(gql, PUBLISH, image, as_="admin")
    again = await run(gql, PUBLISH, image, as_="admin")
    assert again["visibility"] == "PUBLIC"
    await run(gql, DEACTIVATE, image, as_="admin")
    await run(gql, REACTIVATE, image, as_="admin")
    found = await gql("query($id: ID!) { artifact(id: $id) { visibility } }", {"id": image})
    assert found["artifact"]["visibility"] == "PUBLIC"


async def test_unshare_of_a_public_artifact_does_not_make_it_private(gql):
    image = await active(gql)
    await run(gql, PUBLISH, image, as_="admin")
    body = (await gql.post(UNSHARE, {"id": image}, as_="admin")).json()
    found = await gql("query($id: ID!) { artifact(id: $id) { visibility } }", {"id": image})
    assert found["artifact"]["visibility"] == "PUBLIC", body


async def test_publishing_a_duplicate_public_name_and_version_is_conflict(gql):
    mine = await active(gql, version="1.0.0")
    theirs = await active(gql, as_="bob", version="1.0.0")
    await run(gql, PUBLISH, mine, as_="admin")
    error = await gql.error(PUBLISH, {"id": theirs}, as_="admin")
    assert error["code"] == "CONFLICT"


async def test_public_artifacts_of_another_version_coexist(gql):
    mine = await active(gql, version="1.0.0")
    theirs = await active(gql, as_="bob", version="2.0.0")
    await run(gql, PUBLISH, mine, as_="admin")
    assert (await run(gql, PUBLISH, theirs, as_="admin"))["visibility"] == "PUBLIC"


async def test_public_artifact_is_changed_only_by_admin(gql):
    image = await active(gql)
    await run(gql, PUBLISH, image, as_="admin")
    update = 'mutation($id: ID!) { imageUpdate(id: $id, input: {osDistro: "x"}) { osDistro } }'
    assert (await gql.error(update, {"id": image}))["code"] == "FORBIDDEN"
    assert (await gql(update, {"id": image}, as_="admin"))["imageUpdate"]["osDistro"] == "x"


async def test_stale_expected_revision_on_activate_is_conflict(gql):
    image = await draft(gql)
    error = await gql.error(
        "mutation($id: ID!) { artifactActivate(id: $id, expectedRevision: 7) { id } }",
        {"id": image},
    )
    assert (error["code"], error["expected"], error["actual"]) == ("CONFLICT", 7, 1)
