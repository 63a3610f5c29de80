"""What a tag or metadata mutation sends while it holds its artifact's row lock. Many writers of
one artifact take turns on that lock, so what each sends while holding it bounds how many
mutations per second the artifact takes. The taxonomy lock and the ancestors of the tags come
before the row lock; the locked row says whether a lease may be live (only then is the lease
read); after it come the artifact's tags, then the writes nothing in the mutation reads back (tag
rows, revision bump, audit event, tag counts): on PostgreSQL as one statement, on SQLite (in
process, no round trip) one after another."""

from __future__ import annotations

from tests.api.test_queries_statements import counting

CREATE = 'mutation { heatTemplateCreate(input: {name: "rt", tags: ["old"]}) { id } }'
TAGS_ADD = 'mutation($id: ID!) { artifactTagsAdd(id: $id, tags: ["a", "b"]) { revision } }'
TAGS_REMOVE = 'mutation($id: ID!) { artifactTagsRemove(id: $id, tags: ["old"]) { revision } }'
META_SET = 'mutation($id: ID!) { artifactMetadataSet(id: $id, entries: {k: "v"}) { revision } }'
READ = """query($id: ID!) { artifact(id: $id) { revision tags metadata }
  tag(name: "a") { artifactCount } }"""
EVENTS = """query($id: String!) { auditEvents(filter: {artifactId: {eq: $id}}) {
  nodes { action revisionAfter } } }"""


async def _events(gql, artifact: str) -> set[tuple[str, int]]:
    found = await gql(EVENTS, {"id": artifact}, as_="admin")
    return {(e["action"], e["revisionAfter"]) for e in found["auditEvents"]["nodes"]}


def _after_row_lock(seen: list[str]) -> list[str]:
    """The statements after the one that read (PostgreSQL: locked) the artifact's row."""
    lock = next(i for i, s in enumerate(seen) if s.lstrip().startswith("SELECT artifacts.id"))
    return seen[lock + 1 :]


async def test_a_tag_add_holds_the_row_for_two_statements_on_postgresql(app, gql):
    artifact = (await gql(CREATE))["heatTemplateCreate"]["id"]
    with counting(app) as seen:
        added = await gql(TAGS_ADD, {"id": artifact})
    after = _after_row_lock(seen)
    assert "artifact_tags" in after[0]  # the tags it carries, with their ancestors
    if app.state.catalog.db.is_sqlite:
        assert len(after) == 6  # tag rows, revision, audit event, counts, pairs: one by one
    else:
        assert len(after) == 2
        for table in (
            "artifact_tags",
            "UPDATE artifacts",
            "audit_events",
            "tag_counts",
            "tag_pairs",
        ):
            assert table in after[1]
    assert not any("artifact_locks" in s for s in after)  # no lease: none read
    assert not any("pg_advisory" in s for s in after)  # the taxonomy lock came first
    read = await gql(READ, {"id": artifact})
    assert added["artifactTagsAdd"]["revision"] == read["artifact"]["revision"] == 2
    assert read["artifact"]["tags"] == ["a", "b", "old"]
    assert read["tag"]["artifactCount"] == 1
    assert ("artifactTagsAdd", 2) in await _events(gql, artifact)


async def test_a_tag_remove_and_a_metadata_set_write_in_one_statement_on_postgresql(app, gql):
    artifact = (await gql(CREATE))["heatTemplateCreate"]["id"]
    with counting(app) as seen:
        await gql(TAGS_REMOVE, {"id": artifact})
    removing = _after_row_lock(seen)
    with counting(app) as seen:
        await gql(META_SET, {"id": artifact})
    setting = _after_row_lock(seen)
    if app.state.catalog.db.is_sqlite:
        assert (len(removing), len(setting)) == (5, 2)
    else:
        assert (len(removing), len(setting)) == (2, 1)
        assert "DELETE FROM artifact_tags" in removing[1]
        assert "audit_events" in setting[0]
    read = await gql(READ, {"id": artifact})
    assert read["artifact"] == {"revision": 3, "tags": [], "metadata": {"k": "v"}}
    assert {("artifactTagsRemove", 2), ("artifactMetadataSet", 3)} <= await _events(gql, artifact)


async def test_a_lease_is_read_only_while_the_row_says_one_may_be_live(app, gql):
    """The holder's own mutation reads its lease (and passes); someone else is refused with
    LOCKED; after the unlock the row says there is none, and no lease is read."""
    artifact = (await gql(CREATE))["heatTemplateCreate"]["id"]
    await gql("mutation($id: ID!) { artifactLock(id: $id) { holder } }", {"id": artifact})
    with counting(app) as seen:
        await gql(META_SET, {"id": artifact})
    assert any("artifact_locks" in s for s in _after_row_lock(seen))
    refused = await gql.error(META_SET, {"id": artifact}, as_="carol")
    assert refused["code"] == "LOCKED"
    await gql("mutation($id: ID!) { artifactUnlock(id: $id) }", {"id": artifact})
    with counting(app) as seen:
        await gql(TAGS_ADD, {"id": artifact})
    assert not any("artifact_locks" in s for s in _after_row_lock(seen))


async def test_a_create_sends_its_row_event_and_limits_read_together_on_postgresql(app, gql):
    """Its row (nothing refers to it: no links, no tags), audit event and the quota limits go
    in one statement before the quota charge; a taken name and version is still CONFLICT."""
    create = (
        'mutation($v: String!) { heatTemplateCreate(input: {name: "rt2", version: $v}) { id } }'
    )
    with counting(app) as seen:
        made = (await gql(create, {"v": "1.0.0"}))["heatTemplateCreate"]["id"]
    first = next(s for s in seen if "INSERT INTO artifacts" in s)
    if not app.state.catalog.db.is_sqlite:
        assert "audit_events" in first
        assert "FROM quotas" in first
    taken = await gql.error(create, {"v": "1.0.0"})
    assert taken["code"] == "CONFLICT"
    read = await gql("query($id: ID!) { artifact(id: $id) { name version } }", {"id": made})
    assert read["artifact"] == {"name": "rt2", "version": "1.0.0"}


async def test_a_wide_artifact_changes_its_wide_rows_in_the_same_statement(app, gql):
    """An artifact with more tags than pairs are kept for writes its wide_tags rows with the
    rest: on PostgreSQL still two statements under the row lock."""
    wide = ", ".join(f'"w{i}"' for i in range(40))
    create = f'mutation {{ heatTemplateCreate(input: {{name: "rt", tags: [{wide}]}}) {{ id }} }}'
    artifact = (await gql(create))["heatTemplateCreate"]["id"]
    with counting(app) as seen:
        await gql(TAGS_ADD, {"id": artifact})
    after = _after_row_lock(seen)
    if app.state.catalog.db.is_sqlite:
        assert len(after) == 6  # tag rows, revision, audit event, counts, wide rows
    else:
        assert len(after) == 2
        assert "wide_tags" in after[1]
        assert "tag_pairs" not in after[1]
    related = '{ tag(name: "a") { related(first: 100) { tag { name } count } } }'
    found = (await gql(related))["tag"]["related"]
    assert {r["tag"]["name"] for r in found} == {"b", *(f"w{i}" for i in range(40))}
    assert {r["count"] for r in found} == {1}
