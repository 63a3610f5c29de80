"""PostgreSQL cancels a statement that runs past the statement timeout, and the caller gets
QUERY_TOO_COMPLEX instead of a server error (SQLite has no statement timeout)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from glaregraph.catalog import tagging, writing
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.database.tables import artifact_tags, artifacts
from glaregraph.catalog.errors import Conflict, QueryTooComplex
from glaregraph.catalog.principal import Caller, Principal
from glaregraph.catalog.typedef.loader import load_registry

ALICE = Caller(Principal(user_id="alice", project="p1", roles=("member",)), "r", lambda _: None)


async def test_a_statement_past_the_timeout_is_cancelled(migrated: str):
    if migrated.startswith("sqlite"):
        pytest.skip("statement timeouts are PostgreSQL's (this test runs in the PostgreSQL pass)")
    db = Database(migrated, statement_timeout=0.05)
    try:
        with pytest.raises(QueryTooComplex):
            async with db.read() as conn:
                await conn.execute(sa.text("SELECT pg_sleep(2)"))
        async with db.read() as conn:  # the connection is fine afterwards
            assert await conn.scalar(sa.text("SELECT 1")) == 1
    finally:
        await db.dispose()


async def test_a_mutation_waiting_past_the_timeout_for_a_row_is_a_conflict(migrated: str):
    """Many writers of one artifact: one that waits past the timeout for the row lock is told
    to try again (CONFLICT), and nothing of it is kept."""
    if migrated.startswith("sqlite"):
        pytest.skip("statement timeouts are PostgreSQL's (this test runs in the PostgreSQL pass)")
    db = Database(migrated, statement_timeout=0.2)
    catalog = Catalog(db=db, registry=load_registry())
    try:
        record = await writing.create_artifact(
            catalog, ALICE, catalog.type("image"), {"name": "busy", "version": "1.0.0"}
        )
        async with db.write() as holder:  # another mutation holds the artifact's row
            await holder.execute(
                sa.select(artifacts.c.id).where(artifacts.c.id == record.id).with_for_update()
            )
            with pytest.raises(Conflict):
                await tagging.add_tags(catalog, ALICE, record.id, ["waited"])
        async with db.read() as conn:
            tags = (await conn.execute(sa.select(artifact_tags.c.tag))).scalars().all()
        assert tags == []
    finally:
        await db.dispose()
