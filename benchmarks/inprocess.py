"""In-process measurements on the real app (`create_app(Settings(...))`, dev auth, no sockets).

    python benchmarks/inprocess.py count   URL    # SQL statements per list request, first=1/50/500
    python benchmarks/inprocess.py sqltime URL    # the list statement's own time (driver level)
    python benchmarks/inprocess.py explain URL    # PG: EXPLAIN (ANALYZE, BUFFERS) of that statement
    python benchmarks/inprocess.py profile URL    # cProfile of list requests + a phase breakdown

Statements are seen by a SQLAlchemy `before_cursor_execute` listener on the app's engine; the
requests go through httpx.ASGITransport (count, sqltime, explain) or a direct ASGI call
(profile, so that no client code shows up in the profile). Each prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import re
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import LIST_QUERY, list_query, median, percentile

from glaregraph.server.app import create_app
from glaregraph.server.settings import Settings


class Recorder:
    """Every cursor execute of the app's engine, with its own duration (execute + fetch of the
    driver call; aiosqlite/asyncpg results are fully fetched inside it)."""

    def __init__(self, app: Any) -> None:
        self.statements: list[dict[str, Any]] = []
        engine = app.state.catalog.db.engine.sync_engine
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        self.statements.append(
            {"sql": statement, "params": params, "t0": time.perf_counter(), "s": None}
        )

    def _after(self, conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        for item in reversed(self.statements):
            if item["sql"] == statement and item["s"] is None:
                item["s"] = time.perf_counter() - item["t0"]
                break

    def clear(self) -> None:
        self.statements.clear()


def make_app(url: str) -> Any:
    return create_app(Settings(database_url=url, auth="dev"))


async def _post(http: httpx.AsyncClient, query: str) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query})
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise SystemExit(f"request failed: {response.status_code} {str(body)[:500]}")
    return body


def _kind(sql: str) -> str:
    words = sql.split()
    head = words[0].upper() if words else "?"
    if head in ("BEGIN", "COMMIT", "ROLLBACK"):
        return head
    top = re.search(r"\nFROM (\w+)", sql) or re.search(r"\bFROM (\w+)", sql, re.IGNORECASE)
    return f"{head} {top.group(1) if top else '?'}"


async def count(url: str) -> dict[str, Any]:
    app = make_app(url)
    rec = Recorder(app)
    out: dict[str, Any] = {}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for first in (1, 50, 500):
                query = list_query(first)
                await _post(http, query)  # warm caches
                rec.clear()
                body = await _post(http, query)
                kinds = [_kind(s["sql"]) for s in rec.statements]
                data = [k for k in kinds if k not in ("BEGIN", "COMMIT", "ROLLBACK")]
                out[str(first)] = {
                    "rows": len(body["data"]["images"]["nodes"]),
                    "cursor_executes": len(kinds),
                    "data_statements": len(data),
                    "statements": kinds,
                }
    finally:
        await app.state.catalog.db.dispose()
    return out


async def _list_statements(url: str, repeat: int) -> tuple[list[float], dict[str, Any]]:
    app = make_app(url)
    rec = Recorder(app)
    times: list[float] = []
    last: dict[str, Any] = {}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for i in range(repeat + 3):
                rec.clear()
                await _post(http, LIST_QUERY)
                listed = [s for s in rec.statements if _kind(s["sql"]) == "SELECT artifacts"]
                if i >= 3:  # the first ones prepare statements and fill caches
                    times.append(listed[0]["s"])
                last = listed[0]
    finally:
        await app.state.catalog.db.dispose()
    return times, last


async def sqltime(url: str, repeat: int) -> dict[str, Any]:
    times, _ = await _list_statements(url, repeat)
    ms = [t * 1000 for t in times]
    return {"median_ms": median(ms), "p90_ms": percentile(ms, 0.9), "n": len(ms)}


async def explain(url: str) -> dict[str, Any]:
    """PostgreSQL: EXPLAIN (ANALYZE, BUFFERS); SQLite: EXPLAIN QUERY PLAN (same statement)."""
    _, stmt = await _list_statements(url, 1)
    params = list(stmt["params"])
    if url.startswith("sqlite"):
        import aiosqlite

        async with aiosqlite.connect(url.split("///", 1)[1]) as conn:
            cur = await conn.execute("EXPLAIN QUERY PLAN " + stmt["sql"], params)
            rows = await cur.fetchall()
        plan = "\n".join(f"{r[0]:>3} {r[1]:>3} {r[3]}" for r in rows)
    else:
        import asyncpg

        dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
        conn = await asyncpg.connect(dsn)
        try:
            rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + stmt["sql"], *params)
        finally:
            await conn.close()
        plan = "\n".join(r[0] for r in rows)
    return {"sql": stmt["sql"], "params": [str(p) for p in params], "plan": plan}


async def _asgi_post(app: Any, body: bytes, headers: tuple[tuple[bytes, bytes], ...] = ()) -> bytes:
    """One POST /graphql straight into the ASGI app (with `headers` added); returns the response
    body."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *headers,
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    sent = False
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return b"".join(chunks)


def _top(stats: pstats.Stats, key: str, limit: int, requests: int) -> list[dict[str, Any]]:
    stats.sort_stats(key)
    rows = []
    for func in stats.fcn_list[:limit]:  # type: ignore[attr-defined]
        _cc, nc, tt, ct, _ = stats.stats[func]  # type: ignore[attr-defined]
        filename, line, name = func
        short = filename.split("site-packages/")[-1].replace(str(Path.cwd()) + "/", "")
        rows.append(
            {
                "function": f"{short}:{line}({name})",
                "calls_per_req": nc / requests,
                "tottime_ms_per_req": tt * 1000 / requests,
                "cumtime_ms_per_req": ct * 1000 / requests,
            }
        )
    return rows


class _Timed:
    """Wraps an async or sync callable, adding up the time spent inside it."""

    def __init__(self) -> None:
        self.total = 0.0

    def wrap_async(self, fn: Any) -> Any:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                self.total += time.perf_counter() - t0

        return wrapper

    def wrap(self, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.total += time.perf_counter() - t0

        return wrapper


async def profile(
    url: str,
    requests: int,
    app: Any = None,
    body: bytes | None = None,
    headers: tuple[tuple[bytes, bytes], ...] = (),
) -> dict[str, Any]:
    """cProfile and phases of `requests` POSTs of `body` (default: the list request of scenario
    (a) on a dev-auth app; real_caller.py passes its member's app, request and token)."""
    from glaregraph.server.graphql_http import FastJSONResponse

    app = app if app is not None else make_app(url)
    rec = Recorder(app)
    body = body if body is not None else json.dumps({"query": LIST_QUERY}).encode()
    endpoint = next(r for r in app.routes if getattr(r, "path", "") == "/graphql").endpoint
    executor = endpoint.__self__.executor
    in_executor, in_render = _Timed(), _Timed()
    executor.run = in_executor.wrap_async(executor.run)
    FastJSONResponse.render = in_render.wrap(  # type: ignore[method-assign]
        FastJSONResponse.render
    )
    try:
        for _ in range(20):
            await _asgi_post(app, body, headers)
        rec.clear()
        in_executor.total = in_render.total = 0.0
        walls = []
        for _ in range(requests):
            t0 = time.perf_counter()
            await _asgi_post(app, body, headers)
            walls.append(time.perf_counter() - t0)
        sql_ms = sum(s["s"] or 0.0 for s in rec.statements) * 1000 / requests
        executor_ms = in_executor.total * 1000 / requests
        render_ms = in_render.total * 1000 / requests
        wall_mean = sum(walls) * 1000 / requests
        rec.clear()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            await _asgi_post(app, body, headers)
        profiler.disable()
    finally:
        await app.state.catalog.db.dispose()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(30)
    return {
        "requests": requests,
        "wall_ms_median": median([w * 1000 for w in walls]),
        "phases_ms_mean": {
            "request_total": wall_mean,
            "sql_in_driver": sql_ms,
            "executor_minus_sql": executor_ms - sql_ms,
            "json_render": render_ms,
            "http_and_rest": wall_mean - executor_ms - render_ms,
        },
        "top_tottime": _top(stats, "tottime", 25, requests),
        "top_cumtime": _top(stats, "cumulative", 45, requests),
        "pstats_text": text.getvalue(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["count", "sqltime", "explain", "profile"])
    parser.add_argument("url")
    parser.add_argument("-n", type=int, default=30, help="repetitions (sqltime, profile)")
    args = parser.parse_args()
    if args.what == "count":
        result = asyncio.run(count(args.url))
    elif args.what == "sqltime":
        result = asyncio.run(sqltime(args.url, args.n))
    elif args.what == "explain":
        result = asyncio.run(explain(args.url))
    else:
        result = asyncio.run(profile(args.url, args.n))
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
