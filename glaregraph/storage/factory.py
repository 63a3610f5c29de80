"""make_store: the blob store a server's settings name, built from plain values. Kept out of the
package's __init__ because it imports the S3 store, and with it minio."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from glaregraph.storage.local import LocalStore
from glaregraph.storage.s3 import S3Store


def make_store(
    kind: Literal["local", "s3"],
    *,
    blob_dir: Path,
    public_url: str,
    signing_key: bytes | None = None,
    s3_endpoint: str = "http://127.0.0.1:9000",
    s3_public_endpoint: str | None = None,
    s3_access_key: str = "",
    s3_secret_key: str = "",
    s3_bucket: str = "glaregraph",
    s3_region: str = "us-east-1",
    part_size: int = 8 * 1024 * 1024,
) -> LocalStore | S3Store:
    """The store the settings name, not yet opened (call `await store.open()`). The local store
    without a key uses (or creates) <blob_dir>/.signing-key, shared by every worker."""
    if kind == "local":
        key = signing_key or LocalStore.load_or_create_key(blob_dir)
        return LocalStore(blob_dir, public_url, key)
    if kind == "s3":
        return S3Store(
            s3_endpoint,
            s3_access_key,
            s3_secret_key,
            s3_bucket,
            region=s3_region,
            public_endpoint=s3_public_endpoint,
            part_size=part_size,
        )
    raise ValueError(f"unknown blob store {kind!r}")
