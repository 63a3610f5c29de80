"""The HTTP server as a client meets it: `/readyz` says ready or not without the database's
error text."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from conftest import make_settings

from glaregraph.server.app import create_app


def _unreachable_databases(tmp: Path) -> dict[str, str]:
    with_port = "postgresql+asyncpg://readyz-user:s3cret@127.0.0.1:1/readyz_db"
    return {
        "postgresql on a closed port": with_port,
        "sqlite in a missing directory": f"sqlite+aiosqlite:///{tmp}/missing-dir/catalog.db",
    }


async def _readyz(app) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get("/readyz")


@pytest.mark.parametrize("which", ["postgresql on a closed port", "sqlite in a missing directory"])
async def test_readyz_says_unavailable_without_the_error_text(tmp_path, caplog, which):
    url = _unreachable_databases(tmp_path)[which]
    app = create_app(make_settings(url))
    try:
        with caplog.at_level(logging.WARNING):
            response = await _readyz(app)
    finally:
        await app.state.catalog.db.dispose()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    for secret in ("127.0.0.1", "readyz", "s3cret", "missing-dir", "Errno", "refused", "open"):
        assert secret not in response.text
    logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged, "the reason must reach the server log"
    assert any(r.exc_info or "database" in r.getMessage() for r in logged)


async def test_readyz_says_ok_when_the_database_answers(app):
    response = await _readyz(app)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
