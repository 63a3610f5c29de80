"""Uploads over presigned URLs through the real app and its local store: the bytes go to the
store's URLs (never through GraphQL), completion verifies them, downloads give them back."""

from __future__ import annotations

import itertools

import httpx
import pytest

from tests.api.blobflow import ABORT, BLOBS, COMPLETE, CREATE, send_all, sha, start, upload


async def _artifact(gql, as_: str = "alice") -> str:
    created = await gql(CREATE, {"v": f"1.0.{next(_versions)}"}, as_=as_)
    return created["heatTemplateCreate"]["id"]


_versions = itertools.count()


async def _read(gql, artifact_id: str, as_: str = "alice") -> dict:
    return (await gql(BLOBS, {"id": artifact_id}, as_=as_))["heatTemplate"]


@pytest.mark.parametrize("size", [0, 1024])
async def test_upload_then_download_gives_the_same_bytes(gql, size):
    artifact = await _artifact(gql)
    data = bytes(range(256)) * (size // 256)
    blob = await upload(gql, gql.http, artifact, data, contentType="text/yaml")
    assert blob == {
        "field": "template",
        "key": None,
        "status": "ACTIVE",
        "size": str(size),  # Long: a decimal string
        "sha256": sha(data),
        "verified": True,
        "contentType": "text/yaml",
        "external": False,
        "url": None,
    }
    read = await _read(gql, artifact)
    link = read["template"]["downloadUrl"]
    assert link["method"] == "GET"
    got = await gql.http.get(link["url"], headers=link["headers"])
    assert got.status_code == 200
    assert got.content == data
    assert got.headers["content-type"].startswith("text/yaml")


async def test_a_large_blob_goes_in_parts(gql):  # the local store has the multipart shape of S3
    artifact = await _artifact(gql)
    part = 9 * 1024 * 1024 // 2
    data = b"0123456789abcdef" * (part // 16) * 2 + b"tail"  # 10 MiB + 4 B: two 8 MiB parts
    started = await start(gql, artifact, len(data), field="nestedTemplates", key="big.yaml")
    assert started["partSize"] == str(8 * 1024 * 1024)
    assert [p["number"] for p in started["parts"]] == [1, 2]
    etags = await send_all(gql.http, started, data)
    parts = [{"number": n, "etag": e} for n, e in etags]
    done = (await gql(COMPLETE, {"id": started["id"], "parts": parts}))["blobUploadComplete"]
    assert (done["size"], done["sha256"], done["key"]) == (str(len(data)), sha(data), "big.yaml")


async def test_while_uploading_the_field_reads_saving_and_blocks_activation(gql):
    artifact = await _artifact(gql)
    started = await start(gql, artifact, 10)
    read = await _read(gql, artifact)
    assert read["template"]["status"] == "SAVING"
    assert read["template"]["downloadUrl"] is None
    for mutation in ("artifactActivate(id: $id) { id }", "artifactDelete(id: $id)"):
        error = await gql.error(f"mutation($id: ID!) {{ {mutation} }}", {"id": artifact})
        assert error["code"] == "CONFLICT"
    await send_all(gql.http, started, b"0123456789")
    await gql(COMPLETE, {"id": started["id"]})
    activated = await gql(
        "mutation($id: ID!) { artifactActivate(id: $id) { status } }", {"id": artifact}
    )
    assert activated["artifactActivate"]["status"] == "ACTIVE"


async def test_a_hash_mismatch_keeps_nothing_and_restores_the_previous_value(gql, app):
    artifact = await _artifact(gql)
    first = await upload(gql, gql.http, artifact, b"first version")
    started = await start(gql, artifact, 6, sha256=sha(b"other!"))
    await send_all(gql.http, started, b"second")
    error = await gql.error(COMPLETE, {"id": started["id"]})
    assert error["code"] == "BAD_USER_INPUT"
    read = await _read(gql, artifact)
    assert (read["template"]["status"], read["template"]["sha256"]) == ("ACTIVE", first["sha256"])
    again = await gql.error(COMPLETE, {"id": started["id"]})
    assert again["code"] == "NOT_FOUND"  # a failed completion ended the upload
    store = app.state.catalog.blobs.store
    assert [k async for k in store.keys("uploads/")] == []


async def test_a_size_mismatch_or_nothing_sent_fails_the_completion(gql):
    artifact = await _artifact(gql)
    nothing = await start(gql, artifact, 5)
    assert (await gql.error(COMPLETE, {"id": nothing["id"]}))["code"] == "BAD_USER_INPUT"
    read = await _read(gql, artifact)
    assert read["template"] is None


async def test_abort_restores_the_previous_value_and_complete_is_idempotent(gql):
    artifact = await _artifact(gql)
    first = await upload(gql, gql.http, artifact, b"v1")
    started = await start(gql, artifact, 2)
    assert (await gql(ABORT, {"id": started["id"]}))["blobUploadAbort"] is True
    assert (await _read(gql, artifact))["template"]["sha256"] == first["sha256"]
    assert (await gql.error(COMPLETE, {"id": started["id"]}))["code"] == "NOT_FOUND"
    assert (await gql.error(ABORT, {"id": started["id"]}))["code"] == "NOT_FOUND"
    second = await start(gql, artifact, 2)
    await send_all(gql.http, second, b"v2")
    done = await gql(COMPLETE, {"id": second["id"]})
    assert await gql(COMPLETE, {"id": second["id"]}) == done
    assert (await gql.error(ABORT, {"id": second["id"]}))["code"] == "CONFLICT"


async def test_an_upload_is_invisible_to_other_projects(gql):
    artifact = await _artifact(gql)
    started = await start(gql, artifact, 3)
    for mutation in (COMPLETE, ABORT):
        assert (await gql.error(mutation, {"id": started["id"]}, as_="bob"))["code"] == "NOT_FOUND"
    error = await gql.error(
        "mutation($in: BlobUploadInput!) { blobUploadStart(input: $in) { id } }",
        {"in": {"artifactId": artifact, "field": "template", "size": 1}},
        as_="bob",
    )
    assert error["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({"field": "template", "size": 11 * 1024 * 1024}, "PAYLOAD_TOO_LARGE", None),
        ({"field": "template", "key": "x", "size": 1}, "BAD_USER_INPUT", "input.key"),
        ({"field": "nestedTemplates", "size": 1}, "BAD_USER_INPUT", "input.key"),
        ({"field": "defaultEnvs", "size": 1}, "BAD_USER_INPUT", "input.field"),
        ({"field": "template", "size": -1}, "BAD_USER_INPUT", "input.size"),
        ({"field": "template", "size": 1, "sha256": "xyz"}, "BAD_USER_INPUT", "input.sha256"),
        ({"field": "template", "size": 1, "expectedRevision": 99}, "CONFLICT", None),
    ],
)
async def test_bad_starts_are_refused_and_change_nothing(gql, values, code, field):
    artifact = await _artifact(gql)
    error = await gql.error(
        "mutation($in: BlobUploadInput!) { blobUploadStart(input: $in) { id } }",
        {"in": {"artifactId": artifact, **values}},
    )
    assert error["code"] == code
    if field:
        assert error["field"] == field
    read = await _read(gql, artifact)
    assert (read["revision"], read["template"], read["nestedTemplates"]) == (1, None, [])


async def test_an_immutable_blob_cannot_change_once_active(gql):
    artifact = await _artifact(gql)
    await upload(gql, gql.http, artifact, b"body")
    await gql("mutation($id: ID!) { artifactActivate(id: $id) { id } }", {"id": artifact})
    error = await gql.error(
        "mutation($in: BlobUploadInput!) { blobUploadStart(input: $in) { id } }",
        {"in": {"artifactId": artifact, "field": "template", "size": 1}},
    )
    assert error["code"] == "FORBIDDEN"


async def test_identical_content_is_stored_once_per_project(gql, app):
    store = app.state.catalog.blobs.store
    for _ in range(3):
        await upload(gql, gql.http, await _artifact(gql), b"same bytes")
    await upload(gql, gql.http, await _artifact(gql, "bob"), b"same bytes", as_="bob")
    stored = [k async for k in store.keys("cas/") if k.endswith(sha(b"same bytes"))]
    assert len(stored) == 2  # one per project


async def test_a_tampered_or_foreign_transfer_url_gets_no_data(gql):
    artifact = await _artifact(gql)
    await upload(gql, gql.http, artifact, b"secret")
    url = httpx.URL((await _read(gql, artifact))["template"]["downloadUrl"]["url"])
    assert (await gql.http.get(url)).content == b"secret"
    for name, value in url.params.multi_items():  # change any one parameter: refused
        changed = url.copy_set_param(name, value[:-1] + ("0" if value[-1] != "0" else "1"))
        response = await gql.http.get(changed)
        assert 400 <= response.status_code < 500, name
        assert b"secret" not in response.content
    other = url.copy_with(path=url.path.rsplit("/", 1)[0] + "/" + "0" * 64)
    assert 400 <= (await gql.http.get(other)).status_code < 500
    put = await gql.http.put(url, content=b"overwrite")
    assert 400 <= put.status_code < 500


async def test_wrong_part_etags_fail_the_completion_and_end_the_upload(gql):
    artifact = await _artifact(gql)
    data = b"x" * (9 * 1024 * 1024)
    started = await start(gql, artifact, len(data), field="nestedTemplates", key="n.yaml")
    etags = await send_all(gql.http, started, data)
    wrong = [{"number": n, "etag": '"' + "0" * 32 + '"'} for n, _ in etags]
    error = await gql.error(COMPLETE, {"id": started["id"], "parts": wrong})
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "uploadId")
    right = [{"number": n, "etag": e} for n, e in etags]
    assert (await gql.error(COMPLETE, {"id": started["id"], "parts": right}))["code"] == "NOT_FOUND"
    assert (await _read(gql, artifact))["nestedTemplates"] == []


async def test_a_folder_holds_at_most_max_items_entries(sample_gql):
    created = await sample_gql(
        'mutation { sampleArtifactCreate(input: {name: "f", version: "1.0.0"}) { id } }'
    )
    artifact = created["sampleArtifactCreate"]["id"]
    location = "mutation($in: BlobLocationInput!) { blobSetLocation(input: $in) { key } }"

    def entry(key: str) -> dict:
        return {"artifactId": artifact, "field": "blobFolder", "key": key, "url": "https://e.x/"}

    for i in range(255):
        await sample_gql(location, {"in": entry(f"k{i}")})
    error = await sample_gql.error(location, {"in": entry("one-too-many")})
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "input.key")
    await sample_gql(location, {"in": entry("k0")})  # replacing an entry is fine
