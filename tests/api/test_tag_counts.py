"""Maintained tag counts are exact for every caller: after each kind of change (create with
tags, tags added, removed and replaced, share and unshare, publish, delete, taxonomy moves) the
tag graph answers what the artifacts themselves say, computed here from what each caller can
list; concurrent changes leave no drift; `glaregraph gc` repairs drift it finds."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter

import httpx
import pytest
import sqlalchemy as sa
from conftest import GraphQLClient, make_settings

from glaregraph.catalog.blobs.collect import collect
from glaregraph.catalog.database.tables import tag_counts, tag_pairs, tags, wide_tags
from glaregraph.catalog.graph import taxonomy
from glaregraph.catalog.tagcounts.pairs import PAIRED_TAGS
from glaregraph.catalog.tagcounts.recount import recount
from glaregraph.server.app import create_app

CALLERS = ("alice", "carol", "bob", "dave", "admin", "anon")  # p1, p1, p2, p3, admin, none
CREATE = """mutation($n: String!, $v: String!, $tags: [String!]) {
  imageCreate(input: {name: $n, version: $v, tags: $tags, diskFormat: "raw",
                      containerFormat: "bare"}) { id } }"""
SET_PARENT = "mutation($n: String!, $p: String) { tagSetParent(name: $n, parent: $p) { name } }"
ADD = "mutation($id: ID!, $t: [String!]!) { artifactTagsAdd(id: $id, tags: $t) { id } }"
REMOVE = "mutation($id: ID!, $t: [String!]!) { artifactTagsRemove(id: $id, tags: $t) { id } }"
UPDATE = "mutation($id: ID!, $t: [String!]) { imageUpdate(id: $id, input: {tags: $t}) { id } }"
SHARE = "mutation($id: ID!, $p: String!) { artifactShare(id: $id, project: $p) { id } }"
UNSHARE = "mutation($id: ID!, $p: String!) { artifactUnshare(id: $id, project: $p) { id } }"
ACTIVATE = "mutation($id: ID!) { artifactActivate(id: $id) { id } }"
PUBLISH = "mutation($id: ID!) { artifactPublish(id: $id) { id } }"
DELETE = "mutation($id: ID!) { artifactDelete(id: $id) }"
VISIBLE = "{ images(first: 500) { nodes { id tags } } }"
LISTED = "{ tags(first: 500) { nodes { name } } }"
TAG = """query($n: String!) { tag(name: $n) { artifactCount related(first: 100) { tag { name }
  count } artifacts(first: 1) { totalCount } } }"""
UNIVERSE = ("animal", "mammal", "cat", "bird", "pet", "secret", "wild", "nowhere")
_versions = itertools.count()


@pytest.fixture(scope="module")
async def open_app(migrated):
    """The app with anonymous reads on, so the anonymous caller has counts too."""
    app = create_app(make_settings(migrated, anonymous_read=True))
    yield app
    await app.state.catalog.db.dispose()


@pytest.fixture
async def client(open_app):
    transport = httpx.ASGITransport(app=open_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield GraphQLClient(http)


async def _image(gql, tags: list[str], as_: str = "alice") -> str:
    variables = {"n": "i", "v": f"1.0.{next(_versions)}", "tags": tags}
    return (await gql(CREATE, variables, as_=as_))["imageCreate"]["id"]


async def _expected(
    gql, catalog, caller: str
) -> dict[str, tuple[int, list[tuple[str, int]]] | None]:
    """What the tag graph should answer to `caller`, from the artifacts it can list and the
    taxonomy: per tag, None (no such tag for it) or (artifactCount, related)."""
    carried = [set(n["tags"]) for n in (await gql(VISIBLE, as_=caller))["images"]["nodes"]]
    async with catalog.db.read() as conn:
        parent = dict((await conn.execute(sa.select(tags.c.name, tags.c.parent))).all())

    def above(tag: str) -> set[str]:
        out = {tag}
        while parent.get(tag):
            tag = parent[tag]
            out.add(tag)
        return out

    out: dict[str, tuple[int, list[tuple[str, int]]] | None] = {}
    for tag in UNIVERSE:
        if tag not in parent and not any(tag in tags for tags in carried):
            out[tag] = None
            continue
        count = sum(1 for tags in carried if any(tag in above(t) for t in tags))
        together = Counter(o for tags in carried if tag in tags for o in tags - {tag})
        out[tag] = (count, sorted(together.items(), key=lambda kv: (-kv[1], kv[0])))
    return out


async def _check(gql, catalog) -> None:
    """Every caller gets exactly what its artifacts say."""
    for caller in CALLERS:
        expected = await _expected(gql, catalog, caller)
        for tag, want in expected.items():
            found = (await gql(TAG, {"n": tag}, as_=caller))["tag"]
            if want is None:
                assert found is None, (caller, tag)
                continue
            assert found is not None, (caller, tag)
            related = [(r["tag"]["name"], r["count"]) for r in found["related"]]
            assert (found["artifactCount"], related) == want, (caller, tag)
            assert found["artifactCount"] == found["artifacts"]["totalCount"], (caller, tag)
        listed = {n["name"] for n in (await gql(LISTED, as_=caller))["tags"]["nodes"]}
        assert listed & set(UNIVERSE) == {t for t, w in expected.items() if w is not None}


async def test_counts_stay_exact_for_every_caller_through_every_kind_of_change(client, open_app):
    gql = client
    for name, parent in (("mammal", "animal"), ("cat", "mammal"), ("bird", "animal")):
        await gql(SET_PARENT, {"n": name, "p": parent}, as_="admin")
    a1 = await _image(gql, ["cat", "pet"])
    a2 = await _image(gql, ["mammal", "cat"])  # a tag and its descendant: counted once
    a3 = await _image(gql, ["bird"])
    b1 = await _image(gql, ["cat", "secret"], as_="bob")
    await _image(gql, ["bird", "pet", "wild"], as_="bob")
    await _check(gql, open_app.state.catalog)
    assert (await gql(TAG, {"n": "animal"}))["tag"]["artifactCount"] == 3  # alice: a1 a2 a3
    assert (await gql(TAG, {"n": "mammal"}))["tag"]["artifactCount"] == 2

    await gql(SHARE, {"id": a3, "p": "p2"})  # bob sees a3 now
    await gql(SHARE, {"id": a1, "p": "p3"})  # dave sees a1
    await gql(SHARE, {"id": a1, "p": "p2"})
    await _check(gql, open_app.state.catalog)

    await gql(ACTIVATE, {"id": a1})
    await gql(PUBLISH, {"id": a1}, as_="admin")  # SHARED with p2 and p3 -> PUBLIC: once each
    await _check(gql, open_app.state.catalog)

    await gql(REMOVE, {"id": a1, "t": ["pet"]}, as_="admin")  # PUBLIC: only an admin changes it
    await gql(ADD, {"id": a2, "t": ["pet", "wild"]})
    await gql(UPDATE, {"id": a3, "t": ["bird", "mammal", "pet"]})
    await _check(gql, open_app.state.catalog)
    await gql(UPDATE, {"id": a2, "t": ["cat", "wild", "secret"]})  # some kept, added, removed
    await _check(gql, open_app.state.catalog)

    await gql(UNSHARE, {"id": a3, "p": "p2"})  # PRIVATE again
    await gql(DELETE, {"id": b1}, as_="bob")
    await _check(gql, open_app.state.catalog)

    await gql(SET_PARENT, {"n": "bird", "p": "mammal"}, as_="admin")  # a subtree moves down
    await gql(SET_PARENT, {"n": "cat", "p": None}, as_="admin")  # and one leaves
    await gql(SET_PARENT, {"n": "pet", "p": "animal"}, as_="admin")  # a carried tag joins
    await _check(gql, open_app.state.catalog)
    assert (await recount(open_app.state.catalog)).counts == 0


async def test_concurrent_changes_and_taxonomy_moves_leave_no_drift(client, open_app, monkeypatch):
    gql = client
    ancestors = taxonomy.ancestors

    async def slow(conn, names):  # widen the window between reading ancestors and COMMIT
        found = await ancestors(conn, names)
        await asyncio.sleep(0.05)
        return found

    monkeypatch.setattr(taxonomy, "ancestors", slow)
    await gql(SET_PARENT, {"n": "mammal", "p": "animal"}, as_="admin")
    ids = [await _image(gql, ["secret"], as_=who) for who in ("alice", "bob") * 4]
    owners = ["alice", "bob"] * 4

    filler = [f"f{i:02d}" for i in range(PAIRED_TAGS)]

    async def churn(i: int) -> None:
        for _ in range(3):  # "bird" moves meanwhile: its ancestors' counts change with it
            await gql(ADD, {"id": ids[i], "t": ["bird", "pet"]}, as_=owners[i])
            await gql(REMOVE, {"id": ids[i], "t": ["bird"]}, as_=owners[i])
            if i < 2:  # two of them cross the pairs' line and back, sharing pair rows
                await gql(ADD, {"id": ids[i], "t": filler}, as_=owners[i])
                await gql(REMOVE, {"id": ids[i], "t": filler[1:]}, as_=owners[i])

    async def move() -> None:
        for parent in ("animal", None, "mammal"):  # the last state is new: stale adds would show
            await gql(SET_PARENT, {"n": "bird", "p": parent}, as_="admin")

    await asyncio.gather(move(), *(churn(i) for i in range(len(ids))))
    drift = await recount(open_app.state.catalog)
    assert (drift.counts, drift.pairs, drift.wide) == (0, 0, 0)
    await _check(gql, open_app.state.catalog)


async def test_gc_repairs_drift_and_reports_it(client, open_app):
    gql = client
    await gql(SET_PARENT, {"n": "cat", "p": "animal"}, as_="admin")
    await _image(gql, ["cat", "pet"])
    await _image(gql, ["animal", "cat"], as_="bob")
    catalog = open_app.state.catalog
    async with catalog.db.write() as conn:  # what a bug or a hand edit could leave behind
        await conn.execute(
            sa.update(tag_counts).where(tag_counts.c.tag == "animal").values(n=tag_counts.c.n + 3)
        )
        await conn.execute(
            sa.insert(tag_counts).values(
                tag="ghost", scope="P", project="", type_name="image", stripe=2, n=1
            )
        )
        await conn.execute(  # alice's cat-and-pet artifact forgotten, a pair nobody carries
            sa.update(tag_pairs)
            .where(tag_pairs.c.tag == "pet", tag_pairs.c.other == "cat")
            .values(n=tag_pairs.c.n - 1)
        )
        await conn.execute(
            sa.insert(tag_pairs).values(
                tag="cat", scope="O", project="p1", type_name="image", other="wild", stripe=1, n=2
            )
        )
    assert (await gql(TAG, {"n": "ghost"}, as_="anon"))["tag"] is not None  # the drift shows
    related = (await gql(TAG, {"n": "cat"}))["tag"]["related"]
    assert {"tag": {"name": "wild"}, "count": 2} in related
    report = (await collect(catalog)).tag_count_drift
    assert report["counts"] == 3  # animal: p1 and p2; ghost
    assert report["pairs"] == 2  # (pet, p1, cat), (cat, p1, wild)
    assert report["tags"] == ["animal", "cat", "ghost", "pet"]
    assert (await gql(TAG, {"n": "ghost"}, as_="anon"))["tag"] is None
    await _check(gql, open_app.state.catalog)
    assert (await collect(catalog)).tag_count_drift == {
        "counts": 0,
        "pairs": 0,
        "wide": 0,
        "tags": [],
    }


async def _wide_rows(catalog, artifact: str) -> int:
    async with catalog.db.read() as conn:
        found = sa.select(sa.func.count()).where(wide_tags.c.artifact_id == artifact)
        return int((await conn.execute(found)).scalar_one())


async def test_wide_artifacts_count_in_related_across_the_threshold(client, open_app):
    """An artifact with more than PAIRED_TAGS tags keeps no pairs (its tags are in wide_tags)
    and still counts in `related` for exactly the callers who see it, whichever way it crosses
    the threshold; gc repairs wide_tags like the counts."""
    gql, catalog = client, open_app.state.catalog
    filler = [f"f{i:02d}" for i in range(PAIRED_TAGS - 1)]
    wide = await _image(gql, ["cat", "pet", *filler])  # PAIRED_TAGS + 1 tags
    narrow = await _image(gql, ["cat", "pet"])
    await _image(gql, ["cat", *filler[:3]], as_="bob")
    await _check(gql, catalog)
    assert await _wide_rows(catalog, wide) == PAIRED_TAGS + 1
    found = (await gql(TAG, {"n": "pet"}))["tag"]["related"]
    assert found[0] == {"tag": {"name": "cat"}, "count": 2}  # one wide, one narrow

    await gql(REMOVE, {"id": wide, "t": ["pet"]})  # PAIRED_TAGS: its pairs are kept now
    await _check(gql, catalog)
    assert await _wide_rows(catalog, wide) == 0
    await gql(ADD, {"id": wide, "t": ["wild", "bird"]})  # wide again
    await gql(SHARE, {"id": wide, "p": "p2"})  # and bob sees it
    await _check(gql, catalog)
    assert await _wide_rows(catalog, wide) == PAIRED_TAGS + 2

    async with catalog.db.write() as conn:  # drift: a row lost, a row for a narrow artifact
        await conn.execute(
            sa.delete(wide_tags).where(wide_tags.c.artifact_id == wide, wide_tags.c.tag == "bird")
        )
        await conn.execute(sa.insert(wide_tags).values(tag="pet", artifact_id=narrow))
    drift = await recount(catalog)
    assert (drift.counts, drift.pairs, drift.wide) == (0, 0, 2)
    assert drift.tags == ["bird", "pet"]
    await _check(gql, catalog)

    await gql(DELETE, {"id": wide})
    await _check(gql, catalog)
    assert await _wide_rows(catalog, wide) == 0
    assert (await recount(catalog)).wide == 0
