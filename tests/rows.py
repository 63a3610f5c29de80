"""Artifact rows written straight into the table, for tests that need many artifacts in
given states faster than mutations would make them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def artifact_row(
    name: str,
    *,
    type_name: str = "image",
    owner: str = "p1",
    visibility: str = "PRIVATE",
    status: str = "DRAFTED",
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type_name": type_name,
        "name": name,
        "version": "1.0.0",
        "version_key": "k",
        "description": None,
        "owner": owner,
        "created_by": "alice",
        "visibility": visibility,
        "status": status,
        "revision": 1,
        "created_at": NOW,
        "updated_at": NOW,
        "activated_at": None,
        "data": {},
        "meta": {},
    }
