"""Whole blob round trips against `glaregraph serve` as a real process, on each store: a plain
HTTP client uploads 0 B, 1 KiB and 25 MiB (multipart) through presigned URLs only, completes,
downloads through `downloadUrl` and compares bytes; and the S3 store creates its bucket."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from s3gateway import Gateway
from servers import serve

CREATE = """mutation($v: String!) { modelCreate(input: {name: "m", version: $v}) { id } }"""
START = """mutation($in: BlobUploadInput!) { blobUploadStart(input: $in) {
  id partSize parts { number url method headers fields } } }"""
COMPLETE = """mutation($id: ID!, $parts: [CompletedPartInput!]) {
  blobUploadComplete(uploadId: $id, parts: $parts) { status size sha256 verified } }"""
READ = """query($id: ID!) { model(id: $id) { weights { downloadUrl { url method headers } } } }"""
SIZES = [0, 1024, 25 * 1024 * 1024 + 3]


@pytest.fixture(scope="module", params=["local", "s3"])
def server(
    request: pytest.FixtureRequest, migrated: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    folder = tmp_path_factory.mktemp(f"e2e-{request.param}")
    settings = {"local_storage_dir": str(folder / "blobs"), "upload_part_size": str(5 << 20)}
    if request.param == "s3":
        gateway: Gateway = request.getfixturevalue("s3_gateway")
        bucket = f"e2e-{os.getpid()}"
        settings |= {
            "storage": "s3",
            "s3_endpoint": gateway.endpoint,
            "s3_access_key": gateway.access_key,
            "s3_secret_key": gateway.secret_key,
            "s3_bucket": bucket,
        }
    with serve(migrated, folder / "server.log", **settings) as (host, port):
        yield f"http://{host}:{port}"


def _gql(http: httpx.Client, base: str, query: str, variables: dict) -> dict:
    response = http.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": "Bearer alice-token"},
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def _send(http: httpx.Client, part: dict, data: bytes) -> httpx.Response:
    if part["method"] == "POST":
        return http.post(part["url"], data=part["fields"], files={"file": ("blob", data)})
    return http.request(part["method"], part["url"], content=data, headers=part["headers"])


@pytest.mark.parametrize("size", SIZES)
def test_round_trip_through_presigned_urls_only(server: str, size: int, tmp_path: Path):
    data = os.urandom(size)
    with httpx.Client(timeout=60) as http:
        artifact = _gql(http, server, CREATE, {"v": f"{size}.0.0"})["modelCreate"]["id"]
        started = _gql(
            http,
            server,
            START,
            {"in": {"artifactId": artifact, "field": "weights", "size": size}},
        )["blobUploadStart"]
        part_size, etags = int(started["partSize"]), []  # Long: a decimal string
        for part in started["parts"]:
            n = part["number"]
            sent = _send(http, part, data[(n - 1) * part_size : n * part_size])
            assert sent.status_code in (200, 204), sent.text
            etags.append({"number": n, "etag": sent.headers.get("etag", "")})
        assert len(started["parts"]) == max(1, -(-size // part_size))
        parts = etags if len(etags) > 1 else None
        done = _gql(http, server, COMPLETE, {"id": started["id"], "parts": parts})
        assert done["blobUploadComplete"] == {
            "status": "ACTIVE",
            "size": str(size),
            "sha256": hashlib.sha256(data).hexdigest(),
            "verified": True,
        }
        link = _gql(http, server, READ, {"id": artifact})["model"]["weights"]["downloadUrl"]
        got = http.request(link["method"], link["url"], headers=link["headers"])
        assert got.status_code == 200
        assert got.content == data


def test_a_blob_needing_more_parts_than_s3_numbers_is_refused_when_its_upload_starts(
    server: str,
):
    """S3 numbers an upload's parts 1-10,000: a blob that needs more parts is refused at the
    start (PAYLOAD_TOO_LARGE, the largest size as `limit`) rather than after 10,000 parts were
    sent; one of exactly 10,000 parts starts, and its last part's URL takes its bytes."""
    part_size = 5 << 20  # the server's CATALOG_UPLOAD_PART_SIZE
    largest = 10_000 * part_size
    with httpx.Client(timeout=120) as http:
        artifact = _gql(http, server, CREATE, {"v": "50000.0.0"})["modelCreate"]["id"]
        too_large = {"in": {"artifactId": artifact, "field": "weights", "size": largest + 1}}
        body = http.post(
            f"{server}/graphql",
            json={"query": START, "variables": too_large},
            headers={"authorization": "Bearer alice-token"},
        ).json()
        error = body["errors"][0]["extensions"]
        assert (error["code"], error["limit"], error["size"]) == (
            "PAYLOAD_TOO_LARGE",
            largest,
            largest + 1,
        ), body
        fits = {"in": {"artifactId": artifact, "field": "weights", "size": largest}}
        started = _gql(http, server, START, fits)["blobUploadStart"]
        assert [p["number"] for p in started["parts"]] == list(range(1, 10_001))
        sent = _send(http, started["parts"][-1], bytes(part_size))
        assert sent.status_code in (200, 204), sent.text
