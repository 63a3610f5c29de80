"""Object keys in the store. Flat and never a prefix of one another (some S3-compatible
servers are file systems underneath): `uploads/<id>` while an upload is open (`imports/<id>`
while a copy-from streams in), then
`cas/<project>/<sha256>` (content-addressed per project) or `obj/<project>/<id>` for content
whose hash the server did not compute (never shared: a claimed hash is not trusted)."""

from __future__ import annotations

import hashlib

STAGING = "uploads/"
IMPORTING = "imports/"  # a copy-from in progress (no upload row: gc leaves these alone)
CONTENT = "cas/"
UNIQUE = "obj/"


def project_part(project: str) -> str:
    """Project names may hold any character; keys get a fixed-width digest of it."""
    return hashlib.sha256(project.encode()).hexdigest()[:16]


def staging(upload_id: str) -> str:
    return f"{STAGING}{upload_id}"


def importing(import_id: str) -> str:
    return f"{IMPORTING}{import_id}"


def content(project: str, sha256: str) -> str:
    return f"{CONTENT}{project_part(project)}/{sha256}"


def unique(project: str, upload_id: str) -> str:
    return f"{UNIQUE}{project_part(project)}/{upload_id}"
