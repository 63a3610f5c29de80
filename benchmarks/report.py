"""Renders benchmark results (benchmarks/results/latest.json) as Markdown tables.

python benchmarks/report.py [results.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

DEFAULT = Path(__file__).resolve().parent / "results" / "latest.json"
SCENARIOS = [
    ("list", "(a) list 50 qcow2 images by min_ram", "glaregraph"),
    ("floor", "(a) same rows, floor endpoint", "floor"),
    ("lookup", "(b) image(name:) { id version }", "glaregraph"),
    ("create", "(c) imageCreate", "glaregraph"),
]


def _f(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _dirty(env: dict[str, Any]) -> str:
    """What of glaregraph/ was not committed when the run started, and whether the code changed
    while it ran."""
    out = ""
    if env["dirty_files"]:
        out += " + uncommitted changes in " + ", ".join(env.get("dirty_paths") or ["glaregraph/"])
    if env.get("code_changed"):
        out += f" (**the code changed during the run**: {env['code_changed']})"
    return out


def render_real(real: dict[str, Any], env: dict[str, Any]) -> list[str]:
    """The real-caller scenario (benchmarks/real_caller.py): load table, ratios against the
    targets, the floor check, statements per request, the list request's profile."""
    fields = real.get("fields") or []
    out = [
        "## Real caller: a project member, every leaf field (heat templates)",
        "",
        f"Run {env['date']}, commit {env['commit']}"
        + _dirty(env)
        + f"; member of {real['member']} (static token); windows {real['window_s']:.0f} s after "
        f"{real['warmup_s']:.0f} s warm-up, x{real['reps']} alternating floor / glaregraph"
        + (" (BENCH_QUICK)" if env["quick"] else ""),
        "",
        f"Fields ({len(fields)}, by introspection): `{' '.join(fields)}`",
        "",
        "(g) `heatTemplate(id: $id) { <fields> }` over ids the member sees; (l) "
        "`heatTemplates(first: 50) { totalCount pageInfo {...} edges { cursor node { <fields> } } "
        "}`, newest first. Target: ratio ≥ the issue's figure at 1 client, ≥ 0.8 of it at 16.",
        "",
        "| db | rows | request | clients | glaregraph req/s | floor req/s | ratio | target | "
        "glaregraph p50 / p99 ms | floor p50 / p99 ms | errors |",
        "|---|---:|---|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for name, cells in real["load"].items():
        db, size = name.split()
        for key, cell in cells.items():
            request, clients = key.split(" c")
            target = real["targets"].get(f"{request} {size}")
            if target is not None and clients == "16":
                target *= 0.8
            gg, fl = cell["glaregraph"], cell["floor"]
            met = "" if target is None else (" ✓" if cell["ratio"] >= target else " ✗")
            out.append(
                f"| {db} | {size} | {request} | {clients} | {_f(gg['req_per_s'])} | "
                f"{_f(fl['req_per_s'])} | **{_f(cell['ratio'], 2)}**{met} | {_f(target, 2)} | "
                f"{_f(gg['p50_ms'], 2)} / {_f(gg['p99_ms'], 2)} | "
                f"{_f(fl['p50_ms'], 2)} / {_f(fl['p99_ms'], 2)} | {gg['errors'] + fl['errors']} |"
            )
    out += [
        "",
        "Same data: the floor's JSON `data` equals glaregraph's (list at first=50 and 500, gets "
        "of visible ids, null for invisible ones)",
        "",
        "| db | list nodes | gets | null gets | own | PUBLIC (other) | SHARED in | with sharedWith "
        "| with aliases | with defaultEnvs | member sees / rows |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, c in real["checks"].items():
        seeded = real["seed"][name]
        out.append(
            f"| {name} | {c['list_nodes']} | {c['gets']} | {c['gets_null']} | {c['own']} | "
            f"{c['public_other']} | {c['shared_in']} | {c['with_shared_with']} | "
            f"{c['with_aliases']} | {c['with_default_envs']} | "
            f"{seeded['member_visible']} / {seeded['count']} |"
        )
    out += [
        "",
        f"SQL statements per request (member, {real['sizes'][-1] // 1000}k rows)",
        "",
        "| db | request | statements | which |",
        "|---|---|---:|---|",
    ]
    for db, counts in real["statements"].items():
        for request, c in counts.items():
            out.append(f"| {db} | {request} | {c['statements']} | {', '.join(c['kinds'])} |")
    for db, prof in real["profile"].items():
        ph = prof["phases_ms_mean"]
        out += [
            "",
            f"Profile of the list request in-process ({db}, {real['sizes'][-1] // 1000}k, member, "
            f"{prof['requests']} requests): median {prof['wall_ms_median']:.2f} ms; mean phases: "
            + ", ".join(f"{k} {v:.2f} ms" for k, v in ph.items()),
            "",
            "| tottime ms/req | cumtime ms/req | calls/req | function |",
            "|---:|---:|---:|---|",
        ]
        for row in prof["top_tottime"][:25]:
            out.append(
                f"| {row['tottime_ms_per_req']:.3f} | {row['cumtime_ms_per_req']:.3f} | "
                f"{row['calls_per_req']:.0f} | `{row['function']}` |"
            )
    return out


def render(r: dict[str, Any]) -> str:
    env = r["environment"]
    out: list[str] = []
    if r.get("real"):  # the headline figure first
        out += [*render_real(r["real"], env), "", "## Admin, plain fields (scenarios (a)-(d))", ""]
    out += [
        f"Run {env['date']}, {env['cores']} cores ({env['cpu']}), Python {env['python']}, "
        f"commit {env['commit']}"
        + _dirty(env)
        + f"; windows {env['window_s']:.0f} s after {env['warmup_s']:.0f} s warm-up, "
        f"(a) x{env['reps']} alternating; total {env.get('runtime_s', 0):.0f} s"
        + (" (BENCH_QUICK)" if env["quick"] else ""),
        "",
        "Seeding",
        "",
        "| database | artifacts | tags | load s | artifacts/s | total s (all steps) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, s in r["seed"].items():
        out.append(
            f"| {name} | {s['count']} | {s['tags']} | {_f(s['load_s'])} | "
            f"{_f(s['rows_per_s'], 0)} | {_f(s['total_s'])} |"
        )
    out += [
        "",
        "Load (closed loop; req/s and latency percentiles; medians over repetitions)",
        "",
        "| db | scenario | server | clients | req/s | p50 ms | p99 ms | errors |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for db, cells in r["load"].items():
        for key, label, who in SCENARIOS:
            for c in (1, 16):
                cell = cells.get(f"{key} c{c}")
                if cell is None:
                    continue
                out.append(
                    f"| {db} | {label} | {who} | {c} | {_f(cell['req_per_s'])} | "
                    f"{_f(cell['p50_ms'], 2)} | {_f(cell['p99_ms'], 2)} | {cell['errors']} |"
                )
    out += [
        "",
        "Scenario (a): glaregraph req/s ÷ floor req/s (target ≥ 0.25; PostGraphile 4 ≈ 0.4)",
        "",
        "| db | 1 client | 16 clients |",
        "|---|---:|---:|",
    ]
    for db, cells in r["load"].items():
        out.append(f"| {db} | {_f(cells.get('ratio c1'), 2)} | {_f(cells.get('ratio c16'), 2)} |")
    out += [
        "",
        "SQL statements per list request (before_cursor_execute; target: equal and ≤ 3)",
        "",
        "| db | first=1 | first=50 | first=500 | statements (first=50) |",
        "|---|---:|---:|---:|---|",
    ]
    for db, counts in r["statements"].items():
        cols = []
        for k in ("1", "50", "500"):
            data, extra = counts[k]["data_statements"], counts[k]["cursor_executes"]
            extra -= data
            cols.append(f"{data} (+{extra} BEGIN)" if extra else str(data))
        out.append(f"| {db} | {' | '.join(cols)} | {', '.join(counts['50']['statements'])} |")
    big, small = (n // 1000 for n in env["artifacts"])
    out += [
        "",
        f"Scaling: scenario (a) at {small}k vs {big}k artifacts (target ≤ 1.5x)",
        "",
        f"| db | list SQL median ms {small}k | {big}k | x | HTTP p50 ms c1 {small}k | {big}k | x |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for db in r["load"]:
        s_small = r["sqltime"].get(f"{db} {small}k")
        s_big = r["sqltime"].get(f"{db} {big}k")
        if not s_small or not s_big:
            continue
        cells = r["load"].get(db, {})
        h_small = (cells.get(f"list c1 {small}k") or {}).get("p50_ms")
        h_big = (cells.get("list c1") or {}).get("p50_ms")
        hx = _f(h_big / h_small, 2) if h_small and h_big else "–"
        out.append(
            f"| {db} | {_f(s_small['median_ms'], 2)} | {_f(s_big['median_ms'], 2)} | "
            f"{_f(s_big['median_ms'] / s_small['median_ms'], 2)} | {_f(h_small, 2)} | "
            f"{_f(h_big, 2)} | {hx} |"
        )
    out += _creates(r.get("creates") or {})
    for name, ex in r["explain"].items():
        how = "EXPLAIN QUERY PLAN" if name == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS)"
        out += ["", f"{how} of the list statement, {name}, {big}k", ""]
        out += ["```", ex["sql"].strip(), "-- params: " + ", ".join(ex["params"]), ex["plan"]]
        out += ["```"]
    for name, prof in r["profile"].items():
        ph = prof["phases_ms_mean"]
        out += [
            "",
            f"Profile of the list request in-process ({name}, {prof['requests']} requests): "
            f"median {prof['wall_ms_median']:.2f} ms; mean phases: "
            + ", ".join(f"{k} {v:.2f} ms" for k, v in ph.items()),
            "",
            "| tottime ms/req | cumtime ms/req | function |",
            "|---:|---:|---|",
        ]
        for row in prof["top_tottime"][:15]:
            out.append(
                f"| {row['tottime_ms_per_req']:.3f} | {row['cumtime_ms_per_req']:.3f} | "
                f"`{row['function']}` |"
            )
    return "\n".join(out) + "\n"


def _creates(results: dict[str, Any]) -> list[str]:
    """benchmarks/creates.py: creates/s per block through one server on an empty database."""
    if not results:
        return []
    first = next(iter(results.values()))
    heads = [f"{b['rows_before'] / 1000:g}k" for b in first["blocks"]]
    out = [
        "",
        f"Creates on an empty database, one server, one client ({first['count']} `imageCreate`, "
        f"creates/s per block of {first['block']} by rows already there; target last/first ≥ "
        f"{first['target']:.2f})",
        "",
        "| db | " + " | ".join(heads) + " | last/first | p50 ms last/first | errors |",
        "|---|" + "---:|" * (len(heads) + 3),
    ]
    for db, res in results.items():
        rates = " | ".join(f"{b['creates_per_s']:.0f}" for b in res["blocks"])
        p50 = _f(res.get("p50_ratio"), 2)
        out.append(f"| {db} | {rates} | **{res['ratio']:.2f}** | {p50} | {res['errors']} |")
    return out


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    print(render(json.loads(path.read_text())))


if __name__ == "__main__":
    main()
