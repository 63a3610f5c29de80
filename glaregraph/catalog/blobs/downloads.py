"""`Blob.downloadUrl`: a short-lived presigned GET, only for a caller who may read the artifact,
only for an ACTIVE value, and never for a DEACTIVATED artifact (admins excepted)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from glaregraph.catalog import lifecycle
from glaregraph.catalog.blobs import store_calls
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.errors import BadUserInput
from glaregraph.catalog.principal import Principal
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.storage import PresignedRequest

MAX_EXPIRES_IN = 7 * 24 * 3600  # what S3 signatures allow


def check_expires_in(expires_in: int) -> int:
    if not 1 <= expires_in <= MAX_EXPIRES_IN:
        raise BadUserInput(f"expiresIn is 1-{MAX_EXPIRES_IN} seconds", field="expiresIn")
    return expires_in


async def download_request(
    catalog: Catalog,
    principal: Principal,
    artifact: ArtifactRecord,
    blob: Mapping[str, Any],
    expires_in: int,
) -> PresignedRequest | None:
    """The request that fetches `blob` (a value of `artifact`, which the caller can see), or
    None where no download is offered."""
    check_expires_in(expires_in)
    if blob["status"] != "ACTIVE":
        return None
    if artifact.status == lifecycle.DEACTIVATED and not principal.is_admin:
        return None
    # anonymous callers see only PUBLIC artifacts, which anyone may download
    if not principal.anonymous and not await catalog.authz.can(principal, "download", artifact):
        return None
    expires_at = catalog.clock() + dt.timedelta(seconds=expires_in)
    if blob["external"]:
        return PresignedRequest(blob["url"], "GET", {}, None, expires_at)
    store = store_calls.config(catalog).store
    filename = blob["key"] or f"{artifact.name}-{artifact.version}-{blob['field']}"
    return store.presign_download(blob["storage_key"], expires_at, filename, blob["content_type"])
