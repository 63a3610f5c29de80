"""Runs the test suite on SQLite and, when CI is set (or GLAREGRAPH_TEST_POSTGRES=1), again on a
fresh PostgreSQL database created for the run (CATALOG_TEST_PG_ADMIN_URL, default 127.0.0.1:5432).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid

ADMIN_URL = os.environ.get(
    "CATALOG_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(ADMIN_URL, timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def pytest(env: dict[str, str], label: str) -> int:
    print(f"\n=== test suite on {label} ===", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", *sys.argv[1:]], env=env)


def main() -> int:
    env = dict(os.environ)
    if env.get("CATALOG_TEST_DATABASE_URL"):
        return pytest(env, env["CATALOG_TEST_DATABASE_URL"])
    env.pop("CATALOG_TEST_DATABASE_URL", None)
    status = pytest(env, "SQLite")
    if not (env.get("CI") or env.get("GLAREGRAPH_TEST_POSTGRES") == "1"):
        return status
    name = f"glaregraph_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        print(f"PostgreSQL at {ADMIN_URL} is unreachable: {exc}", file=sys.stderr)
        return 1
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        pg_status = pytest({**env, "CATALOG_TEST_DATABASE_URL": f"{base}/{name}"}, "PostgreSQL")
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return status or pg_status


if __name__ == "__main__":
    raise SystemExit(main())
