"""`scripts/test.py` as a developer runs it: on PostgreSQL too whenever one answers, a plain
sentence when none does, and a failure in CI without it. Each run here is one small test."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

ROOT = Path(__file__).parent.parent
SCRIPT = ROOT / "scripts" / "test.py"
ONE_TEST = "tests/server/test_cli.py::test_types_check_accepts_the_test_types"
ADMIN_URL = os.environ.get(
    "CATALOG_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once the socket is closed


def _run(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "CATALOG_TEST_DATABASE_URL")}
    clean.pop("GLAREGRAPH_TEST_POSTGRES", None)
    return subprocess.run(
        [sys.executable, str(SCRIPT), ONE_TEST, "-q", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**clean, **env},
        timeout=300,
    )


def _unreachable() -> str:
    return f"postgresql://postgres:pw@127.0.0.1:{_closed_port()}/postgres"


def test_without_postgresql_the_run_says_it_was_sqlite_only():
    url = _unreachable()
    result = _run(CATALOG_TEST_PG_ADMIN_URL=url)
    assert result.returncode == 0, result.stdout + result.stderr
    shown = url.replace(":pw@", ":***@")
    assert f"PostgreSQL not reachable at {shown}: the suite ran on SQLite only" in result.stdout
    assert "=== test suite on SQLite ===" in result.stdout
    assert "=== test suite on PostgreSQL ===" not in result.stdout
    assert ":pw@" not in result.stdout + result.stderr


@pytest.mark.parametrize("flag", [{"CI": "true"}, {"GLAREGRAPH_TEST_POSTGRES": "1"}])
def test_in_ci_a_missing_postgresql_fails_the_run(flag):
    result = _run(CATALOG_TEST_PG_ADMIN_URL=_unreachable(), **flag)
    assert result.returncode == 1
    assert "is unreachable" in result.stderr


def test_postgresql_can_be_left_out_on_purpose():
    result = _run(GLAREGRAPH_TEST_POSTGRES="0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the suite ran on SQLite only" in result.stdout
    assert "=== test suite on PostgreSQL ===" not in result.stdout


async def _postgresql_answers() -> bool:
    try:
        conn = await asyncpg.connect(ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


def test_a_reachable_postgresql_is_used_without_ci():
    if not asyncio.run(_postgresql_answers()):
        pytest.skip(f"no PostgreSQL at {ADMIN_URL}")
    result = _run(CATALOG_TEST_PG_ADMIN_URL=ADMIN_URL, CATALOG_TEST_PG_DB_PREFIX="gg_boundary_")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "=== test suite on SQLite ===" in result.stdout
    assert "=== test suite on PostgreSQL ===" in result.stdout
    assert result.stdout.count("1 passed") == 2
    assert "not reachable" not in result.stdout


def test_a_given_database_url_is_the_only_run(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/given.db"
    result = _run(CATALOG_TEST_DATABASE_URL=url, CATALOG_TEST_PG_ADMIN_URL=_unreachable())
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"=== test suite on {url} ===" in result.stdout
    assert "PostgreSQL" not in result.stdout
