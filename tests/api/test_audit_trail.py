"""The audit trail through the app: one event per successful mutation, written in its
transaction (a failed mutation leaves none), newest first, filtered and paged (admin only)."""

from __future__ import annotations

EVENTS = """query($f: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $f, first: $first, after: $after) {
    nodes { action actor project artifactId typeName revisionBefore revisionAfter requestId
            details }
    pageInfo { hasNextPage endCursor } } }"""
CREATE = 'mutation($v: String!) { imageCreate(input: {name: "a", version: $v}) { id } }'


async def _events(gql, **variables) -> list[dict]:
    return (await gql(EVENTS, variables, as_="admin"))["auditEvents"]["nodes"]


async def test_each_successful_mutation_writes_one_event_newest_first(gql):
    response = await gql.http.post(
        "/graphql",
        json={"query": CREATE, "variables": {"v": "1.0.0"}},
        headers={"authorization": "Bearer alice-token", "x-request-id": "req-create-1"},
    )
    first = response.json()["data"]["imageCreate"]["id"]
    second = (await gql(CREATE, {"v": "2.0.0"}))["imageCreate"]["id"]
    await gql('mutation($id: ID!) { aliasSet(id: $id, alias: "live") { id } }', {"id": first})
    await gql('mutation($id: ID!) { aliasSet(id: $id, alias: "live") { id } }', {"id": second})
    await gql("mutation($id: ID!) { artifactLock(id: $id) { holder } }", {"id": second})
    await gql(
        'mutation { quotaSet(input: {project: "p1", maxArtifacts: 9}) { project } }', as_="admin"
    )
    events = await _events(gql)
    assert [e["action"] for e in events] == [
        "quotaSet",
        "artifactLock",
        "aliasSet",
        "aliasSet",
        "imageCreate",
        "imageCreate",
    ]
    quota, lock, moved, alias, _, created = events
    assert (quota["artifactId"], quota["actor"], quota["project"]) == (None, "root", "ops")
    assert (lock["revisionBefore"], lock["revisionAfter"]) == (2, 2)  # a lease changes nothing
    assert moved["details"] == {"alsoChanged": [first]}  # the alias left the first one
    assert (alias["revisionBefore"], alias["revisionAfter"]) == (1, 2)
    assert created == {
        "action": "imageCreate",
        "actor": "alice",
        "project": "p1",
        "artifactId": first,
        "typeName": "image",
        "revisionBefore": None,
        "revisionAfter": 1,
        "requestId": "req-create-1",
        "details": {},
    }


async def test_a_failed_mutation_leaves_no_event(gql):
    artifact = (await gql(CREATE, {"v": "1.0.0"}))["imageCreate"]["id"]
    await gql.error(CREATE, {"v": "1.0.0"})  # duplicate: CONFLICT
    await gql.error(
        'mutation($id: ID!) { artifactTagsAdd(id: $id, tags: ["a/b"]) { id } }', {"id": artifact}
    )
    await gql.error("mutation($id: ID!) { artifactPublish(id: $id) { id } }", {"id": artifact})
    assert [e["action"] for e in await _events(gql)] == ["imageCreate"]


async def test_events_are_filtered_and_paged_for_admins_only(gql):
    ids = [(await gql(CREATE, {"v": f"{i}.0.0"}))["imageCreate"]["id"] for i in range(3)]
    await gql(CREATE, {"v": "9.0.0"}, as_="bob")
    mine = await _events(gql, f={"actor": {"eq": "bob"}})
    assert [e["actor"] for e in mine] == ["bob"]
    one = await _events(gql, f={"artifactId": {"eq": ids[1]}})
    assert [e["artifactId"] for e in one] == [ids[1]]
    either = await _events(
        gql, f={"or": [{"actor": {"eq": "bob"}}, {"artifactId": {"eq": ids[0]}}]}
    )
    assert len(either) == 2
    assert len(await _events(gql, f={"not": {"actor": {"eq": "alice"}}})) == 1
    page = (await gql(EVENTS, {"first": 3}, as_="admin"))["auditEvents"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await _events(gql, first=3, after=page["pageInfo"]["endCursor"])
    assert [e["artifactId"] for e in rest] == [ids[0]]
    assert (await gql.error(EVENTS))["code"] == "FORBIDDEN"


async def test_a_refused_import_leaves_no_event_and_a_quota_event_says_what(gql):
    created = await gql(
        'mutation { heatTemplateCreate(input: {name: "h", version: "1.0.0"}) { id } }'
    )
    artifact = created["heatTemplateCreate"]["id"]
    error = await gql.error(
        """mutation($id: ID!) { blobImport(input: {artifactId: $id, field: "template",
        sourceUrl: "http://localhost/x"}) { status } }""",
        {"id": artifact},
    )
    assert error["field"] == "input.sourceUrl"
    await gql(
        'mutation { quotaSet(input: {project: "p1", typeName: "image", maxBytes: 5}) { project } }',
        as_="admin",
    )
    events = await _events(gql)
    assert [e["action"] for e in events] == ["quotaSet", "heatTemplateCreate"]
    assert events[0]["details"] == {
        "project": "p1",
        "typeName": "image",
        "maxArtifacts": None,
        "maxBytes": 5,
    }


async def test_an_audit_filter_past_the_filter_limits_is_bad_user_input(gql):
    """The `filter` bounds hold for the audit trail too (200 values, 8 levels), checked before
    anything runs."""
    await gql(CREATE, {"v": "9.0.0"})
    fine = {"or": [{"action": {"eq": f"a{i}"}} for i in range(99)]}
    assert await _events(gql, f=fine) == []
    too_many = {"or": [{"action": {"eq": f"a{i}"}} for i in range(201)]}
    too_deep = {"not": {"not": {"not": {"not": {"not": {"not": {"not": {"not": {"not": {}}}}}}}}}}
    for flt in (too_many, too_deep):
        body = (await gql.post(EVENTS, {"f": flt}, as_="admin")).json()
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
        assert body["errors"][0]["extensions"]["field"] == "filter", body
