"""Mutations at the edges of the lifecycle and naming rules."""

from __future__ import annotations

import httpx
import pytest
from conftest import GraphQLClient, make_settings

from glaregraph.server.app import create_app

CREATE = "mutation($i: ImageCreateInput!) { imageCreate(input: $i) { id revision } }"
READY = {"diskFormat": "raw", "containerFormat": "bare"}


async def _public_image(gql) -> str:
    created = await gql(CREATE, {"i": {"name": "pub", **READY}})
    image_id = created["imageCreate"]["id"]
    await gql("mutation($id: ID!) { artifactActivate(id: $id) { id } }", {"id": image_id})
    await gql(
        "mutation($id: ID!) { artifactPublish(id: $id) { id } }", {"id": image_id}, as_="admin"
    )
    return image_id


async def test_asking_a_public_artifact_for_its_own_status_returns_it_unchanged(gql):
    image_id = await _public_image(gql)
    again = await gql(
        "mutation($id: ID!) { artifactActivate(id: $id) { status visibility revision } }",
        {"id": image_id},
    )
    assert again["artifactActivate"] == {"status": "ACTIVE", "visibility": "PUBLIC", "revision": 3}


async def test_changing_a_public_artifact_is_still_forbidden_to_its_owner(gql):
    image_id = await _public_image(gql)
    ext = await gql.error(
        'mutation($id: ID!) { artifactTagsAdd(id: $id, tags: ["x"]) { id } }', {"id": image_id}
    )
    assert ext["code"] == "FORBIDDEN"


async def test_updating_through_another_types_mutation_is_not_found(gql):
    created = await gql(CREATE, {"i": {"name": "img"}})
    ext = await gql.error(
        'mutation($id: ID!) { datasetUpdate(id: $id, input: {description: "x"}) { id } }',
        {"id": created["imageCreate"]["id"]},
    )
    assert ext["code"] == "NOT_FOUND"


async def test_a_rename_leaves_the_old_names_aliases_behind(gql):
    created = await gql(CREATE, {"i": {"name": "old"}})
    image_id = created["imageCreate"]["id"]
    await gql('mutation($id: ID!) { aliasSet(id: $id, alias: "stable") { id } }', {"id": image_id})
    renamed = await gql(
        'mutation($id: ID!) { imageUpdate(id: $id, input: {name: "new"}) { name aliases } }',
        {"id": image_id},
    )
    assert renamed["imageUpdate"] == {"name": "new", "aliases": []}
    for name in ("old", "new"):
        found = await gql(
            'query($n: String) { image(name: $n, alias: "stable") { id } }', {"n": name}
        )
        assert found["image"] is None


@pytest.fixture
async def strict_gql(migrated, tmp_path):
    (tmp_path / "types.yaml").write_text(
        "types:\n"
        "  part:\n    fields:\n      label: {kind: string}\n"
        "  kit:\n    fields:\n      main_part: {kind: link, to: part, nullable: false}\n"
    )
    app = create_app(make_settings(migrated, types=tmp_path / "types.yaml"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as http:
        yield GraphQLClient(http)
    await app.state.catalog.db.dispose()


async def test_a_non_nullable_link_cannot_be_cleared(strict_gql):
    part = await strict_gql('mutation { partCreate(input: {name: "p"}) { id } }')
    kit = await strict_gql(
        'mutation($p: ID!) { kitCreate(input: {name: "k", mainPartId: $p}) { id } }',
        {"p": part["partCreate"]["id"]},
    )
    ext = await strict_gql.error(
        "mutation($id: ID!) { kitUpdate(id: $id, input: {mainPartId: null}) { id } }",
        {"id": kit["kitCreate"]["id"]},
    )
    assert ext == {"code": "BAD_USER_INPUT", "field": "input.mainPartId"}
