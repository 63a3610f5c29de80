"""The floor of the "real caller" scenario: the least a Python server can do to answer it.

A bare Starlette app answering the two requests of benchmarks/real_caller.py for a project
member with raw SQL on the same drivers as floor_app.py (its `Floor` pools: asyncpg pool of 10
without JIT, as the server's connections; aiosqlite pool of 5):

- `POST /real/get` `{"id": ...}`: `heatTemplate(id:)`, the 18 leaf fields;
- `POST /real/list` `{"first": 50}`: `heatTemplates(first: 50)` in the default order (newest
  first: created_at DESC, id DESC), with `totalCount`, `pageInfo` and each edge's cursor
  (encoded as glaregraph encodes them).

The caller is the `Authorization: Bearer <token>` header looked up in the same static tokens
file as the server's (FLOOR_STATIC_TOKENS), and what it sees is glaregraph's member rule in SQL:
not DELETED, and its own project's, PUBLIC, or SHARED with its project (EXISTS on
artifact_shares). One statement per request: tags, aliases and (for the caller's own artifacts
only, as `sharedWith` is shown to owners only) share projects come from correlated subqueries,
and the list's count is an uncorrelated scalar subquery of the same statement. Answers are
JSON-encoded with orjson, as glaregraph does.

    FLOOR_DATABASE_URL=... FLOOR_STATIC_TOKENS=tokens.yaml \
        uvicorn --app-dir benchmarks floor_real:app --port 8101
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
import yaml
from floor_app import Floor
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TYPE = "heat_template"
# Node keys in row order (the leaf fields of HeatTemplate; the check against glaregraph in
# real_caller.py compares them with the introspected list).
KEYS = [
    "id",
    "typeName",
    "name",
    "version",
    "description",
    "owner",
    "createdBy",
    "visibility",
    "status",
    "metadata",
    "revision",
    "createdAt",
    "updatedAt",
    "activatedAt",
    "tags",
    "aliases",
    "sharedWith",
    "defaultEnvs",
]
JSON_KEYS = ("metadata", "defaultEnvs")
TIME_KEYS = ("createdAt", "updatedAt", "activatedAt")
# glaregraph's cursor signature of the default order (ordering.signature)
SIGNATURE = hashlib.sha1(f"{TYPE}|created_at:d,id:d".encode()).hexdigest()[:8]

PG_VISIBLE = """{a}.type_name = 'heat_template' AND {a}.status <> 'DELETED' AND (
    {a}.owner = $1 OR {a}.visibility = 'PUBLIC' OR ({a}.visibility = 'SHARED' AND EXISTS (
        SELECT 1 FROM artifact_shares s WHERE s.artifact_id = {a}.id AND s.project = $1)))"""
PG_COLUMNS = """a.id, a.type_name, a.name, a.version, a.description, a.owner, a.created_by,
    a.visibility, a.status, a.meta::text, a.revision, a.created_at, a.updated_at,
    a.activated_at,
    ARRAY(SELECT t.tag FROM artifact_tags t WHERE t.artifact_id = a.id ORDER BY t.tag COLLATE "C"),
    ARRAY(SELECT l.alias FROM aliases l WHERE l.artifact_id = a.id ORDER BY l.alias COLLATE "C"),
    CASE WHEN a.owner = $1 THEN ARRAY(SELECT s.project FROM artifact_shares s
        WHERE s.artifact_id = a.id ORDER BY s.project COLLATE "C") ELSE '{}'::text[] END,
    (a.data -> 'default_envs')::text"""
PG_GET = f"SELECT {PG_COLUMNS} FROM artifacts a WHERE a.id = $2 AND {PG_VISIBLE.format(a='a')}"
PG_COUNT = f"SELECT count(*) FROM artifacts c WHERE {PG_VISIBLE.format(a='c')}"
PG_LIST = f"""SELECT {PG_COLUMNS}, ({PG_COUNT}) AS total
FROM artifacts a WHERE {PG_VISIBLE.format(a="a")}
ORDER BY a.created_at DESC, a.id DESC LIMIT $2"""

SQLITE_VISIBLE = """{a}.type_name = 'heat_template' AND {a}.status <> 'DELETED' AND (
    {a}.owner = :p OR {a}.visibility = 'PUBLIC' OR ({a}.visibility = 'SHARED' AND EXISTS (
        SELECT 1 FROM artifact_shares s WHERE s.artifact_id = {a}.id AND s.project = :p)))"""
SQLITE_COLUMNS = """a.id, a.type_name, a.name, a.version, a.description, a.owner, a.created_by,
    a.visibility, a.status, a.meta, a.revision, a.created_at, a.updated_at, a.activated_at,
    (SELECT json_group_array(tag) FROM
        (SELECT t.tag FROM artifact_tags t WHERE t.artifact_id = a.id ORDER BY t.tag)),
    (SELECT json_group_array(alias) FROM
        (SELECT l.alias FROM aliases l WHERE l.artifact_id = a.id ORDER BY l.alias)),
    CASE WHEN a.owner = :p THEN (SELECT json_group_array(project) FROM
        (SELECT s.project FROM artifact_shares s WHERE s.artifact_id = a.id ORDER BY s.project))
        ELSE '[]' END,
    json_extract(a.data, '$."default_envs"')"""
SQLITE_GET = (
    f"SELECT {SQLITE_COLUMNS} FROM artifacts a WHERE a.id = :id AND {SQLITE_VISIBLE.format(a='a')}"
)
SQLITE_COUNT = f"SELECT count(*) FROM artifacts c WHERE {SQLITE_VISIBLE.format(a='c')}"
SQLITE_LIST = f"""SELECT {SQLITE_COLUMNS}, ({SQLITE_COUNT}) AS total
FROM artifacts a WHERE {SQLITE_VISIBLE.format(a="a")}
ORDER BY a.created_at DESC, a.id DESC LIMIT :n"""


def _sqlite_ts(text: str | None) -> str | None:
    """SQLite keeps naive UTC text `YYYY-MM-DD HH:MM:SS.ffffff`; ISO-8601 with offset, without
    a zero fraction (as datetime.isoformat)."""
    if text is None:
        return None
    if text.endswith(".000000"):
        text = text[:-7]
    return text.replace(" ", "T", 1) + "+00:00"


def cursor(created_at: str, artifact_id: str) -> str:
    """glaregraph's keyset cursor of a row in the default order."""
    raw = orjson.dumps([SIGNATURE, [created_at, artifact_id]])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class RealFloor(Floor):
    """The scenario's two statements on floor_app's pools; rows come back as node dicts."""

    async def _fetch(
        self, pg_sql: str, sqlite_sql: str, project: str, key: str, arg: Any
    ) -> list[Any]:
        """Rows of one statement: PostgreSQL binds ($1 project, $2 arg), SQLite (:p, :key)."""
        if self.is_sqlite:
            conn = await self.sqlite_conns.get()
            try:
                async with conn.execute(sqlite_sql, {"p": project, key: arg}) as cur:
                    return list(await cur.fetchall())
            finally:
                self.sqlite_conns.put_nowait(conn)
        async with self.pool.acquire() as conn:
            return list(await conn.fetch(pg_sql, project, arg))

    def _node(self, row: Any) -> dict[str, Any]:
        node = dict(zip(KEYS, row, strict=False))
        for key in JSON_KEYS:
            if node[key] is not None:
                node[key] = orjson.loads(node[key])
        if self.is_sqlite:
            for key in TIME_KEYS:
                node[key] = _sqlite_ts(node[key])
            for key in ("tags", "aliases", "sharedWith"):
                node[key] = orjson.loads(node[key])
        else:
            for key in TIME_KEYS:
                if node[key] is not None:
                    node[key] = node[key].isoformat()
        return node

    async def get(self, project: str, artifact_id: str) -> dict[str, Any] | None:
        rows = await self._fetch(PG_GET, SQLITE_GET, project, "id", artifact_id)
        return self._node(rows[0]) if rows else None

    async def page(self, project: str, first: int) -> dict[str, Any]:
        rows = await self._fetch(PG_LIST, SQLITE_LIST, project, "n", first + 1)
        total = rows[0][len(KEYS)] if rows else await self._count(project)
        nodes = [self._node(r) for r in rows[:first]]
        edges = [{"cursor": cursor(n["createdAt"], n["id"]), "node": n} for n in nodes]
        return {
            "totalCount": total,
            "pageInfo": {
                "hasNextPage": len(rows) > first,
                "hasPreviousPage": False,
                "startCursor": edges[0]["cursor"] if edges else None,
                "endCursor": edges[-1]["cursor"] if edges else None,
            },
            "edges": edges,
        }

    async def _count(self, project: str) -> int:
        """Only for an empty page (the list statement carries the count on every row)."""
        if self.is_sqlite:
            conn = await self.sqlite_conns.get()
            try:
                async with conn.execute(SQLITE_COUNT, {"p": project}) as cur:
                    row = await cur.fetchone()
            finally:
                self.sqlite_conns.put_nowait(conn)
            return int(row[0]) if row else 0
        async with self.pool.acquire() as conn:
            return int(await conn.fetchval(PG_COUNT, project))


def load_tokens(path: str | None) -> dict[str, str]:
    """token -> project, from a static tokens file (docs/operations.md)."""
    if not path:
        return {}
    doc = yaml.safe_load(Path(path).read_text())
    return {str(token): str(claims["project"]) for token, claims in doc["tokens"].items()}


floor = RealFloor(os.environ.get("FLOOR_DATABASE_URL", "sqlite+aiosqlite:///./var/catalog.db"))
TOKENS = load_tokens(os.environ.get("FLOOR_STATIC_TOKENS"))


class OrjsonResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def _project(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return TOKENS.get(token) if scheme.lower() == "bearer" else None


async def _args(request: Request) -> dict[str, Any]:
    body = await request.body()
    args: dict[str, Any] = orjson.loads(body) if body else {}
    return args


def _unauthenticated() -> Response:
    return OrjsonResponse({"errors": [{"message": "authentication required"}]}, status_code=401)


async def real_get(request: Request) -> Response:
    project = _project(request)
    if project is None:
        return _unauthenticated()
    args = await _args(request)
    node = await floor.get(project, str(args["id"]))
    return OrjsonResponse({"data": {"heatTemplate": node}})


async def real_list(request: Request) -> Response:
    project = _project(request)
    if project is None:
        return _unauthenticated()
    args = await _args(request)
    page = await floor.page(project, int(args.get("first", 50)))
    return OrjsonResponse({"data": {"heatTemplates": page}})


async def healthz(_: Request) -> Response:
    return OrjsonResponse({"status": "ok"})


@contextlib.asynccontextmanager
async def lifespan(_: Starlette) -> AsyncIterator[None]:
    await floor.start()
    yield
    await floor.stop()


app = Starlette(
    routes=[
        Route("/real/get", real_get, methods=["POST"]),
        Route("/real/list", real_list, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ],
    lifespan=lifespan,
)
