"""Relay object identification: every artifact type implements `Node`; `node(id:)` and
`nodes(ids:)` refetch what the caller may see (null elsewhere), in order."""

from __future__ import annotations

CREATE = 'mutation($v: String!) { imageCreate(input: {name: "n", version: $v}) { id } }'


async def test_node_refetches_any_artifact_by_id(gql):
    image = (await gql(CREATE, {"v": "1.0.0"}))["imageCreate"]["id"]
    data = await gql(
        "query($id: ID!) { node(id: $id) { __typename id ... on Image { name } } }", {"id": image}
    )
    assert data["node"] == {"__typename": "Image", "id": image, "name": "n"}
    assert (await gql("query($id: ID!) { node(id: $id) { id } }", {"id": image}, as_="bob")) == {
        "node": None
    }


async def test_nodes_keeps_order_and_nulls(gql):
    a = (await gql(CREATE, {"v": "1.0.0"}))["imageCreate"]["id"]
    b = (await gql(CREATE, {"v": "2.0.0"}))["imageCreate"]["id"]
    missing = "00000000-0000-0000-0000-000000000000"
    data = await gql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [b, missing, a]})
    assert data["nodes"] == [{"id": b}, None, {"id": a}]
    error = await gql.error("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [a] * 501})
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "ids")


async def test_every_artifact_type_implements_node(gql):
    data = await gql('{ __type(name: "Node") { possibleTypes { name } } }')
    names = {t["name"] for t in data["__type"]["possibleTypes"]}
    infos = (await gql("{ artifactTypes { graphqlName } }"))["artifactTypes"]
    assert names == {t["graphqlName"] for t in infos}
