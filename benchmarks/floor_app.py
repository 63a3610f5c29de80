"""The floor: the least a Python server can do to answer scenario (a).

A bare Starlette app with one endpoint, `POST /images`, that returns the same 50 rows as the
GraphQL list request (type image, not DELETED, disk_format = 'qcow2', ordered by min_ram ASC
NULLS LAST then id, the same 12 fields + tags, with the same JSON shape and camelCase keys),
using raw SQL on the same driver: asyncpg (a pool of 10, without JIT like the server's) for
PostgreSQL, aiosqlite (a pool of 5 connections) for SQLite. One statement per request: tags come
from a correlated subquery. On SQLite the unary `+` keeps the planner off the disk_format index
so that it walks the min_ram index and stops at the LIMIT (SQLite has no statistics on
expressions; the server emits the same hint).

    FLOOR_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/glaregraph_bench \
        uvicorn --app-dir benchmarks floor_app:app --port 8100
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

PG_SQL = """
SELECT a.id, a.name, a.version, a.status, a.visibility, a.owner, a.created_at, a.updated_at,
       a.data ->> 'disk_format' AS disk_format, a.data ->> 'container_format' AS container_format,
       CAST(a.data ->> 'min_ram' AS BIGINT) AS min_ram,
       CAST(a.data ->> 'min_disk' AS BIGINT) AS min_disk,
       ARRAY(SELECT t.tag FROM artifact_tags t WHERE t.artifact_id = a.id ORDER BY t.tag) AS tags
FROM artifacts a
WHERE a.type_name = 'image' AND a.status <> 'DELETED' AND a.data ->> 'disk_format' = $1
ORDER BY CAST(a.data ->> 'min_ram' AS BIGINT) ASC NULLS LAST, a.id ASC
LIMIT $2
"""

SQLITE_SQL = """
SELECT a.id, a.name, a.version, a.status, a.visibility, a.owner, a.created_at, a.updated_at,
       json_extract(a.data, '$."disk_format"'), json_extract(a.data, '$."container_format"'),
       json_extract(a.data, '$."min_ram"'), json_extract(a.data, '$."min_disk"'),
       (SELECT json_group_array(tag) FROM
           (SELECT t.tag FROM artifact_tags t WHERE t.artifact_id = a.id ORDER BY t.tag))
FROM artifacts a
WHERE a.type_name = 'image' AND a.status <> 'DELETED'
  AND +json_extract(a.data, '$."disk_format"') = ?
ORDER BY json_extract(a.data, '$."min_ram"') ASC NULLS LAST, a.id ASC
LIMIT ?
"""

KEYS = [
    "id",
    "name",
    "version",
    "status",
    "visibility",
    "owner",
    "createdAt",
    "updatedAt",
    "diskFormat",
    "containerFormat",
    "minRam",
    "minDisk",
    "tags",
]
SQLITE_POOL = 5


def _sqlite_ts(text: str) -> str:
    """SQLite keeps naive UTC text `YYYY-MM-DD HH:MM:SS[.ffffff]`; answer ISO-8601 with offset."""
    return text.replace(" ", "T", 1) + "+00:00"


class Floor:
    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.pool: Any = None
        self.sqlite_conns: asyncio.Queue[Any] = asyncio.Queue()

    async def start(self) -> None:
        if self.is_sqlite:
            import aiosqlite

            path = self.url.split("///", 1)[1]
            for _ in range(SQLITE_POOL):
                conn = await aiosqlite.connect(path)
                await conn.execute("PRAGMA journal_mode=WAL")
                self.sqlite_conns.put_nowait(conn)
        else:
            import asyncpg

            dsn = self.url.replace("postgresql+asyncpg://", "postgresql://", 1)
            # the server's session settings: no JIT (glaregraph/catalog/database/engine.py); a
            # count over 100k rows is planned above jit_above_cost, and compiling it costs ~8x
            # the scan (real-caller floor at 100k: 231 ms with JIT, 27 ms without)
            self.pool = await asyncpg.create_pool(
                dsn, min_size=10, max_size=10, server_settings={"jit": "off"}
            )

    async def stop(self) -> None:
        if self.is_sqlite:
            while not self.sqlite_conns.empty():
                await self.sqlite_conns.get_nowait().close()
        elif self.pool is not None:
            await self.pool.close()

    async def rows(self, disk_format: str, limit: int) -> list[dict[str, Any]]:
        if self.is_sqlite:
            conn = await self.sqlite_conns.get()
            try:
                async with conn.execute(SQLITE_SQL, (disk_format, limit)) as cur:
                    found = await cur.fetchall()
            finally:
                self.sqlite_conns.put_nowait(conn)
            out = []
            for r in found:
                item = dict(zip(KEYS, r, strict=True))
                item["createdAt"] = _sqlite_ts(item["createdAt"])
                item["updatedAt"] = _sqlite_ts(item["updatedAt"])
                item["tags"] = json.loads(item["tags"])
                out.append(item)
            return out
        async with self.pool.acquire() as conn:
            found = await conn.fetch(PG_SQL, disk_format, limit)
        out = []
        for r in found:
            item = dict(zip(KEYS, r, strict=True))
            item["createdAt"] = item["createdAt"].isoformat()
            item["updatedAt"] = item["updatedAt"].isoformat()
            out.append(item)
        return out


floor = Floor(os.environ.get("FLOOR_DATABASE_URL", "sqlite+aiosqlite:///./var/catalog.db"))


async def images(request: Request) -> Response:
    body = await request.body()
    args = json.loads(body) if body else {}
    nodes = await floor.rows(args.get("diskFormat", "qcow2"), int(args.get("first", 50)))
    return JSONResponse({"data": {"images": {"nodes": nodes}}})


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


@contextlib.asynccontextmanager
async def lifespan(_: Starlette) -> AsyncIterator[None]:
    await floor.start()
    yield
    await floor.stop()


app = Starlette(
    routes=[
        Route("/images", images, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ],
    lifespan=lifespan,
)
