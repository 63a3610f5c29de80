"""Garbage collection from the command line (`glaregraph gc`) and, when `gc_interval` is set,
as a periodic task of every served process (safe to run in several at once)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from glaregraph.catalog.blobs.collect import collect
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.typedef.loader import load_registry
from glaregraph.server.blobstore import blob_config
from glaregraph.server.settings import Settings

log = logging.getLogger(__name__)


async def run_gc(settings: Settings) -> dict[str, Any]:
    """One collection over the configured database and store; what it did."""
    db = Database(settings.database_url)
    blobs = blob_config(settings)
    await blobs.store.open()
    try:
        catalog = Catalog(db=db, registry=load_registry(settings.types), blobs=blobs)
        return dataclasses.asdict(await collect(catalog))
    finally:
        await blobs.store.close()
        await db.dispose()


@asynccontextmanager
async def periodic_gc(catalog: Catalog, interval: int) -> AsyncIterator[None]:
    """Collect every `interval` seconds while the block runs (0: never)."""
    if interval <= 0:
        yield
        return

    async def loop() -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                report = await collect(catalog)
                log.info("blob gc: %s", dataclasses.asdict(report))
            except Exception:  # a failed run is retried at the next interval
                log.exception("blob gc failed")

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
