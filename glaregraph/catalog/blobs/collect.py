"""Garbage collection of blob data: expired uploads end (and their parts go), staging objects
of ended uploads go, and content no value has referenced for the grace period goes. Last, quota
usage is recomputed from the truth and any drift repaired (and reported).

Safe against a completion racing with it: content is removed only through its row, which is
first moved from LIVE (unreferenced since before the grace period, nothing referencing it) to
DELETING in one conditional statement. A completion that references the content clears
`unreferenced_since` under the same row's lock, so either it wins (collection skips the row) or
collection wins (the completion sees DELETING and answers CONFLICT; the upload stays open and
completing it again, once collection is done, stores the content afresh). Content without a row
is never deleted here: a completion may be copying it right now (it is reported instead).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa

from glaregraph.catalog.blobs import keys, store_calls
from glaregraph.catalog.blobs.slots import OPEN
from glaregraph.catalog.blobs.upload_rows import EXPIRED, Upload
from glaregraph.catalog.blobs.uploads import discard_staging
from glaregraph.catalog.blobs.values import DELETING, LIVE
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.tables import artifacts, blobs, stored_objects, uploads
from glaregraph.catalog.quotas import usage
from glaregraph.catalog.quotas.recount import recount
from glaregraph.catalog.tagcounts.recount import recount as recount_tags


@dataclass(slots=True)
class Collected:
    expired_uploads: int = 0
    staging_removed: int = 0
    content_marked: int = 0  # found unreferenced without a grace period started
    content_removed: int = 0
    usage_drift: list[dict[str, object]] = field(default_factory=list)  # counters repaired
    tag_count_drift: dict[str, object] = field(default_factory=dict)  # tag counts repaired
    unaccounted: int = 0  # content (or an import) in the store with no row: in flight, or
    # left by a crash; kept, since a completion or an import may be writing it right now


async def collect(catalog: Catalog, now: dt.datetime | None = None) -> Collected:
    now = now or catalog.clock()
    done = Collected()
    done.expired_uploads = await _expire_uploads(catalog, now)
    done.staging_removed = await _remove_staging(catalog)
    done.content_marked = await _mark_unreferenced(catalog, now)
    done.content_removed = await _remove_content(catalog, now)
    done.unaccounted = await _unaccounted(catalog)
    done.usage_drift = [dataclasses.asdict(d) for d in await recount(catalog, now)]
    done.tag_count_drift = dataclasses.asdict(await recount_tags(catalog))
    return done


async def _expire_uploads(catalog: Catalog, now: dt.datetime) -> int:
    """Uploads past `expires_at` end as EXPIRED; their reservations go back to the quota."""
    async with catalog.db.write() as conn:
        rows = (
            (
                await conn.execute(
                    sa.update(uploads)
                    .where(uploads.c.state == OPEN, uploads.c.expires_at <= now)
                    .values(state=EXPIRED, ended_at=now)
                    .returning(*uploads.c)
                )
            )
            .mappings()
            .all()
        )
        ids = sorted({r["artifact_id"] for r in rows})
        types = dict(
            (
                await conn.execute(
                    sa.select(artifacts.c.id, artifacts.c.type_name).where(artifacts.c.id.in_(ids))
                )
            ).all()
        )
        ledger = usage.Ledger()
        for row in rows:
            ledger.release(row["project"], types[row["artifact_id"]], usage.BYTES, row["size"])
        await ledger.settle(conn, catalog)
    for row in rows:
        await discard_staging(catalog, Upload.from_row(row))
    return len(rows)


async def _remove_staging(catalog: Catalog) -> int:
    """Staging objects whose upload is not open (ended, or never committed)."""
    store = store_calls.config(catalog).store
    found = [k async for k in store.keys(keys.STAGING)]
    if not found:
        return 0
    ids = {k[len(keys.STAGING) :]: k for k in found}
    async with catalog.db.read() as conn:
        open_ids = set(
            (
                await conn.execute(
                    sa.select(uploads.c.id).where(uploads.c.id.in_(ids), uploads.c.state == OPEN)
                )
            ).scalars()
        )
    gone = [key for upload_id, key in ids.items() if upload_id not in open_ids]
    for key in gone:
        await store_calls.tidy(store.delete(key), key)
    return len(gone)


def _unreferenced() -> sa.ColumnElement[bool]:
    return ~sa.exists().where(blobs.c.storage_key == stored_objects.c.key)


async def _mark_unreferenced(catalog: Catalog, now: dt.datetime) -> int:
    """Content whose last reference went while another release ran beside it (neither saw the
    other's change) starts its grace period now."""
    async with catalog.db.write() as conn:
        result = await conn.execute(
            sa.update(stored_objects)
            .where(
                stored_objects.c.state == LIVE,
                stored_objects.c.unreferenced_since.is_(None),
                _unreferenced(),
            )
            .values(unreferenced_since=now)
        )
    return result.rowcount or 0


async def _remove_content(catalog: Catalog, now: dt.datetime) -> int:
    config = store_calls.config(catalog)
    cutoff = now - config.gc_grace
    async with catalog.db.write() as conn:
        doomed = list(
            (
                await conn.execute(
                    sa.update(stored_objects)
                    .where(
                        stored_objects.c.state == LIVE,
                        stored_objects.c.unreferenced_since <= cutoff,
                        _unreferenced(),
                    )
                    .values(state=DELETING)
                    .returning(stored_objects.c.key)
                )
            ).scalars()
        )
    # DELETING rows too: what an interrupted earlier run left half done
    async with catalog.db.read() as conn:
        doomed = sorted(
            set(doomed)
            | set(
                (
                    await conn.execute(
                        sa.select(stored_objects.c.key).where(stored_objects.c.state == DELETING)
                    )
                ).scalars()
            )
        )
    removed = []
    for key in doomed:
        try:
            await store_calls.call(config.store.delete(key))
        except Exception:  # the row stays DELETING: the next run tries again
            continue
        removed.append(key)
    if removed:
        async with catalog.db.write() as conn:
            await conn.execute(
                sa.delete(stored_objects).where(
                    stored_objects.c.key.in_(removed), stored_objects.c.state == DELETING
                )
            )
    return len(removed)


async def _unaccounted(catalog: Catalog) -> int:
    store = store_calls.config(catalog).store
    found: set[str] = set()
    for prefix in (keys.CONTENT, keys.UNIQUE, keys.IMPORTING):
        found.update([k async for k in store.keys(prefix)])
    if not found:
        return 0
    known: set[str] = set()
    async with catalog.db.read() as conn:
        chunk = sorted(found)
        for i in range(0, len(chunk), 1000):
            known.update(
                (
                    await conn.execute(
                        sa.select(stored_objects.c.key).where(
                            stored_objects.c.key.in_(chunk[i : i + 1000])
                        )
                    )
                ).scalars()
            )
    return len(found - known)
