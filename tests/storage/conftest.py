"""One `store` fixture over both stores (litestar's store fixture is the model): the local store
behind its /transfer/ routes on a real uvicorn server, and the S3 store on a juicefs gateway.
Both are reached by presigned URLs over real HTTP with a plain httpx client."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from s3gateway import Gateway
from servers import free_port, in_thread
from starlette.applications import Starlette

from glaregraph.server.transfer import transfer_routes
from glaregraph.storage import LocalStore
from glaregraph.storage.s3 import S3Store

PART = 5 * 1024 * 1024


@pytest.fixture(scope="session")
def local_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStore]:
    """A local store whose URLs are served by uvicorn in a thread of this process."""
    root, port = tmp_path_factory.mktemp("blobs"), free_port()
    store = LocalStore(root, f"http://127.0.0.1:{port}", LocalStore.load_or_create_key(root))
    app = Starlette(routes=transfer_routes(store))
    with in_thread(app, port):
        yield store


@pytest.fixture(scope="session")
def s3_store(s3_gateway: Gateway) -> S3Store:
    return S3Store(
        s3_gateway.endpoint,
        s3_gateway.access_key,
        s3_gateway.secret_key,
        "contract-tests",
        part_size=PART,
    )


@pytest.fixture(scope="session", params=["local", "s3"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[LocalStore | S3Store]:
    # only the parameter's backend is started: `-k local` needs no gateway
    backend: LocalStore | S3Store = request.getfixturevalue(f"{request.param}_store")
    await backend.open()
    await backend.open()  # idempotent
    yield backend
    await backend.close()


@pytest.fixture
def prefix() -> str:
    """A folder of keys no other test uses (keys() lists only this test's objects)."""
    return f"t{uuid.uuid4().hex[:12]}/"


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


@pytest.fixture
def root(local_store: LocalStore) -> Path:
    return local_store.root
