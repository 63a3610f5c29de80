"""What the audit trail adds to a create: the same create use case (one unit of work, the real
database) with and without the audit commit hook, alternating rounds in one run.

    python benchmarks/audit_overhead.py                     # SQLite in a temp dir
    python benchmarks/audit_overhead.py --url postgresql+asyncpg://postgres@127.0.0.1:5432/gg_bench_audit

Prints the median time per create of each variant and their ratio (target: audit ≤ +15 %).
The PostgreSQL database is created (fresh) and dropped by the script.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import asyncpg

from glaregraph import migrations
from glaregraph.catalog import writing
from glaregraph.catalog.audit import record_event
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.principal import Caller, Principal
from glaregraph.catalog.typedef.loader import load_registry

CALLER = Caller(Principal(user_id="u", project="p", roles=("member",)), "bench", lambda _: None)


async def _round(catalog: Catalog, n: int, start: int) -> float:
    t = catalog.type("image")
    began = time.perf_counter()
    for i in range(n):
        await writing.create_artifact(
            catalog, CALLER, t, {"name": "a", "version": f"{start + i}.0.0"}
        )
    return (time.perf_counter() - began) / n * 1000


async def main(url: str, rounds: int, n: int) -> dict[str, object]:
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: migrations.upgrade(url, connection=c))
    registry = load_registry()
    plain, audited = (
        Catalog(db=db, registry=registry),
        Catalog(db=db, registry=registry, hooks=(record_event,)),
    )
    await _round(plain, 50, 10_000_000)  # warm-up: pool, statement caches
    await _round(audited, 50, 20_000_000)
    times: dict[str, list[float]] = {"without audit": [], "with audit": []}
    start = 0
    for r in range(rounds):
        order = [("without audit", plain), ("with audit", audited)]
        for name, catalog in order if r % 2 == 0 else order[::-1]:
            times[name].append(await _round(catalog, n, start))
            start += n
    await db.dispose()
    medians = {k: statistics.median(v) for k, v in times.items()}
    return {
        "url": url.split("@")[-1],
        "ms_per_create": medians,
        "ratio": medians["with audit"] / medians["without audit"],
        "rounds": rounds,
        "creates_per_round": n,
    }


async def _fresh_pg(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()


async def _drop_pg(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("-n", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite+aiosqlite:///{Path(tmp) / 'audit.db'}"
        if url.startswith("postgresql"):
            asyncio.run(_fresh_pg(url))
        try:
            result = asyncio.run(main(url, args.rounds, args.n))
        finally:
            if url.startswith("postgresql"):
                asyncio.run(_drop_pg(url))
    print(json.dumps(result, indent=2))
