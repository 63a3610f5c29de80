"""A type may allow more links than one SQL statement can carry: a create naming 33,000
targets checks them all (in chunks) instead of failing on PostgreSQL's 32,767-parameter limit."""

from __future__ import annotations

import uuid

import httpx
import sqlalchemy as sa
from conftest import GraphQLClient, make_settings
from rows import artifact_row

from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.database.tables import artifacts
from glaregraph.server.app import create_app

TYPES = """
types:
  bundle:
    fields:
      members: {kind: link_list, to: part, max_items: 40000}
  part:
    fields: {}
"""
COUNT = 33_000


async def test_a_create_with_33000_links_checks_every_target(migrated, tmp_path):
    (tmp_path / "types.yaml").write_text(TYPES)
    rows = [artifact_row(f"p{n}", type_name="part") for n in range(COUNT)]
    ids = [r["id"] for r in rows]
    db = Database(migrated)
    async with db.write() as conn:
        await conn.execute(sa.insert(artifacts), rows)
    await db.dispose()
    settings = make_settings(migrated, types=tmp_path / "types.yaml", max_body_bytes=4_000_000)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        gql = GraphQLClient(http)
        create = """mutation($name: String!, $ids: [ID!]) {
          bundleCreate(input: {name: $name, membersIds: $ids}) { id } }"""
        created = await gql(create, {"name": "b", "ids": ids})
        read = "query($id: ID!) { artifact(id: $id) { links { artifactId } } }"
        found = await gql(read, {"id": created["bundleCreate"]["id"]})
        assert len(found["artifact"]["links"]) == COUNT
        error = await gql.error(create, {"name": "c", "ids": [*ids[:-1], str(uuid.uuid4())]})
        assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "input.membersIds[32999]")
    await app.state.catalog.db.dispose()
