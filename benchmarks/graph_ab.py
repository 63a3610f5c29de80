"""The artifact graph's queries, this checkout against a base commit, request by request.

On a noisy machine two runs of graph.py minutes apart differ by more than most changes (the
fixed Python loop every benchmark records swung from 332 to 540 ms within ten minutes), so a
change is measured here with both servers up at once on the same PostgreSQL graph, and each
query sent to one then the other in turn: noise hits both alike, and the ratio of their p50s
is the figure.

Needs the big graph a `graph.py --pg-only --keep` run left (its roots are read from
benchmarks/results/graph-seed-gg_bench_graph.json). The base runs from a git worktree with
this venv's python and PYTHONPATH; both must read the same migration head (the base is not
migrated).

    .venv/bin/python benchmarks/graph_ab.py --base e985188
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH_DIR, log, machine, server, write_tokens
from concurrency import worktree
from graph import AUTH, PG_DBS, WARMUP, post, queries, result_size, stats

ROUNDS = 40


def alternate(clients: dict[str, httpx.Client], q: dict[str, Any]) -> dict[str, Any]:
    for _ in range(WARMUP):
        for client in clients.values():
            post(client, q)
    times: dict[str, list[float]] = {side: [] for side in clients}
    sizes = {}
    for i in range(ROUNDS):
        order = list(clients.items()) if i % 2 == 0 else list(reversed(clients.items()))
        for side, client in order:
            ms, body = post(client, q)
            times[side].append(ms)
            sizes[side] = result_size(body)
    if sizes["current"] != sizes["base"]:
        raise SystemExit(f"the answers differ: {sizes}")
    out: dict[str, Any] = {side: stats(times[side]) for side in times}
    out["size"] = sizes["current"]
    out["current_over_base_p50"] = round(out["current"]["p50_ms"] / out["base"]["p50_ms"], 2)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the commit to compare with")
    args = parser.parse_args()
    seed = BENCH_DIR / "results" / f"graph-seed-{PG_DBS[0]}.json"
    if not seed.exists():
        raise SystemExit(f"no kept graph: run `graph.py --pg-only --keep` first ({seed})")
    summary = json.loads(seed.read_text())
    qs = queries(summary["roots"])
    results: dict[str, Any] = {"environment": machine(), "base": args.base, "queries": {}}
    with tempfile.TemporaryDirectory(prefix="glaregraph-graph-ab-") as tmp:
        work = Path(tmp)
        env = {"CATALOG_AUTH": "static", "CATALOG_STATIC_TOKENS": str(write_tokens(work))}
        with (
            worktree("base", args.base) as base,
            server("glaregraph", summary["url"], work, env) as current_url,
            server("glaregraph", summary["url"], work, {**env, **base.env()}) as base_url,
            httpx.Client(base_url=current_url, headers=AUTH, timeout=120) as current,
            httpx.Client(base_url=base_url, headers=AUTH, timeout=120) as old,
        ):
            base.check_import(work)
            results["base_commit"] = base.commit
            for label, q in qs.items():
                cell = alternate({"current": current, "base": old}, q)
                results["queries"][label] = cell
                log(f"  {label:36} {json.dumps(cell)}")
    out = BENCH_DIR / "results" / "graph-ab.json"
    out.write_text(json.dumps(results, indent=1, default=str))
    print(f"\n| query | current p50 ms | base ({results['base_commit']}) p50 ms | current ÷ base |")
    print("|---|---:|---:|---:|")
    for label, cell in results["queries"].items():
        print(
            f"| {label} | {cell['current']['p50_ms']} | {cell['base']['p50_ms']} | "
            f"{cell['current_over_base_p50']} |"
        )
    print(f"\nCPU: a 5M-addition Python loop took {results['environment']['cpu_loop_ms']} ms")
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
