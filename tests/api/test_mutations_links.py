"""Links written by create and update: kernelId, derivedFromIds and the sample link kinds; a bad
target is BAD_USER_INPUT answered alike whether it is missing or invisible (API.md §5, §7)."""

import uuid

CREATE_IMAGE = """
mutation($input: ImageCreateInput!) { imageCreate(input: $input) { id kernel { id } } }"""
UPDATE_IMAGE = """
mutation($id: ID!, $input: ImageUpdateInput!) {
  imageUpdate(id: $id, input: $input) { id revision kernel { id } }
}"""
CREATE_SAMPLE = """
mutation($input: SampleArtifactCreateInput!) {
  sampleArtifactCreate(input: $input) {
    id link { id } linkList { id }
    linkDict { relation key artifactId artifact { id } }
  }
}"""
LINKS = """
query($id: ID!, $direction: LinkDirection!) {
  artifact(id: $id) { links(direction: $direction) { relation key artifactId artifact { id } } }
}"""
DELETE = "mutation($id: ID!) { artifactDelete(id: $id) }"


async def image(gql, as_="alice", **fields):
    data = await gql(CREATE_IMAGE, {"input": {"name": "img", **fields}}, as_=as_)
    return data["imageCreate"]["id"]


async def target(gql, name):
    data = await gql(
        "mutation($name: String!) { sampleTargetCreate(input: {name: $name}) { id } }",
        {"name": name},
    )
    return data["sampleTargetCreate"]["id"]


async def test_kernel_link_reads_back_as_the_linked_image(gql):
    kernel = await image(gql, version="1.0.0")
    data = await gql(CREATE_IMAGE, {"input": {"name": "vm", "kernelId": kernel}})
    assert data["imageCreate"]["kernel"] == {"id": kernel}


async def test_kernel_link_set_by_update(gql):
    kernel = await image(gql, version="1.0.0")
    vm = await image(gql, version="2.0.0")
    data = await gql(UPDATE_IMAGE, {"id": vm, "input": {"kernelId": kernel}})
    assert data["imageUpdate"]["kernel"] == {"id": kernel}


async def test_kernel_link_to_a_missing_id_is_bad_user_input(gql):
    input_ = {"name": "vm", "kernelId": str(uuid.uuid4())}
    error = await gql.error(CREATE_IMAGE, {"input": input_})
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "input.kernelId")


async def test_kernel_link_to_another_projects_private_image_is_bad_user_input(gql):
    hidden = await image(gql, as_="bob")
    error = await gql.error(CREATE_IMAGE, {"input": {"name": "vm", "kernelId": hidden}})
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "input.kernelId")


async def test_invisible_and_missing_targets_get_the_same_answer(gql):
    hidden = await image(gql, as_="bob")
    missing = str(uuid.uuid4())
    bodies = []
    for target_id in (hidden, missing):
        response = await gql.post(CREATE_IMAGE, {"input": {"name": "vm", "kernelId": target_id}})
        body = response.json()
        body["errors"][0]["message"] = body["errors"][0]["message"].replace(target_id, "<id>")
        bodies.append((response.status_code, body))
    assert bodies[0] == bodies[1]


async def test_kernel_link_to_an_artifact_of_another_type_is_bad_user_input(gql):
    data = await gql('mutation { heatTemplateCreate(input: {name: "t"}) { id } }')
    template = data["heatTemplateCreate"]["id"]
    error = await gql.error(CREATE_IMAGE, {"input": {"name": "vm", "kernelId": template}})
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "input.kernelId")


async def test_bad_kernel_link_on_update_is_bad_user_input(gql):
    vm = await image(gql)
    error = await gql.error(UPDATE_IMAGE, {"id": vm, "input": {"kernelId": str(uuid.uuid4())}})
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "input.kernelId")


async def test_derived_from_ids_read_back_as_derived_from(gql):
    raw = (await gql('mutation { datasetCreate(input: {name: "raw"}) { id } }'))["datasetCreate"]
    data = await gql(
        'mutation($ids: [ID!]) { datasetCreate(input: {name: "clean", derivedFromIds: $ids}) {'
        " id derivedFrom { id typeName } links { relation artifactId } } }",
        {"ids": [raw["id"]]},
    )
    clean = data["datasetCreate"]
    assert clean["derivedFrom"] == [{"id": raw["id"], "typeName": "dataset"}]
    assert clean["links"] == [{"relation": "derived_from", "artifactId": raw["id"]}]


async def test_derived_from_an_invisible_artifact_is_bad_user_input(gql):
    hidden = await image(gql, as_="bob")
    error = await gql.error(CREATE_IMAGE, {"input": {"name": "vm", "derivedFromIds": [hidden]}})
    assert error["code"] == "BAD_USER_INPUT"
    assert error["field"].startswith("input.derivedFromIds")


async def test_link_list_keeps_the_given_order(sample_gql):
    t1, t2, t3 = [await target(sample_gql, n) for n in ("t1", "t2", "t3")]
    data = await sample_gql(CREATE_SAMPLE, {"input": {"name": "s", "linkListIds": [t3, t1, t2]}})
    assert data["sampleArtifactCreate"]["linkList"] == [{"id": t3}, {"id": t1}, {"id": t2}]


async def test_link_dict_entries_read_back_with_their_keys(sample_gql):
    t1, t2 = await target(sample_gql, "t1"), await target(sample_gql, "t2")
    entries = [{"key": "primary", "id": t1}, {"key": "backup", "id": t2}]
    data = await sample_gql(CREATE_SAMPLE, {"input": {"name": "s", "linkDict": entries}})
    got = {e["key"]: e for e in data["sampleArtifactCreate"]["linkDict"]}
    assert set(got) == {"primary", "backup"}
    assert got["primary"]["artifactId"] == t1
    assert got["primary"]["artifact"] == {"id": t1}
    assert got["backup"]["artifact"] == {"id": t2}
    assert {e["relation"] for e in got.values()} == {"link_dict"}


async def test_link_to_the_wrong_type_names_the_sample_field(sample_gql):
    other = (await sample_gql(CREATE_SAMPLE, {"input": {"name": "other"}}))["sampleArtifactCreate"]
    error = await sample_gql.error(CREATE_SAMPLE, {"input": {"name": "s", "linkId": other["id"]}})
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "input.linkId")


async def test_link_any_accepts_every_type(sample_gql):
    other = (await sample_gql(CREATE_SAMPLE, {"input": {"name": "other"}}))["sampleArtifactCreate"]
    data = await sample_gql(
        'mutation($id: ID) { sampleArtifactCreate(input: {name: "s", linkAnyId: $id}) {'
        " linkAny { id typeName } } }",
        {"id": other["id"]},
    )
    assert data["sampleArtifactCreate"]["linkAny"] == {
        "id": other["id"],
        "typeName": "sample_artifact",
    }


async def test_incoming_links_are_listed_on_the_target(sample_gql):
    t1 = await target(sample_gql, "t1")
    input_ = {"name": "s", "linkId": t1, "linkListIds": [t1]}
    sample = (await sample_gql(CREATE_SAMPLE, {"input": input_}))["sampleArtifactCreate"]
    links = (await sample_gql(LINKS, {"id": t1, "direction": "IN"}))["artifact"]["links"]
    assert sorted(link["relation"] for link in links) == ["link", "link_list"]
    assert {link["artifactId"] for link in links} == {sample["id"]}
    assert {link["artifact"]["id"] for link in links} == {sample["id"]}


async def test_link_to_a_deleted_artifact_keeps_its_id_with_a_null_artifact(sample_gql):
    t1 = await target(sample_gql, "t1")
    sample = (await sample_gql(CREATE_SAMPLE, {"input": {"name": "s", "linkId": t1}}))[
        "sampleArtifactCreate"
    ]
    await sample_gql(DELETE, {"id": t1})
    links = (await sample_gql(LINKS, {"id": sample["id"], "direction": "OUT"}))["artifact"]["links"]
    assert links == [{"relation": "link", "key": None, "artifactId": t1, "artifact": None}]


async def test_deleted_kernel_reads_null(gql):
    kernel = await image(gql, version="1.0.0")
    vm = (await gql(CREATE_IMAGE, {"input": {"name": "vm", "kernelId": kernel}}))["imageCreate"]
    await gql(DELETE, {"id": kernel})
    found = await gql("query($id: ID!) { image(id: $id) { kernel { id } } }", {"id": vm["id"]})
    assert found["image"] == {"kernel": None}


async def test_link_cleared_by_explicit_null(gql):
    kernel = await image(gql, version="1.0.0")
    vm = (await gql(CREATE_IMAGE, {"input": {"name": "vm", "kernelId": kernel}}))["imageCreate"]
    data = await gql(UPDATE_IMAGE, {"id": vm["id"], "input": {"kernelId": None}})
    assert data["imageUpdate"]["kernel"] is None
    links = (await gql(LINKS, {"id": vm["id"], "direction": "OUT"}))["artifact"]["links"]
    assert links == []
