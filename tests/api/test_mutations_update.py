"""Update mutations: omitted vs null, revisions, expectedRevision, immutability after activation
and who may update (API.md §3, §5)."""

CREATE = """
mutation($input: ImageCreateInput!) { imageCreate(input: $input) { id revision } }"""
UPDATE = """
mutation($id: ID!, $input: ImageUpdateInput!, $rev: Int) {
  imageUpdate(id: $id, input: $input, expectedRevision: $rev) {
    id name version description tags metadata revision diskFormat osDistro minRam
  }
}"""
ACTIVATE = "mutation($id: ID!) { artifactActivate(id: $id) { status revision } }"
PUBLISH = "mutation($id: ID!) { artifactPublish(id: $id) { visibility } }"


async def draft(gql, as_="alice", **fields):
    input_ = {"name": "cirros", "containerFormat": "bare", "diskFormat": "qcow2", **fields}
    return (await gql(CREATE, {"input": input_}, as_=as_))["imageCreate"]["id"]


async def active(gql, as_="alice", **fields):
    image = await draft(gql, as_=as_, **fields)
    await gql(ACTIVATE, {"id": image}, as_=as_)
    return image


async def update(gql, image, as_="alice", rev=None, **fields):
    variables = {"id": image, "input": fields, "rev": rev}
    return (await gql(UPDATE, variables, as_=as_))["imageUpdate"]


async def update_error(gql, image, as_="alice", rev=None, **fields):
    return await gql.error(UPDATE, {"id": image, "input": fields, "rev": rev}, as_=as_)


async def test_omitted_fields_stay_unchanged(gql):
    image = await draft(gql, description="keep", osDistro="ubuntu", tags=["t"])
    updated = await update(gql, image, minRam=512)
    assert updated["minRam"] == 512
    assert (updated["description"], updated["osDistro"], updated["tags"]) == (
        "keep",
        "ubuntu",
        ["t"],
    )
    assert updated["diskFormat"] == "qcow2"


async def test_explicit_null_clears_a_field(gql):
    image = await draft(gql, description="gone", osDistro="ubuntu")
    updated = await update(gql, image, description=None, osDistro=None)
    assert (updated["description"], updated["osDistro"]) == (None, None)


async def test_each_change_bumps_the_revision_by_one(gql):
    image = await draft(gql)
    assert (await update(gql, image, osDistro="a"))["revision"] == 2
    assert (await update(gql, image, osDistro="b", minRam=1))["revision"] == 3


async def test_update_that_changes_nothing_keeps_the_revision(gql):
    image = await draft(gql, osDistro="same")
    assert (await update(gql, image, osDistro="same"))["revision"] == 1
    assert (await update(gql, image))["revision"] == 1


async def test_name_changes_while_drafted(gql):
    image = await draft(gql)
    assert (await update(gql, image, name="renamed"))["name"] == "renamed"


async def test_version_changes_while_drafted_and_is_normalised(gql):
    image = await draft(gql)
    assert (await update(gql, image, version="2.0"))["version"] == "2.0.0"


async def test_invalid_version_on_update_is_bad_user_input(gql):
    image = await draft(gql)
    error = await update_error(gql, image, version="abc")
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "input.version")


async def test_update_to_an_existing_name_and_version_is_conflict(gql):
    await draft(gql, name="taken", version="1.0.0")
    image = await draft(gql, name="free", version="1.0.0")
    assert (await update_error(gql, image, name="taken"))["code"] == "CONFLICT"


async def test_matching_expected_revision_is_accepted(gql):
    image = await draft(gql)
    assert (await update(gql, image, rev=1, osDistro="x"))["revision"] == 2


async def test_stale_expected_revision_is_conflict_with_expected_and_actual(gql):
    image = await draft(gql)
    await update(gql, image, osDistro="x")
    error = await update_error(gql, image, rev=1, osDistro="y")
    assert (error["code"], error["expected"], error["actual"]) == ("CONFLICT", 1, 2)
    found = await gql("query($id: ID!) { image(id: $id) { osDistro } }", {"id": image})
    assert found["image"]["osDistro"] == "x"


async def test_immutable_field_change_on_active_artifact_is_forbidden(gql):
    image = await active(gql)
    assert (await update_error(gql, image, minRam=1024))["code"] == "FORBIDDEN"
    assert (await update_error(gql, image, diskFormat="raw"))["code"] == "FORBIDDEN"


async def test_mutable_field_changes_on_active_artifact(gql):
    image = await active(gql)
    updated = await update(gql, image, osDistro="fedora")
    assert (updated["osDistro"], updated["revision"]) == ("fedora", 3)


async def test_description_and_tags_change_on_active_artifact(gql):
    image = await active(gql)
    updated = await update(gql, image, description="now active", tags=["prod"])
    assert (updated["description"], updated["tags"]) == ("now active", ["prod"])


async def test_name_change_after_activation_is_forbidden(gql):
    image = await active(gql)
    assert (await update_error(gql, image, name="other"))["code"] == "FORBIDDEN"


async def test_version_change_after_activation_is_forbidden(gql):
    image = await active(gql)
    assert (await update_error(gql, image, version="9.0.0"))["code"] == "FORBIDDEN"


async def test_metadata_change_after_activation_is_forbidden(gql):
    image = await active(gql)
    assert (await update_error(gql, image, metadata={"k": "v"}))["code"] == "FORBIDDEN"


async def test_setting_an_immutable_field_to_its_current_value_while_active_is_allowed(gql):
    image = await active(gql)
    assert (await update(gql, image, diskFormat="qcow2"))["revision"] == 2


async def test_sample_mutable_fields_change_while_active(sample_gql):
    created = await sample_gql(
        'mutation { sampleArtifactCreate(input: {name: "s", requiredOnActivate: "x"}) { id } }'
    )
    sample = created["sampleArtifactCreate"]["id"]
    await sample_gql(ACTIVATE, {"id": sample})
    data = await sample_gql(
        "mutation($id: ID!, $input: SampleArtifactUpdateInput!) {"
        " sampleArtifactUpdate(id: $id, input: $input) { stringMutable strList } }",
        {"id": sample, "input": {"stringMutable": "m", "strList": ["a", "b"]}},
    )
    assert data["sampleArtifactUpdate"] == {"stringMutable": "m", "strList": ["a", "b"]}
    error = await sample_gql.error(
        'mutation($id: ID!) { sampleArtifactUpdate(id: $id, input: {stringField: "s"}) { id } }',
        {"id": sample},
    )
    assert error["code"] == "FORBIDDEN"


async def test_another_projects_artifact_is_not_found(gql):
    image = await draft(gql)
    assert (await update_error(gql, image, as_="bob", osDistro="x"))["code"] == "NOT_FOUND"


async def test_update_of_a_missing_id_is_not_found(gql):
    missing = "00000000-0000-4000-8000-000000000000"
    assert (await update_error(gql, missing, osDistro="x"))["code"] == "NOT_FOUND"


async def test_another_user_of_the_same_project_may_update(gql):
    image = await draft(gql)
    assert (await update(gql, image, as_="carol", osDistro="x"))["osDistro"] == "x"


async def test_public_artifact_is_readable_but_not_updatable_by_another_project(gql):
    image = await active(gql)
    await gql(PUBLISH, {"id": image}, as_="admin")
    found = await gql("query($id: ID!) { image(id: $id) { id } }", {"id": image}, as_="bob")
    assert found["image"] == {"id": image}
    assert (await update_error(gql, image, as_="bob", osDistro="x"))["code"] == "FORBIDDEN"


async def test_anonymous_update_is_unauthenticated(gql):
    image = await draft(gql)
    assert (await update_error(gql, image, as_="anon", osDistro="x"))["code"] == "UNAUTHENTICATED"
