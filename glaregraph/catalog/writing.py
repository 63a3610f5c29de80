"""Creating and updating artifacts of a type: validation, immutability, links and tags, each
in one unit of work."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog import basefields, documents, lifecycle
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.tables import aliases, artifact_tags, artifacts, edges
from glaregraph.catalog.errors import BadUserInput, Conflict, NotFound
from glaregraph.catalog.links import DERIVED_FROM, link_entries, replace_links
from glaregraph.catalog.principal import Caller
from glaregraph.catalog.quotas import usage
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.catalog.tagcounts import ledger as tag_tally
from glaregraph.catalog.typedef.model import ANY_TYPE, Kind, TypeDef, to_camel
from glaregraph.catalog.unit_of_work import UnitOfWork, unit_of_work


async def create_artifact(
    catalog: Catalog, caller: Caller, t: TypeDef, values: Mapping[str, Any]
) -> ArtifactRecord:
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
    async with unit_of_work(catalog, caller, f"{to_camel(t.name)}Create") as uow:
        await uow.authorize("create")
        principal = caller.principal
        assert principal.project is not None  # unit_of_work requires a user with a project
        usage.charge(uow, principal.project, t.name, usage.ARTIFACTS, 1)
        row = {
            "id": str(uuid.uuid4()),
            "type_name": t.name,
            "owner": principal.project,
            "created_by": principal.user_id,
            "visibility": lifecycle.PRIVATE,
            "status": lifecycle.DRAFTED,
            "revision": 1,
            "created_at": uow.now,
            "updated_at": uow.now,
            "activated_at": None,
            "description": None,
            "meta": {},
            "data": data,
            **columns,
        }
        if tags or _names_links(t, values):  # their rows refer to it: it goes first
            await _insert(uow.conn, row)
            await _write_links(uow, t, row["id"], values)
        else:  # nothing refers to it: it goes with the mutation's last writes
            uow.later(_insert_statement(tuple(row)), _insert_params(row), refused=_taken(row))
        if tags:
            await uow.conn.execute(
                sa.insert(artifact_tags), [{"artifact_id": row["id"], "tag": tag} for tag in tags]
            )
        record = ArtifactRecord.from_row({**row, "tags": sorted(tags)})
        uow.created(record)
        if tags:
            tag_tally.note(uow, None, await tag_tally.holding(uow.conn, record, tags))
    return record


async def update_artifact(
    catalog: Catalog,
    caller: Caller,
    t: TypeDef,
    artifact_id: str,
    values: Mapping[str, Any],
    expected_revision: int | None,
) -> ArtifactRecord:
    async with unit_of_work(catalog, caller, f"{to_camel(t.name)}Update") as uow:
        record = await uow.artifact(artifact_id, "update", expected_revision)
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
        links_changed = await _update_links(uow, t, record, values)
        tags_changed = False
        if "tags" in values:
            tags_changed = await _replace_tags(uow, record, values["tags"] or [])
        if not changes and not links_changed and not tags_changed:
            return record
        if "name" in changes:  # an alias names a version of one name: it does not follow a rename
            await uow.conn.execute(sa.delete(aliases).where(aliases.c.artifact_id == record.id))
        try:
            await uow.save(record, **changes)
        except IntegrityError as exc:  # the unique index decides, also under concurrency
            name, version = changes.get("name", record.name), changes.get("version", record.version)
            raise Conflict(
                f"an artifact '{name}' version {version} already exists", name=name, version=version
            ) from exc
    return record


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
        await conn.execute(_insert_statement(tuple(row)), _insert_params(row))
    except IntegrityError as exc:
        raise _taken(row)(exc) from exc


def _taken(row: dict[str, Any]) -> Callable[[IntegrityError], Conflict]:
    """What the unique index refusing the new row means (also under concurrency)."""

    def conflict(_exc: IntegrityError) -> Conflict:
        return Conflict(
            f"an artifact '{row['name']}' version {row['version']} already exists",
            name=row["name"],
            version=row["version"],
        )

    return conflict


@functools.cache
def _insert_statement(columns: tuple[str, ...]) -> sa.Insert:
    """INSERT of a new artifact's `columns`, parameters `new_<column>`, built once."""
    return sa.insert(artifacts).values(
        {c: sa.bindparam(f"new_{c}", type_=artifacts.c[c].type) for c in columns}
    )


def _insert_params(row: dict[str, Any]) -> dict[str, Any]:
    return {f"new_{k}": v for k, v in row.items()}


def _names_links(t: TypeDef, values: Mapping[str, Any]) -> bool:
    return "derived_from_ids" in values or any(f.name in values for f in t.link_fields)


async def _write_links(
    uow: UnitOfWork,
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
                uow,
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
        await replace_links(uow, source_id, DERIVED_FROM, ANY_TYPE, entries, path)
        written.append(DERIVED_FROM)
    return written


async def _update_links(
    uow: UnitOfWork,
    t: TypeDef,
    record: ArtifactRecord,
    values: Mapping[str, Any],
) -> bool:
    relevant = [f.name for f in t.link_fields if f.name in values]
    if "derived_from_ids" in values:
        relevant.append(DERIVED_FROM)
    if not relevant:
        return False
    before = await _edges_of(uow.conn, record.id, relevant)
    await _write_links(uow, t, record.id, values)
    after = await _edges_of(uow.conn, record.id, relevant)
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


async def _replace_tags(uow: UnitOfWork, record: ArtifactRecord, tags: list[str]) -> bool:
    conn, artifact_id = uow.conn, record.id
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
    before = await tag_tally.holding(conn, record, current)
    tag_tally.note(uow, before, before.retagged(wanted))
    return True
