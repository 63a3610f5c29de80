"""Seeds the "real caller" scenario: N `heat_template` artifacts with tags, metadata, shares and
aliases, shaped as the server stores them.

Same approach as seed.py (whose steps it reuses): `migrations.upgrade()` and the server's
`ensure_type_indexes()` before the load, batches of 5,000 rows through the server's own tables,
one ANALYZE after it. Rows:

- names `heat-NNNNNN`, 3-5 versions each (`1.0.0` .. `2.1.0-rc.1`), all versions of a name in
  one of 10 projects (`project-00` .. `project-09`), created one after another;
- `created_at` spread over two years with microseconds, so "newest first" is one order;
- 60 % ACTIVE / 33 % DRAFTED / 6 % DEACTIVATED / 1 % DELETED; ≈ 12 % PUBLIC (ACTIVE only),
  ≈ 15 % SHARED with 1-3 other projects (`project-03`, the member's, with ≈ 40 % of them);
- 2-5 tags, 1-4 metadata keys, `data.default_envs` (a dict of strings) on ≈ 60 % of the rows,
  `{}` on the others (no field set: what a create without `defaultEnvs` stores);
- aliases per name: `stable` on a random ACTIVE version of ≈ 50 % of the names, `latest-good`
  on the newest ACTIVE version of ≈ 40 %.

    python benchmarks/real_seed.py --dialect pg --count 100000   # glaregraph_bench_real_100k
    python benchmarks/real_seed.py --dialect sqlite --count 1000 --path /tmp/real-1k.db
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
from common import MEMBER_PROJECT, pg_url, sqlite_url

from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.database.tables import aliases, artifact_shares, artifact_tags, artifacts
from glaregraph.catalog.versions import version_key

TYPE = "heat_template"
ENV_KEYS = ["flavor", "image", "network", "key_name", "availability_zone", "volume_size"]
ENV_VALUES = ["m1.small", "m1.large", "ubuntu-24.04", "private", "default", "nova", "20", "40"]
MEMBER_SHARE = 0.4  # share of SHARED artifacts that name the member's project


@dataclass
class RealRows:
    """Everything one seed inserts, plus ids the member may see (for the get requests) and some
    it may not (the check that both servers answer null for them)."""

    artifacts: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, Any]] = field(default_factory=list)
    shares: list[dict[str, Any]] = field(default_factory=list)
    aliases: list[dict[str, Any]] = field(default_factory=list)
    visible_ids: list[str] = field(default_factory=list)
    hidden_ids: list[str] = field(default_factory=list)


def pg_database(count: int) -> str:
    """`glaregraph_bench_real_1k`, `glaregraph_bench_real_100k`, ..."""
    return f"glaregraph_bench_real_{count // 1000}k"


def _status(rng: random.Random) -> str:
    r = rng.random()
    status = "ACTIVE" if r < 0.6 else "DRAFTED" if r < 0.93 else "DEACTIVATED"
    return "DELETED" if rng.random() < 0.01 else status


def _visibility(rng: random.Random, status: str) -> str:
    v = rng.random()
    if status == "ACTIVE" and v < 0.2:
        return "PUBLIC"
    if v > 0.85:
        return "SHARED"
    return "PRIVATE"


def _share_projects(rng: random.Random, owner: str) -> list[str]:
    others = [p for p in seed.PROJECTS if p not in (owner, MEMBER_PROJECT)]
    chosen = rng.sample(others, rng.randint(1, 2))
    if owner != MEMBER_PROJECT and rng.random() < MEMBER_SHARE:
        chosen.append(MEMBER_PROJECT)
    return sorted(chosen)


def _default_envs(rng: random.Random) -> dict[str, Any]:
    if rng.random() >= 0.6:
        return {}
    keys = rng.sample(ENV_KEYS, rng.randint(1, 4))
    return {"default_envs": {k: rng.choice(ENV_VALUES) for k in keys}}


def _sees(row: dict[str, Any], shared_with: list[str]) -> bool:
    """The member rule of glaregraph/catalog/authz/visibility.py, on one generated row."""
    if row["status"] == "DELETED":
        return False
    return (
        row["owner"] == MEMBER_PROJECT
        or row["visibility"] == "PUBLIC"
        or (row["visibility"] == "SHARED" and MEMBER_PROJECT in shared_with)
    )


def _artifact(
    rng: random.Random, name: str, version: str, owner: str, created: dt.datetime
) -> dict[str, Any]:
    status = _status(rng)
    updated = created + dt.timedelta(seconds=rng.randint(0, 30 * 86400))
    meta_keys = rng.sample(seed.META_KEYS, rng.randint(1, 4))
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "type_name": TYPE,
        "name": name,
        "version": version,
        "version_key": version_key(version),
        "description": f"Heat template {name} {version}" if rng.random() < 0.5 else None,
        "owner": owner,
        "created_by": rng.choice(seed.USERS),
        "visibility": _visibility(rng, status),
        "status": status,
        "revision": rng.randint(1, 5),
        "created_at": created,
        "updated_at": updated,
        "activated_at": updated if status in ("ACTIVE", "DEACTIVATED") else None,
        "data": _default_envs(rng),
        "meta": {k: f"{k}-{rng.randint(1, 20)}" for k in meta_keys},
    }


def _aliases(rng: random.Random, versions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    active = [r for r in versions if r["status"] == "ACTIVE"]
    if not active:
        return []
    out = []
    for alias, share, pick in (
        ("stable", 0.5, rng.choice(active)),
        ("latest-good", 0.4, max(active, key=lambda r: r["version_key"])),
    ):
        if rng.random() < share:
            out.append(
                {
                    "owner": pick["owner"],
                    "type_name": TYPE,
                    "name": pick["name"],
                    "alias": alias,
                    "artifact_id": pick["id"],
                }
            )
    return out


def make_real_rows(count: int, seed_value: int = 7) -> RealRows:
    """`count` heat templates (names of 3-5 versions) and their related rows."""
    rng = random.Random(seed_value)
    out = RealRows()
    n = 0
    while len(out.artifacts) < count:
        name = f"heat-{n:06d}"
        owner = seed.PROJECTS[n % len(seed.PROJECTS)]
        n += 1
        created = seed.EPOCH - dt.timedelta(
            seconds=rng.randint(60 * 86400, 730 * 86400), microseconds=rng.randint(0, 999_999)
        )
        versions = []
        for version in seed.VERSIONS[: min(rng.randint(3, 5), count - len(out.artifacts))]:
            created += dt.timedelta(seconds=rng.randint(3600, 20 * 86400))
            row = _artifact(rng, name, version, owner, created)
            versions.append(row)
            out.artifacts.append(row)
            for tag in sorted(rng.sample(seed.TAGS, rng.randint(2, 5))):
                out.tags.append({"artifact_id": row["id"], "tag": tag})
            shared_with = _share_projects(rng, owner) if row["visibility"] == "SHARED" else []
            out.shares += [{"artifact_id": row["id"], "project": p} for p in shared_with]
            if _sees(row, shared_with):
                out.visible_ids.append(row["id"])
            elif len(out.hidden_ids) < 20:
                out.hidden_ids.append(row["id"])
        out.aliases += _aliases(rng, versions)
    return out


async def seed_real(url: str, count: int) -> tuple[dict[str, Any], RealRows]:
    """Migrate, `ensure_type_indexes()`, load, ANALYZE; (timings and row counts, the rows)."""
    t0 = time.perf_counter()
    db = Database(url)
    try:
        await seed.prepare(db, url)
        t_schema = time.perf_counter()
        rows = make_real_rows(count)
        t_gen = time.perf_counter()
        for table, batch in (
            (artifacts, rows.artifacts),
            (artifact_tags, rows.tags),
            (artifact_shares, rows.shares),
            (aliases, rows.aliases),
        ):
            await seed.insert_rows(db, table, batch)
        t_load = time.perf_counter()
        await seed.analyze(db)
        t_end = time.perf_counter()
    finally:
        await db.dispose()
    summary = {
        "count": count,
        "tags": len(rows.tags),
        "shares": len(rows.shares),
        "aliases": len(rows.aliases),
        "member_visible": len(rows.visible_ids),
        "load_s": t_load - t_gen,
        "total_s": t_end - t0,
        "schema_s": t_schema - t0,
        "rows_per_s": count / (t_load - t_gen),
    }
    return summary, rows


async def seed_real_target(
    dialect: str, count: int, path: Path | None
) -> tuple[dict[str, Any], RealRows]:
    """Seed a new PostgreSQL database (`pg_database(count)`, dropped and recreated) or a new
    SQLite file at `path`; the summary carries the URL."""
    if dialect == "pg":
        await seed.recreate_pg_database(pg_database(count))
        url = pg_url(pg_database(count))
    else:
        assert path is not None
        seed.reset_sqlite_file(path)
        url = sqlite_url(path)
    summary, rows = await seed_real(url, count)
    summary["url"] = url
    return summary, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dialect", choices=["pg", "sqlite"], required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--path", type=Path, help="SQLite file (sqlite only)")
    args = parser.parse_args()
    summary, _ = asyncio.run(seed_real_target(args.dialect, args.count, args.path))
    print(json.dumps(summary, indent=2, default=str))


if __name__ == "__main__":
    main()
