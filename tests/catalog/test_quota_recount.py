"""`glaregraph gc` recomputes quota usage from the truth and repairs counters that drifted
(a crash between writes elsewhere, a restore, a manual fix in the database)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from glaregraph.catalog import writing
from glaregraph.catalog.blobs import BlobConfig
from glaregraph.catalog.blobs.collect import collect
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.database.tables import quota_counters as qc
from glaregraph.catalog.principal import Caller, Principal
from glaregraph.catalog.typedef.loader import load_registry
from glaregraph.storage import LocalStore

ALICE = Caller(Principal(user_id="alice", project="p1", roles=("member",)), "r", lambda _: None)


async def test_drifted_counters_are_reported_and_repaired(migrated: str, tmp_path: Path):
    db = Database(migrated)
    store = LocalStore(tmp_path, "http://test", b"k" * 32)
    await store.open()
    catalog = Catalog(db=db, registry=load_registry(), blobs=BlobConfig(store=store))
    try:
        for version in ("1.0.0", "2.0.0"):
            values = {"name": "i", "version": version}
            await writing.create_artifact(catalog, ALICE, catalog.type("image"), values)
        assert (await collect(catalog)).usage_drift == []
        async with db.write() as conn:  # the counters drift: 7 artifacts in each scope
            await conn.execute(sa.delete(qc).where(qc.c.counter == "artifacts"))
            await conn.execute(
                sa.insert(qc),
                [
                    {
                        "project": "p1",
                        "type_name": s,
                        "counter": "artifacts",
                        "stripe": 3,
                        "used": 7,
                    }
                    for s in ("", "image")
                ],
            )
        drift = (await collect(catalog)).usage_drift
        assert {(d["type_name"], d["artifacts"]) for d in drift} == {
            (None, (7, 2)),
            ("image", (7, 2)),
        }
        async with db.read() as conn:
            counts = dict(
                (
                    await conn.execute(
                        sa.select(qc.c.type_name, sa.func.sum(qc.c.used))
                        .where(qc.c.counter == "artifacts")
                        .group_by(qc.c.type_name)
                    )
                ).all()
            )
        assert counts == {"": 2, "image": 2}
        assert (await collect(catalog)).usage_drift == []
    finally:
        await db.dispose()
