"""Concurrent writers lose nothing and duplicates are stopped by the database; a mutation that
fails part-way leaves nothing behind (API.md §3, §5)."""

import asyncio
import uuid

CREATE = """
mutation($input: ImageCreateInput!) { imageCreate(input: $input) { id } }"""
TAGS_ADD = """
mutation($id: ID!, $tags: [String!]!) { artifactTagsAdd(id: $id, tags: $tags) { revision } }"""
READ = "query($id: ID!) { artifact(id: $id) { tags revision } }"
CREATE_SAMPLE = """
mutation($input: SampleArtifactCreateInput!) { sampleArtifactCreate(input: $input) { id } }"""


async def test_concurrent_tag_adds_are_all_kept(gql):
    image = (await gql(CREATE, {"input": {"name": "cirros"}}))["imageCreate"]["id"]
    tags = [f"tag-{i:02d}" for i in range(20)]
    await asyncio.gather(*(gql(TAGS_ADD, {"id": image, "tags": [tag]}) for tag in tags))
    found = (await gql(READ, {"id": image}))["artifact"]
    assert sorted(found["tags"]) == tags
    assert found["revision"] == 21


async def test_concurrent_tag_adds_each_see_a_distinct_revision(gql):
    image = (await gql(CREATE, {"input": {"name": "cirros"}}))["imageCreate"]["id"]
    results = await asyncio.gather(
        *(gql(TAGS_ADD, {"id": image, "tags": [f"t{i}"]}) for i in range(10))
    )
    assert sorted(r["artifactTagsAdd"]["revision"] for r in results) == list(range(2, 12))


async def test_concurrent_creates_of_one_name_and_version_let_exactly_one_win(gql):
    input_ = {"name": "race", "version": "1.0.0"}
    responses = await asyncio.gather(*(gql.post(CREATE, {"input": input_}) for _ in range(10)))
    bodies = [response.json() for response in responses]
    winners = [body for body in bodies if not body.get("errors")]
    codes = [body["errors"][0]["extensions"]["code"] for body in bodies if body.get("errors")]
    assert len(winners) == 1
    assert codes == ["CONFLICT"] * 9
    listed = await gql("{ images { nodes { id } } }")
    assert listed["images"]["nodes"] == [{"id": winners[0]["data"]["imageCreate"]["id"]}]


async def test_create_with_an_invalid_second_link_leaves_no_artifact(sample_gql):
    data = await sample_gql('mutation { sampleTargetCreate(input: {name: "t"}) { id } }')
    good = data["sampleTargetCreate"]["id"]
    error = await sample_gql.error(
        CREATE_SAMPLE,
        {"input": {"name": "s", "linkId": good, "linkListIds": [good, str(uuid.uuid4())]}},
    )
    assert error["code"] == "BAD_USER_INPUT"
    listed = await sample_gql("{ sampleArtifacts { totalCount } }")
    assert listed["sampleArtifacts"]["totalCount"] == 0
    incoming = await sample_gql(
        "query($id: ID!) { artifact(id: $id) { links(direction: IN) { artifactId } } }",
        {"id": good},
    )
    assert incoming["artifact"]["links"] == []


async def test_update_with_an_invalid_link_changes_nothing(sample_gql):
    data = await sample_gql('mutation { sampleTargetCreate(input: {name: "t"}) { id } }')
    good = data["sampleTargetCreate"]["id"]
    created = await sample_gql('mutation { sampleArtifactCreate(input: {name: "s"}) { id } }')
    sample = created["sampleArtifactCreate"]["id"]
    error = await sample_gql.error(
        "mutation($id: ID!, $input: SampleArtifactUpdateInput!) {"
        " sampleArtifactUpdate(id: $id, input: $input) { id } }",
        {"id": sample, "input": {"stringMutable": "x", "linkId": good, "linkAnyId": "nope"}},
    )
    assert error["code"] == "BAD_USER_INPUT"
    found = await sample_gql(
        "query($id: ID!) { sampleArtifact(id: $id) { stringMutable revision link { id } } }",
        {"id": sample},
    )
    assert found["sampleArtifact"] == {"stringMutable": None, "revision": 1, "link": None}
