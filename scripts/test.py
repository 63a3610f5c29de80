"""Runs the test suite on SQLite and again on a fresh PostgreSQL database created for the run,
whenever PostgreSQL answers at CATALOG_TEST_PG_ADMIN_URL (default 127.0.0.1:5432).

- PostgreSQL not reachable: the run says so plainly and counts as the SQLite result, unless CI is
  set (or GLAREGRAPH_TEST_POSTGRES=1): then it fails, as PostgreSQL is part of the job.
- GLAREGRAPH_TEST_POSTGRES=0: SQLite only, without asking PostgreSQL.
- CATALOG_TEST_DATABASE_URL set: one run on exactly that database.
- CATALOG_TEST_PG_DB_PREFIX: the name prefix of the throw-away database (default
  `glaregraph_test_`), for servers where only some names may be created.

Arguments are passed on to pytest.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from urllib.parse import urlsplit, urlunsplit

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


def shown(url: str) -> str:
    """`url` without its password: it is printed."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def pytest(env: dict[str, str], label: str) -> int:
    print(f"\n=== test suite on {label} ===", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", *sys.argv[1:]], env=env)


def create_database(name: str) -> Exception | None:
    """None when the database was made; else why PostgreSQL could not be used."""
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any failure means: no PostgreSQL run here
        return exc
    return None


def on_postgresql(env: dict[str, str], required: bool) -> int | None:
    """The PostgreSQL run's status; None when PostgreSQL is not reachable and not required."""
    prefix = env.get("CATALOG_TEST_PG_DB_PREFIX", "glaregraph_test_")
    name = f"{prefix}{uuid.uuid4().hex[:10]}"
    problem = create_database(name)
    if problem is not None:
        where = shown(ADMIN_URL)
        if required:
            print(f"PostgreSQL at {where} is unreachable: {problem}", file=sys.stderr)
            return 1
        print(f"\nPostgreSQL not reachable at {where}: the suite ran on SQLite only ({problem})")
        return None
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        return pytest({**env, "CATALOG_TEST_DATABASE_URL": f"{base}/{name}"}, "PostgreSQL")
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> int:
    env = dict(os.environ)
    if env.get("CATALOG_TEST_DATABASE_URL"):
        return pytest(env, shown(env["CATALOG_TEST_DATABASE_URL"]))
    env.pop("CATALOG_TEST_DATABASE_URL", None)
    status = pytest(env, "SQLite")
    choice = env.get("GLAREGRAPH_TEST_POSTGRES")
    if choice == "0":
        print("\nGLAREGRAPH_TEST_POSTGRES=0: the suite ran on SQLite only")
        return status
    pg_status = on_postgresql(env, required=bool(env.get("CI")) or choice == "1")
    return status or (pg_status or 0)


if __name__ == "__main__":
    raise SystemExit(main())
