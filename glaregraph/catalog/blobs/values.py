"""The stored value of a slot (`blobs` rows) and the content it points at (`stored_objects`).

Content is shared: a value only references it. Replacing or removing a value releases its
content, which garbage collection removes once nothing has referenced it for the grace period.
A content reference taken while collection runs is safe: it clears `unreferenced_since` under
the row's lock, and collection only takes rows whose `unreferenced_since` is old (see gc.py).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog.blobs.slots import Slot
from glaregraph.catalog.database.tables import blobs, stored_objects
from glaregraph.catalog.errors import Conflict
from glaregraph.catalog.quotas import usage

LIVE = "LIVE"
DELETING = "DELETING"


@dataclass(frozen=True, slots=True)
class Content:
    """Bytes in the store, ready to become a slot's value."""

    key: str
    project: str
    size: int
    sha256: str | None
    verified: bool
    content_type: str | None


async def reference(conn: AsyncConnection, content: Content, now: dt.datetime) -> None:
    """Make `content` a LIVE stored object (it is already in the store at its key). CONFLICT if
    garbage collection is removing that very object right now: the upload stays open, and the
    client completes it again."""
    found = await conn.execute(
        sa.update(stored_objects)
        .where(stored_objects.c.key == content.key)
        .values(unreferenced_since=None)
        .returning(stored_objects.c.state)
    )
    state = found.scalar()
    if state == DELETING:
        raise Conflict("the stored content is being removed; complete the upload again")
    if state is None:
        await conn.execute(
            sa.insert(stored_objects).values(
                key=content.key,
                project=content.project,
                sha256=content.sha256 or "",
                size=content.size,
                state=LIVE,
                created_at=now,
            )
        )


async def is_live(conn: AsyncConnection, key: str) -> bool:
    state = await conn.scalar(sa.select(stored_objects.c.state).where(stored_objects.c.key == key))
    return state == LIVE


async def put(
    conn: AsyncConnection, ledger: usage.Ledger, slot: Slot, now: dt.datetime, **columns: Any
) -> dict[str, Any]:
    """Replace the slot's value by a new row; the previous one's content is released."""
    await clear(conn, ledger, slot, now)
    row = {
        "id": str(uuid.uuid4()),
        "artifact_id": slot.artifact_id,
        "field": slot.field.name,
        "key": slot.key,
        "status": "ACTIVE",
        "size": None,
        "sha256": None,
        "verified": False,
        "content_type": None,
        "external": False,
        "url": None,
        "storage_key": None,
        "created_at": now,
        **columns,
    }
    await conn.execute(sa.insert(blobs).values(**row))
    return row


async def clear(conn: AsyncConnection, ledger: usage.Ledger, slot: Slot, now: dt.datetime) -> bool:
    """Remove the slot's value, if it has one; its content is released."""
    gone = (
        await conn.execute(
            sa.delete(blobs)
            .where(slot.where(blobs))
            .returning(blobs.c.storage_key, blobs.c.size, blobs.c.external)
        )
    ).all()
    await release(conn, [k for k, _, _ in gone if k], now)
    freed = sum(size or 0 for _, size, external in gone if not external)
    ledger.release(slot.project, slot.type_name, usage.BYTES, freed)
    return bool(gone)


async def clear_artifact(
    conn: AsyncConnection,
    ledger: usage.Ledger,
    artifact_id: str,
    project: str,
    type_name: str,
    now: dt.datetime,
) -> None:
    """Every value of a (deleted) artifact goes; their content and bytes are released."""
    gone = (
        await conn.execute(
            sa.delete(blobs)
            .where(blobs.c.artifact_id == artifact_id)
            .returning(blobs.c.storage_key, blobs.c.size, blobs.c.external)
        )
    ).all()
    await release(conn, [k for k, _, _ in gone if k], now)
    freed = sum(size or 0 for _, size, external in gone if not external)
    ledger.release(project, type_name, usage.BYTES, freed)


async def release(conn: AsyncConnection, keys: Collection[str], now: dt.datetime) -> None:
    """Start the grace period of content no value references any more."""
    if not keys:
        return
    still_used = sa.exists().where(blobs.c.storage_key == stored_objects.c.key)
    await conn.execute(
        sa.update(stored_objects)
        .where(
            stored_objects.c.key.in_(sorted(set(keys))),
            stored_objects.c.unreferenced_since.is_(None),
            ~still_used,
        )
        .values(unreferenced_since=now)
    )
