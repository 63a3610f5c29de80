"""Seeds a benchmark database with N artifacts through the server's own tables.

Rows are shaped as `glaregraph.catalog.writing.create_artifact` stores them: base columns, a
`data` document keyed by snake-case field name (integers as numbers, dicts and lists as JSON,
`min_ram`/`min_disk`/murano `type` defaults filled in), `meta` as a string->string object,
tags in `artifact_tags`. The schema comes from `migrations.upgrade()`, the per-type expression
indexes and (PostgreSQL) extended statistics from the server's own `ensure_type_indexes()`, both
before the load; after it one ANALYZE, as autovacuum would run on a real deployment.

    python benchmarks/seed.py --dialect pg --count 100000        # database glaregraph_bench
    python benchmarks/seed.py --dialect sqlite --count 10000 --path /tmp/x.db
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
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PG_ADMIN_DSN, pg_url, sqlite_url

from glaregraph import migrations
from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.database.indexes import ensure_type_indexes
from glaregraph.catalog.database.tables import artifact_shares, artifact_tags, artifacts
from glaregraph.catalog.typedef.loader import load_registry
from glaregraph.catalog.versions import version_key

BATCH = 5000
PROJECTS = [f"project-{i:02d}" for i in range(10)]
USERS = [f"user-{i:02d}" for i in range(40)]
TYPE_MIX = [  # (type, share of artifacts, name stem)
    ("image", 0.40, "img"),
    ("dataset", 0.20, "ds"),
    ("model", 0.15, "mdl"),
    ("heat_template", 0.15, "heat"),
    ("murano_package", 0.10, "pkg"),
]
TAGS = [
    "prod", "staging", "dev", "test", "gpu", "cpu", "arm", "x86", "lts", "edge", "beta",
    "deprecated", "golden", "hardened", "minimal", "cloud-init", "nightly", "release", "eu",
    "us", "apac", "pci", "hipaa", "internal", "external", "ml", "nlp", "vision", "tabular",
    "audio", "k8s", "vm", "bare-metal", "windows", "linux", "bsd", "security", "network",
    "storage", "database", "web", "batch", "stream", "cache", "queue", "monitoring", "logging",
    "backup", "ci", "cd",
]  # fmt: skip
DISK_FORMATS = (["qcow2"] * 40 + ["raw"] * 25 + ["vmdk"] * 10 + ["iso"] * 8 + ["vhd"] * 5
                + ["vhdx", "vdi", "ploop", "ami", "ari", "aki"] * 2)  # fmt: skip
CONTAINER_FORMATS = ["bare"] * 70 + ["ovf"] * 10 + ["docker"] * 10 + ["ova", "ami", "ari", "aki"]
DISTROS = {
    "ubuntu": ["20.04", "22.04", "24.04"],
    "debian": ["11", "12", "13"],
    "fedora": ["39", "40", "41"],
    "centos": ["8", "9"],
    "rhel": ["8.9", "9.4"],
    "windows": ["2019", "2022"],
    "cirros": ["0.6.2"],
}
ARCHES = ["x86_64"] * 8 + ["aarch64", "ppc64le"]
RAM_STEPS = [0, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]
VERSIONS = ["1.0.0", "1.1.0", "1.2.0", "2.0.0", "2.1.0-rc.1"]
META_KEYS = ["team", "cost_center", "env", "source", "ticket", "reviewed_by"]
FRAMEWORKS = ["pytorch", "tensorflow", "onnx", "jax", "sklearn", "xgboost"]
TASKS = ["classification", "translation", "detection", "segmentation", "summarization", "asr"]
FORMATS = ["csv", "parquet", "jsonl", "tfrecord", "arrow"]
LICENSES = ["CC-BY-4.0", "CC0-1.0", "MIT", "Apache-2.0", "proprietary"]
EPOCH = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def _type_of(rng: random.Random) -> tuple[str, str]:
    x = rng.random()
    for name, share, stem in TYPE_MIX:
        if x < share:
            return name, stem
        x -= share
    return TYPE_MIX[0][0], TYPE_MIX[0][2]


def _data(type_name: str, rng: random.Random) -> dict[str, Any]:
    if type_name == "image":
        distro = rng.choice(list(DISTROS))
        doc: dict[str, Any] = {
            "container_format": rng.choice(CONTAINER_FORMATS),
            "disk_format": rng.choice(DISK_FORMATS),
            "min_ram": rng.choice(RAM_STEPS) if rng.random() < 0.7 else rng.randint(0, 65536),
            "min_disk": rng.randint(0, 200),
            "architecture": rng.choice(ARCHES),
            "os_distro": distro,
            "os_version": rng.choice(DISTROS[distro]),
        }
        if rng.random() < 0.2:
            doc["instance_uuid"] = str(uuid.UUID(int=rng.getrandbits(128)))
        return doc
    if type_name == "dataset":
        return {
            "format": rng.choice(FORMATS),
            "license": rng.choice(LICENSES),
            "source_url": f"https://data.example.org/sets/{rng.getrandbits(32):08x}",
            "rows": rng.randint(100, 5_000_000_000),
        }
    if type_name == "model":
        return {
            "framework": rng.choice(FRAMEWORKS),
            "task": rng.choice(TASKS),
            "metrics": {
                "accuracy": round(rng.uniform(0.5, 0.99), 4),
                "f1": round(rng.uniform(0.4, 0.95), 4),
            },
        }
    if type_name == "heat_template":
        return {"default_envs": {"flavor": rng.choice(["m1.small", "m1.large"]), "net": "private"}}
    return {
        "type": rng.choice(["Application"] * 4 + ["Library"]),
        "display_name": f"Package {rng.getrandbits(24):06x}",
        "categories": rng.sample(["Web", "Databases", "Monitoring", "Security", "Dev"], 2),
        "class_definitions": [f"io.example.Class{j}" for j in range(rng.randint(1, 3))],
        "inherits": {"io.example.Class0": "io.murano.Application"},
        "keywords": rng.sample(["web", "db", "cache", "http", "sql", "nosql"], 3),
    }


def make_rows(count: int, seed: int = 42) -> tuple[list[dict], list[dict], list[dict], list[str]]:
    """(artifact rows, tag rows, share rows, some image names) for `count` artifacts."""
    rng = random.Random(seed)
    rows, tag_rows, share_rows, image_names = [], [], [], []
    counters: dict[str, int] = {}
    for _ in range(count):
        type_name, stem = _type_of(rng)
        n = counters.get(type_name, 0)
        counters[type_name] = n + 1
        # each name has up to 5 versions, all in one project
        name = f"{stem}-{n // len(VERSIONS):06d}"
        version = VERSIONS[n % len(VERSIONS)]
        owner = PROJECTS[(n // len(VERSIONS)) % len(PROJECTS)]
        r = rng.random()
        status = "ACTIVE" if r < 0.6 else "DRAFTED" if r < 0.93 else "DEACTIVATED"
        if rng.random() < 0.01:
            status = "DELETED"
        v = rng.random()
        visibility = "PRIVATE"
        if status == "ACTIVE" and v < 0.12 and n % len(VERSIONS) == 0:
            visibility = "PUBLIC"  # one public version per name keeps the public index unique
        elif v > 0.93:
            visibility = "SHARED"
        created = EPOCH - dt.timedelta(seconds=rng.randint(0, 730 * 86400))
        updated = created + dt.timedelta(seconds=rng.randint(0, 30 * 86400))
        activated = updated if status in ("ACTIVE", "DEACTIVATED") else None
        artifact_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        meta = {k: f"{k}-{rng.randint(1, 20)}" for k in rng.sample(META_KEYS, rng.randint(1, 4))}
        rows.append(
            {
                "id": artifact_id,
                "type_name": type_name,
                "name": name,
                "version": version,
                "version_key": version_key(version),
                "description": f"{type_name} {name} {version}" if rng.random() < 0.5 else None,
                "owner": owner,
                "created_by": rng.choice(USERS),
                "visibility": visibility,
                "status": status,
                "revision": rng.randint(1, 5),
                "created_at": created,
                "updated_at": updated,
                "activated_at": activated,
                "data": _data(type_name, rng),
                "meta": meta,
            }
        )
        for tag in sorted(rng.sample(TAGS, rng.randint(2, 5))):
            tag_rows.append({"artifact_id": artifact_id, "tag": tag})
        if visibility == "SHARED":
            for project in rng.sample([p for p in PROJECTS if p != owner], rng.randint(1, 2)):
                share_rows.append({"artifact_id": artifact_id, "project": project})
        if type_name == "image" and status != "DELETED" and len(image_names) < 2000:
            image_names.append(name)
    return rows, tag_rows, share_rows, image_names


async def recreate_pg_database(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=10)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def prepare(db: Database, url: str) -> None:
    """The schema (`migrations.upgrade()`) and the server's own `ensure_type_indexes()`."""
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: migrations.upgrade(url, connection=c))
    await ensure_type_indexes(db, load_registry())


async def insert_rows(db: Database, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """`rows` into `table`, BATCH rows per `executemany`, each batch committed."""
    for start in range(0, len(rows), BATCH):
        async with db.write() as conn:
            await conn.execute(sa.insert(table), rows[start : start + BATCH])


async def analyze(db: Database) -> None:
    """One ANALYZE of the whole database, as autovacuum would run after a bulk load."""
    if db.is_sqlite:
        async with db.write() as conn:  # committed: sqlite_stat1 is a table
            await conn.exec_driver_sql("ANALYZE")
    else:
        async with db.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql("ANALYZE")


async def seed(url: str, count: int) -> dict[str, Any]:
    """Migrate, `ensure_type_indexes()`, load `count` artifacts, ANALYZE; returns timings and
    sample names."""
    t0 = time.perf_counter()
    db = Database(url)
    try:
        await prepare(db, url)
        t_schema = time.perf_counter()
        rows, tag_rows, share_rows, names = make_rows(count)
        t_gen = time.perf_counter()
        for table, batch_rows in (
            (artifacts, rows),
            (artifact_tags, tag_rows),
            (artifact_shares, share_rows),
        ):
            await insert_rows(db, table, batch_rows)
        t_load = time.perf_counter()
        await analyze(db)
        t_end = time.perf_counter()
    finally:
        await db.dispose()
    return {
        "count": count,
        "tags": len(tag_rows),
        "schema_s": t_schema - t0,
        "generate_s": t_gen - t_schema,
        "load_s": t_load - t_gen,
        "analyze_s": t_end - t_load,
        "total_s": t_end - t0,
        "rows_per_s": count / (t_load - t_gen),
        "image_names": names,
    }


def reset_sqlite_file(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)


async def seed_target(dialect: str, count: int, path: Path | None, pg_db: str) -> dict[str, Any]:
    if dialect == "pg":
        await recreate_pg_database(pg_db)
        url = pg_url(pg_db)
    else:
        assert path is not None
        reset_sqlite_file(path)
        url = sqlite_url(path)
    result = await seed(url, count)
    result["url"] = url
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dialect", choices=["pg", "sqlite"], required=True)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--path", type=Path, help="SQLite file (sqlite only)")
    parser.add_argument("--pg-db", default="glaregraph_bench", help="database name (pg only)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    result = asyncio.run(seed_target(args.dialect, args.count, args.path, args.pg_db))
    if args.json:
        print(json.dumps(result))
    else:
        summary = {k: v for k, v in result.items() if k != "image_names"}
        print(json.dumps(summary, indent=2, default=str))


if __name__ == "__main__":
    main()
