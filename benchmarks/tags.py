"""The tag query (issue 14): `tag(name: <root tag>) { artifactCount artifacts(first: 50) { nodes
{ name } } related { tag { name } count } }` for a project member, an admin and an anonymous
caller, on the artifact graph of benchmarks/graph_seed.py (a 10x10x10 taxonomy; every artifact
carries 1-3 leaf tags, 20 % also a root).

Steps, per database (PostgreSQL when it answers, then SQLite):

  1. seed (graph_seed.py; PostgreSQL 200,000 artifacts / 1,000,000 edges in `gg_bench_tags`,
     SQLite 20,000 / 100,000 in a temp file; `--reuse` keeps an already seeded PostgreSQL
     database), then bring the maintained tag counts up to date as `glaregraph gc` does (the
     seed loads rows after the migrations, so they start empty: the recount fills them) and,
     on PostgreSQL, VACUUM ANALYZE of the tables the query reads (autovacuum is off on the
     bench server; without it every index-only scan of artifact_tags also reads the heap);
  2. `glaregraph serve` (static tokens: the member of benchmarks/common.py, an admin; anonymous
     reads on), one keep-alive httpx client per caller: 5 warm-ups, then 50 requests;
     p50/p90; each answer's artifactCount checked against the live count
     (`artifacts { totalCount }`, counted over the artifacts themselves);
  3. in-process (`create_app`): SQL statements per request and their driver time.

    .venv/bin/python benchmarks/tags.py --pg-only
    .venv/bin/python benchmarks/tags.py --sqlite-only

Prints a JSON summary; writes benchmarks/results/tags-<UTC timestamp>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graph_seed
import inprocess
from common import (
    BENCH_DIR,
    MEMBER_PROJECT,
    MEMBER_TOKEN,
    checkout,
    log,
    machine,
    median,
    percentile,
    pg_url,
    server,
)

PG_SIZES, SQLITE_SIZES = (200_000, 1_000_000), (20_000, 100_000)
PG_DB = "gg_bench_tags"
REQUESTS, WARMUP = 50, 5
ROOT_TAG = "d0"
ADMIN_TOKEN = "bench-admin-token"
VACUUMED = ("artifacts", "artifact_tags", "artifact_shares", "tags", "tag_counts", "tag_pairs")
TAG = (
    "query($name: String!) { tag(name: $name) { artifactCount "
    "artifacts(first: 50, includeDescendants: true) { nodes { name } } "
    "related { tag { name } count } } }"
)
LIVE = "query($name: String!) { tag(name: $name) { artifacts(first: 1) { totalCount } } }"
CALLERS: dict[str, dict[str, str]] = {
    "member": {"authorization": f"Bearer {MEMBER_TOKEN}"},
    "admin": {"authorization": f"Bearer {ADMIN_TOKEN}"},
    "anonymous": {},
}


def write_tokens(workdir: Path) -> Path:
    path = workdir / "tokens.yaml"
    path.write_text(
        "tokens:\n"
        f"  {MEMBER_TOKEN}: {{user: bench-user, project: {MEMBER_PROJECT}, roles: [member]}}\n"
        f"  {ADMIN_TOKEN}: {{user: bench-admin, project: ops, roles: [admin]}}\n"
    )
    return path


async def seed(dialect: str, work: Path, reuse: bool) -> dict[str, Any]:
    """Seed (or reuse) the database, then recount the tag counts; the summary."""
    from glaregraph import migrations
    from glaregraph.catalog.context import Catalog
    from glaregraph.catalog.database.engine import Database
    from glaregraph.catalog.tagcounts.recount import recount
    from glaregraph.catalog.typedef.loader import load_registry

    n, e = PG_SIZES if dialect == "pg" else SQLITE_SIZES
    if reuse and dialect == "pg":
        summary: dict[str, Any] = {"url": pg_url(PG_DB), "reused": True}
    else:
        summary, _ = await graph_seed.seed_graph(dialect, n, e, pg_db=PG_DB, path=work / "tags.db")
    db = Database(summary["url"])
    try:
        async with db.engine.begin() as conn:  # a reused database may predate the counts
            await conn.run_sync(lambda c: migrations.upgrade(summary["url"], connection=c))
        t0 = time.perf_counter()
        drift = await recount(Catalog(db=db, registry=load_registry()))
        summary["recount_s"] = round(time.perf_counter() - t0, 2)
        summary["recount_repaired"] = {"counts": drift.counts}
        if not db.is_sqlite:  # autovacuum is off here: do what it would have done by now, so
            # that index-only scans of artifact_tags read no heap (the visibility map is set)
            async with db.engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.exec_driver_sql(f"VACUUM ANALYZE {', '.join(VACUUMED)}")
    finally:
        await db.dispose()
    return summary


def post(client: httpx.Client, query: str, headers: dict[str, str]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    r = client.post(
        "/graphql", json={"query": query, "variables": {"name": ROOT_TAG}}, headers=headers
    )
    ms = (time.perf_counter() - t0) * 1000
    body = r.json()
    if r.status_code != 200 or body.get("errors"):
        raise SystemExit(f"{r.status_code} {str(body)[:500]}")
    return ms, body["data"]["tag"]


def timed(client: httpx.Client, headers: dict[str, str]) -> dict[str, Any]:
    for _ in range(WARMUP):
        post(client, TAG, headers)
    ms = []
    for _ in range(REQUESTS):
        t, tag = post(client, TAG, headers)
        ms.append(t)
    _, live = post(client, LIVE, headers)
    return {
        "n": len(ms),
        "p50_ms": round(median(ms), 2),
        "p90_ms": round(percentile(ms, 0.9), 2),
        "min_ms": round(min(ms), 2),
        "artifact_count": tag["artifactCount"],
        "live_count": live["artifacts"]["totalCount"],
        "exact": tag["artifactCount"] == live["artifacts"]["totalCount"],
        "listed": len(tag["artifacts"]["nodes"]),
        "related": [(r["tag"]["name"], r["count"]) for r in tag["related"][:3]],
    }


async def statements(url: str, tokens: Path) -> dict[str, Any]:
    from glaregraph.server.app import create_app
    from glaregraph.server.settings import Settings

    app = create_app(
        Settings(database_url=url, auth="static", static_tokens=tokens, anonymous_read=True)
    )
    rec = inprocess.Recorder(app)
    out: dict[str, Any] = {}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            doc = {"query": TAG, "variables": {"name": ROOT_TAG}}
            for caller, headers in CALLERS.items():
                await http.post("/graphql", json=doc, headers=headers)
                totals, sql = [], []
                for _ in range(20):
                    rec.clear()
                    t0 = time.perf_counter()
                    await http.post("/graphql", json=doc, headers=headers)
                    totals.append((time.perf_counter() - t0) * 1000)
                    sql.append(sum(s["s"] or 0 for s in rec.statements) * 1000)
                out[caller] = {
                    "statements": len(rec.statements),
                    "kinds": [inprocess._kind(s["sql"]) for s in rec.statements],
                    "statement_ms": [round((s["s"] or 0) * 1000, 2) for s in rec.statements],
                    "request_ms_median": round(median(totals), 2),
                    "sql_ms_median": round(median(sql), 2),
                }
    finally:
        await app.state.catalog.db.dispose()
    return out


def bench(dialect: str, work: Path, tokens: Path, reuse: bool) -> dict[str, Any]:
    log(f"== {dialect}: seeding and recounting")
    summary = asyncio.run(seed(dialect, work, reuse))
    log(f"  {json.dumps({k: v for k, v in summary.items() if k != 'roots'})}")
    env = {"CATALOG_AUTH": "static", "CATALOG_STATIC_TOKENS": str(tokens)}
    env["CATALOG_ANONYMOUS_READ"] = "true"
    res: dict[str, Any] = {"seed": summary, "http": {}}
    with (
        server("glaregraph", summary["url"], work, env) as url,
        httpx.Client(base_url=url, timeout=120) as client,
    ):
        for caller, headers in CALLERS.items():
            res["http"][caller] = timed(client, headers)
            log(f"  {caller:10} {res['http'][caller]}")
    res["inprocess"] = asyncio.run(statements(summary["url"], tokens))
    for caller, cell in res["inprocess"].items():
        log(f"  in-process {caller:10} {cell['statements']} statements {cell['statement_ms']}")
    return res


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-only", action="store_true")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep a seeded PostgreSQL database")
    args = parser.parse_args()
    dbs = [] if args.sqlite_only else ["pg"]
    if not args.pg_only:
        dbs.append("sqlite")
    results: dict[str, Any] = {"environment": {**machine(), **checkout()}, "databases": {}}
    with tempfile.TemporaryDirectory(prefix="glaregraph-tags-") as tmp:
        work = Path(tmp)
        tokens = write_tokens(work)
        for db in dbs:
            results["databases"][db] = bench(db, work, tokens, args.reuse)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out_dir = BENCH_DIR / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / f"tags-{stamp}.json").write_text(json.dumps(results, indent=1, default=str))
    summary = {
        db: {
            caller: {
                **{k: cell[k] for k in ("p50_ms", "p90_ms", "artifact_count", "exact")},
                "statements": res["inprocess"][caller]["statements"],
            }
            for caller, cell in res["http"].items()
        }
        for db, res in results["databases"].items()
    }
    print(json.dumps(summary, indent=1))
    print(f"results: benchmarks/results/tags-{stamp}.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
