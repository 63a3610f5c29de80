"""PostgreSQL cancels a statement that runs past the statement timeout, and the caller gets
QUERY_TOO_COMPLEX instead of a server error (SQLite has no statement timeout)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.errors import QueryTooComplex


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
