"""SQL statements per mutation: every mutation of the API sent once through the real app
(in-process, dev auth), counting what reaches the driver (`before_cursor_execute`; on SQLite
this includes the `BEGIN IMMEDIATE` of each write transaction).

    python benchmarks/mutation_statements.py [--dialect sqlite|pg] [--json]

Each mutation selects `{ id revision }` (so the count is the mutation's own, not its answer's);
`imageCreate+tags` also selects `tags`, which a create answers without another statement.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PG_ADMIN_DSN, pg_url

from glaregraph import migrations
from glaregraph.server.app import create_app
from glaregraph.server.settings import Settings

ID = "{ id revision }"
STEPS: list[tuple[str, str]] = [
    ("imageCreate", 'imageCreate(input: {name: "n", version: "2.0.0", tags: ["a", "b"]}) ' + ID),
    (
        "imageCreate+tags",
        'imageCreate(input: {name: "n", version: "3.0.0", tags: ["a", "b"]}) { id tags }',
    ),
    ("imageUpdate", 'imageUpdate(id: "$A", input: {osDistro: "x", minRam: 2}) ' + ID),
    ("artifactTagsAdd", 'artifactTagsAdd(id: "$A", tags: ["c"]) ' + ID),
    ("artifactTagsRemove", 'artifactTagsRemove(id: "$A", tags: ["c"]) ' + ID),
    ("artifactMetadataSet", 'artifactMetadataSet(id: "$A", entries: {k: "v"}) ' + ID),
    ("artifactMetadataRemove", 'artifactMetadataRemove(id: "$A", keys: ["k"]) ' + ID),
    ("aliasSet (new)", 'aliasSet(id: "$A", alias: "stable") ' + ID),
    ("aliasSet (move)", 'aliasSet(id: "$B", alias: "stable") ' + ID),
    ("aliasRemove", 'aliasRemove(id: "$B", alias: "stable") ' + ID),
    ("artifactShare", 'artifactShare(id: "$A", project: "p2") ' + ID),
    ("artifactUnshare", 'artifactUnshare(id: "$A", project: "p2") ' + ID),
    ("artifactActivate", 'artifactActivate(id: "$A") ' + ID),
    ("artifactPublish", 'artifactPublish(id: "$A") ' + ID),
    ("artifactDeactivate", 'artifactDeactivate(id: "$A") ' + ID),
    ("artifactReactivate", 'artifactReactivate(id: "$A") ' + ID),
    ("artifactDelete", 'artifactDelete(id: "$B")'),
]
SEED = (
    'imageCreate(input: {{name: "n", version: "{v}", containerFormat: "bare", diskFormat: "raw"}})'
    " {{ id }}"
)


async def count(url: str) -> dict[str, int]:
    app = create_app(Settings(database_url=url, auth="dev"))
    engine = app.state.catalog.db.engine.sync_engine
    seen: list[str] = []

    def listen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    out: dict[str, int] = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:

        async def run(document: str) -> dict[str, Any]:
            body = (await http.post("/graphql", json={"query": document})).json()
            if body.get("errors"):
                raise RuntimeError(body["errors"])
            return dict(body["data"])

        ids = {}
        for name, version in (("$A", "1.0.0"), ("$B", "1.5.0")):
            data = await run("mutation { " + SEED.format(v=version) + " }")
            ids[name] = data["imageCreate"]["id"]
        for label, field in STEPS:
            for name, value in ids.items():
                field = field.replace(name, value)
            seen.clear()
            await run("mutation { " + field + " }")
            out[label] = len(seen)
    await app.state.catalog.db.dispose()
    return out


async def fresh_pg() -> str:
    import asyncpg

    name = "glaregraph_bench_mutations"
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return pg_url(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dialect", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.dialect == "pg":
            url = asyncio.run(fresh_pg())
        else:
            url = f"sqlite+aiosqlite:///{tmp}/catalog.db"
        migrations.upgrade(url)
        counts = asyncio.run(count(url))
    if args.json:
        print(json.dumps(counts))
        return
    for label, n in counts.items():
        print(f"{label:24} {n}")


if __name__ == "__main__":
    main()
