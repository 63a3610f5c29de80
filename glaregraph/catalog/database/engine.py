"""The database handle: one async engine, read and write transactions on both dialects.

SQLite serialises writers with `BEGIN IMMEDIATE` (plus WAL and a busy timeout so several server
processes can share the file); PostgreSQL writers take row locks (`SELECT ... FOR UPDATE`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from glaregraph.catalog.database import sqlite_driver
from glaregraph.catalog.errors import Conflict, QueryTooComplex

QUERY_CANCELED = "57014"
# asyncpg learns an array type from the catalog (a recursive query) the first time a connection
# meets it: the arrays the statements built once send (names, counts, stripes) are learnt when a
# connection opens, not by a mutation holding a row lock
_ARRAYS = "SELECT $1::varchar[], $2::text[], $3::int2[], $4::int4[], $5::int8[]"
_WRITE = "glaregraph_write"
_READ = "glaregraph_read"


class Database:
    """Owns the engine; hands out connections inside a transaction."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        pool_size: int = 10,
        statement_timeout: float = 10.0,
    ) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {
            "echo": echo,
            "json_serializer": _dumps,
            "json_deserializer": orjson.loads,
        }
        if self.dialect == "postgresql":
            kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=False)
            # Every statement here is short, but an exact count over a large type is estimated
            # above jit_above_cost, and compiling it cost more than the whole scan saved
            # (a 56k-row count: 25 ms without JIT, 50 ms with it). JIT is for analytics.
            # No statement may run away (a lineage walk over a huge graph, say): PostgreSQL
            # cancels it, and the client gets QUERY_TOO_COMPLEX (see `_translated`).
            settings = {"jit": "off", "statement_timeout": str(int(statement_timeout * 1000))}
            kwargs["connect_args"] = {"server_settings": settings}
        elif parsed.get_driver_name() == "aiosqlite":
            kwargs["module"] = sqlite_driver.dbapi()
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine)
        else:
            event.listen(self.engine.sync_engine, "connect", _learn_array_types)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reads. Each read is one statement (a page reads its tags in the same
        statement), so it runs without a transaction: no BEGIN/COMMIT round trips. On SQLite
        the driver already commits each statement (see `_configure_sqlite`), so no BEGIN is
        sent; switching the connection to AUTOCOMMIT would cost two thread hops of aiosqlite
        per read (there and back), about 150 us."""
        async with _translated(), self.engine.connect() as conn:
            if self.is_sqlite:
                await conn.execution_options(**{_READ: True})
            else:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction: committed when the block ends, rolled back on any error."""
        async with _translated(writing=True), self.engine.connect() as conn:
            await conn.execution_options(**{_WRITE: True})
            async with conn.begin():
                yield conn

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        await self.engine.dispose()


@asynccontextmanager
async def _translated(writing: bool = False) -> AsyncIterator[None]:
    """A statement PostgreSQL cancelled for running past the statement timeout. A mutation's
    statements are short: one cancelled there waited that long for rows other mutations held
    (many writers of one artifact), which is a conflict to retry, not a query to cut down."""
    try:
        yield
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == QUERY_CANCELED:
            if writing:
                raise Conflict(
                    "the change waited too long for concurrent changes of the same rows; try again"
                ) from exc
            raise QueryTooComplex(
                "the query ran longer than the server allows; ask for less"
            ) from exc
        raise


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take over transaction control from the driver, so BEGIN IMMEDIATE is ours to emit.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA case_sensitive_like=ON")  # LIKE as on PostgreSQL
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT" or options.get(_READ, False):
            return
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(_WRITE, False) else "BEGIN")


def _learn_array_types(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.run_async(lambda conn: conn.fetch(_ARRAYS, [], [], [], [], []))
