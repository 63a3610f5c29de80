"""Quotas and leases through the app, one request at a time: the rules of each field (the
concurrency proofs run against a real server, see tests/acceptance)."""

from __future__ import annotations

import itertools

import pytest

CREATE = 'mutation($v: String!) { heatTemplateCreate(input: {name: "q", version: $v}) { id } }'
SET = """mutation($in: QuotaInput!) { quotaSet(input: $in) {
  project typeName maxArtifacts maxBytes } }"""
USAGE = """query($p: String) { quotaUsage(project: $p) {
  typeName artifacts bytes maxArtifacts maxBytes } }"""
LOCK = """mutation($id: ID!, $ttl: Int, $r: String) {
  artifactLock(id: $id, ttlSeconds: $ttl, reason: $r) {
    artifactId holder reason acquiredAt expiresAt } }"""
RENEW = "mutation($id: ID!) { artifactLockRenew(id: $id, ttlSeconds: 600) { expiresAt } }"
UNLOCK = "mutation($id: ID!, $f: Boolean) { artifactUnlock(id: $id, force: $f) }"
TAGS = 'mutation($id: ID!) { artifactTagsAdd(id: $id, tags: ["x"]) { tags } }'
_versions = itertools.count()


async def _create(gql, as_: str = "alice") -> str:
    data = await gql(CREATE, {"v": f"3.0.{next(_versions)}"}, as_=as_)
    return data["heatTemplateCreate"]["id"]


async def test_a_create_past_the_limit_is_quota_exceeded_with_its_figures(gql):
    await gql(
        SET, {"in": {"project": "p1", "typeName": "heat_template", "maxArtifacts": 2}}, "admin"
    )
    await _create(gql)
    await _create(gql)
    error = await gql.error(CREATE, {"v": "9.9.9"})
    assert error == {
        "code": "QUOTA_EXCEEDED",
        "scope": "type",
        "limit": 2,
        "used": 2,
        "requested": 1,
        "typeName": "heat_template",
    }
    await _create(gql, as_="bob")  # another project is not affected


async def test_deleting_gives_the_count_back_and_lowering_blocks_new_work(gql):
    first = await _create(gql)
    await _create(gql)
    await gql(SET, {"in": {"project": "p1", "maxArtifacts": 1}}, "admin")  # below usage
    assert (await gql.error(CREATE, {"v": "9.9.8"}))["scope"] == "project"
    await gql("mutation($id: ID!) { artifactDelete(id: $id) }", {"id": first})
    assert (await gql.error(CREATE, {"v": "9.9.8"}))["used"] == 1
    usage = (await gql(USAGE))["quotaUsage"]
    assert usage[0] == {
        "typeName": None,
        "artifacts": 1,
        "bytes": "0",
        "maxArtifacts": 1,
        "maxBytes": None,
    }
    heat = next(u for u in usage if u["typeName"] == "heat_template")
    assert heat["artifacts"] == 1


async def test_bytes_count_from_upload_start_and_come_back_on_abort(gql):
    artifact = await _create(gql)
    await gql(SET, {"in": {"project": "p1", "maxBytes": 100}}, "admin")
    start = """mutation($id: ID!, $n: Long!) { blobUploadStart(input: {artifactId: $id,
      field: "template", size: $n}) { id } }"""
    upload = (await gql(start, {"id": artifact, "n": 60}))["blobUploadStart"]["id"]
    assert (await gql(USAGE))["quotaUsage"][0]["bytes"] == "60"
    error = await gql.error(
        """mutation($id: ID!) { blobUploadStart(input: {artifactId: $id, field: "nestedTemplates",
        key: "k", size: 41}) { id } }""",
        {"id": artifact},
    )
    assert (error["code"], error["used"], error["requested"]) == ("QUOTA_EXCEEDED", 60, 41)
    await gql("mutation($id: ID!) { blobUploadAbort(uploadId: $id) }", {"id": upload})
    assert (await gql(USAGE))["quotaUsage"][0]["bytes"] == "0"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"project": "", "maxArtifacts": 1}, "input.project"),
        ({"project": "p1", "typeName": "nope"}, "input.typeName"),
        ({"project": "p1", "maxArtifacts": -2}, "input.maxArtifacts"),
        ({"project": "p1", "maxBytes": -5}, "input.maxBytes"),
    ],
)
async def test_bad_quota_input_is_refused(gql, values, field):
    error = await gql.error(SET, {"in": values}, as_="admin")
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", field)


async def test_members_set_no_quota_and_read_only_their_own(gql):
    assert (await gql.error(SET, {"in": {"project": "p1"}}))["code"] == "FORBIDDEN"
    assert (await gql.error(USAGE, {"p": "p2"}))["code"] == "FORBIDDEN"
    assert (await gql(USAGE, {"p": "p2"}, as_="admin"))["quotaUsage"][0]["artifacts"] == 0
    set_ = await gql(SET, {"in": {"project": "p1", "maxArtifacts": -1}}, as_="admin")
    assert set_["quotaSet"]["maxArtifacts"] is None  # -1: unlimited
    listed = await gql("{ quotas { typeName maxArtifacts } }")
    assert listed["quotas"] == [{"typeName": None, "maxArtifacts": None}]
    deleted = 'mutation { quotaDelete(project: "p1") }'
    assert (await gql(deleted, as_="admin"))["quotaDelete"] is True
    assert (await gql(deleted, as_="admin"))["quotaDelete"] is False


async def test_a_live_lease_blocks_everyone_but_its_holder(gql):
    artifact = await _create(gql)
    lease = (await gql(LOCK, {"id": artifact, "ttl": 60, "r": "release"}))["artifactLock"]
    assert (lease["holder"], lease["reason"]) == ("alice", "release")
    await gql(TAGS, {"id": artifact})  # the holder changes it
    for who in ("carol", "admin"):
        error = await gql.error(TAGS, {"id": artifact}, as_=who)
        assert (error["code"], error["holder"]) == ("LOCKED", "alice")
        assert error["expiresAt"] == lease["expiresAt"]
        assert (await gql.error(LOCK, {"id": artifact}, as_=who))["code"] == "LOCKED"
    assert (await gql.error(UNLOCK, {"id": artifact}, as_="carol"))["code"] == "LOCKED"
    assert (await gql.error(UNLOCK, {"id": artifact, "f": True}, as_="carol"))[
        "code"
    ] == "FORBIDDEN"
    read = await gql("query($id: ID!) { artifact(id: $id) { lock { holder } } }", {"id": artifact})
    assert read["artifact"]["lock"] == {"holder": "alice"}
    assert (await gql(UNLOCK, {"id": artifact, "f": True}, as_="admin"))["artifactUnlock"] is True
    await gql(TAGS, {"id": artifact}, as_="carol")


async def test_renew_needs_a_lease_and_unlock_reports_one(gql):
    artifact = await _create(gql)
    assert (await gql.error(RENEW, {"id": artifact}))["code"] == "CONFLICT"
    await gql(LOCK, {"id": artifact})
    renewed = (await gql(RENEW, {"id": artifact}))["artifactLockRenew"]
    assert renewed["expiresAt"]
    assert (await gql.error(RENEW, {"id": artifact}, as_="carol"))["code"] == "LOCKED"
    assert (await gql(UNLOCK, {"id": artifact}))["artifactUnlock"] is True
    assert (await gql(UNLOCK, {"id": artifact}))["artifactUnlock"] is False
    for bad in (0, 86401):
        error = await gql.error(LOCK, {"id": artifact, "ttl": bad})
        assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "ttlSeconds")
