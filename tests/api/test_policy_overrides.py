"""A policy file (CATALOG_POLICY) reaches every use case through the one authorization point,
with no change to a resolver: who sees `sharedWith`, who may change a protected artifact."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from conftest import GraphQLClient, make_settings

from glaregraph.server.app import create_app

CREATE = """
mutation { imageCreate(input: {name: "c", containerFormat: "bare", diskFormat: "raw"}) { id } }"""


@pytest.fixture
async def policy_gql(migrated, tmp_path) -> AsyncIterator[GraphQLClient]:
    policy = tmp_path / "policy.yaml"
    policy.write_text('see_shares: admin\nchange_protected: "owner or admin"\n')
    app = create_app(make_settings(migrated, policy=policy))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield GraphQLClient(http)
    await app.state.catalog.db.dispose()


async def test_only_whom_the_policy_names_sees_shared_with(policy_gql):
    image = (await policy_gql(CREATE))["imageCreate"]["id"]
    share = 'mutation($id: ID!) { artifactShare(id: $id, project: "p2") { sharedWith } }'
    assert (await policy_gql(share, {"id": image}))["artifactShare"]["sharedWith"] == []
    read = "query($id: ID!) { artifact(id: $id) { sharedWith } }"
    found = await policy_gql(read, {"id": image}, as_="admin")
    assert found["artifact"]["sharedWith"] == ["p2"]


async def test_the_owner_may_change_a_deactivated_artifact_when_the_policy_says_so(policy_gql):
    image = (await policy_gql(CREATE))["imageCreate"]["id"]
    await policy_gql("mutation($id: ID!) { artifactActivate(id: $id) { id } }", {"id": image})
    deactivate = "mutation($id: ID!) { artifactDeactivate(id: $id) { status } }"
    await policy_gql(deactivate, {"id": image}, as_="admin")
    update = 'mutation($id: ID!) { imageUpdate(id: $id, input: {osDistro: "x"}) { osDistro } }'
    assert (await policy_gql(update, {"id": image}))["imageUpdate"]["osDistro"] == "x"
    error = await policy_gql.error(update, {"id": image}, as_="bob")
    assert error["code"] == "NOT_FOUND"  # another project does not even see it
