"""Calls into the blob store from the use cases: the configured store (or STORAGE_UNAVAILABLE),
store failures turned into catalog errors, and best-effort clean-ups after a commit."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TypeVar

from glaregraph.catalog.blobs.config import BlobConfig
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.errors import StorageUnavailable
from glaregraph.storage import PartsInvalid, StorageError

log = logging.getLogger(__name__)
T = TypeVar("T")


def config(catalog: Catalog) -> BlobConfig:
    if catalog.blobs is None:
        raise StorageUnavailable("this server has no blob store configured")
    return catalog.blobs


async def call(awaitable: Awaitable[T]) -> T:
    """A store operation whose failure the client should see as STORAGE_UNAVAILABLE (refusals
    that are the client's doing, such as PartsInvalid, pass through for the caller to judge)."""
    try:
        return await awaitable
    except PartsInvalid:
        raise
    except StorageError as exc:
        log.warning("blob store call failed: %s", exc)
        raise StorageUnavailable("the blob store did not answer; try again") from exc


async def tidy(awaitable: Awaitable[object], what: str) -> None:
    """A clean-up after the database already says what is true (garbage collection retries
    what fails here)."""
    try:
        await awaitable
    except StorageError as exc:
        log.warning("blob store clean-up (%s) failed; gc will retry: %s", what, exc)
