"""Binary values of artifacts: uploads over presigned URLs, content-addressed storage,
external locations, imports (copy-from), downloads and garbage collection."""

from glaregraph.catalog.blobs.config import BlobConfig

__all__ = ["BlobConfig"]
