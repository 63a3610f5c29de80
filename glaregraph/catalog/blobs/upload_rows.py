"""Upload rows: an open upload is a byte reservation and shows its slot as SAVING until it
ends (completed, failed, aborted, or past `expires_at`, which ends it at once)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog.blobs.slots import OPEN, Slot
from glaregraph.catalog.database.tables import uploads

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
    await conn.execute(
        sa.update(uploads)
        .where(uploads.c.id == upload_id, uploads.c.state == OPEN)
        .values(state=state, ended_at=now, **more)
    )


async def end_open_of_slot(conn: AsyncConnection, slot: Slot, now: dt.datetime) -> list[Upload]:
    """End the slot's open upload, if any (a new upload or value takes the slot over; one past
    its expiry is recorded as EXPIRED). Returns them for the store clean-up after commit."""
    rows = (
        (await conn.execute(sa.select(uploads).where(slot.where(uploads), uploads.c.state == OPEN)))
        .mappings()
        .all()
    )
    ended = [Upload.from_row(r) for r in rows]
    for upload in ended:
        state = EXPIRED if upload.expires_at <= now else ABORTED
        await end(conn, upload.id, state, now)
    return ended
