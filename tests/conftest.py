"""Shared fixtures: a real database (SQLite, or PostgreSQL via CATALOG_TEST_DATABASE_URL), the
real ASGI app with static tokens, and a small GraphQL client."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from s3gateway import Gateway, start_gateway
from starlette.applications import Starlette

from glaregraph import migrations
from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.database.indexes import ensure_type_indexes
from glaregraph.catalog.database.tables import metadata
from glaregraph.catalog.typedef.loader import load_registry
from glaregraph.server.app import create_app
from glaregraph.server.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_TYPES = FIXTURES / "types"
TOKENS = {
    "admin": "admin-token",
    "alice": "alice-token",
    "carol": "carol-token",
    "bob": "bob-token",
    "dave": "dave-token",
    "anon": None,
}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("CATALOG_TEST_DATABASE_URL")
    if not url:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'catalog.db'}"
    return url


@pytest.fixture(scope="session")
async def migrated(database_url: str) -> AsyncIterator[str]:
    db = Database(database_url)
    if not db.is_sqlite:  # a fresh schema for this run
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            await conn.exec_driver_sql("CREATE SCHEMA public")
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: migrations.upgrade(database_url, connection=c))
    await ensure_type_indexes(db, load_registry())
    await ensure_type_indexes(db, load_registry(SAMPLE_TYPES))
    yield database_url
    await db.dispose()


# The local blob store of every test app; its signed URLs name the ASGI test client's host, so
# tests send presigned requests through that same client.
BLOB_DIR = Path(tempfile.mkdtemp(prefix="glaregraph-test-blobs-"))
PUBLIC_URL = "http://test"


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "auth": "static",
        "static_tokens": FIXTURES / "tokens.yaml",
        "local_storage_dir": BLOB_DIR,
        "public_url": PUBLIC_URL,
        "signing_key": "test-signing-key",
        **overrides,
    }
    return Settings(**values)


@pytest.fixture(scope="session")
def s3_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """A real S3-compatible server (juicefs gateway), started once when a test first asks."""
    gateway = start_gateway(tmp_path_factory.mktemp("s3"))
    yield gateway
    gateway.stop()


@pytest.fixture(scope="session", autouse=True)
def _remove_blob_dir() -> Iterator[None]:
    yield
    shutil.rmtree(BLOB_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
async def app(migrated: str) -> AsyncIterator[Starlette]:
    application = create_app(make_settings(migrated))
    await application.state.catalog.blobs.store.open()  # what the lifespan does when served
    yield application
    await application.state.catalog.db.dispose()


@pytest.fixture(scope="session")
async def sample_app(migrated: str) -> AsyncIterator[Starlette]:
    application = create_app(make_settings(migrated, types=SAMPLE_TYPES))
    await application.state.catalog.blobs.store.open()
    yield application
    await application.state.catalog.db.dispose()


@pytest.fixture(autouse=True)
async def clean_tables(migrated: str) -> AsyncIterator[None]:
    yield
    db = Database(migrated)
    async with db.write() as conn:
        for table in reversed(metadata.sorted_tables):
            await conn.execute(sa.delete(table))
    await db.dispose()


class GraphQLClient:
    """Posts GraphQL documents to the app as one of the test principals."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, as_: str = "alice", **extra: Any
    ) -> httpx.Response:
        headers = {"authorization": f"Bearer {TOKENS[as_]}"} if TOKENS[as_] else {}
        body = {"query": query, "variables": variables, **extra}
        return await self.http.post("/graphql", json=body, headers=headers)

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, as_: str = "alice"
    ) -> dict[str, Any]:
        """The JSON body; asserts the request succeeded without errors."""
        response = await self.post(query, variables, as_)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body
        return body["data"]

    async def error(
        self, query: str, variables: dict[str, Any] | None = None, as_: str = "alice"
    ) -> dict[str, Any]:
        """The first error's `extensions` (asserting there is one)."""
        body = (await self.post(query, variables, as_)).json()
        assert body.get("errors"), body
        return body["errors"][0]["extensions"]


@pytest.fixture
async def gql(app: Starlette) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield GraphQLClient(http)


@pytest.fixture
async def sample_gql(sample_app: Starlette) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=sample_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield GraphQLClient(http)
