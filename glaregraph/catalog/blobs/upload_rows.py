"""Upload rows: an open upload is a byte reservation and shows its slot as SAVING until it
ends (completed, failed, aborted, or past `expires_at`, which ends it at once)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog.blobs.slots import OPEN, Slot
from glaregraph.catalog.database.tables import artifacts, uploads
from glaregraph.catalog.quotas import usage

COMPLETED, ABORTED, EXPIRED, FAILED = "COMPLETED", "ABORTED", "EXPIRED", "FAILED"


@dataclass(frozen=True, slots=True)
class Upload:
    id: str
    artifact_id: str
    field: str
    key: str
    project: str
    state: str
    size: int
    part_size: int
    parts: int
    sha256: str | None
    content_type: str | None
    staging_key: str
    multipart_id: str | None
    blob_id: str | None
    expires_at: dt.datetime

    @classmethod
    def from_row(cls, row: Any) -> Upload:
        return cls(**{name: row[name] for name in cls.__slots__})

    def is_open(self, now: dt.datetime) -> bool:
        return self.state == OPEN and self.expires_at > now


async def read(conn: AsyncConnection, upload_id: str, *, lock: bool = False) -> Upload | None:
    stmt = sa.select(uploads).where(uploads.c.id == upload_id)
    if lock:
        stmt = stmt.with_for_update()
    row = (await conn.execute(stmt)).mappings().first()
    return None if row is None else Upload.from_row(row)


async def end(
    conn: AsyncConnection, upload_id: str, state: str, now: dt.datetime, **more: Any
) -> None:
    """End an open upload by completion: its reservation stays, as the value's usage."""
    await conn.execute(
        sa.update(uploads)
        .where(uploads.c.id == upload_id, uploads.c.state == OPEN)
        .values(state=state, ended_at=now, **more)
    )


async def end_and_release(
    conn: AsyncConnection,
    ledger: usage.Ledger,
    upload: Upload,
    state: str,
    now: dt.datetime,
    type_name: str,
) -> None:
    """End an open upload any way but completion: its byte reservation is given back."""
    result = await conn.execute(
        sa.update(uploads)
        .where(uploads.c.id == upload.id, uploads.c.state == OPEN)
        .values(state=state, ended_at=now)
    )
    if result.rowcount:
        ledger.release(upload.project, type_name, usage.BYTES, upload.size)


async def expire_project(
    conn: AsyncConnection, ledger: usage.Ledger, project: str, now: dt.datetime
) -> list[Upload]:
    """End the project's uploads that are past `expires_at`, so their reservations are not
    counted against what it asks for now (garbage collection tidies their data)."""
    rows = (
        (
            await conn.execute(
                sa.select(uploads, artifacts.c.type_name.label("_type"))
                .join(artifacts, artifacts.c.id == uploads.c.artifact_id)
                .where(
                    uploads.c.project == project,
                    uploads.c.state == OPEN,
                    uploads.c.expires_at <= now,
                )
            )
        )
        .mappings()
        .all()
    )
    ended = [Upload.from_row(r) for r in rows]
    for upload, row in zip(ended, rows, strict=True):
        await end_and_release(conn, ledger, upload, EXPIRED, now, row["_type"])
    return ended


async def end_open_of_artifact(
    conn: AsyncConnection,
    ledger: usage.Ledger,
    artifact_id: str,
    type_name: str,
    now: dt.datetime,
) -> list[Upload]:
    """End every open upload of an artifact (at its deletion only expired ones can be left)."""
    rows = (
        (
            await conn.execute(
                sa.select(uploads).where(
                    uploads.c.artifact_id == artifact_id, uploads.c.state == OPEN
                )
            )
        )
        .mappings()
        .all()
    )
    ended = [Upload.from_row(r) for r in rows]
    for upload in ended:
        state = EXPIRED if upload.expires_at <= now else ABORTED
        await end_and_release(conn, ledger, upload, state, now, type_name)
    return ended


async def end_open_of_slot(
    conn: AsyncConnection, ledger: usage.Ledger, slot: Slot, now: dt.datetime
) -> list[Upload]:
    """End the slot's open upload, if any (a new upload or value takes the slot over; one past
    its expiry is recorded as EXPIRED), giving its reservation back. Returns them for the
    store clean-up after commit."""
    rows = (
        (await conn.execute(sa.select(uploads).where(slot.where(uploads), uploads.c.state == OPEN)))
        .mappings()
        .all()
    )
    ended = [Upload.from_row(r) for r in rows]
    for upload in ended:
        state = EXPIRED if upload.expires_at <= now else ABORTED
        await end_and_release(conn, ledger, upload, state, now, slot.type_name)
    return ended
