"""Seeds the artifact-graph benchmark (benchmarks/graph.py): N artifacts, E edges and a 3-level
tag taxonomy, shaped as lineage looks in a catalog.

Artifacts, by role (fractions of N):

- **hubs** (`N // 20,000`, at least 1): PUBLIC base images that `min(10,000, N // 2)` distinct
  other artifacts each derive from (`derived_from`, fan-in);
- **source datasets** (2 %, at least 50): leaves that chain models link (`datasets`);
- **chains** (20 %): models in chains of 50, each deriving from the previous one and linking 2
  source datasets (so 10 levels upstream of a chain's end hold ≈ 30 artifacts);
- **pipelines** (the rest, in clusters of 1,000 = 10 layers of 100): each artifact of layer L > 0
  derives from 3-6 random artifacts of layer L-1 (`derived_from`, or a link field: `datasets`,
  `base_model`, `kernel`), ≈ 10 % of them from layer L-2 or L-3 instead (skip links); then more
  skip links until the graph has exactly E edges;
- **cycles**: in every 7th pipeline (the first one included) a layer-0 artifact derives from a
  layer-9 one, and every 50th chain's head derives from its end.

Visibility for the member of `project-03` (benchmarks/common.py): 5 % PRIVATE artifacts of other
projects (hidden), the others 45 % own (PRIVATE, 10 % of those DRAFTED), 40 % PUBLIC of other
projects, 10 % SHARED with `project-03` (share rows); the roots graph.py queries and the hubs are
always visible. Names are unique (`g-NNNNNNN`, version `1.0.0`); `data` is seed.py's per-type
document.

Tags: a taxonomy of 10 roots x 10 x 10 (`d3`, `d3-s7`, `d3-s7-l2`) in `tags`; every artifact
carries 1-3 leaf tags, and 20 % also the root of their first leaf (a broad tag, so that
`related` of a root tag has co-occurring tags to count).

Loading: schema (`migrations.upgrade()`) and `ensure_type_indexes()` as seed.py, then on
PostgreSQL COPY through asyncpg (foreign-key triggers off in the loading session:
`session_replication_role = replica`; the rows are consistent by construction), on SQLite
seed.py's batches of 5,000; then one ANALYZE.

    python benchmarks/graph_seed.py --dialect pg --count 200000 --edges 1000000
    python benchmarks/graph_seed.py --dialect sqlite --count 20000 --edges 100000 --path /tmp/g.db
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import seed
from common import MEMBER_PROJECT, pg_dsn, pg_url, sqlite_url

from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.database.tables import (
    artifact_shares,
    artifact_tags,
    artifacts,
    edges,
    tags,
)
from glaregraph.catalog.tagcounts.recount import recount
from glaregraph.catalog.typedef.loader import load_registry
from glaregraph.catalog.versions import version_key

HUB_EVERY = 20_000
HUB_FAN = 10_000
CHAIN_LEN = 50
CLUSTER_LAYERS, LAYER_WIDTH = 10, 100
CLUSTER = CLUSTER_LAYERS * LAYER_WIDTH
HIDDEN = 0.05
LINK_RELATIONS = ["datasets", "base_model", "kernel"]
ROOTS, MIDS, LEAVES = 10, 10, 10
OTHER_PROJECTS = [p for p in seed.PROJECTS if p != MEMBER_PROJECT]
# a hub, 50 source datasets, a chain and a pipeline: the queries of graph.py need each
MIN_ARTIFACTS = 1 + 50 + CHAIN_LEN + CLUSTER


@dataclass
class Graph:
    artifacts: list[dict[str, Any]] = field(default_factory=list)
    edges: list[tuple[str, str, str, int]] = field(default_factory=list)  # src, dst, rel, pos
    shares: list[dict[str, Any]] = field(default_factory=list)
    tag_rows: list[tuple[str, str]] = field(default_factory=list)  # (artifact_id, tag)
    taxonomy: list[tuple[str, str | None]] = field(default_factory=list)  # (name, parent)
    roots: dict[str, str] = field(default_factory=dict)  # what graph.py queries -> artifact id
    hidden: int = 0
    shape: dict[str, int] = field(default_factory=dict)


def taxonomy() -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for r in range(ROOTS):
        out.append((f"d{r}", None))
        for m in range(MIDS):
            out.append((f"d{r}-s{m}", f"d{r}"))
            out += [(f"d{r}-s{m}-l{leaf}", f"d{r}-s{m}") for leaf in range(LEAVES)]
    return out


def make_graph(n: int, e: int, seed_value: int = 11) -> Graph:
    rng = random.Random(seed_value)
    g = Graph(taxonomy=taxonomy())
    hubs = max(1, n // HUB_EVERY)
    hub_fan = min(HUB_FAN, n // 2)
    n_datasets = max(50, n // 50)
    n_chains = max(1, (n // 5) // CHAIN_LEN)
    rest = n - hubs - n_datasets - n_chains * CHAIN_LEN
    if n < MIN_ARTIFACTS:
        raise SystemExit(
            f"{n} artifacts cannot hold a pipeline of {CLUSTER}: ask for {MIN_ARTIFACTS}+"
        )
    if rest < CLUSTER:  # a small graph: fewer chains, so that one pipeline fits
        n_chains = max(1, (n - hubs - n_datasets - CLUSTER) // CHAIN_LEN)
        rest = n - hubs - n_datasets - n_chains * CHAIN_LEN
    n_clusters = rest // CLUSTER
    n_datasets += rest - n_clusters * CLUSTER  # what does not fill a pipeline: more leaves

    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)]
    types = [""] * n
    idx = 0
    hub_ix = list(range(idx, idx + hubs))
    idx += hubs
    ds_ix = list(range(idx, idx + n_datasets))
    idx += n_datasets
    chains = [list(range(idx + c * CHAIN_LEN, idx + (c + 1) * CHAIN_LEN)) for c in range(n_chains)]
    idx += n_chains * CHAIN_LEN
    clusters = []
    for _ in range(n_clusters):
        layers = [list(range(idx + k * LAYER_WIDTH, idx + (k + 1) * LAYER_WIDTH)) for k in
                  range(CLUSTER_LAYERS)]  # fmt: skip
        clusters.append(layers)
        idx += CLUSTER
    assert idx == n, (idx, n)
    for i in hub_ix:
        types[i] = "image"
    for i in ds_ix:
        types[i] = "dataset"
    for chain in chains:
        for i in chain:
            types[i] = "model"
    cluster_types = ["dataset", "dataset", "model", "model", "model", "image", "heat_template"]
    for layers in clusters:
        for layer in layers:
            for i in layer:
                types[i] = rng.choice(cluster_types)

    roots = {
        "chain end": chains[0][-1],
        "pipeline top": clusters[0][-1][0],
        "hub": hub_ix[0],
    }
    g.roots = {k: ids[i] for k, i in roots.items()}
    always_visible = set(hub_ix) | set(roots.values())

    out: list[tuple[int, int, str]] = []  # (source, target, relation): source holds the link
    # chains: derived_from the previous one, 2 source datasets
    for c, chain in enumerate(chains):
        for j, i in enumerate(chain):
            if j:
                out.append((i, chain[j - 1], "derived_from"))
            for d in rng.sample(ds_ix, 2):
                out.append((i, d, "datasets"))
        if c % 50 == 0:
            out.append((chain[0], chain[-1], "derived_from"))  # cycle of CHAIN_LEN
    # pipelines: layered DAG, some skip links, a cycle in every 7th
    skips: list[tuple[int, int]] = []  # (cluster, layer) pairs that skip links may start from
    for c, layers in enumerate(clusters):
        for k in range(1, CLUSTER_LAYERS):
            for i in layers[k]:
                picked: set[int] = set()
                for _ in range(rng.randint(3, 6)):
                    back = 1 if rng.random() >= 0.1 or k == 1 else rng.randint(2, min(3, k))
                    picked.add(rng.choice(layers[k - back]))
                for t in picked:
                    rel = "derived_from" if rng.random() < 0.7 else rng.choice(LINK_RELATIONS)
                    out.append((i, t, rel))
            if k >= 2:
                skips.append((c, k))
        if c % 7 == 0:
            out.append((layers[0][0], layers[-1][1], "derived_from"))
    # hubs: fan-in of distinct other artifacts each
    hub_set = set(hub_ix)
    others = [i for i in range(n) if i not in hub_set]
    for h in hub_ix:
        for s in rng.sample(others, hub_fan):
            out.append((s, h, "derived_from"))
    structural = len(out)
    # fill up to exactly e edges with skip links inside pipelines, or trim pipeline links
    seen = {(s, t) for s, t, _ in out}
    while len(out) < e and skips:
        c, k = rng.choice(skips)
        s = rng.choice(clusters[c][k])
        t = rng.choice(clusters[c][k - rng.randint(2, min(3, k))])
        if (s, t) not in seen:
            seen.add((s, t))
            out.append((s, t, "derived_from"))
    if len(out) > e:
        raise SystemExit(f"{structural} structural edges exceed the {e} asked for; ask for more")

    positions: dict[tuple[int, str], int] = {}
    for s, t, rel in out:
        pos = positions.get((s, rel), 0)
        positions[(s, rel)] = pos + 1
        g.edges.append((ids[s], ids[t], rel, pos))

    epoch = seed.EPOCH
    leaves = [name for name, parent in g.taxonomy if parent and parent.count("-") == 1]
    for i in range(n):
        if i in always_visible:
            owner, vis = ("project-00", "PUBLIC") if i in hub_ix else (MEMBER_PROJECT, "PRIVATE")
        elif rng.random() < HIDDEN:
            owner, vis = rng.choice(OTHER_PROJECTS), "PRIVATE"
            g.hidden += 1
        else:
            x = rng.random()
            if x < 0.45 / 0.95:
                owner, vis = MEMBER_PROJECT, "PRIVATE"
            elif x < 0.85 / 0.95:
                owner, vis = rng.choice(OTHER_PROJECTS), "PUBLIC"
            else:
                owner, vis = rng.choice(OTHER_PROJECTS), "SHARED"
        status = "DRAFTED" if vis == "PRIVATE" and rng.random() < 0.1 else "ACTIVE"
        created = epoch - dt.timedelta(seconds=(n - i) * 60, microseconds=rng.randint(0, 999_999))
        updated = created + dt.timedelta(seconds=rng.randint(0, 86400))
        meta_keys = rng.sample(seed.META_KEYS, rng.randint(1, 3))
        g.artifacts.append(
            {
                "id": ids[i],
                "type_name": types[i],
                "name": f"g-{i:07d}",
                "version": "1.0.0",
                "version_key": version_key("1.0.0"),
                "description": f"{types[i]} g-{i:07d}" if rng.random() < 0.5 else None,
                "owner": owner,
                "created_by": rng.choice(seed.USERS),
                "visibility": vis,
                "status": status,
                "revision": 1,
                "lease_until": None,
                "created_at": created,
                "updated_at": updated,
                "activated_at": updated if status == "ACTIVE" else None,
                "data": seed._data(types[i], rng),
                "meta": {k: f"{k}-{rng.randint(1, 20)}" for k in meta_keys},
            }
        )
        if vis == "SHARED":
            projects = {MEMBER_PROJECT, *rng.sample(OTHER_PROJECTS, rng.randint(0, 1))}
            projects.discard(owner)
            g.shares += [{"artifact_id": ids[i], "project": p} for p in sorted(projects)]
        carried = rng.sample(leaves, rng.randint(1, 3))
        if rng.random() < 0.2:
            carried.append(carried[0].split("-")[0])
        g.tag_rows += [(ids[i], t) for t in carried]
    g.shape = {
        "artifacts": n,
        "edges": len(g.edges),
        "hubs": hubs,
        "hub_fan_in": hub_fan,
        "source_datasets": n_datasets,
        "chains": n_chains,
        "chain_length": CHAIN_LEN,
        "pipelines": n_clusters,
        "pipeline_size": CLUSTER,
        "structural_edges": structural,
        "fill_skip_edges": len(g.edges) - structural,
        "hidden_artifacts": g.hidden,
        "shares": len(g.shares),
        "tags_taxonomy": len(g.taxonomy),
        "artifact_tags": len(g.tag_rows),
    }
    return g


ARTIFACT_COLUMNS = [c.name for c in artifacts.c]


async def _copy_pg(database: str, g: Graph) -> None:
    import asyncpg

    conn = await asyncpg.connect(pg_dsn(database))
    try:
        await conn.execute("SET session_replication_role = replica")  # no FK triggers
        records = [
            tuple(json.dumps(a[c]) if c in ("data", "meta") else a[c] for c in ARTIFACT_COLUMNS)
            for a in g.artifacts
        ]
        await conn.copy_records_to_table("artifacts", records=records, columns=ARTIFACT_COLUMNS)
        await conn.copy_records_to_table(
            "edges", records=g.edges, columns=["source_id", "target_id", "relation", "position"]
        )
        await conn.copy_records_to_table(
            "artifact_shares",
            records=[(s["artifact_id"], s["project"]) for s in g.shares],
            columns=["artifact_id", "project"],
        )
        await conn.copy_records_to_table(
            "artifact_tags", records=g.tag_rows, columns=["artifact_id", "tag"]
        )
        await conn.copy_records_to_table("tags", records=g.taxonomy, columns=["name", "parent"])
    finally:
        await conn.close()


async def _insert_sqlite(db: Database, g: Graph) -> None:
    await seed.insert_rows(db, artifacts, g.artifacts)
    await seed.insert_rows(
        db,
        edges,
        [
            {"source_id": s, "target_id": t, "relation": r, "key": None, "position": p}
            for s, t, r, p in g.edges
        ],
    )
    await seed.insert_rows(db, artifact_shares, g.shares)
    await seed.insert_rows(db, artifact_tags, [{"artifact_id": a, "tag": t} for a, t in g.tag_rows])
    await seed.insert_rows(db, tags, [{"name": n, "parent": p} for n, p in g.taxonomy])


async def seed_graph(
    dialect: str, n: int, e: int, pg_db: str | None = None, path: Path | None = None
) -> tuple[dict[str, Any], Graph]:
    """A new database (PostgreSQL `pg_db`, dropped and recreated, or a new SQLite file at
    `path`) with the graph; (summary with the URL and timings, the graph)."""
    t0 = time.perf_counter()
    if dialect == "pg":
        assert pg_db is not None
        await seed.recreate_pg_database(pg_db)
        url = pg_url(pg_db)
    else:
        assert path is not None
        seed.reset_sqlite_file(path)
        url = sqlite_url(path)
    db = Database(url)
    try:
        await seed.prepare(db, url)
        t_schema = time.perf_counter()
        g = make_graph(n, e)
        t_gen = time.perf_counter()
        if dialect == "pg":
            await _copy_pg(pg_db, g)  # type: ignore[arg-type]
        else:
            await _insert_sqlite(db, g)
        t_load = time.perf_counter()
        # rows were loaded behind the catalog's back: the maintained tag counts are filled as
        # `glaregraph gc` repairs them
        await recount(Catalog(db=db, registry=load_registry()))
        t_counts = time.perf_counter()
        await seed.analyze(db)
        t_end = time.perf_counter()
    finally:
        await db.dispose()
    summary = {
        "url": url,
        **g.shape,
        "roots": g.roots,
        "schema_s": round(t_schema - t0, 2),
        "generate_s": round(t_gen - t_schema, 2),
        "load_s": round(t_load - t_gen, 2),
        "tag_counts_s": round(t_counts - t_load, 2),
        "analyze_s": round(t_end - t_counts, 2),
        "total_s": round(t_end - t0, 2),
    }
    return summary, g


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dialect", choices=["pg", "sqlite"], required=True)
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--pg-db", default="gg_bench_graph")
    parser.add_argument("--path", type=Path, help="SQLite file (sqlite only)")
    args = parser.parse_args()
    summary, _ = asyncio.run(
        seed_graph(args.dialect, args.count, args.edges, args.pg_db, args.path)
    )
    print(json.dumps(summary, indent=2, default=str))


if __name__ == "__main__":
    main()
