"""A blob slot is one field of an artifact (or one entry of a `blob_dict` folder): which field
an input names, its key rules, its size limits and whether it may change now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog import lifecycle
from glaregraph.catalog.database.tables import blobs, uploads
from glaregraph.catalog.errors import BadUserInput, Conflict, PayloadTooLarge
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.catalog.typedef.model import FieldDef, Kind, TypeDef

MAX_KEY_LENGTH = 255
OPEN = "OPEN"


@dataclass(frozen=True, slots=True)
class Slot:
    artifact_id: str
    field: FieldDef
    key: str  # "" for a `blob` field
    project: str  # the artifact's owner, whose quota its bytes count against
    type_name: str

    @property
    def is_folder(self) -> bool:
        return self.field.kind is Kind.BLOB_DICT

    def where(self, table: sa.Table) -> sa.ColumnElement[bool]:
        return sa.and_(
            table.c.artifact_id == self.artifact_id,
            table.c.field == self.field.name,
            table.c.key == self.key,
        )


def slot_of(t: TypeDef, record: ArtifactRecord, field: str, key: str | None) -> Slot:
    """The slot an input names (by the field's GraphQL or definition name); BAD_USER_INPUT for
    an unknown or non-blob field, a folder entry without a key, or a key on a plain blob."""
    found = next((f for f in t.fields if field in (f.graphql_name, f.name)), None)
    if found is None or not found.is_blob:
        raise BadUserInput(
            f"'{field}' is not a blob field of {t.graphql_name}", field="input.field"
        )
    if found.kind is Kind.BLOB_DICT:
        if key is None or not key.strip():
            raise BadUserInput(f"'{field}' is a folder: give the entry's key", field="input.key")
        if len(key) > MAX_KEY_LENGTH or any(not c.isprintable() for c in key):
            raise BadUserInput(
                f"a folder key has 1-{MAX_KEY_LENGTH} printable characters", field="input.key"
            )
        return Slot(record.id, found, key, record.owner, record.type_name)
    if key is not None:
        raise BadUserInput(f"'{field}' holds one blob: it takes no key", field="input.key")
    return Slot(record.id, found, "", record.owner, record.type_name)


def check_may_change(record: ArtifactRecord, slot: Slot) -> None:
    """Immutable blob fields change only while DRAFTED (the authorization point already
    vetted admins on DEACTIVATED or PUBLIC artifacts)."""
    lifecycle.check_field_change(record.status, slot.field.mutable, "input.field")


async def check_size(
    conn: AsyncConnection, slot: Slot, size: int, now: dt.datetime, path: str = "input.size"
) -> None:
    """`max_size` (inclusive) and, for a folder, `max_folder_size` over the other entries:
    stored values plus open uploads at their declared size."""
    if size < 0:
        raise BadUserInput("a size is a number of bytes, 0 or more", field=path)
    rules = slot.field.validators
    if rules.max_size is not None and size > rules.max_size:
        raise PayloadTooLarge(
            f"'{slot.field.graphql_name}' holds at most {rules.max_size} bytes",
            limit=rules.max_size,
            size=size,
        )
    if not slot.is_folder:
        return
    if rules.max_items is not None:
        entries = await folder_entries(conn, slot, now)
        if entries + 1 > rules.max_items:
            raise BadUserInput(
                f"folder '{slot.field.graphql_name}' holds at most {rules.max_items} entries",
                field="input.key",
            )
    if rules.max_folder_size is None:
        return
    others = await folder_bytes(conn, slot, now)
    if others + size > rules.max_folder_size:
        raise PayloadTooLarge(
            f"folder '{slot.field.graphql_name}' holds at most {rules.max_folder_size} bytes",
            limit=rules.max_folder_size,
            size=others + size,
        )


async def folder_bytes(conn: AsyncConnection, slot: Slot, now: dt.datetime) -> int:
    """Bytes of the folder's other entries: each entry's open upload if it has one, else its
    stored value (external values count 0)."""
    same_folder = sa.and_(
        blobs.c.artifact_id == slot.artifact_id,
        blobs.c.field == slot.field.name,
        blobs.c.key != slot.key,
    )
    open_here = sa.and_(
        uploads.c.artifact_id == slot.artifact_id,
        uploads.c.field == slot.field.name,
        uploads.c.key != slot.key,
        uploads.c.state == OPEN,
        uploads.c.expires_at > now,
    )
    shadowed = sa.exists().where(open_here, uploads.c.key == blobs.c.key)
    stored = sa.select(sa.func.coalesce(sa.func.sum(blobs.c.size), 0)).where(
        same_folder, blobs.c.external.is_(False), ~shadowed
    )
    pending = sa.select(sa.func.coalesce(sa.func.sum(uploads.c.size), 0)).where(open_here)
    return int(await conn.scalar(stored) or 0) + int(await conn.scalar(pending) or 0)


async def folder_entries(conn: AsyncConnection, slot: Slot, now: dt.datetime) -> int:
    """The folder's other entries: stored values and open uploads, each key once."""
    stored = sa.select(blobs.c.key).where(
        blobs.c.artifact_id == slot.artifact_id,
        blobs.c.field == slot.field.name,
        blobs.c.key != slot.key,
    )
    pending = sa.select(uploads.c.key).where(
        uploads.c.artifact_id == slot.artifact_id,
        uploads.c.field == slot.field.name,
        uploads.c.key != slot.key,
        uploads.c.state == OPEN,
        uploads.c.expires_at > now,
    )
    keys = sa.union(stored, pending).subquery()
    return int(await conn.scalar(sa.select(sa.func.count()).select_from(keys)) or 0)


async def refuse_saving(
    conn: AsyncConnection, artifact_id: str, action: str, now: dt.datetime
) -> None:
    """CONFLICT while any upload of the artifact is open (activation, deletion)."""
    found = await conn.scalar(
        sa.select(uploads.c.id)
        .where(
            uploads.c.artifact_id == artifact_id,
            uploads.c.state == OPEN,
            uploads.c.expires_at > now,
        )
        .limit(1)
    )
    if found is not None:
        raise Conflict(f"cannot {action} while a blob is being uploaded")
