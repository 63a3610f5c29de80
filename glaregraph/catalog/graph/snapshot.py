"""A read that takes several statements (a lineage walk runs one per level) inside one snapshot,
so they all see the same committed state, as one statement would: no artifact deleted or made
private halfway through is returned, no link changed in between mixes two graphs.

`Database.read` runs each statement on its own (no BEGIN/COMMIT round trips), right for the
one-statement reads of the rest of the catalog. Here: on PostgreSQL a REPEATABLE READ, READ ONLY
transaction (two round trips more, no locks); on SQLite a deferred BEGIN, whose first read fixes
the snapshot (WAL: readers never block the writer, nor the writer them).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog.database.engine import Database


@asynccontextmanager
async def snapshot(db: Database, generic_plans: bool = False) -> AsyncIterator[AsyncConnection]:
    """`generic_plans`: on PostgreSQL, the statements of this read are executed with their
    generic plans (planned once per connection and statement text), not planned again for
    each execution's values. For a read that runs the same few statements many times (a
    lineage walk: a statement per level), with plans that do not depend on the values."""
    async with db.read() as conn:
        if db.is_sqlite:
            # `read` tells the engine not to BEGIN (each statement commits on its own): the
            # transaction is opened and ended here, by hand
            await conn.exec_driver_sql("BEGIN")
            try:
                yield conn
            finally:
                await conn.exec_driver_sql("ROLLBACK")
        else:
            await conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            async with conn.begin():
                if generic_plans:
                    await conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
                yield conn
