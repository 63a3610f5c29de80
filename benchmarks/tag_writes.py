"""What keeping tag co-occurrence costs a write (issue 14): creates, tag adds and deletes of
artifacts with few and with many tags, in process on the real app, as alice of project p1.

An artifact with at most PAIRED_TAGS tags (glaregraph/catalog/tagcounts/pairs.py) keeps its
pairs in `tag_pairs` (a create with k tags writes k(k-1) rows per audience, a tag added 2k);
a wider one keeps its tags in `wide_tags` (rows linear in its tags), its pairs counted when
`related` is read. Measured per database (PostgreSQL in a fresh database `gg_bench_tag_writes`,
dropped at the end; SQLite in a temp file):

  - create with k tags (k = 0, 2, 10, PAIRED_TAGS, PAIRED_TAGS + 1, 100, 255), REPS each,
    every tag new to the database, then the delete of each: p50, and the ratio to k = 0;
  - one artifact grown one `artifactTagsAdd` at a time from 1 to 255 tags: p50 of the adds
    per band of its size, the crossing to PAIRED_TAGS + 1 (its pairs dropped, its wide rows
    written) and back (`artifactTagsRemove`).

    .venv/bin/python benchmarks/tag_writes.py            # both databases
    .venv/bin/python benchmarks/tag_writes.py --pg-only

Prints a table and a JSON summary; writes benchmarks/results/tag-writes-<UTC timestamp>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import seed
from common import BENCH_DIR, PG_ADMIN_DSN, checkout, log, machine, median, pg_url, sqlite_url

from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.tagcounts.pairs import PAIRED_TAGS
from glaregraph.server.app import create_app
from glaregraph.server.settings import Settings

PG_DB = "gg_bench_tag_writes"
REPS = 7
SIZES = (0, 2, 10, PAIRED_TAGS, PAIRED_TAGS + 1, 100, 255)
BANDS = ((1, 10), (11, PAIRED_TAGS), (PAIRED_TAGS + 2, 64), (225, 255))
TOKENS = "tokens:\n  alice-token: {user: alice, project: p1, roles: [member]}\n"
CREATE = """mutation($n: String!, $v: String!, $tags: [String!]) {
  imageCreate(input: {name: $n, version: $v, tags: $tags, diskFormat: "raw",
                      containerFormat: "bare"}) { id } }"""
ADD = "mutation($id: ID!, $t: [String!]!) { artifactTagsAdd(id: $id, tags: $t) { id } }"
REMOVE = "mutation($id: ID!, $t: [String!]!) { artifactTagsRemove(id: $id, tags: $t) { id } }"
DELETE = "mutation($id: ID!) { artifactDelete(id: $id) }"
_fresh = itertools.count()


class Client:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(self, query: str, variables: dict[str, Any]) -> tuple[float, Any]:
        t0 = time.perf_counter()
        r = await self.http.post("/graphql", json={"query": query, "variables": variables})
        ms = (time.perf_counter() - t0) * 1000
        body = r.json()
        if body.get("errors"):
            raise SystemExit(f"{query.split('(')[0]}: {body['errors']}")
        return ms, body["data"]


def _tags(k: int) -> list[str]:
    run = next(_fresh)
    return [f"r{run}-t{i:03d}" for i in range(k)]


async def _creates(gql: Client) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k in SIZES:
        created, deleted = [], []
        for rep in range(REPS + 1):  # the first of each size warms up
            variables = {"n": f"w{k}", "v": f"{k}.{rep}.{next(_fresh)}", "tags": _tags(k)}
            ms, data = await gql(CREATE, variables)
            artifact = data["imageCreate"]["id"]
            ms_delete, _ = await gql(DELETE, {"id": artifact})
            if rep:
                created.append(ms)
                deleted.append(ms_delete)
        out[str(k)] = {"create_p50_ms": median(created), "delete_p50_ms": median(deleted)}
    base = out["0"]
    for row in out.values():
        row["create_ratio"] = row["create_p50_ms"] / base["create_p50_ms"]
        row["delete_ratio"] = row["delete_p50_ms"] / base["delete_p50_ms"]
    return out


async def _growth(gql: Client) -> dict[str, Any]:
    tags = _tags(255)
    _, data = await gql(CREATE, {"n": "grown", "v": f"1.0.{next(_fresh)}", "tags": tags[:1]})
    artifact = data["imageCreate"]["id"]
    adds: dict[int, float] = {}  # size after the add -> ms
    for size in range(2, 256):
        adds[size], _ = await gql(ADD, {"id": artifact, "t": [tags[size - 1]]})
    out: dict[str, Any] = {}
    for low, high in BANDS:
        band = [ms for size, ms in adds.items() if low <= size <= high]
        out[f"add, {low}-{high} tags"] = median(band)
    out[f"add, {PAIRED_TAGS} -> {PAIRED_TAGS + 1} (pairs dropped)"] = adds[PAIRED_TAGS + 1]
    # back and forth across the line a few times: the crossings, both ways
    down, up = [], []
    await gql(REMOVE, {"id": artifact, "t": tags[PAIRED_TAGS + 1 :]})
    for _ in range(REPS):
        ms, _ = await gql(REMOVE, {"id": artifact, "t": [tags[PAIRED_TAGS]]})
        down.append(ms)
        ms, _ = await gql(ADD, {"id": artifact, "t": [tags[PAIRED_TAGS]]})
        up.append(ms)
    out[f"remove, {PAIRED_TAGS + 1} -> {PAIRED_TAGS} (pairs written)"] = median(down)
    out[f"add, {PAIRED_TAGS} -> {PAIRED_TAGS + 1}, again"] = median(up)
    return out


async def bench(url: str) -> dict[str, Any]:
    db = Database(url)
    try:
        await seed.prepare(db, url)  # the schema, as `glaregraph serve` makes it at start
    finally:
        await db.dispose()
    with tempfile.TemporaryDirectory() as work:
        tokens = Path(work) / "tokens.yaml"
        tokens.write_text(TOKENS)
        settings = Settings(
            database_url=url,
            auth="static",
            static_tokens=tokens,
            local_storage_dir=Path(work) / "blobs",
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            headers = {"authorization": "Bearer alice-token"}
            async with httpx.AsyncClient(
                transport=transport, base_url="http://bench", headers=headers, timeout=120
            ) as http:
                gql = Client(http)
                return {"creates": await _creates(gql), "growth": await _growth(gql)}


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-only", action="store_true")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    results: dict[str, Any] = {
        "machine": machine(),
        "checkout": checkout(),
        "paired_tags": PAIRED_TAGS,
        "databases": {},
    }
    if not args.sqlite_only:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
        asyncio.run(_admin(f'CREATE DATABASE "{PG_DB}"'))
        try:
            log("pg: creates, deletes, one artifact grown to 255 tags")
            results["databases"]["pg"] = asyncio.run(bench(pg_url(PG_DB)))
        finally:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
    if not args.pg_only:
        with tempfile.TemporaryDirectory() as work:
            log("sqlite: creates, deletes, one artifact grown to 255 tags")
            url = sqlite_url(Path(work) / "tag-writes.db")
            results["databases"]["sqlite"] = asyncio.run(bench(url))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = BENCH_DIR / "results" / f"tag-writes-{stamp}.json"
    path.write_text(json.dumps(results, indent=2))
    print(json.dumps(results["databases"], indent=2))
    print("| db | tags | create p50 ms | × no tags | delete p50 ms | × no tags |")
    print("|---|---:|---:|---:|---:|---:|")
    for db, found in results["databases"].items():
        for k, row in found["creates"].items():
            print(
                f"| {db} | {k} | {row['create_p50_ms']:.1f} | {row['create_ratio']:.2f} "
                f"| {row['delete_p50_ms']:.1f} | {row['delete_ratio']:.2f} |"
            )
    print("| db | one artifact | p50 ms |")
    print("|---|---|---:|")
    for db, found in results["databases"].items():
        for label, ms in found["growth"].items():
            print(f"| {db} | {label} | {ms:.1f} |")
    print(f"results: {path}")


if __name__ == "__main__":
    main()
