"""Create rate as the catalog grows: ONE `glaregraph serve` (1 worker, dev auth) started on an
EMPTY database, one client on one keep-alive connection sending `imageCreate` mutations one
after another (unique names, two tags each); prints the creates/s of each block and the ratio
last block / first block (target ≥ 0.80).

A long-running server must not slow down as its tables grow: whatever a connection caches
(prepared statements, generic plans, the plans of foreign-key checks) was planned while the
tables were empty, and this is the one benchmark that keeps one server and its connections
alive from the first row on.

    python benchmarks/creates.py --dialect pg              # 30,000 creates, blocks of 3,000
    python benchmarks/creates.py --dialect sqlite --count 6000 --json

`--dialect pg` creates a new database `gg_creates_<random>` on the admin DSN's server
(BENCH_PG_ADMIN_DSN) and drops it at the end; `--dialect sqlite` uses a file in a temp dir.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PG_ADMIN_DSN, median, percentile, pg_dsn, pg_url, server, sqlite_url
from loadgen import RawClient

CREATE = "mutation($i: ImageCreateInput!) { imageCreate(input: $i) { id } }"
TARGET = 0.80


def create_body(run: str, n: int) -> bytes:
    """The n-th create of this run: a unique name, two tags."""
    variables = {
        "i": {
            "name": f"creates-{run}-{n}",
            "version": "1.0.0",
            "diskFormat": "qcow2",
            "containerFormat": "bare",
            "minRam": n % 65536,
            "tags": ["bench", f"block-{n // 1000}"],
        }
    }
    return json.dumps({"query": CREATE, "variables": variables}).encode()


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def empty_database(dialect: str, workdir: Path) -> Iterator[tuple[str, str | None]]:
    """(SQLAlchemy URL, PostgreSQL database name or None) of a new empty database, removed at
    the end."""
    if dialect == "sqlite":
        yield sqlite_url(workdir / "creates.db"), None
        return
    name = f"gg_creates_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_url(name), name
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def pg_artifacts_stats(database: str) -> dict[str, Any]:
    """What the planner knows of `artifacts` (reltuples -1: never analyzed), and its size."""
    import asyncpg

    conn = await asyncpg.connect(pg_dsn(database), timeout=10)
    try:
        row = await conn.fetchrow(
            "SELECT c.reltuples, c.relpages, pg_relation_size(c.oid) / 8192 AS pages, "
            "s.n_live_tup, s.last_analyze, s.last_autoanalyze "
            "FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid "
            "WHERE c.relname = 'artifacts'"
        )
    finally:
        await conn.close()
    assert row is not None
    return {k: (str(v) if v is not None and k.startswith("last_") else v) for k, v in row.items()}


async def create_blocks(url: str, count: int, block: int) -> dict[str, Any]:
    """`count` creates, one at a time on one connection; per block: creates/s and latencies."""
    host_port = url.rsplit("//", 1)[1]
    host, port = host_port.split(":")
    client = RawClient(host, int(port))
    run = uuid.uuid4().hex[:8]
    blocks: list[dict[str, Any]] = []
    errors, first_error = 0, None
    try:
        for start in range(0, count, block):
            latencies: list[float] = []
            t_block = time.perf_counter()
            for n in range(start, min(start + block, count)):
                t0 = time.perf_counter()
                status, payload = await client.post("/graphql", create_body(run, n))
                latencies.append((time.perf_counter() - t0) * 1000)
                if status != 200 or b'"errors"' in payload:
                    errors += 1
                    first_error = first_error or f"{status} {payload[:300]!r}"
            elapsed = time.perf_counter() - t_block
            blocks.append(
                {
                    "rows_before": start,
                    "creates": len(latencies),
                    "seconds": elapsed,
                    "creates_per_s": len(latencies) / elapsed,
                    "p50_ms": median(latencies),
                    "p99_ms": percentile(latencies, 0.99),
                }
            )
    finally:
        await client.close()
    ratio = blocks[-1]["creates_per_s"] / blocks[0]["creates_per_s"]
    p50_ratio = blocks[-1]["p50_ms"] / blocks[0]["p50_ms"]  # less noisy on a shared machine
    return {
        "blocks": blocks,
        "ratio": ratio,
        "p50_ratio": p50_ratio,
        "errors": errors,
        "first_error": first_error,
    }


def run_async(coro: Any) -> Any:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def measure(dialect: str, count: int, block: int) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="glaregraph-creates-") as tmp,
        empty_database(dialect, Path(tmp)) as (url, pg_name),
    ):
        result: dict[str, Any] = {"dialect": dialect, "count": count, "block": block}
        with server("glaregraph", url, Path(tmp)) as base:
            if pg_name:  # after the server's start-up (migrations, type indexes), before a row
                result["artifacts_at_start"] = asyncio.run(pg_artifacts_stats(pg_name))
            t0 = time.perf_counter()
            result.update(run_async(create_blocks(base, count, block)))
            result["seconds"] = time.perf_counter() - t0
            if pg_name:
                result["artifacts_at_end"] = asyncio.run(pg_artifacts_stats(pg_name))
    result["target"] = TARGET
    result["ok"] = result["ratio"] >= TARGET and not result["errors"]
    return result


def render(result: dict[str, Any]) -> str:
    lines = [f"{result['dialect']}: {result['count']} creates, one server, one client"]
    start = result.get("artifacts_at_start")
    if start:
        lines.append(
            f"  artifacts at start: reltuples {start['reltuples']:.0f}, relpages "
            f"{start['relpages']}, last_analyze {start['last_analyze']}"
        )
    lines.append("  rows before |  creates/s |  p50 ms |  p99 ms")
    for b in result["blocks"]:
        lines.append(
            f"  {b['rows_before']:>11} | {b['creates_per_s']:>10.1f} | {b['p50_ms']:>7.2f} | "
            f"{b['p99_ms']:>7.2f}"
        )
    verdict = "ok" if result["ok"] else "MISSED"
    errors = f"errors {result['errors']}"
    if result["errors"]:
        errors += f", first: {result['first_error']}"
    target = f"target ≥ {result['target']:.2f}: {verdict}"
    lines.append(
        f"  last/first: {result['ratio']:.2f} ({target}); p50 latency last/first: "
        f"{result['p50_ratio']:.2f}; {errors}"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dialect", choices=["pg", "sqlite"], required=True)
    parser.add_argument("--count", type=int, default=30_000)
    parser.add_argument("--block", type=int, default=None, help="default: count / 10")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    args = parser.parse_args()
    block = args.block or max(1, args.count // 10)
    result = measure(args.dialect, args.count, block)
    print(json.dumps(result) if args.json else render(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
