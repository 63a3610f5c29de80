"""Blob stores behind one Protocol (S3/MinIO and a local folder); a leaf that knows nothing of
the catalog. The stores arrive with the blob capability (API.md section 6).

The S3 store (glaregraph.storage.s3) and make_store (glaregraph.storage.factory) are not
imported here: importing this package must not import minio, which the catalog may not use."""

from __future__ import annotations

from glaregraph.storage.base import (
    BlobStore,
    ObjectInfo,
    ObjectMissing,
    PartsInvalid,
    PresignedRequest,
    StorageError,
    TooLarge,
    check_key,
)
from glaregraph.storage.local import LocalStore
from glaregraph.storage.signing import SignatureInvalid

__all__ = [
    "BlobStore",
    "LocalStore",
    "ObjectInfo",
    "ObjectMissing",
    "PartsInvalid",
    "PresignedRequest",
    "SignatureInvalid",
    "StorageError",
    "TooLarge",
    "check_key",
]
