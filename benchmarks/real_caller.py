"""The "real caller" scenario (`make bench-real`, and the first figure of `make bench`): a project
member reads heat templates with every leaf field selected, as a generated client would, against
glaregraph and against a floor doing the same work.

Steps:
  1. seed `heat_template` artifacts at 1,000 and 100,000 rows (real_seed.py; PostgreSQL
     databases `glaregraph_bench_real_1k` / `_100k`, dropped and recreated, and SQLite files in
     a temp dir);
  2. per database and size: start `glaregraph serve` (1 worker, CATALOG_AUTH=static with a
     tokens file in the temp dir naming one member of `project-03`) and floor_real.py; find the
     leaf fields of `HeatTemplate` by introspection; check that the floor answers the same data
     as glaregraph (the list at first=50 and 500, gets of visible and invisible ids);
  3. load: (g) `heatTemplate(id:)` cycling over ids the member sees, (l) `heatTemplates(first:
     50)` with totalCount, pageInfo and cursors; 1 and 16 clients; floor and glaregraph runs
     alternating; ratio glaregraph/floor req/s within the run;
  4. in-process (largest size, per database): statements per request and a cProfile of the list
     request (inprocess_real.py).

BENCH_QUICK=1: 1,000 and 10,000 rows, 3 s windows, one repetition, 30 profiled requests.
`make bench-real` writes benchmarks/results/real.json and real.md; `make bench` puts the same
results under "real" in latest.json.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import floor_real
import real_seed
from common import (
    BENCH_DIR,
    FIELDS_QUERY,
    MEMBER_PROJECT,
    MEMBER_TOKEN,
    PG_ADMIN_DSN,
    PY,
    QUICK,
    ROOT,
    log,
    median,
    real_get_query,
    real_list_query,
    server,
    write_tokens,
)
from inprocess_real import leaf_fields

SIZES = (1_000, 10_000) if QUICK else (1_000, 100_000)
DURATION, WARMUP, REPS = (3.0, 1.0, 1) if QUICK else (8.0, 2.0, 2)
PROFILED = 30 if QUICK else 100
CONCURRENCY = (1, 16)
# request -> (glaregraph loadgen scenario, floor loadgen scenario)
REQUESTS = {"get": ("real-get", "floor-real-get"), "list": ("real-list", "floor-real-list")}
CHECKED_GETS = 40
# the targets, glaregraph/floor req/s: list 0.5 at 1,000 rows and 0.7 at 100,000 (with
# totalCount), get 0.5; 16 clients within 20 % of these
TARGETS = {("get", 0): 0.5, ("get", -1): 0.5, ("list", 0): 0.5, ("list", -1): 0.7}


def label(db: str, count: int) -> str:
    return f"{db} {count // 1000}k"


def post(base: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """One JSON POST with the member's token; the decoded answer (error answers included)."""
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", "authorization": f"Bearer {MEMBER_TOKEN}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            answer: dict[str, Any] = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        answer = {"http_status": exc.code, "body": exc.read()[:2000].decode(errors="replace")}
    return answer


def introspect(gg: str) -> list[str]:
    """The leaf fields of HeatTemplate, as the running server describes them."""
    answer = post(gg, "/graphql", {"query": FIELDS_QUERY})
    if "data" not in answer or answer.get("errors"):
        raise SystemExit(f"introspection failed: {str(answer)[:2000]}")
    return leaf_fields(answer)


def _first_difference(a: Any, b: Any, path: str = "data") -> str | None:
    """Where two decoded JSON values first differ, as `path: a != b`."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}.{key}: only in {'glaregraph' if key in a else 'the floor'}"
            found = _first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items (glaregraph) != {len(b)} items (floor)"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: glaregraph {a!r:.200} != floor {b!r:.200}"


def _same(what: str, gg_answer: dict[str, Any], floor_answer: dict[str, Any]) -> None:
    if "data" not in gg_answer or gg_answer.get("errors"):
        raise SystemExit(f"glaregraph answered {what} with an error:\n{str(gg_answer)[:3000]}")
    difference = _first_difference(gg_answer["data"], floor_answer.get("data"))
    if difference:
        raise SystemExit(
            f"THE FLOOR DOES NOT ANSWER THE SAME DATA as glaregraph for {what}:\n  {difference}\n"
            "The floor's ratio would compare different work; fix floor_real.py first."
        )


def check_floor(gg: str, floor: str, fields: list[str], rows: real_seed.RealRows) -> dict[str, Any]:
    """Compare the floor's JSON data with glaregraph's for the same requests; exit on the
    first difference. Returns what was compared."""
    if fields != floor_real.KEYS:
        raise SystemExit(
            f"HeatTemplate's leaf fields are now {fields};\nthe floor answers {floor_real.KEYS}. "
            "Update floor_real.py (KEYS and its SQL) so that both do the same work."
        )
    list_nodes = 0
    nodes: list[dict[str, Any]] = []  # distinct ones: the page of 500 and the gets
    for first in (50, 500):
        gg_page = post(gg, "/graphql", {"query": real_list_query(fields, first)})
        floor_page = post(floor, "/real/list", {"first": first})
        _same(f"heatTemplates(first: {first})", gg_page, floor_page)
        edges = gg_page["data"]["heatTemplates"]["edges"]
        list_nodes += len(edges)
        if first == 500:
            nodes += [e["node"] for e in edges]
    step = max(1, len(rows.visible_ids) // CHECKED_GETS)
    visible, hidden = rows.visible_ids[::step][:CHECKED_GETS], rows.hidden_ids[:10]
    for artifact_id in visible + hidden:
        variables = {"id": artifact_id}
        gg_one = post(gg, "/graphql", {"query": real_get_query(fields), "variables": variables})
        _same(f"heatTemplate(id: {artifact_id!r})", gg_one, post(floor, "/real/get", variables))
        node = gg_one["data"]["heatTemplate"]
        if (node is None) != (artifact_id in hidden):
            raise SystemExit(f"heatTemplate(id: {artifact_id!r}) answered {node!r:.300}")
        if node is not None:
            nodes.append(node)
    return {"list_nodes": list_nodes, "gets": len(visible), "gets_null": len(hidden)} | _mix(nodes)


def _mix(nodes: list[dict[str, Any]]) -> dict[str, int]:
    """What the compared nodes cover: whose they are, and how many carry related data."""
    others = [n for n in nodes if n["owner"] != MEMBER_PROJECT]
    return {
        "own": len(nodes) - len(others),
        "public_other": sum(n["visibility"] == "PUBLIC" for n in others),
        "shared_in": sum(n["visibility"] == "SHARED" for n in others),
        "with_shared_with": sum(bool(n["sharedWith"]) for n in nodes),
        "with_aliases": sum(bool(n["aliases"]) for n in nodes),
        "with_default_envs": sum(n["defaultEnvs"] is not None for n in nodes),
    }


def load(url: str, scenario: str, concurrency: int, files: dict[str, Path]) -> dict[str, Any]:
    """One loadgen run (its own process) of a real-caller scenario."""
    cmd = [PY, str(BENCH_DIR / "loadgen.py"), "--url", url, "--scenario", scenario]
    cmd += ["-c", str(concurrency), "-d", str(DURATION), "-w", str(WARMUP)]
    cmd += ["--token", MEMBER_TOKEN, "--ids", str(files["ids"])]
    if scenario.startswith("real-"):
        cmd += ["--query-file", str(files[scenario])]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    note = f" errors={result['errors']} {result['first_error']}" if result["errors"] else ""
    log(
        f"  {scenario:16} c={concurrency:<2} {result['req_per_s']:8.1f} req/s  "
        f"p50 {result['p50_ms']:7.2f} ms  p99 {result['p99_ms']:7.2f} ms{note}"
    )
    return result


def median_cell(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Repetitions of one load cell folded into medians."""
    return {
        "req_per_s": median([r["req_per_s"] for r in runs]),
        "p50_ms": median([r["p50_ms"] for r in runs]),
        "p99_ms": median([r["p99_ms"] for r in runs]),
        "errors": sum(r["errors"] for r in runs),
        "first_error": next((r["first_error"] for r in runs if r["errors"]), None),
        "runs": runs,
    }


def load_both(gg: str, floor: str, files: dict[str, Path]) -> dict[str, Any]:
    """Every request at every concurrency, floor and glaregraph alternating."""
    cells: dict[str, Any] = {}
    for request, (gg_scenario, floor_scenario) in REQUESTS.items():
        for c in CONCURRENCY:
            runs: dict[str, list[dict[str, Any]]] = {"floor": [], "glaregraph": []}
            for _ in range(REPS):
                runs["floor"].append(load(floor, floor_scenario, c, files))
                runs["glaregraph"].append(load(gg, gg_scenario, c, files))
            cell = {who: median_cell(r) for who, r in runs.items()}
            cell["ratio"] = cell["glaregraph"]["req_per_s"] / cell["floor"]["req_per_s"]
            log(f"  {request} c={c}: glaregraph/floor req/s {cell['ratio']:.2f}")
            cells[f"{request} c{c}"] = cell
    return cells


def inprocess(what: str, url: str, tokens: Path) -> dict[str, Any]:
    cmd = [PY, str(BENCH_DIR / "inprocess_real.py"), what, url, str(tokens)]
    if what == "profile":
        cmd += ["-n", str(PROFILED)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def bench_target(
    name: str, url: str, rows: real_seed.RealRows, work: Path, results: dict[str, Any]
) -> None:
    """Check and load one seeded database (glaregraph and the floor up at once)."""
    tokens = work / "tokens.yaml"
    files = {"ids": work / f"ids-{name.replace(' ', '-')}.txt"}
    files["ids"].write_text("\n".join(rows.visible_ids))
    gg_env = {"CATALOG_AUTH": "static", "CATALOG_STATIC_TOKENS": str(tokens)}
    floor_env = {"FLOOR_STATIC_TOKENS": str(tokens)}
    with (
        server("glaregraph", url, work, gg_env) as gg,
        server("floor_real", url, work, floor_env) as floor,
    ):
        fields = introspect(gg)
        if "fields" not in results:
            results["fields"] = fields
            log(f"HeatTemplate leaf fields ({len(fields)}): {' '.join(fields)}")
        for scenario, query in (
            ("real-get", real_get_query(fields)),
            ("real-list", real_list_query(fields)),
        ):
            files[scenario] = work / f"{scenario}.graphql"
            files[scenario].write_text(query)
        checked = check_floor(gg, floor, fields, rows)
        results["checks"][name] = checked
        log(f"== {name}: the floor answers the same data as glaregraph: {checked}")
        results["load"][name] = load_both(gg, floor, files)


def run(work: Path, has_pg: bool) -> dict[str, Any]:
    """The whole scenario in `work` (a temp dir); the results (see report.render_real)."""
    started = time.monotonic()
    write_tokens(work)
    results: dict[str, Any] = {
        "sizes": list(SIZES),
        "member": MEMBER_PROJECT,
        "window_s": DURATION,
        "warmup_s": WARMUP,
        "reps": REPS,
        "targets": {f"{r} {SIZES[i] // 1000}k": t for (r, i), t in TARGETS.items()},
        "seed": {},
        "checks": {},
        "load": {},
        "statements": {},
        "profile": {},
    }
    for db in ("pg", "sqlite") if has_pg else ("sqlite",):
        for count in SIZES:
            name = label(db, count)
            log(f"== real caller: seeding {name} heat templates")
            path = work / f"real-{count}.db"
            summary, rows = asyncio.run(real_seed.seed_real_target(db, count, path))
            results["seed"][name] = summary
            log(
                f"  {summary['load_s']:.1f} s load; {summary['member_visible']} visible to the "
                f"member, {summary['shares']} shares, {summary['aliases']} aliases"
            )
            bench_target(name, summary["url"], rows, work, results)
            if count == SIZES[-1]:
                log(f"== {name}: in-process statement counts and profile (member, list of 50)")
                results["statements"][db] = inprocess("count", summary["url"], work / "tokens.yaml")
                results["profile"][db] = inprocess("profile", summary["url"], work / "tokens.yaml")
    results["runtime_s"] = time.monotonic() - started
    return results


def pg_available() -> bool:
    try:
        asyncio.run(real_seed.seed.recreate_pg_database(real_seed.pg_database(SIZES[0])))
    except Exception as exc:  # no server: SQLite only
        log(f"PostgreSQL at {PG_ADMIN_DSN} unusable ({exc}); SQLite only")
        return False
    return True


def main() -> int:
    from report import render_real
    from run_all import code_changed, environment

    env = environment()
    with tempfile.TemporaryDirectory(prefix="glaregraph-real-") as tmp:
        real = run(Path(tmp), pg_available())
    env["code_changed"] = code_changed(env)
    out = {"environment": env, "real": real}
    out_dir = BENCH_DIR / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "real.json").write_text(json.dumps(out, indent=1, default=str))
    text = "\n".join(render_real(real, env)) + "\n"
    (out_dir / "real.md").write_text(text)
    print()
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
