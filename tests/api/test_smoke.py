"""Create, read back and list an image through the real app."""

CREATE = """
mutation($input: ImageCreateInput!) {
  imageCreate(input: $input) { id name version status owner createdBy revision tags metadata
                               diskFormat minRam }
}"""


async def test_create_and_read_back(gql):
    created = await gql(
        CREATE,
        {
            "input": {
                "name": "cirros",
                "version": "1.0",
                "diskFormat": "qcow2",
                "tags": ["x", "x", "y"],
            }
        },
    )
    image = created["imageCreate"]
    assert image["version"] == "1.0.0"
    assert image["status"] == "DRAFTED"
    assert (image["owner"], image["createdBy"], image["revision"]) == ("p1", "alice", 1)
    assert image["tags"] == ["x", "y"]
    assert image["minRam"] == 0
    found = await gql(
        "query($id: ID!) { artifact(id: $id) { id ... on Image { diskFormat } } }",
        {"id": image["id"]},
    )
    assert found["artifact"] == {"id": image["id"], "diskFormat": "qcow2"}
    assert (
        await gql("query($id: ID!) { artifact(id: $id) { id } }", {"id": image["id"]}, as_="bob")
    )["artifact"] is None
