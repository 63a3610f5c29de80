"""Status and visibility changes: activate, deactivate, reactivate, publish, share, delete."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog import lifecycle
from glaregraph.catalog.blobs import values as blob_values
from glaregraph.catalog.blobs.slots import refuse_saving
from glaregraph.catalog.blobs.upload_rows import end_open_of_artifact
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.tables import aliases, artifact_shares, artifact_tags, blobs, edges
from glaregraph.catalog.errors import ActivationIncomplete, BadUserInput, Conflict
from glaregraph.catalog.principal import Caller
from glaregraph.catalog.quotas import usage
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.catalog.tagcounts import ledger as tag_tally
from glaregraph.catalog.typedef.values import check_string
from glaregraph.catalog.unit_of_work import unit_of_work


async def transition(
    catalog: Catalog,
    caller: Caller,
    artifact_id: str,
    name: str,
    expected_revision: int | None,
) -> ArtifactRecord:
    """`name` is activate, deactivate or reactivate (each also names its policy action)."""
    async with unit_of_work(catalog, caller, f"artifact{name.title()}") as uow:
        record = await uow.artifact(artifact_id, name, expected_revision, guard=False)
        if not lifecycle.check_transition(name, record.status):
            return record  # already there: unchanged, whoever asks
        changes: dict[str, Any] = {"status": lifecycle.TARGET[name]}
        if name == "activate":
            await _check_activation(uow.conn, catalog, record)
            changes["activated_at"] = uow.now  # the same instant as `updated_at`
        await uow.save(record, **changes)
    return record


async def publish(
    catalog: Catalog, caller: Caller, artifact_id: str, expected_revision: int | None
) -> ArtifactRecord:
    async with unit_of_work(catalog, caller, "artifactPublish") as uow:
        record = await uow.artifact(artifact_id, "publish", expected_revision, guard=False)
        if not lifecycle.check_publish(record.status, record.visibility):
            return record
        before = await tag_tally.holding(uow.conn, record)
        try:
            await uow.save(record, visibility=lifecycle.PUBLIC)
        except IntegrityError as exc:
            raise Conflict(
                f"a public '{record.type_name}' named '{record.name}' version "
                f"{record.version} already exists"
            ) from exc
        tag_tally.note(uow, before, await tag_tally.holding(uow.conn, record, before.tags))
    return record


async def share(
    catalog: Catalog,
    caller: Caller,
    artifact_id: str,
    project: str,
    add: bool,
    expected_revision: int | None = None,
) -> ArtifactRecord:
    project = check_string(project, "project", min_length=1, max_length=255)
    async with unit_of_work(catalog, caller, "artifactShare" if add else "artifactUnshare") as uow:
        conn = uow.conn
        record = await uow.artifact(artifact_id, "share", expected_revision)
        lifecycle.check_share(record.visibility)
        if project == record.owner:
            raise BadUserInput("an artifact is always visible to its own project", field="project")
        shared = set(
            (
                await conn.execute(
                    sa.select(artifact_shares.c.project).where(
                        artifact_shares.c.artifact_id == record.id
                    )
                )
            ).scalars()
        )
        if (project in shared) == add:
            return record
        before = await tag_tally.holding(conn, record)
        if add:
            await conn.execute(
                sa.insert(artifact_shares).values(artifact_id=record.id, project=project)
            )
            shared.add(project)
        else:
            await conn.execute(
                sa.delete(artifact_shares).where(
                    artifact_shares.c.artifact_id == record.id, artifact_shares.c.project == project
                )
            )
            shared.discard(project)
        visibility = lifecycle.SHARED if shared else lifecycle.PRIVATE
        await uow.save(record, visibility=visibility)
        tag_tally.note(uow, before, await tag_tally.holding(conn, record, before.tags))
    return record


async def delete(
    catalog: Catalog, caller: Caller, artifact_id: str, expected_revision: int | None
) -> str:
    """Soft delete: the row stays for history; its own links, tags and aliases go."""
    async with unit_of_work(catalog, caller, "artifactDelete") as uow:
        record = await uow.artifact(artifact_id, "delete", expected_revision)
        if record.visibility == lifecycle.PUBLIC:
            await catalog.authz.check(caller.principal, "delete_public", record)
        await refuse_saving(uow.conn, record.id, "delete", uow.now)
        tag_tally.note(uow, await tag_tally.holding(uow.conn, record), None)
        for table, column in (
            (edges, edges.c.source_id),
            (aliases, aliases.c.artifact_id),
            (artifact_tags, artifact_tags.c.artifact_id),
        ):
            await uow.conn.execute(sa.delete(table).where(column == record.id))
        # its content, bytes, leftover (expired) uploads and its place in the quota go
        ledger = usage.ledger(uow)
        await blob_values.clear_artifact(
            uow.conn, ledger, record.id, record.owner, record.type_name, uow.now
        )
        await end_open_of_artifact(uow.conn, ledger, record.id, record.type_name, uow.now)
        ledger.release(record.owner, record.type_name, usage.ARTIFACTS, 1)
        await uow.save(record, status=lifecycle.DELETED)
    return record.id


async def _check_activation(
    conn: AsyncConnection, catalog: Catalog, record: ArtifactRecord
) -> None:
    t = catalog.type(record.type_name)
    await refuse_saving(conn, record.id, "activate", catalog.clock())
    required = [f for f in t.fields if f.required_on_activate]
    if not required:
        return
    linked = set(
        (
            await conn.execute(sa.select(edges.c.relation).where(edges.c.source_id == record.id))
        ).scalars()
    )
    stored = set(
        (
            await conn.execute(
                sa.select(blobs.c.field).where(
                    blobs.c.artifact_id == record.id, blobs.c.status == "ACTIVE"
                )
            )
        ).scalars()
    )
    missing = [
        f.graphql_name
        for f in required
        if (f.is_data and record.data.get(f.name) in (None, "", [], {}))
        or (f.is_link and f.name not in linked)
        or (f.is_blob and f.name not in stored)
    ]
    if missing:
        raise ActivationIncomplete(missing)
