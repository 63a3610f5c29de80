"""Create mutations: name and version rules, Unicode, description length, defaults, identity
and name+version uniqueness (API.md §3, §5)."""

import pytest

CREATE = """
mutation($input: ImageCreateInput!) {
  imageCreate(input: $input) {
    id name version description tags owner createdBy visibility status revision minRam minDisk
  }
}"""
LOOKUP = """
query($id: ID!) { artifact(id: $id) { id name version description tags } }"""


async def create(gql, as_="alice", **fields):
    return (await gql(CREATE, {"input": fields}, as_=as_))["imageCreate"]


async def create_error(gql, as_="alice", **fields):
    return await gql.error(CREATE, {"input": fields}, as_=as_)


async def test_new_artifact_is_a_private_draft_at_revision_1(gql):
    image = await create(gql, name="cirros")
    assert (image["status"], image["visibility"], image["revision"]) == ("DRAFTED", "PRIVATE", 1)
    assert (image["owner"], image["createdBy"]) == ("p1", "alice")


async def test_owner_is_the_project_and_created_by_the_user(gql):
    assert (await create(gql, name="a", as_="carol"))["createdBy"] == "carol"
    admin_image = await create(gql, name="a", as_="admin")
    assert (admin_image["owner"], admin_image["createdBy"]) == ("ops", "root")


async def test_missing_name_is_bad_user_input(gql):
    error = await create_error(gql, version="1.0")
    assert error["code"] == "BAD_USER_INPUT"
    assert error["field"] == "input.name"


async def test_empty_name_is_bad_user_input(gql):
    error = await create_error(gql, name="")
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "input.name")


async def test_name_of_255_chars_is_accepted(gql):
    assert (await create(gql, name="n" * 255))["name"] == "n" * 255


async def test_name_of_256_chars_is_bad_user_input(gql):
    error = await create_error(gql, name="n" * 256)
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "input.name")


async def test_version_defaults_to_0_0_0(gql):
    assert (await create(gql, name="cirros"))["version"] == "0.0.0"


@pytest.mark.parametrize(
    ("given", "stored"),
    [("1.0", "1.0.0"), ("1", "1.0.0"), ("1-alpha", "1.0.0-alpha"), ("2.3.4", "2.3.4")],
)
async def test_version_is_normalised_to_semver(gql, given, stored):
    image = await create(gql, name="cirros", version=given)
    assert image["version"] == stored
    assert (await gql(LOOKUP, {"id": image["id"]}))["artifact"]["version"] == stored


@pytest.mark.parametrize("version", ["abc", "1..0", "1.0.0-", "x.y.z"])
async def test_invalid_version_is_bad_user_input(gql, version):
    error = await create_error(gql, name="cirros", version=version)
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "input.version")


async def test_unicode_and_emoji_are_returned_intact(gql):
    name = "образ-画像-🐧-e\u0301"
    description = "Ünïcödé 🚀 ∑ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 — ok"
    tags = ["🏷️", "ταγ", "标签"]
    image = await create(gql, name=name, description=description, tags=tags)
    assert (image["name"], image["description"]) == (name, description)
    assert sorted(image["tags"]) == sorted(tags)  # tags are a set: order is not part of it
    found = (await gql(LOOKUP, {"id": image["id"]}))["artifact"]
    assert (found["name"], found["description"]) == (name, description)
    assert sorted(found["tags"]) == sorted(tags)


async def test_description_of_4096_chars_is_accepted(gql):
    image = await create(gql, name="cirros", description="d" * 4096)
    assert image["description"] == "d" * 4096


async def test_description_of_4097_chars_is_bad_user_input(gql):
    error = await create_error(gql, name="cirros", description="d" * 4097)
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "input.description")


async def test_description_length_counts_characters_not_bytes(gql):
    image = await create(gql, name="cirros", description="😀" * 4096)
    assert image["description"] == "😀" * 4096


async def test_defaults_of_type_fields_are_applied(gql):
    image = await create(gql, name="cirros")
    assert (image["minRam"], image["minDisk"]) == (0, 0)


async def test_sample_choice_defaults_to_red(sample_gql):
    data = await sample_gql(
        'mutation { sampleArtifactCreate(input: {name: "s"}) { choice } }',
    )
    assert data["sampleArtifactCreate"]["choice"] == "red"


@pytest.mark.parametrize("field", ["status", "visibility", "owner", "id", "createdAt"])
async def test_system_fields_cannot_be_set_through_the_input(gql, field):
    error = await create_error(gql, name="cirros", **{field: "x"})
    assert error["code"] == "BAD_USER_INPUT"


async def test_duplicate_name_and_version_in_a_project_is_conflict(gql):
    await create(gql, name="cirros", version="1.0.0")
    error = await create_error(gql, name="cirros", version="1.0.0")
    assert error["code"] == "CONFLICT"


async def test_duplicate_is_detected_after_version_normalisation(gql):
    await create(gql, name="cirros", version="1.0")
    assert (await create_error(gql, name="cirros", version="1.0.0"))["code"] == "CONFLICT"


async def test_duplicate_by_another_user_of_the_same_project_is_conflict(gql):
    await create(gql, name="cirros", version="1.0.0")
    error = await create_error(gql, name="cirros", version="1.0.0", as_="carol")
    assert error["code"] == "CONFLICT"


async def test_same_name_and_version_in_another_project_is_fine(gql):
    mine = await create(gql, name="cirros", version="1.0.0")
    theirs = await create(gql, name="cirros", version="1.0.0", as_="bob")
    assert mine["id"] != theirs["id"]
    assert theirs["owner"] == "p2"


async def test_same_name_with_another_version_is_fine(gql):
    await create(gql, name="cirros", version="1.0.0")
    assert (await create(gql, name="cirros", version="1.0.1"))["version"] == "1.0.1"


async def test_same_name_and_version_of_another_type_is_fine(gql):
    await create(gql, name="shared-name", version="1.0.0")
    data = await gql(
        'mutation { datasetCreate(input: {name: "shared-name", version: "1.0.0"}) { id } }'
    )
    assert data["datasetCreate"]["id"]


async def test_anonymous_create_is_unauthenticated(gql):
    error = await create_error(gql, name="cirros", as_="anon")
    assert error["code"] == "UNAUTHENTICATED"


async def test_failed_create_leaves_nothing_behind(gql):
    await create_error(gql, name="cirros", description="d" * 4097)
    data = await gql("{ images { totalCount } }")
    assert data["images"]["totalCount"] == 0
