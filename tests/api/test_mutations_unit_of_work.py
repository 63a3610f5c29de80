"""What every mutation gets from the one unit of work: fresh answers when several mutations
share a document, the previous alias holder changing with the move, one clock reading
(API.md §5)."""

CREATE = """
mutation($input: ImageCreateInput!) { imageCreate(input: $input) { id revision updatedAt } }"""
READ = "query($id: ID!) { artifact(id: $id) { tags aliases revision updatedAt } }"


async def create(gql, name="cirros", version="1.0.0", **extra):
    input_ = {"name": name, "version": version, **extra}
    return (await gql(CREATE, {"input": input_}))["imageCreate"]


async def test_two_tag_adds_in_one_document_each_answer_their_own_state(gql):
    image = (await create(gql))["id"]
    data = await gql(
        """mutation($id: ID!) {
          a: artifactTagsAdd(id: $id, tags: ["x"]) { tags revision }
          b: artifactTagsAdd(id: $id, tags: ["y"]) { tags revision }
          c: artifactTagsRemove(id: $id, tags: ["x"]) { tags revision }
        }""",
        {"id": image},
    )
    assert data == {
        "a": {"tags": ["x"], "revision": 2},
        "b": {"tags": ["x", "y"], "revision": 3},
        "c": {"tags": ["y"], "revision": 4},
    }


async def test_alias_moves_in_one_document_each_answer_their_own_state(gql):
    v1 = (await create(gql, version="1.0.0"))["id"]
    v2 = (await create(gql, version="2.0.0"))["id"]
    data = await gql(
        """mutation($v1: ID!, $v2: ID!) {
          a: aliasSet(id: $v1, alias: "stable") { aliases revision }
          b: aliasSet(id: $v2, alias: "stable") { aliases revision }
          c: artifactTagsRemove(id: $v1, tags: ["absent"]) { aliases revision }
          d: aliasSet(id: $v1, alias: "stable") { aliases revision }
          e: artifactTagsRemove(id: $v2, tags: ["absent"]) { aliases revision }
        }""",
        {"v1": v1, "v2": v2},
    )
    assert data == {
        "a": {"aliases": ["stable"], "revision": 2},
        "b": {"aliases": ["stable"], "revision": 2},
        "c": {"aliases": [], "revision": 3},  # the move changed v1 too
        "d": {"aliases": ["stable"], "revision": 4},
        "e": {"aliases": [], "revision": 3},
    }


async def test_a_field_read_before_a_mutation_is_read_again_after_it(gql):
    image = (await create(gql, tags=["old"]))["id"]
    data = await gql(
        """mutation($id: ID!) {
          a: artifactMetadataSet(id: $id, entries: {k: "1"}) { metadata tags }
          b: imageUpdate(id: $id, input: {tags: ["new"]}) { metadata tags }
        }""",
        {"id": image},
    )
    assert data["a"] == {"metadata": {"k": "1"}, "tags": ["old"]}
    assert data["b"] == {"metadata": {"k": "1"}, "tags": ["new"]}


async def test_moving_an_alias_changes_its_previous_holder(gql):
    v1 = await create(gql, version="1.0.0")
    v2 = (await create(gql, version="2.0.0"))["id"]
    await gql('mutation($id: ID!) { aliasSet(id: $id, alias: "stable") { id } }', {"id": v1["id"]})
    before = (await gql(READ, {"id": v1["id"]}))["artifact"]
    await gql('mutation($id: ID!) { aliasSet(id: $id, alias: "stable") { id } }', {"id": v2})
    after = (await gql(READ, {"id": v1["id"]}))["artifact"]
    assert (before["revision"], after["revision"]) == (2, 3)
    assert after["aliases"] == []
    assert after["updatedAt"] > before["updatedAt"]


async def test_expected_revision_on_the_previous_holder_sees_the_move(gql):
    v1 = (await create(gql, version="1.0.0"))["id"]
    v2 = (await create(gql, version="2.0.0"))["id"]
    await gql('mutation($id: ID!) { aliasSet(id: $id, alias: "stable") { id } }', {"id": v1})
    await gql('mutation($id: ID!) { aliasSet(id: $id, alias: "stable") { id } }', {"id": v2})
    error = await gql.error(
        'mutation($id: ID!) { artifactTagsAdd(id: $id, tags: ["t"], expectedRevision: 2) { id } }',
        {"id": v1},
    )
    assert (error["code"], error["expected"], error["actual"]) == ("CONFLICT", 2, 3)


async def test_setting_an_alias_it_already_holds_changes_nothing(gql):
    image = (await create(gql))["id"]
    set_ = 'mutation($id: ID!) { aliasSet(id: $id, alias: "stable") { revision } }'
    assert (await gql(set_, {"id": image}))["aliasSet"]["revision"] == 2
    assert (await gql(set_, {"id": image}))["aliasSet"]["revision"] == 2


async def test_activation_reads_the_clock_once(gql):
    image = (await create(gql, containerFormat="bare", diskFormat="qcow2"))["id"]
    data = await gql(
        "mutation($id: ID!) { artifactActivate(id: $id) { activatedAt updatedAt } }",
        {"id": image},
    )
    activated = data["artifactActivate"]
    assert activated["activatedAt"] == activated["updatedAt"]


async def test_a_failed_mutation_in_a_document_keeps_the_ones_before_it(gql):
    image = (await create(gql))["id"]
    response = await gql.post(
        """mutation($id: ID!) {
          a: artifactTagsAdd(id: $id, tags: ["x"]) { tags }
          b: artifactTagsAdd(id: $id, tags: ["y"], expectedRevision: 1) { tags }
        }""",
        {"id": image},
    )
    body = response.json()
    assert body["data"] is None  # `b` is non-null: its error nulls the whole answer
    assert [e["extensions"]["code"] for e in body["errors"]] == ["CONFLICT"]
    found = (await gql(READ, {"id": image}))["artifact"]
    assert (found["tags"], found["revision"]) == (["x"], 2)
