"""An expired lease is simply gone: with the clock as an argument, no sleeping."""

from __future__ import annotations

import datetime as dt

import pytest

from glaregraph.catalog import locks, tagging, writing
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.errors import Locked
from glaregraph.catalog.principal import Caller, Principal
from glaregraph.catalog.typedef.loader import load_registry


def _caller(user: str) -> Caller:
    return Caller(Principal(user_id=user, project="p1", roles=("member",)), "r", lambda _: None)


async def test_an_expired_lease_blocks_no_one_and_reads_as_none(migrated: str):
    now = [dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)]
    db = Database(migrated)
    catalog = Catalog(
        db=db, registry=load_registry(), clock=lambda: now[0], guards=(locks.lease_guard,)
    )
    try:
        t = catalog.type("image")
        record = await writing.create_artifact(
            catalog, _caller("alice"), t, {"name": "i", "version": "1.0.0"}
        )
        await locks.lock(catalog, _caller("alice"), record.id, 60, None)
        with pytest.raises(Locked):
            await tagging.add_tags(catalog, _caller("carol"), record.id, ["x"])
        now[0] += dt.timedelta(seconds=61)
        assert await locks.live_leases(catalog, [record.id], now[0]) == {}
        await tagging.add_tags(catalog, _caller("carol"), record.id, ["x"])
        taken = await locks.lock(catalog, _caller("carol"), record.id, 60, None)
        assert taken.holder == "carol"
    finally:
        await db.dispose()
