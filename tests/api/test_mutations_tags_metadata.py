"""artifactTagsAdd/Remove (set semantics) and artifactMetadataSet/Remove (merge, immutable after
activation), with their revision bumps (API.md §3, §5)."""

CREATE = """
mutation($input: ImageCreateInput!) { imageCreate(input: $input) { id } }"""
TAGS_ADD = """
mutation($id: ID!, $tags: [String!]!) { artifactTagsAdd(id: $id, tags: $tags) { tags revision } }"""
TAGS_REMOVE = """
mutation($id: ID!, $tags: [String!]!) {
  artifactTagsRemove(id: $id, tags: $tags) { tags revision }
}"""
META_SET = """
mutation($id: ID!, $entries: JSON!) {
  artifactMetadataSet(id: $id, entries: $entries) { metadata revision }
}"""
META_REMOVE = """
mutation($id: ID!, $keys: [String!]!) {
  artifactMetadataRemove(id: $id, keys: $keys) { metadata revision }
}"""
ACTIVATE = "mutation($id: ID!) { artifactActivate(id: $id) { id } }"


async def draft(gql, as_="alice", **fields):
    input_ = {"name": "cirros", "containerFormat": "bare", "diskFormat": "qcow2", **fields}
    return (await gql(CREATE, {"input": input_}, as_=as_))["imageCreate"]["id"]


async def tags_add(gql, image, tags, as_="alice"):
    return (await gql(TAGS_ADD, {"id": image, "tags": tags}, as_=as_))["artifactTagsAdd"]


async def tags_remove(gql, image, tags):
    return (await gql(TAGS_REMOVE, {"id": image, "tags": tags}))["artifactTagsRemove"]


async def meta_set(gql, image, entries):
    return (await gql(META_SET, {"id": image, "entries": entries}))["artifactMetadataSet"]


async def meta_remove(gql, image, keys):
    return (await gql(META_REMOVE, {"id": image, "keys": keys}))["artifactMetadataRemove"]


async def test_tags_add_unions_with_existing_tags(gql):
    image = await draft(gql, tags=["a"])
    added = await tags_add(gql, image, ["b", "c", "b"])
    assert (sorted(added["tags"]), added["revision"]) == (["a", "b", "c"], 2)


async def test_tags_add_of_present_tags_keeps_the_revision(gql):
    image = await draft(gql, tags=["a", "b"])
    added = await tags_add(gql, image, ["a"])
    assert (sorted(added["tags"]), added["revision"]) == (["a", "b"], 1)


async def test_tags_remove_takes_only_the_given_tags(gql):
    image = await draft(gql, tags=["a", "b", "c"])
    removed = await tags_remove(gql, image, ["b", "missing"])
    assert (sorted(removed["tags"]), removed["revision"]) == (["a", "c"], 2)


async def test_tags_remove_of_absent_tags_keeps_the_revision(gql):
    image = await draft(gql, tags=["a"])
    assert await tags_remove(gql, image, ["zzz"]) == {"tags": ["a"], "revision": 1}


async def test_tags_add_validates_each_tag(gql):
    image = await draft(gql)
    for bad in ["a/b", "a,b", "", "t" * 256]:
        error = await gql.error(TAGS_ADD, {"id": image, "tags": [bad]})
        assert error["code"] == "BAD_USER_INPUT", bad


async def test_tags_add_beyond_255_tags_is_bad_user_input(gql):
    image = await draft(gql, tags=[f"t{i}" for i in range(250)])
    error = await gql.error(TAGS_ADD, {"id": image, "tags": [f"n{i}" for i in range(6)]})
    assert error["code"] == "BAD_USER_INPUT"


async def test_tags_change_while_active(gql):
    image = await draft(gql, tags=["a"])
    await gql(ACTIVATE, {"id": image})
    assert sorted((await tags_add(gql, image, ["prod"]))["tags"]) == ["a", "prod"]
    assert (await tags_remove(gql, image, ["a"]))["tags"] == ["prod"]


async def test_tags_add_on_another_projects_artifact_is_not_found(gql):
    image = await draft(gql)
    error = await gql.error(TAGS_ADD, {"id": image, "tags": ["x"]}, as_="bob")
    assert error["code"] == "NOT_FOUND"


async def test_tags_add_with_stale_expected_revision_is_conflict(gql):
    image = await draft(gql)
    error = await gql.error(
        'mutation($id: ID!) { artifactTagsAdd(id: $id, tags: ["x"], expectedRevision: 3) { id } }',
        {"id": image},
    )
    assert (error["code"], error["expected"], error["actual"]) == ("CONFLICT", 3, 1)


async def test_metadata_set_merges_keys(gql):
    image = await draft(gql, metadata={"a": "1", "b": "2"})
    merged = await meta_set(gql, image, {"b": "20", "c": "3"})
    assert merged == {"metadata": {"a": "1", "b": "20", "c": "3"}, "revision": 2}


async def test_metadata_set_with_the_same_values_keeps_the_revision(gql):
    image = await draft(gql, metadata={"a": "1"})
    assert (await meta_set(gql, image, {"a": "1"}))["revision"] == 1


async def test_metadata_set_validates_values(gql):
    image = await draft(gql)
    error = await gql.error(META_SET, {"id": image, "entries": {"a": 1}})
    assert error["code"] == "BAD_USER_INPUT"


async def test_metadata_set_beyond_255_keys_is_bad_user_input(gql):
    image = await draft(gql, metadata={f"k{i}": "v" for i in range(255)})
    error = await gql.error(META_SET, {"id": image, "entries": {"one-more": "v"}})
    assert error["code"] == "BAD_USER_INPUT"


async def test_metadata_remove_drops_only_the_given_keys(gql):
    image = await draft(gql, metadata={"a": "1", "b": "2"})
    removed = await meta_remove(gql, image, ["a", "missing"])
    assert removed == {"metadata": {"b": "2"}, "revision": 2}


async def test_metadata_remove_of_absent_keys_keeps_the_revision(gql):
    image = await draft(gql, metadata={"a": "1"})
    assert await meta_remove(gql, image, ["zzz"]) == {"metadata": {"a": "1"}, "revision": 1}


async def test_metadata_set_after_activation_is_forbidden(gql):
    image = await draft(gql, metadata={"a": "1"})
    await gql(ACTIVATE, {"id": image})
    error = await gql.error(META_SET, {"id": image, "entries": {"b": "2"}})
    assert error["code"] == "FORBIDDEN"


async def test_metadata_remove_after_activation_is_forbidden(gql):
    image = await draft(gql, metadata={"a": "1"})
    await gql(ACTIVATE, {"id": image})
    error = await gql.error(META_REMOVE, {"id": image, "keys": ["a"]})
    assert error["code"] == "FORBIDDEN"
    found = await gql("query($id: ID!) { artifact(id: $id) { metadata } }", {"id": image})
    assert found["artifact"]["metadata"] == {"a": "1"}
