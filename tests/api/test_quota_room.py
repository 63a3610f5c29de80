"""Room under a limit is given out to the counter stripes ahead of use; whenever the limit in
force changes (quotaSet, quotaDelete, a restart with other defaults) that room must come back,
or creates would pass the new limit. Each test fails if the room is not taken back."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator
from typing import Any

import httpx

from glaregraph.server.app import create_app
from tests.conftest import GraphQLClient, make_settings

CREATE = 'mutation($v: String!) { heatTemplateCreate(input: {name: "r", version: $v}) { id } }'
DELETE = "mutation($id: ID!) { artifactDelete(id: $id) }"
SET = "mutation($in: QuotaInput!) { quotaSet(input: $in) { project } }"
UNSET = 'mutation { quotaDelete(project: "p1") }'
USAGE = "{ quotaUsage { typeName artifacts maxArtifacts } }"
_versions = itertools.count()


async def _create(gql: GraphQLClient) -> str:
    data = await gql(CREATE, {"v": f"5.0.{next(_versions)}"})
    return str(data["heatTemplateCreate"]["id"])


async def _refused(gql: GraphQLClient) -> dict[str, Any]:
    return await gql.error(CREATE, {"v": f"5.0.{next(_versions)}"})


async def _used(gql: GraphQLClient) -> int:
    return int((await gql(USAGE))["quotaUsage"][0]["artifacts"])


async def test_lowering_a_limit_takes_back_room_given_out_under_the_old_one(gql):
    await gql(SET, {"in": {"project": "p1", "maxArtifacts": 100}}, "admin")
    ids = [await _create(gql) for _ in range(5)]  # room for 95 more is out in the stripes
    await gql(SET, {"in": {"project": "p1", "maxArtifacts": 6}}, "admin")
    await _create(gql)
    assert (await _refused(gql))["used"] == 6
    await gql(SET, {"in": {"project": "p1", "maxArtifacts": 4}}, "admin")  # below usage
    for artifact_id in ids[:2]:
        await gql(DELETE, {"id": artifact_id})
        assert (await _refused(gql))["limit"] == 4  # 5, then 4 used: still no room
    await gql(DELETE, {"id": ids[2]})
    await _create(gql)  # 3 used: room for one
    assert (await _refused(gql))["used"] == 4
    assert await _used(gql) == 4


async def test_a_limit_removed_and_set_again_counts_what_was_made_meanwhile(gql):
    await gql(SET, {"in": {"project": "p1", "maxArtifacts": 40}}, "admin")
    await _create(gql)  # room for 39 is out: at least 2 in every one of the 16 stripes
    await gql(UNSET, as_="admin")
    for _ in range(40):
        await _create(gql)  # unlimited: 41 used
    await gql(SET, {"in": {"project": "p1", "maxArtifacts": 40}}, "admin")  # the same limit
    for _ in range(3):
        refused = await _refused(gql)
        assert (refused["limit"], refused["used"]) == (40, 41)


@contextlib.asynccontextmanager
async def _served(migrated: str, **settings: Any) -> AsyncIterator[GraphQLClient]:
    """An app as `glaregraph serve` starts it (its lifespan runs) with these settings."""
    app = create_app(make_settings(migrated, **settings))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield GraphQLClient(http)


async def test_a_restart_with_other_default_limits_takes_back_room_given_out(migrated: str):
    async with _served(migrated, quota_max_artifacts=40) as gql:
        await _create(gql)  # room for 39 is out under the default: 2 or more in every stripe
    async with _served(migrated) as gql:  # restarted without a default limit
        for _ in range(40):
            await _create(gql)
    async with _served(migrated, quota_max_artifacts=40) as gql:  # and with it again
        for _ in range(3):
            refused = await _refused(gql)
            assert (refused["limit"], refused["used"]) == (40, 41)
        assert await _used(gql) == 41
