"""The blob store and transfer settings the catalog is handed, built from Settings."""

from __future__ import annotations

import datetime as dt

from glaregraph.catalog.blobs import BlobConfig
from glaregraph.server.settings import Settings
from glaregraph.storage.factory import make_store


def public_url(settings: Settings) -> str:
    return (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")


def _endpoint(address: str, secure: bool) -> str:
    """An endpoint given as host:port takes its scheme from `s3_secure`."""
    return address if "://" in address else ("https://" if secure else "http://") + address


def blob_config(settings: Settings) -> BlobConfig:
    key = settings.signing_key.get_secret_value().encode() if settings.signing_key else None
    public_s3 = settings.s3_public_endpoint
    store = make_store(
        settings.storage,
        blob_dir=settings.local_storage_dir,
        public_url=public_url(settings),
        signing_key=key,
        s3_endpoint=_endpoint(settings.s3_endpoint, settings.s3_secure),
        s3_public_endpoint=_endpoint(public_s3, settings.s3_secure) if public_s3 else None,
        s3_access_key=settings.s3_access_key,
        s3_secret_key=settings.s3_secret_key.get_secret_value(),
        s3_bucket=settings.s3_bucket,
        s3_region=settings.s3_region,
        part_size=settings.upload_part_size,
    )
    return BlobConfig(
        store=store,
        part_size=settings.upload_part_size,
        upload_ttl=dt.timedelta(seconds=settings.upload_ttl),
        verify_max_bytes=settings.verify_max_bytes,
        import_allow_hosts=tuple(settings.import_allow_hosts),
        import_timeout=settings.import_timeout,
        gc_grace=dt.timedelta(seconds=settings.blob_gc_grace),
    )
