"""Quotas, row locks and leases under real concurrency: `glaregraph serve` with two worker
processes and many parallel HTTP clients (on PostgreSQL in CI, and on SQLite). Each invariant
here fails against a check-then-act implementation (see the closing notes of the quotas work)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator

import httpx
import pytest
from servers import serve

ADMIN = {"authorization": "Bearer admin-token"}
ALICE = {"authorization": "Bearer alice-token"}
CAROL = {"authorization": "Bearer carol-token"}
_versions = itertools.count()


@pytest.fixture(scope="module")
def server(migrated: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("concurrency")
    blobs = str(folder / "blobs")
    with serve(migrated, folder / "server.log", "--workers", "2", local_storage_dir=blobs) as (
        host,
        port,
    ):
        yield f"http://{host}:{port}"


async def _gql(http: httpx.AsyncClient, query: str, variables: dict | None, headers: dict) -> dict:
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    return response.json()


def _codes(bodies: list[dict]) -> list[str]:
    return [b["errors"][0]["extensions"]["code"] if b.get("errors") else "OK" for b in bodies]


async def _create(http: httpx.AsyncClient, headers: dict = ALICE) -> dict:
    return await _gql(
        http,
        'mutation($v: String!) { heatTemplateCreate(input: {name: "q", version: $v}) { id } }',
        {"v": f"1.0.{next(_versions)}"},
        headers,
    )


async def _quota(http: httpx.AsyncClient, **limits: int) -> None:
    body = await _gql(
        http,
        "mutation($in: QuotaInput!) { quotaSet(input: $in) { project } }",
        {"in": {"project": "p1", **limits}},
        ADMIN,
    )
    assert "errors" not in body, body


async def _usage(http: httpx.AsyncClient) -> dict:
    body = await _gql(http, "{ quotaUsage { typeName artifacts bytes } }", None, ALICE)
    return body["data"]["quotaUsage"][0]


def _client(server: str) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    return httpx.AsyncClient(base_url=server, limits=limits, timeout=60)


async def test_200_concurrent_creates_against_a_limit_of_50(server: str):
    async with _client(server) as http:
        await _quota(http, maxArtifacts=50)
        bodies = await asyncio.gather(*(_create(http) for _ in range(200)))
        codes = _codes(bodies)
        assert codes.count("OK") == 50
        assert set(codes) == {"OK", "QUOTA_EXCEEDED"}
        assert (await _usage(http))["artifacts"] == 50
        count = await _gql(http, "{ heatTemplates { totalCount } }", None, ALICE)
        assert count["data"]["heatTemplates"]["totalCount"] == 50


async def test_100_concurrent_upload_starts_never_reserve_past_the_byte_limit(server: str):
    async with _client(server) as http:
        ids = [(await _create(http))["data"]["heatTemplateCreate"]["id"] for _ in range(20)]
        await _quota(http, maxBytes=10_000)
        start = """mutation($in: BlobUploadInput!) { blobUploadStart(input: $in) { id } }"""

        async def one(i: int) -> dict:
            entry = {"artifactId": ids[i % 20], "field": "nestedTemplates", "key": f"k{i}"}
            return await _gql(http, start, {"in": {**entry, "size": 300}}, ALICE)

        codes = _codes(await asyncio.gather(*(one(i) for i in range(100))))
        assert codes.count("OK") == 33  # 33 x 300 <= 10,000 < 34 x 300
        assert set(codes) == {"OK", "QUOTA_EXCEEDED"}
        assert (await _usage(http))["bytes"] == "9900"  # Long: a decimal string


async def test_64_concurrent_tag_adds_on_one_artifact_lose_nothing(server: str):
    async with _client(server) as http:
        artifact = (await _create(http))["data"]["heatTemplateCreate"]["id"]
        add = "mutation($id: ID!, $t: String!) { artifactTagsAdd(id: $id, tags: [$t]) { id } }"
        bodies = await asyncio.gather(
            *(_gql(http, add, {"id": artifact, "t": f"t{i:02}"}, ALICE) for i in range(64))
        )
        assert set(_codes(bodies)) == {"OK"}
        read = await _gql(
            http, "query($id: ID!) { artifact(id: $id) { tags revision } }", {"id": artifact}, ALICE
        )
        assert read["data"]["artifact"] == {
            "tags": [f"t{i:02}" for i in range(64)],
            "revision": 1 + 64,
        }


async def test_activation_racing_an_upload_start_never_leaves_an_active_artifact_saving(
    server: str,
):
    start = """mutation($id: ID!) { blobUploadStart(input: {artifactId: $id,
      field: "nestedTemplates", key: "n", size: 3}) { id } }"""
    activate = "mutation($id: ID!) { artifactActivate(id: $id) { status } }"
    upload = """mutation($id: ID!) { blobSetLocation(input: {artifactId: $id, field: "template",
      url: "https://example.org/t"}) { status } }"""
    read = "query($id: ID!) { heatTemplate(id: $id) { status nestedTemplates { status } } }"
    async with _client(server) as http:
        for _ in range(20):
            artifact = (await _create(http))["data"]["heatTemplateCreate"]["id"]
            await _gql(http, upload, {"id": artifact}, ALICE)  # required to activate
            await asyncio.gather(
                _gql(http, activate, {"id": artifact}, ALICE),
                _gql(http, start, {"id": artifact}, ALICE),
            )
            state = (await _gql(http, read, {"id": artifact}, ALICE))["data"]["heatTemplate"]
            saving = any(b["status"] == "SAVING" for b in state["nestedTemplates"])
            assert not (state["status"] == "ACTIVE" and saving), state


async def test_two_clients_racing_for_a_lease_one_holds_it(server: str):
    lock = "mutation($id: ID!) { artifactLock(id: $id, ttlSeconds: 60) { holder } }"
    async with _client(server) as http:
        for _ in range(10):
            artifact = (await _create(http))["data"]["heatTemplateCreate"]["id"]
            bodies = await asyncio.gather(
                _gql(http, lock, {"id": artifact}, ALICE),
                _gql(http, lock, {"id": artifact}, CAROL),
            )
            assert sorted(_codes(bodies)) == ["LOCKED", "OK"]
            winner = next(b for b in bodies if not b.get("errors"))["data"]["artifactLock"]
            read = await _gql(
                http,
                "query($id: ID!) { artifact(id: $id) { lock { holder } } }",
                {"id": artifact},
                ALICE,
            )
            assert read["data"]["artifact"]["lock"] == winner
