"""aliasSet and aliasRemove: lookup by alias, an alias moves atomically between versions of one
name, and is unique per owner project, type and name (API.md §4, §5)."""

CREATE = """
mutation($input: ImageCreateInput!) { imageCreate(input: $input) { id } }"""
ALIAS_SET = """
mutation($id: ID!, $alias: String!) { aliasSet(id: $id, alias: $alias) { id aliases revision } }"""
ALIAS_REMOVE = """
mutation($id: ID!, $alias: String!) {
  aliasRemove(id: $id, alias: $alias) { id aliases revision }
}"""
BY_ALIAS = """
query($name: String!, $alias: String!) { image(name: $name, alias: $alias) { id version } }"""
ALIASES = "query($id: ID!) { artifact(id: $id) { aliases } }"


async def draft(gql, version, name="cirros", as_="alice"):
    input_ = {"name": name, "version": version}
    return (await gql(CREATE, {"input": input_}, as_=as_))["imageCreate"]["id"]


async def alias_set(gql, image, alias, as_="alice"):
    return (await gql(ALIAS_SET, {"id": image, "alias": alias}, as_=as_))["aliasSet"]


async def by_alias(gql, alias, name="cirros", as_="alice"):
    return (await gql(BY_ALIAS, {"name": name, "alias": alias}, as_=as_))["image"]


async def aliases(gql, image):
    return (await gql(ALIASES, {"id": image}))["artifact"]["aliases"]


async def test_alias_set_then_lookup_by_alias(gql):
    image = await draft(gql, "1.0.0")
    await draft(gql, "2.0.0")
    assert (await alias_set(gql, image, "stable"))["aliases"] == ["stable"]
    assert await by_alias(gql, "stable") == {"id": image, "version": "1.0.0"}


async def test_unknown_alias_looks_up_null(gql):
    await draft(gql, "1.0.0")
    assert await by_alias(gql, "nope") is None


async def test_alias_moves_to_another_version(gql):
    old = await draft(gql, "1.0.0")
    new = await draft(gql, "2.0.0")
    await alias_set(gql, old, "stable")
    assert (await alias_set(gql, new, "stable"))["aliases"] == ["stable"]
    assert await aliases(gql, old) == []
    assert (await by_alias(gql, "stable"))["id"] == new


async def test_one_artifact_holds_several_aliases(gql):
    image = await draft(gql, "1.0.0")
    await alias_set(gql, image, "stable")
    assert sorted((await alias_set(gql, image, "lts"))["aliases"]) == ["lts", "stable"]


async def test_setting_an_alias_twice_keeps_the_revision(gql):
    image = await draft(gql, "1.0.0")
    first = await alias_set(gql, image, "stable")
    assert await alias_set(gql, image, "stable") == first


async def test_same_alias_on_another_name_is_independent(gql):
    cirros = await draft(gql, "1.0.0")
    ubuntu = await draft(gql, "1.0.0", name="ubuntu")
    await alias_set(gql, cirros, "stable")
    await alias_set(gql, ubuntu, "stable")
    assert (await by_alias(gql, "stable"))["id"] == cirros
    assert (await by_alias(gql, "stable", name="ubuntu"))["id"] == ubuntu
    assert await aliases(gql, cirros) == ["stable"]


async def test_same_alias_in_another_project_is_independent(gql):
    mine = await draft(gql, "1.0.0")
    theirs = await draft(gql, "2.0.0", as_="bob")
    await alias_set(gql, mine, "stable")
    await alias_set(gql, theirs, "stable", as_="bob")
    assert await aliases(gql, mine) == ["stable"]
    assert (await by_alias(gql, "stable"))["id"] == mine
    assert (await by_alias(gql, "stable", as_="bob"))["id"] == theirs


async def test_alias_remove(gql):
    image = await draft(gql, "1.0.0")
    await alias_set(gql, image, "stable")
    removed = (await gql(ALIAS_REMOVE, {"id": image, "alias": "stable"}))["aliasRemove"]
    assert removed["aliases"] == []
    assert await by_alias(gql, "stable") is None


async def test_alias_on_another_projects_artifact_is_not_found(gql):
    image = await draft(gql, "1.0.0")
    error = await gql.error(ALIAS_SET, {"id": image, "alias": "stable"}, as_="bob")
    assert error["code"] == "NOT_FOUND"


async def test_empty_alias_is_bad_user_input(gql):
    image = await draft(gql, "1.0.0")
    error = await gql.error(ALIAS_SET, {"id": image, "alias": ""})
    assert error["code"] == "BAD_USER_INPUT"


async def test_alias_of_a_deleted_artifact_is_gone(gql):
    image = await draft(gql, "1.0.0")
    await alias_set(gql, image, "stable")
    await gql("mutation($id: ID!) { artifactDelete(id: $id) }", {"id": image})
    assert await by_alias(gql, "stable") is None
    fresh = await draft(gql, "2.0.0")
    assert (await alias_set(gql, fresh, "stable"))["aliases"] == ["stable"]
