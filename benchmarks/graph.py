"""The artifact graph: multi-hop lineage and the tag taxonomy, for a project member.

Steps, per database (PostgreSQL when it answers, then SQLite):

  1. seed a graph and a 10x smaller one of the same shape (benchmarks/graph_seed.py: chains,
     pipelines of 1,000, fan-in hubs of 10,000, a few cycles, 5 % hidden artifacts, a 10x10x10
     tag taxonomy); PostgreSQL 200,000 artifacts / 1,000,000 edges and 20,000 / 100,000
     (databases `gg_bench_graph`, `gg_bench_graph_small`, dropped at the end), SQLite 20,000 /
     100,000 and 2,000 / 10,000 (files in a temp dir);
  2. start `glaregraph serve` on both (static auth, the member token of benchmarks/common.py)
     and time each request with one httpx client on a keep-alive connection (warm-up first):
     lineage UPSTREAM depth 10 first 1000 from a chain's end (small neighbourhood) and from a
     pipeline's top (large), DOWNSTREAM depth 10 first 1000 from a hub (10,000 fan-in), the tag
     query on a root tag; then the UPSTREAM-large query alternating between the big and the small
     graph (ratio of p50s, target <= 1.5);
  3. in-process (`create_app`, same token): SQL statements per request (before_cursor_execute),
     the request's time and its SQL's driver time (so SQL vs Python), and the plan of the
     slowest lineage level of the large query (PostgreSQL: EXPLAIN (ANALYZE, BUFFERS) of the
     statement the server sent, same parameters, JIT off as the server's connections; SQLite:
     EXPLAIN QUERY PLAN), plus the plans of the other statements in the saved file;
  4. PostgreSQL: the raw-SQL floor of each query, its captured statements replayed through a
     bare asyncpg connection (prepared, every row fetched, in one read-only transaction, generic
     plans where the server used them), and HTTP p50 ÷ that floor: what the server adds.

On PostgreSQL the tables lineage and the tag query read get a VACUUM ANALYZE before the
requests (what autovacuum, off on the bench server, would have done after the load: index-only
scans then read no heap).

Writes benchmarks/results/graph-<UTC timestamp>.json and graph-<timestamp>-explain.txt; prints a
JSON summary and a table. BENCH_QUICK=1: 50,000 / 250,000 on PostgreSQL (and 5,000 / 25,000),
SQLite 15,000 / 75,000 (and 1,500 / 7,500), 15 requests after 3 warm-ups.

    .venv/bin/python benchmarks/graph.py            # or: make bench-graph
    .venv/bin/python benchmarks/graph.py --sqlite-only
    .venv/bin/python benchmarks/graph.py --pg-only --keep    # later runs: --pg-only --reuse
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import re
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
    MEMBER_TOKEN,
    PG_ADMIN_DSN,
    QUICK,
    checkout,
    log,
    machine,
    median,
    percentile,
    server,
    write_tokens,
)

PG_SIZES = (50_000, 250_000) if QUICK else (200_000, 1_000_000)
# the small graph (a tenth) must still hold a pipeline of 1,000 (graph_seed.MIN_ARTIFACTS)
SQLITE_SIZES = (15_000, 75_000) if QUICK else (20_000, 100_000)
PG_DBS = ("gg_bench_graph", "gg_bench_graph_small")
REQUESTS, WARMUP = (15, 3) if QUICK else (50, 5)
BUDGET_S = 20.0 if QUICK else 60.0  # per query: stop early (at >= 5 requests) past this
INPROC_REQUESTS = 5 if QUICK else 20
REPLAYS = 10 if QUICK else 30
AUTH = {"authorization": f"Bearer {MEMBER_TOKEN}"}
TARGETS = {"lineage_p50_ms": 30.0, "tag_p50_ms": 20.0, "scale_ratio": 1.5}

LINEAGE = (
    "query($id: ID!, $direction: LineageDirection!, $depth: Int!, $first: Int!) { "
    "artifact(id: $id) { id lineage(direction: $direction, depth: $depth, first: $first) { "
    "root { id } nodes { depth artifact { id name } } edges { fromId toId relation } "
    "truncated hiddenCount } } }"
)
TAG = (
    "query($name: String!) { tag(name: $name) { artifactCount "
    "artifacts(first: 50, includeDescendants: true) { nodes { name } } "
    "related { tag { name } count } } }"
)
ROOT_TAG = "d0"


def queries(roots: dict[str, str]) -> dict[str, dict[str, Any]]:
    """label -> {query, variables, kind}."""

    def lineage(root: str, direction: str, depth: int = 10) -> dict[str, Any]:
        variables = {"id": roots[root], "direction": direction, "depth": depth, "first": 1000}
        return {"query": LINEAGE, "variables": variables, "kind": "lineage"}

    return {
        "upstream small (chain end)": lineage("chain end", "UPSTREAM"),
        "upstream large (pipeline top)": lineage("pipeline top", "UPSTREAM"),
        "downstream hub (10k fan-in)": lineage("hub", "DOWNSTREAM"),
        # the same walk bounded lower: what the depth-10 one costs short of the timeout
        "downstream hub, depth 1": lineage("hub", "DOWNSTREAM", 1),
        "downstream hub, depth 2": lineage("hub", "DOWNSTREAM", 2),
        f"tag {ROOT_TAG} (root, descendants)": {
            "query": TAG,
            "variables": {"name": ROOT_TAG},
            "kind": "tag",
        },
    }


def result_size(body: dict[str, Any]) -> dict[str, Any]:
    data = body["data"]
    if "artifact" in data:
        g = data["artifact"]["lineage"]
        return {
            "nodes": len(g["nodes"]),
            "edges": len(g["edges"]),
            "hidden": g["hiddenCount"],
            "truncated": g["truncated"],
            "max_depth": max((n["depth"] for n in g["nodes"]), default=0),
        }
    t = data["tag"]
    return {
        "artifact_count": t["artifactCount"],
        "listed": len(t["artifacts"]["nodes"]),
        "related": len(t["related"]),
    }


class Failed(Exception):
    def __init__(self, ms: float, message: str) -> None:
        super().__init__(message)
        self.ms = ms


def post(client: httpx.Client, q: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    t0 = time.perf_counter()
    try:
        r = client.post("/graphql", json={"query": q["query"], "variables": q["variables"]})
    except httpx.TimeoutException as exc:
        raise Failed((time.perf_counter() - t0) * 1000, f"client timeout: {exc!r}") from None
    ms = (time.perf_counter() - t0) * 1000
    body = r.json()
    if r.status_code != 200 or body.get("errors"):
        raise Failed(ms, f"{r.status_code} {str(body.get('errors', body))[:300]}")
    return ms, body


def timed(client: httpx.Client, q: dict[str, Any]) -> dict[str, Any]:
    """Warm-up, then REQUESTS requests (fewer, at least 5, once BUDGET_S is spent); a query
    that fails (the server's statement timeout, say) is tried twice and recorded as failed."""
    ms: list[float] = []
    try:
        for _ in range(WARMUP):
            _, body = post(client, q)
        start = time.monotonic()
        while len(ms) < REQUESTS and (len(ms) < 5 or time.monotonic() - start < BUDGET_S):
            t, body = post(client, q)
            ms.append(t)
    except Failed as first:
        try:
            post(client, q)
            second = None
        except Failed as exc:
            second = exc
        return {
            "error": str(first),
            "error_after_ms": [round(first.ms), second and round(second.ms)],
        }
    return {**stats(ms), **result_size(body)}


def stats(ms: list[float]) -> dict[str, Any]:
    return {
        "n": len(ms),
        "p50_ms": round(median(ms), 2),
        "p90_ms": round(percentile(ms, 0.9), 2),
        "min_ms": round(min(ms), 2),
    }


def interleaved(big: httpx.Client, small: httpx.Client, q: dict[str, Any]) -> dict[str, Any]:
    """The same query on both graphs, one request each in turn, so noise hits both alike."""
    for _ in range(WARMUP):
        post(big, q["big"])
        post(small, q["small"])
    times: dict[str, list[float]] = {"big": [], "small": []}
    bodies: dict[str, Any] = {}
    for _ in range(REQUESTS):
        for side, client in (("big", big), ("small", small)):
            t, bodies[side] = post(client, q[side])
            times[side].append(t)
    out = {side: {**stats(times[side]), **result_size(bodies[side])} for side in times}
    out["ratio_p50"] = round(out["big"]["p50_ms"] / out["small"]["p50_ms"], 2)
    return out


# ---- in-process: statements, SQL vs Python, plans -------------------------------------------


def _label(sql: str) -> str:
    s = " ".join(sql.split())
    if "AS visible" in s and "DISTINCT edges." in s:
        return "lineage level"
    if s.startswith("SELECT artifacts.id, artifacts.type_name") and (
        "unnest" in s or "json_each" in s
    ):
        return "lineage rows"
    if "AS crossed" in s or s.startswith("SELECT edges.source_id"):
        return "lineage edges"
    if s.startswith("SET LOCAL plan_cache_mode"):
        return "generic plans (SET LOCAL)"
    if "RECURSIVE down" in s:
        return "tag count (descendants CTE)"
    if "mine.tag" in s or "AS mine" in s:
        return "tag related"
    if s.startswith("SELECT EXISTS") or ("tags.name" in s and "EXISTS" in s[:80]):
        return "tag exists"
    return inprocess._kind(sql)


async def in_process(
    url: str, tokens: Path, qs: dict[str, dict[str, Any]], plans: bool
) -> dict[str, Any]:
    from glaregraph.server.app import create_app
    from glaregraph.server.settings import Settings

    app = create_app(Settings(database_url=url, auth="static", static_tokens=tokens))
    rec = inprocess.Recorder(app)
    out: dict[str, Any] = {}
    captured: dict[str, list[dict[str, Any]]] = {}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers=AUTH, timeout=60
        ) as http:
            for label, q in qs.items():
                doc = {"query": q["query"], "variables": q["variables"]}
                await http.post("/graphql", json=doc)  # warm caches
                rec.clear()
                t_first = time.perf_counter()
                r = await http.post("/graphql", json=doc)
                t_first = (time.perf_counter() - t_first) * 1000
                captured[label] = [dict(s) for s in rec.statements]
                if r.status_code != 200 or r.json().get("errors"):
                    out[label] = {
                        "error": r.text[:300],
                        "statements": len(captured[label]),
                        "kinds": [_label(s["sql"]) for s in captured[label]],
                    }
                    continue
                total = [t_first]
                sql = [sum(s["s"] or 0 for s in captured[label]) * 1000]
                for _ in range(INPROC_REQUESTS if t_first < 2000 else 0):
                    rec.clear()
                    t0 = time.perf_counter()
                    await http.post("/graphql", json=doc)
                    total.append((time.perf_counter() - t0) * 1000)
                    sql.append(sum(s["s"] or 0 for s in rec.statements) * 1000)
                per_stmt: dict[str, float] = {}
                for s in captured[label]:
                    key = _label(s["sql"])
                    per_stmt[key] = round(per_stmt.get(key, 0) + (s["s"] or 0) * 1000, 2)
                out[label] = {
                    "statements": len(captured[label]),
                    "kinds": [_label(s["sql"]) for s in captured[label]],
                    "statement_ms (one request)": per_stmt,
                    "request_ms_median": round(median(total), 2),
                    "sql_ms_median": round(median(sql), 2),
                    "python_ms_median": round(median(total) - median(sql), 2),
                }
    finally:
        await app.state.catalog.db.dispose()
    if plans:
        out["_plans"] = await explain_all(url, captured)
    if url.startswith("postgresql"):
        for label, ms in (await replay_floor(url, captured)).items():
            if label in out:
                out[label]["raw_sql_ms_median"] = ms
    return out


async def explain_all(url: str, captured: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """A plan for every data statement of every query (EXPLAIN (ANALYZE, BUFFERS) on
    PostgreSQL, with JIT off as the server's connections; EXPLAIN QUERY PLAN on SQLite)."""
    plans: dict[str, Any] = {}
    if url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(url.split("///", 1)[1])
        try:
            for label, stmts in captured.items():
                for i, s in enumerate(stmts):
                    if _label(s["sql"]) in ("BEGIN", "COMMIT", "ROLLBACK"):
                        continue  # the lineage's snapshot: no plan
                    rows = conn.execute("EXPLAIN QUERY PLAN " + s["sql"], list(s["params"]))
                    plan = "\n".join(f"{r[0]:>3} {r[1]:>3} {r[3]}" for r in rows)
                    plans[f"{label} #{i + 1} {_label(s['sql'])}"] = {"sql": s["sql"], "plan": plan}
        finally:
            conn.close()
        return plans
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    conn = await asyncpg.connect(dsn, server_settings={"jit": "off"})
    try:
        for label, stmts in captured.items():
            generic = False  # the lineage's statements run with their generic plans
            for i, s in enumerate(stmts):
                if s["sql"].startswith("SET LOCAL plan_cache_mode"):
                    generic = True
                    continue
                mode = "force_generic_plan" if generic else "auto"
                await conn.execute(f"SET plan_cache_mode = {mode}")
                params = list(s["params"] or ())
                if s["s"] is None:  # it failed in the server (timeout): the plan without ANALYZE
                    rows = await conn.fetch("EXPLAIN " + s["sql"], *params)
                else:
                    rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + s["sql"], *params)
                plan = "\n".join(r[0] for r in rows)
                plans[f"{label} #{i + 1} {_label(s['sql'])}"] = {
                    "sql": s["sql"],
                    "params": [str(p)[:80] for p in params],
                    "plan": plan,
                    "summary": plan_summary(plan),
                }
    finally:
        await conn.close()
    return plans


async def replay_floor(url: str, captured: dict[str, list[dict[str, Any]]]) -> dict[str, float]:
    """PostgreSQL: each query's captured statements replayed through a bare asyncpg connection
    (prepared once, every row fetched, one after the other as the server ran them, with the
    generic plans where the lineage asked for them): the median of REPLAYS, in ms. What the
    database alone needs for the answer, asked as the server asks; HTTP p50 ÷ this is what the
    server adds (GraphQL, Python, HTTP)."""
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    conn = await asyncpg.connect(dsn, server_settings={"jit": "off"})
    out: dict[str, float] = {}
    try:
        for label, stmts in captured.items():
            generic = any(s["sql"].startswith("SET LOCAL plan_cache_mode") for s in stmts)
            mode = "force_generic_plan" if generic else "auto"
            await conn.execute(f"SET plan_cache_mode = {mode}")
            data = [s for s in stmts if s["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
            # prepared inside the transaction: a statement prepared outside it with a generic
            # plan leaves the BEGIN after it refused ("must be called before any query")
            await conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            prepared = [(await conn.prepare(s["sql"]), list(s["params"] or ())) for s in data]
            await conn.execute("ROLLBACK")
            times = []
            for _ in range(REPLAYS + 2):  # the first two warm the plans
                t0 = time.perf_counter()
                await conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                for statement, params in prepared:
                    await statement.fetch(*params)
                await conn.execute("ROLLBACK")
                times.append((time.perf_counter() - t0) * 1000)
            out[label] = round(median(times[2:]), 2)
    finally:
        await conn.close()
    return out


def plan_summary(plan: str) -> dict[str, Any]:
    """What the reader needs from a PostgreSQL plan: time, indexes, sequential scans, the rows
    of the recursive union, buffers of the top node."""
    out: dict[str, Any] = {}
    if m := re.search(r"Execution Time: ([\d.]+) ms", plan):
        out["execution_ms"] = float(m.group(1))
    if m := re.search(r"Planning Time: ([\d.]+) ms", plan):
        out["planning_ms"] = float(m.group(1))
    out["indexes"] = sorted(set(re.findall(r"Index (?:Only )?Scan using (\w+)", plan)))
    out["bitmap_indexes"] = sorted(set(re.findall(r"Bitmap Index Scan on (\w+)", plan)))
    out["seq_scans"] = sorted(set(re.findall(r"Seq Scan on (\w+)", plan)))
    if m := re.search(r"Recursive Union \(cost=[^)]*\) \(actual time=[\d.]+\.\.([\d.]+) rows=(\d+)",
                      plan):  # fmt: skip
        out["recursive_union_rows"] = int(m.group(2))
        out["recursive_union_ms"] = float(m.group(1))
    if m := re.search(r"Buffers: ([^\n]+)", plan):
        out["top_buffers"] = m.group(1).strip()
    return out


# ---- driver -------------------------------------------------------------------------------


def environment() -> dict[str, Any]:
    return {
        **machine(),
        **checkout(),
        "quick": QUICK,
        "requests": REQUESTS,
        "warmup": WARMUP,
    }


def pg_available() -> bool:
    try:
        import asyncpg

        async def ping() -> None:
            conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
            await conn.close()

        asyncio.run(ping())
        return True
    except Exception as exc:
        log(f"PostgreSQL at {PG_ADMIN_DSN} unusable ({exc}); SQLite only")
        return False


async def drop_pg(names: tuple[str, ...]) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=10)
    try:
        for name in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _kept_summary(pg_db: str) -> Path:
    """Where the summary of a kept PostgreSQL graph is written (its roots, for `--reuse`)."""
    return BENCH_DIR / "results" / f"graph-seed-{pg_db}.json"


async def _pg_exists(name: str) -> bool:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=10)
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await conn.close()


async def _migrate(url: str) -> None:
    """A kept database brought to the head revision (a migration added since it was seeded)."""
    from glaregraph.catalog.database.engine import Database

    db = Database(url)
    try:
        await graph_seed.seed.prepare(db, url)
    finally:
        await db.dispose()


VACUUMED = (
    "artifacts",
    "edges",
    "artifact_shares",
    "artifact_tags",
    "tags",
    "tag_counts",
    "tag_pairs",
)


async def _vacuum(url: str) -> None:
    """VACUUM ANALYZE of the tables lineage and the tag query read: autovacuum is off on the
    bench server, and without the visibility map it would have set by now every index-only scan
    (the links of a hub, the shares, the tag counts) also reads the heap."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await conn.execute(f"VACUUM ANALYZE {', '.join(VACUUMED)}")
    finally:
        await conn.close()


def _reused(db: str, pg_db: str, n: int, e: int) -> dict[str, Any] | None:
    """The summary of a kept PostgreSQL graph of these sizes, migrated to head; None if there
    is none (then it is seeded)."""
    path = _kept_summary(pg_db)
    if db != "pg" or not path.exists() or not asyncio.run(_pg_exists(pg_db)):
        return None
    summary: dict[str, Any] = json.loads(path.read_text())
    if (summary.get("artifacts"), summary.get("edges")) != (n, e):
        return None
    asyncio.run(_migrate(summary["url"]))
    return {**summary, "reused": True}


def bench_db(db: str, work: Path, tokens: Path, reuse: bool = False) -> dict[str, Any]:
    sizes = PG_SIZES if db == "pg" else SQLITE_SIZES
    small_sizes = (sizes[0] // 10, sizes[1] // 10)
    res: dict[str, Any] = {"seed": {}}
    seeded = {}
    for which, (n, e) in (("big", sizes), ("small", small_sizes)):
        pg_db = PG_DBS[0] if which == "big" else PG_DBS[1]
        kept = _reused(db, pg_db, n, e) if reuse else None
        if kept is not None:
            log(f"== {db}: reusing the kept {which} graph {pg_db}")
            seeded[which] = res["seed"][which] = kept
            continue
        log(f"== {db}: seeding {which} graph, {n} artifacts / {e} edges")
        summary, _ = asyncio.run(
            graph_seed.seed_graph(db, n, e, pg_db=pg_db, path=work / f"graph-{which}.db")
        )
        if db == "pg":
            _kept_summary(pg_db).write_text(json.dumps(summary, indent=1, default=str))
        seeded[which] = summary
        res["seed"][which] = summary
        log(
            f"  load {summary['load_s']} s, total {summary['total_s']} s; "
            f"{summary['hidden_artifacts']} hidden, {summary['artifact_tags']} tag rows"
        )
    if db == "pg":
        for which in seeded:
            asyncio.run(_vacuum(seeded[which]["url"]))
    env = {"CATALOG_AUTH": "static", "CATALOG_STATIC_TOKENS": str(tokens)}
    qs = {w: queries(seeded[w]["roots"]) for w in seeded}
    res["http"] = {}
    with (
        server("glaregraph", seeded["big"]["url"], work, env) as big_url,
        server("glaregraph", seeded["small"]["url"], work, env) as small_url,
        httpx.Client(base_url=big_url, headers=AUTH, timeout=120) as big,
        httpx.Client(base_url=small_url, headers=AUTH, timeout=120) as small,
    ):
        for label, q in qs["big"].items():
            cell = timed(big, q)
            res["http"][label] = cell
            log(f"  {label:36} {cell}")
        label = "upstream large (pipeline top)"
        both = {"big": qs["big"][label], "small": qs["small"][label]}
        res["scaling"] = interleaved(big, small, both)
        log(f"  big vs small, {label}: {json.dumps(res['scaling'])}")
    log(f"== {db}: in-process statements, SQL vs Python, plans")
    res["inprocess"] = asyncio.run(in_process(seeded["big"]["url"], tokens, qs["big"], True))
    res["plans"] = res["inprocess"].pop("_plans")
    return res


def _floor(cell: dict[str, Any], ip: dict[str, Any]) -> str:
    """The raw-SQL columns: the replayed statements' median, and HTTP p50 ÷ it."""
    raw = ip.get("raw_sql_ms_median")
    if not raw:
        return "| |"
    return f"{raw} | {cell['p50_ms'] / raw:.2f}x |"


def table(results: dict[str, Any]) -> str:
    lines = [
        "| db | query | nodes | edges | hidden | truncated | p50 ms | p90 ms | target | "
        "statements | in-process ms (SQL / Python) | raw SQL ms | HTTP ÷ raw |",
        "|---|---|---:|---:|---:|---|---:|---:|---|---:|---|---:|---:|",
    ]
    for db, res in results["databases"].items():
        for label, cell in res["http"].items():
            ip = res["inprocess"][label]
            if "error" in cell:
                lines.append(
                    f"| {db} | {label} | | | | | failed after {cell['error_after_ms']} ms: "
                    f"{cell['error'][:90]} | | | {ip['statements']} | | | |"
                )
                continue
            if "nodes" in cell:
                size = [cell["nodes"], cell["edges"], cell["hidden"], cell["truncated"]]
                target = TARGETS["lineage_p50_ms"] if cell["nodes"] <= 1000 else None
            else:
                size = [f"count {cell['artifact_count']}", f"{cell['listed']} listed",
                        f"{cell['related']} related", "-"]  # fmt: skip
                target = TARGETS["tag_p50_ms"]
            mark = ""
            if db == "pg" and target is not None:
                mark = f"≤ {target:.0f} {'✓' if cell['p50_ms'] <= target else '✗'}"
            lines.append(
                f"| {db} | {label} | {' | '.join(str(x) for x in size)} | {cell['p50_ms']} | "
                f"{cell['p90_ms']} | {mark} | {ip['statements']} | {ip['request_ms_median']} "
                f"({ip['sql_ms_median']} / {ip['python_ms_median']}) | {_floor(cell, ip)}"
            )
        s = res["scaling"]
        ok = "✓" if s["ratio_p50"] <= TARGETS["scale_ratio"] else "✗"
        lines.append(
            f"| {db} | scaling: upstream large, big {s['big']['p50_ms']} ms ({s['big']['nodes']} "
            f"nodes) / small {s['small']['p50_ms']} ms ({s['small']['nodes']} nodes) | | | | | "
            f"**{s['ratio_p50']}x** | | ≤ 1.5 {ok} | | | | |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--pg-only", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL databases")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the PostgreSQL graphs a --keep run left (same sizes) instead of seeding; "
        "implies --keep",
    )
    args = parser.parse_args()
    started = time.monotonic()
    results: dict[str, Any] = {"environment": environment(), "targets": TARGETS, "databases": {}}
    dbs = [] if args.sqlite_only or not pg_available() else ["pg"]
    if not args.pg_only:
        dbs.append("sqlite")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out_dir = BENCH_DIR / "results"
    out_dir.mkdir(exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix="glaregraph-graph-") as tmp:
            work = Path(tmp)
            tokens = write_tokens(work)
            for db in dbs:
                results["databases"][db] = bench_db(db, work, tokens, args.reuse)
    finally:
        if "pg" in dbs and not (args.keep or args.reuse):
            asyncio.run(drop_pg(PG_DBS))
    env_now = environment()
    results["environment"]["runtime_s"] = round(time.monotonic() - started, 1)
    same = (env_now["commit"], env_now["dirty_paths"]) == (
        results["environment"]["commit"],
        results["environment"]["dirty_paths"],
    )
    results["environment"]["code_changed"] = None if same else env_now
    if not same:
        log(f"WARNING: glaregraph code changed during the run: now {env_now}")
    plans_txt = []
    for db, res in results["databases"].items():
        for key, p in res["plans"].items():
            plans_txt.append(f"===== {db}: {key}\n{p['sql']}\n-- params: {p.get('params')}\n")
            plans_txt.append(p["plan"] + "\n")
    (out_dir / f"graph-{stamp}-explain.txt").write_text("\n".join(plans_txt))
    (out_dir / f"graph-{stamp}.json").write_text(json.dumps(results, indent=1, default=str))
    summary = {
        db: {
            "http": res["http"],
            "scaling": res["scaling"],
            "statements": {k: v["kinds"] for k, v in res["inprocess"].items()},
            "plan_summaries": {k: p.get("summary") for k, p in res["plans"].items()},
        }
        for db, res in results["databases"].items()
    }
    print(json.dumps(summary, indent=1, default=str))
    for db, res in results["databases"].items():
        levels = [k for k in res["plans"] if k.startswith("upstream large") and "level" in k]
        key = max(
            levels, key=lambda k: (res["plans"][k].get("summary") or {}).get("execution_ms", 0)
        )
        print(f"\n{db}: plan of the slowest lineage level, {key}\n{res['plans'][key]['plan']}")
    print()
    print(table(results))
    print(f"\nCPU: a 5M-addition Python loop took {results['environment']['cpu_loop_ms']} ms")
    print(f"\nresults: benchmarks/results/graph-{stamp}.json, graph-{stamp}-explain.txt")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
