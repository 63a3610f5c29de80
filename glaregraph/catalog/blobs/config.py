"""What the blob use cases are handed: the store and the settings that shape transfers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from glaregraph.storage import BlobStore

MIN_PART_SIZE = 5 * 1024 * 1024  # S3's smallest part (all but the last)
MAX_PARTS = 10_000  # S3's most parts in one multipart upload (part numbers 1-10,000)


@dataclass(frozen=True, slots=True)
class BlobConfig:
    store: BlobStore
    part_size: int = 8 * 1024 * 1024
    upload_ttl: dt.timedelta = dt.timedelta(hours=1)
    verify_max_bytes: int = 10 * 1024**3  # above: the client's sha256 is kept, unverified
    import_allow_hosts: tuple[str, ...] = ()
    import_timeout: float = 30.0
    gc_grace: dt.timedelta = dt.timedelta(hours=1)  # unreferenced content kept this long

    def __post_init__(self) -> None:
        if self.part_size < MIN_PART_SIZE:
            raise ValueError(f"the upload part size must be at least {MIN_PART_SIZE} bytes")
