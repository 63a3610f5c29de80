"""Blob values set without an upload (external locations, copy-from imports), removed, and
downloaded: through the real app, with a real HTTP source for imports."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from conftest import GraphQLClient, make_settings
from servers import in_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from glaregraph.server.app import create_app
from tests.api.blobflow import BLOBS, CREATE, sha, start, upload

LOCATION = """mutation($in: BlobLocationInput!) { blobSetLocation(input: $in) {
  status external url sha256 size } }"""
IMPORT = """mutation($in: BlobImportInput!) { blobImport(input: $in) {
  status size sha256 verified contentType } }"""
DELETE = """mutation($id: ID!, $f: String!, $k: String) {
  blobDelete(artifactId: $id, field: $f, key: $k) { revision } }"""
PAYLOAD = b"imported bytes " * 1000
_versions = itertools.count()


async def _artifact(gql, as_: str = "alice") -> str:
    created = await gql(CREATE, {"v": f"2.0.{next(_versions)}"}, as_=as_)
    return created["heatTemplateCreate"]["id"]


async def _read(gql, artifact: str, as_: str = "alice") -> dict:
    return (await gql(BLOBS, {"id": artifact}, as_=as_))["heatTemplate"]


def _source_app() -> Starlette:
    async def data(_: Request) -> Response:
        return Response(PAYLOAD, media_type="application/x-yaml")

    async def endless(_: Request) -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(64):
                yield b"x" * (256 * 1024)

        return StreamingResponse(chunks())

    async def missing(_: Request) -> Response:
        return Response("no", status_code=404)

    async def to_localhost(request: Request) -> Response:
        port = request.url.port
        return Response(status_code=302, headers={"location": f"http://localhost:{port}/data"})

    return Starlette(
        routes=[
            Route("/data", data),
            Route("/endless", endless),
            Route("/missing", missing),
            Route("/redirect", to_localhost),
        ]
    )


@pytest.fixture(scope="module")
def source() -> Iterator[str]:
    with in_thread(_source_app()) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
async def importing_gql(migrated: str) -> AsyncIterator[GraphQLClient]:
    """An app that may import from 127.0.0.1 (and only there among private addresses)."""
    app = create_app(make_settings(migrated, import_allow_hosts=["127.0.0.1"]))
    await app.state.catalog.blobs.store.open()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield GraphQLClient(http)
    await app.state.catalog.db.dispose()


async def test_an_external_location_is_its_own_download_and_counts_no_bytes(gql):
    artifact = await _artifact(gql)
    values = {"artifactId": artifact, "field": "template", "url": "https://example.org/t.yaml"}
    blob = (await gql(LOCATION, {"in": values}))["blobSetLocation"]
    assert blob == {
        "status": "ACTIVE",
        "external": True,
        "url": "https://example.org/t.yaml",
        "sha256": None,
        "size": None,
    }
    link = (await _read(gql, artifact))["template"]["downloadUrl"]
    assert (link["url"], link["method"]) == ("https://example.org/t.yaml", "GET")


@pytest.mark.parametrize("url", ["ftp://example.org/x", "/relative", "not a url", "http://"])
async def test_a_location_must_be_an_absolute_http_url(gql, url):
    artifact = await _artifact(gql)
    values = {"artifactId": artifact, "field": "template", "url": url}
    error = await gql.error(LOCATION, {"in": values})
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "input.url")


async def test_a_location_replaces_an_open_upload_at_once(gql):
    artifact = await _artifact(gql)
    await start(gql, artifact, 10)
    values = {"artifactId": artifact, "field": "template", "url": "https://example.org/x"}
    await gql(LOCATION, {"in": values})
    assert (await _read(gql, artifact))["template"]["status"] == "ACTIVE"


async def test_delete_removes_a_value_and_then_has_nothing_to_remove(gql):
    artifact = await _artifact(gql)
    await upload(gql, gql.http, artifact, b"a", field="nestedTemplates", key="a.yaml")
    await upload(gql, gql.http, artifact, b"b", field="nestedTemplates", key="b.yaml")
    await gql(DELETE, {"id": artifact, "f": "nestedTemplates", "k": "a.yaml"})
    read = await _read(gql, artifact)
    assert [e["key"] for e in read["nestedTemplates"]] == ["b.yaml"]
    error = await gql.error(DELETE, {"id": artifact, "f": "nestedTemplates", "k": "a.yaml"})
    assert error["code"] == "NOT_FOUND"


async def test_a_folder_counts_its_other_entries_and_open_uploads(sample_gql):
    created = await sample_gql(
        'mutation { sampleArtifactCreate(input: {name: "s", version: "1.0.0"}) { id } }'
    )
    artifact = created["sampleArtifactCreate"]["id"]
    mutation = "mutation($in: BlobUploadInput!) { blobUploadStart(input: $in) { id } }"
    for key in ("a", "b", "c", "d"):  # 4 x 1 MiB = max_folder_size, uploads still open
        values = {"artifactId": artifact, "field": "blobFolder", "key": key, "size": 1 << 20}
        await sample_gql(mutation, {"in": values})
    values = {"artifactId": artifact, "field": "blobFolder", "key": "e", "size": 1}
    error = await sample_gql.error(mutation, {"in": values})
    assert error["code"] == "PAYLOAD_TOO_LARGE"
    values = {"artifactId": artifact, "field": "blobFolder", "key": "a", "size": 1 << 20}
    await sample_gql(mutation, {"in": values})  # replacing an entry counts it once


async def test_download_urls_follow_status_and_bounds(gql):
    artifact = await _artifact(gql)
    await upload(gql, gql.http, artifact, b"body")
    query = """query($id: ID!, $e: Int!) {
      heatTemplate(id: $id) { template { downloadUrl(expiresIn: $e) { url } } } }"""
    for bad in (0, 604801):
        error = await gql.error(query, {"id": artifact, "e": bad})
        assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "expiresIn")
    await gql("mutation($id: ID!) { artifactActivate(id: $id) { id } }", {"id": artifact})
    await gql(
        "mutation($id: ID!) { artifactDeactivate(id: $id) { id } }", {"id": artifact}, as_="admin"
    )
    member = await gql(query, {"id": artifact, "e": 60})
    assert member["heatTemplate"]["template"]["downloadUrl"] is None
    admin = await gql(query, {"id": artifact, "e": 60}, as_="admin")
    url = admin["heatTemplate"]["template"]["downloadUrl"]["url"]
    assert (await gql.http.get(url)).content == b"body"


async def test_import_streams_the_source_into_the_store(importing_gql, source):
    gql = importing_gql
    artifact = await _artifact(gql)
    values = {"artifactId": artifact, "field": "template", "sourceUrl": f"{source}/data"}
    blob = (await gql(IMPORT, {"in": {**values, "sha256": sha(PAYLOAD)}}))["blobImport"]
    assert blob == {
        "status": "ACTIVE",
        "size": str(len(PAYLOAD)),
        "sha256": sha(PAYLOAD),
        "verified": True,
        "contentType": "application/x-yaml",
    }
    url = (await _read(gql, artifact))["template"]["downloadUrl"]["url"]
    assert (await gql.http.get(url)).content == PAYLOAD


@pytest.mark.parametrize(
    ("path", "extra", "code"),
    [
        ("/missing", {}, "BAD_USER_INPUT"),
        ("/redirect", {}, "BAD_USER_INPUT"),  # to localhost: not allow-listed
        ("/data", {"sha256": "0" * 64}, "BAD_USER_INPUT"),
        ("/endless", {}, "PAYLOAD_TOO_LARGE"),  # 16 MiB into a 10 MiB field
    ],
)
async def test_a_failed_import_keeps_nothing(importing_gql, source, path, extra, code):
    gql = importing_gql
    artifact = await _artifact(gql)
    values = {"artifactId": artifact, "field": "template", "sourceUrl": source + path, **extra}
    error = await gql.error(IMPORT, {"in": values})
    assert error["code"] == code
    read = await _read(gql, artifact)
    assert (read["template"], read["revision"]) == (None, 1)


async def test_import_refuses_private_addresses_unless_allowed(gql, source):
    artifact = await _artifact(gql)  # the default app allows no private host
    for url in (f"{source}/data", "http://localhost/x", "http://169.254.169.254/latest"):
        values = {"artifactId": artifact, "field": "template", "sourceUrl": url}
        error = await gql.error(IMPORT, {"in": values})
        assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "input.sourceUrl")
