"""Base-field rules on create and update: tags and metadata limits (API.md §3)."""

import pytest

CREATE = """
mutation($input: ImageCreateInput!) { imageCreate(input: $input) { id tags metadata revision } }"""
UPDATE = """
mutation($id: ID!, $input: ImageUpdateInput!) {
  imageUpdate(id: $id, input: $input) { id tags metadata revision }
}"""


async def create(gql, **fields):
    return (await gql(CREATE, {"input": {"name": "cirros", **fields}}))["imageCreate"]


async def create_error(gql, **fields):
    return await gql.error(CREATE, {"input": {"name": "cirros", **fields}})


def assert_bad_input(error, field):
    assert error["code"] == "BAD_USER_INPUT"
    assert error["field"].startswith(field), error


async def test_duplicate_tags_are_dropped(gql):
    image = await create(gql, tags=["a", "b", "a", "b", "c"])
    assert sorted(image["tags"]) == ["a", "b", "c"]


async def test_255_tags_are_accepted(gql):
    tags = [f"t{i}" for i in range(255)]
    assert sorted((await create(gql, tags=tags))["tags"]) == sorted(tags)


async def test_256_tags_are_bad_user_input(gql):
    error = await create_error(gql, tags=[f"t{i}" for i in range(256)])
    assert_bad_input(error, "input.tags")


async def test_255_duplicates_of_one_tag_count_once(gql):
    assert (await create(gql, tags=["same"] * 255))["tags"] == ["same"]


async def test_tag_of_255_chars_is_accepted(gql):
    assert (await create(gql, tags=["t" * 255]))["tags"] == ["t" * 255]


@pytest.mark.parametrize("tag", ["", "t" * 256, "a,b", "a/b", ",", "/"])
async def test_invalid_tag_is_bad_user_input(gql, tag):
    assert_bad_input(await create_error(gql, tags=["ok", tag]), "input.tags")


async def test_invalid_tag_on_update_is_bad_user_input(gql):
    image = await create(gql)
    error = await gql.error(UPDATE, {"id": image["id"], "input": {"tags": ["a/b"]}})
    assert_bad_input(error, "input.tags")


async def test_metadata_of_strings_is_stored(gql):
    metadata = {"os": "linux", "emoji": "🐧", "empty": ""}
    assert (await create(gql, metadata=metadata))["metadata"] == metadata


@pytest.mark.parametrize("value", [1, 1.5, True, None, ["a"], {"nested": "x"}])
async def test_metadata_values_must_be_strings(gql, value):
    assert_bad_input(await create_error(gql, metadata={"k": value}), "input.metadata")


@pytest.mark.parametrize("metadata", [["a", "b"], "text", 3])
async def test_metadata_must_be_an_object(gql, metadata):
    assert_bad_input(await create_error(gql, metadata=metadata), "input.metadata")


async def test_255_metadata_keys_are_accepted(gql):
    metadata = {f"k{i}": "v" for i in range(255)}
    assert (await create(gql, metadata=metadata))["metadata"] == metadata


async def test_256_metadata_keys_are_bad_user_input(gql):
    error = await create_error(gql, metadata={f"k{i}": "v" for i in range(256)})
    assert_bad_input(error, "input.metadata")


async def test_metadata_key_and_value_of_255_chars_are_accepted(gql):
    metadata = {"k" * 255: "v" * 255}
    assert (await create(gql, metadata=metadata))["metadata"] == metadata


@pytest.mark.parametrize("metadata", [{"": "v"}, {"k" * 256: "v"}, {"k": "v" * 256}])
async def test_metadata_key_or_value_out_of_bounds_is_bad_user_input(gql, metadata):
    assert_bad_input(await create_error(gql, metadata=metadata), "input.metadata")


async def test_invalid_metadata_on_update_is_bad_user_input(gql):
    image = await create(gql)
    error = await gql.error(UPDATE, {"id": image["id"], "input": {"metadata": {"k": 1}}})
    assert_bad_input(error, "input.metadata")


async def test_rejected_update_leaves_the_artifact_unchanged(gql):
    image = await create(gql, tags=["keep"], metadata={"k": "v"})
    await gql.error(UPDATE, {"id": image["id"], "input": {"tags": ["new"], "metadata": {"k": 1}}})
    found = await gql(
        "query($id: ID!) { artifact(id: $id) { tags metadata revision } }", {"id": image["id"]}
    )
    assert found["artifact"] == {"tags": ["keep"], "metadata": {"k": "v"}, "revision": 1}
