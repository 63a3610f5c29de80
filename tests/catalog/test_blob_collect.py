"""Garbage collection and upload expiry on a real database and a real local store, with the
clock as an argument: nothing in the store outlives what references it (after the grace
period), and a completion racing with collection never ends with a value whose data is gone."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Collection
from pathlib import Path

import pytest

from glaregraph.catalog import lookup, writing
from glaregraph.catalog.blobs import BlobConfig, completion, locations, uploads
from glaregraph.catalog.blobs.collect import collect
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.errors import Conflict, NotFound
from glaregraph.catalog.principal import Caller, Principal
from glaregraph.catalog.typedef.loader import load_registry
from glaregraph.storage import LocalStore

ALICE = Caller(Principal(user_id="alice", project="p1", roles=("member",)), "req", lambda _: None)
T0 = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


class PausingStore(LocalStore):
    """The real local store; deleting content waits until the test lets it go on."""

    def __init__(self, root: Path) -> None:
        super().__init__(root, "http://test", b"k" * 32)
        self.paused: asyncio.Event | None = None
        self.reached = asyncio.Event()

    async def delete(self, key: str) -> None:
        if self.paused is not None and key.startswith("cas/"):
            self.reached.set()
            await self.paused.wait()
        await super().delete(key)


@pytest.fixture
async def setup(
    migrated: str, tmp_path: Path
) -> AsyncIterator[tuple[Catalog, Clock, PausingStore]]:
    db = Database(migrated)
    store = PausingStore(tmp_path)
    await store.open()
    clock = Clock()
    blobs = BlobConfig(
        store=store, upload_ttl=dt.timedelta(hours=1), gc_grace=dt.timedelta(hours=1)
    )
    yield Catalog(db=db, registry=load_registry(), clock=clock, blobs=blobs), clock, store
    await db.dispose()


async def _artifact(catalog: Catalog, version: str = "1.0.0") -> str:
    t = catalog.type("heat_template")
    return (await writing.create_artifact(catalog, ALICE, t, {"name": "t", "version": version})).id


async def _send(store: LocalStore, ticket: uploads.UploadTicket, data: bytes) -> None:
    """What the client's PUT does: the bytes at the upload's staging key."""

    async def chunks() -> AsyncIterator[bytes]:
        yield data

    await store.put_stream(f"uploads/{ticket.id}", chunks(), None, None)


async def _upload(catalog: Catalog, store: LocalStore, artifact: str, data: bytes) -> dict:
    ticket = await uploads.start(catalog, ALICE, artifact, "template", None, len(data))
    await _send(store, ticket, data)
    return await completion.complete(catalog, ALICE, ticket.id, None)


async def _keys(store: LocalStore, prefix: str) -> Collection[str]:
    return [k async for k in store.keys(prefix)]


async def test_an_expired_upload_ends_at_once_and_gc_removes_its_data(setup):
    catalog, clock, store = setup
    artifact = await _artifact(catalog)
    ticket = await uploads.start(catalog, ALICE, artifact, "template", None, 4)
    await _send(store, ticket, b"data")
    assert [r["status"] for r in (await lookup.blobs_of(catalog.db, [artifact], clock()))[0]] == [
        "SAVING"
    ]
    clock.now = T0 + dt.timedelta(hours=2)
    assert await lookup.blobs_of(catalog.db, [artifact], clock()) == [[]]
    with pytest.raises(NotFound):
        await completion.complete(catalog, ALICE, ticket.id, None)
    report = await collect(catalog)
    assert (report.expired_uploads, report.staging_removed) == (1, 0)  # removed when it ended
    assert await _keys(store, "uploads/") == []


async def test_content_goes_only_after_its_grace_period(setup):
    catalog, clock, store = setup
    artifact = await _artifact(catalog)
    blob = await _upload(catalog, store, artifact, b"some content")
    assert await _keys(store, "cas/") == [blob["storage_key"]]
    await locations.delete_value(catalog, ALICE, artifact, "template", None)
    clock.now = T0 + dt.timedelta(minutes=30)
    assert (await collect(catalog)).content_removed == 0
    assert await _keys(store, "cas/") == [blob["storage_key"]]
    clock.now = T0 + dt.timedelta(hours=2)
    assert (await collect(catalog)).content_removed == 1
    assert await _keys(store, "cas/") == []


async def test_content_still_referenced_elsewhere_is_kept(setup):
    catalog, clock, store = setup
    a, b = await _artifact(catalog, "1.0.0"), await _artifact(catalog, "2.0.0")
    await _upload(catalog, store, a, b"shared")
    kept = await _upload(catalog, store, b, b"shared")
    await locations.delete_value(catalog, ALICE, a, "template", None)
    clock.now = T0 + dt.timedelta(days=1)
    assert (await collect(catalog)).content_removed == 0
    assert await store.stat(kept["storage_key"]) is not None


async def test_a_completion_that_reuses_old_content_wins_over_a_later_collection(setup):
    catalog, clock, store = setup
    a, b = await _artifact(catalog, "1.0.0"), await _artifact(catalog, "2.0.0")
    await _upload(catalog, store, a, b"reused")
    await locations.delete_value(catalog, ALICE, a, "template", None)
    clock.now = T0 + dt.timedelta(hours=2)  # past the grace period, not yet collected
    again = await _upload(catalog, store, b, b"reused")  # a dedup hit: no copy was made
    assert (await collect(catalog)).content_removed == 0
    assert await store.sha256(again["storage_key"]) == again["sha256"]


async def test_a_completion_racing_with_collection_never_loses_its_data(setup):
    catalog, clock, store = setup
    a, b = await _artifact(catalog, "1.0.0"), await _artifact(catalog, "2.0.0")
    first = await _upload(catalog, store, a, b"raced")
    await locations.delete_value(catalog, ALICE, a, "template", None)
    clock.now = T0 + dt.timedelta(hours=2)
    store.paused = asyncio.Event()
    gc = asyncio.create_task(collect(catalog))
    await store.reached.wait()  # collection marked the content and is deleting it
    ticket = await uploads.start(catalog, ALICE, b, "template", None, 5)
    await _send(store, ticket, b"raced")
    with pytest.raises(Conflict):
        await completion.complete(catalog, ALICE, ticket.id, None)
    store.paused.set()
    assert (await gc).content_removed == 1
    store.paused = None
    done = await completion.complete(catalog, ALICE, ticket.id, None)  # the upload stayed open
    assert done["storage_key"] == first["storage_key"]
    assert await store.sha256(done["storage_key"]) == done["sha256"]
