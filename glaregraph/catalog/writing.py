"""Creating and updating artifacts of a type: validation, immutability, links and tags, each
in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog import basefields, documents, lifecycle
from glaregraph.catalog.access import lock_for_change, require_user, save_changes
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.errors import BadUserInput, Conflict, NotFound
from glaregraph.catalog.links import DERIVED_FROM, link_entries, replace_links
from glaregraph.catalog.principal import Principal
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.catalog.store.tables import aliases, artifact_tags, artifacts, edges
from glaregraph.catalog.typedef.model import ANY_TYPE, Kind, TypeDef


async def create_artifact(
    catalog: Catalog, principal: Principal, t: TypeDef, values: Mapping[str, Any]
) -> ArtifactRecord:
    require_user(principal)
    catalog.policy.check("create", principal)
    values = {**documents.defaults(t), **values}
    if "version" not in values:
        values["version"] = None
    columns = documents.base_columns(values)
    if "name" not in columns:
        raise BadUserInput("name is required", field="input.name")
    data: dict[str, Any] = {}
    documents.set_data_fields(t, data, values)
    _check_required_values(t, data)
    tags = basefields.validate_tags(values.get("tags") or [], "input.tags")
    now = catalog.clock()
    row = {
        "id": str(uuid.uuid4()),
        "type_name": t.name,
        "owner": principal.project,
        "created_by": principal.user_id,
        "visibility": lifecycle.PRIVATE,
        "status": lifecycle.DRAFTED,
        "revision": 1,
        "created_at": now,
        "updated_at": now,
        "activated_at": None,
        "description": None,
        "meta": {},
        "data": data,
        **columns,
    }
    async with catalog.db.write() as conn:
        await _insert(conn, row)
        await _write_links(conn, principal, t, row["id"], values)
        if tags:
            await conn.execute(
                sa.insert(artifact_tags), [{"artifact_id": row["id"], "tag": tag} for tag in tags]
            )
    return ArtifactRecord.from_row(row)


async def update_artifact(
    catalog: Catalog,
    principal: Principal,
    t: TypeDef,
    artifact_id: str,
    values: Mapping[str, Any],
    expected_revision: int | None,
) -> ArtifactRecord:
    async with catalog.db.write() as conn:
        record = await lock_for_change(
            conn, catalog, principal, artifact_id, "update", expected_revision
        )
        if record.type_name != t.name:  # as `<type>(id:)` answers null for it
            raise NotFound(f"no {t.name} artifact {artifact_id}")
        changes = _base_changes(record, values)
        data = dict(record.data)
        for name in documents.set_data_fields(t, data, values):
            f = t.field(name)
            assert f is not None
            lifecycle.check_field_change(record.status, f.mutable, documents.input_path(t, name))
        _check_required_values(t, data)
        if data != record.data:
            changes["data"] = data
        links_changed = await _update_links(conn, principal, t, record, values)
        tags_changed = False
        if "tags" in values:
            tags_changed = await _replace_tags(conn, record.id, values["tags"] or [])
        if not changes and not links_changed and not tags_changed:
            return record
        if "name" in changes:  # an alias names a version of one name: it does not follow a rename
            await conn.execute(sa.delete(aliases).where(aliases.c.artifact_id == record.id))
        try:
            return await save_changes(conn, record, catalog.clock(), **changes)
        except IntegrityError as exc:  # the unique index decides, also under concurrency
            name, version = changes.get("name", record.name), changes.get("version", record.version)
            raise Conflict(
                f"an artifact '{name}' version {version} already exists", name=name, version=version
            ) from exc


def _base_changes(record: ArtifactRecord, values: Mapping[str, Any]) -> dict[str, Any]:
    if "name" in values and values["name"] is None:
        raise BadUserInput("name cannot be cleared", field="input.name")
    columns = documents.base_columns(values)
    changes = {k: v for k, v in columns.items() if k != "version_key" and getattr(record, k) != v}
    if "version" in changes:
        changes["version_key"] = columns["version_key"]
    for key in changes:
        if key != "version_key":
            mutable = key == "description"
            field = "metadata" if key == "meta" else key
            lifecycle.check_field_change(record.status, mutable, f"input.{field}")
    return changes


def _check_required_values(t: TypeDef, data: Mapping[str, Any]) -> None:
    for f in t.data_fields:
        if not f.nullable and data.get(f.name) is None:
            raise BadUserInput(f"'{f.name}' may not be null", field=documents.input_path(t, f.name))


async def _insert(conn: AsyncConnection, row: dict[str, Any]) -> None:
    try:
        await conn.execute(sa.insert(artifacts).values(**row))
    except IntegrityError as exc:
        raise Conflict(
            f"an artifact '{row['name']}' version {row['version']} already exists",
            name=row["name"],
            version=row["version"],
        ) from exc


async def _write_links(
    conn: AsyncConnection,
    principal: Principal,
    t: TypeDef,
    source_id: str,
    values: Mapping[str, Any],
) -> list[str]:
    written = []
    for f in t.link_fields:
        if f.name in values:
            path = documents.input_path(t, f.name)
            entries = link_entries(f, values[f.name], path)
            if not entries and not f.nullable:
                raise BadUserInput(f"'{f.name}' may not be empty", field=path)
            await replace_links(
                conn,
                principal,
                source_id,
                f.name,
                f.to or ANY_TYPE,
                entries,
                path,
                indexed=f.kind is not Kind.LINK,
            )
            written.append(f.name)
    if "derived_from_ids" in values:
        path = "input.derivedFromIds"
        entries = link_entries(None, values["derived_from_ids"], path)
        await replace_links(conn, principal, source_id, DERIVED_FROM, ANY_TYPE, entries, path)
        written.append(DERIVED_FROM)
    return written


async def _update_links(
    conn: AsyncConnection,
    principal: Principal,
    t: TypeDef,
    record: ArtifactRecord,
    values: Mapping[str, Any],
) -> bool:
    relevant = [f.name for f in t.link_fields if f.name in values]
    if "derived_from_ids" in values:
        relevant.append(DERIVED_FROM)
    if not relevant:
        return False
    before = await _edges_of(conn, record.id, relevant)
    await _write_links(conn, principal, t, record.id, values)
    after = await _edges_of(conn, record.id, relevant)
    for relation in relevant:
        if before.get(relation) != after.get(relation):
            f = t.field(relation)
            mutable = f.mutable if f is not None else False
            path = documents.input_path(t, "derived_from_ids" if f is None else relation)
            lifecycle.check_field_change(record.status, mutable, path)
    return before != after


async def _edges_of(
    conn: AsyncConnection, source_id: str, relations: list[str]
) -> dict[str, list[tuple[Any, ...]]]:
    rows = await conn.execute(
        sa.select(edges.c.relation, edges.c.key, edges.c.target_id)
        .where(edges.c.source_id == source_id, edges.c.relation.in_(relations))
        .order_by(edges.c.relation, edges.c.position)
    )
    out: dict[str, list[tuple[Any, ...]]] = {}
    for relation, key, target in rows:
        out.setdefault(relation, []).append((key, target))
    return out


async def _replace_tags(conn: AsyncConnection, artifact_id: str, tags: list[str]) -> bool:
    wanted = basefields.validate_tags(tags, "input.tags")
    current = set(
        (
            await conn.execute(
                sa.select(artifact_tags.c.tag).where(artifact_tags.c.artifact_id == artifact_id)
            )
        ).scalars()
    )
    if current == set(wanted):
        return False
    await conn.execute(sa.delete(artifact_tags).where(artifact_tags.c.artifact_id == artifact_id))
    if wanted:
        await conn.execute(
            sa.insert(artifact_tags), [{"artifact_id": artifact_id, "tag": tag} for tag in wanted]
        )
    return True
