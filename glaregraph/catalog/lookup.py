"""Reading artifacts one at a time (by id, name + version, alias) and in batches for DataLoaders."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa

from glaregraph.catalog import listing
from glaregraph.catalog.authz import Authorizer
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.database.tables import (
    aliases,
    artifact_shares,
    artifact_tags,
    artifacts,
    blobs,
    edges,
    uploads,
)
from glaregraph.catalog.errors import BadUserInput
from glaregraph.catalog.principal import Principal
from glaregraph.catalog.query.filters import version_range
from glaregraph.catalog.query.jsonops import related_values
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.catalog.typedef.model import TypeDef
from glaregraph.catalog.versions import (
    is_version_range,
    normalize_version,
)

LATEST = "latest"


async def find_one(
    catalog: Catalog,
    principal: Principal,
    t: TypeDef,
    *,
    id: str | None = None,
    name: str | None = None,
    version: str | None = LATEST,
    alias: str | None = None,
    related: Collection[str] = (),
) -> ArtifactRecord | None:
    """The single lookup of API.md §4: by id, or by name + version (exact, latest, range) or
    alias (see `_statement` for the order)."""
    if id is None and name is None:
        raise BadUserInput("give an id, or a name (with a version or an alias)", field="name")
    params = {"id": id, "name": name, "alias": alias, "version": None}
    if id is not None:
        mode = "id"
    elif alias is not None:
        mode = "alias"
    elif version in (None, LATEST):
        mode = "latest"
    elif is_version_range(version):
        mode = "range"
    else:
        mode, params["version"] = "exact", _exact_version(version)
    related = tuple(related)
    if mode == "range":  # intervals vary with the text: built each time
        stmt = _statement(catalog.authz, t.name, principal, mode, related)
        stmt = stmt.where(version_range(artifacts.c.version_key, version or "", "version"))
    else:  # the same shape again and again: built once, run with new parameters
        stmt = _cached_statement(catalog.authz, t.name, principal, mode, related)
    async with catalog.db.read() as conn:
        row = (await conn.execute(stmt, params)).mappings().first()
    if row is None:
        return None
    record = ArtifactRecord.from_row(row)
    await listing.hide_shares(catalog, principal, [record])
    return record


def _statement(
    authz: Authorizer, type_name: str, principal: Principal, mode: str, related: tuple[str, ...]
) -> Any:
    """The lookup for one shape; the values asked for are the parameters `id`, `name`,
    `alias` and `version`. The caller's own project comes first; `latest` then prefers ACTIVE
    over DRAFTED; then the highest version wins."""
    conds: list[Any] = [artifacts.c.type_name == type_name, authz.visible(principal)]
    if mode == "id":
        conds.append(artifacts.c.id == sa.bindparam("id"))
    else:
        conds.append(artifacts.c.name == sa.bindparam("name"))
    if mode == "alias":
        conds.append(
            artifacts.c.id.in_(
                sa.select(aliases.c.artifact_id).where(
                    aliases.c.type_name == type_name,
                    aliases.c.name == sa.bindparam("name"),
                    aliases.c.alias == sa.bindparam("alias"),
                )
            )
        )
    elif mode == "exact":
        # the version string itself: 1.0.0+a and 1.0.0+b share a key but are two artifacts
        conds.append(artifacts.c.version == sa.bindparam("version"))
    own = sa.case((artifacts.c.owner == (principal.project or ""), 0), else_=1)
    status = (
        sa.case((artifacts.c.status == "ACTIVE", 0), (artifacts.c.status == "DRAFTED", 1), else_=2)
        if mode == "latest"
        else sa.literal(0)
    )
    return (
        sa.select(artifacts, *(related_values(r) for r in ("tags", *related)))
        .where(*conds)
        .order_by(own, status, artifacts.c.version_key.desc(), artifacts.c.id)
        .limit(1)
    )


_cached_statement = functools.lru_cache(maxsize=4096)(_statement)


def _exact_version(version: str) -> str:
    try:
        return normalize_version(version)
    except ValueError as exc:
        raise BadUserInput(f"not a version or version range: {exc}", field="version") from exc


async def get_visible(
    catalog: Catalog, principal: Principal, ids: Sequence[str]
) -> list[ArtifactRecord | None]:
    """Artifacts by id in the order asked, None where missing, deleted, invisible, or of a type
    this server does not serve (a disabled or removed definition)."""
    if not ids:
        return []
    stmt = sa.select(artifacts, related_values("tags")).where(
        artifacts.c.id.in_(set(ids)),
        artifacts.c.type_name.in_(catalog.served_types),
        catalog.authz.visible(principal),
    )
    async with catalog.db.read() as conn:
        found = {r["id"]: ArtifactRecord.from_row(r) for r in (await conn.execute(stmt)).mappings()}
    return [found.get(i) for i in ids]


async def tags_of(db: Database, ids: Sequence[str]) -> list[list[str]]:
    return await _values_of(db, artifact_tags.c.artifact_id, artifact_tags.c.tag, ids)


async def aliases_of(db: Database, ids: Sequence[str]) -> list[list[str]]:
    return await _values_of(db, aliases.c.artifact_id, aliases.c.alias, ids)


async def shares_of(db: Database, ids: Sequence[str]) -> list[list[str]]:
    return await _values_of(db, artifact_shares.c.artifact_id, artifact_shares.c.project, ids)


async def links_of(db: Database, ids: Sequence[str]) -> list[list[dict[str, Any]]]:
    """Outgoing edges per artifact, in relation then position order."""
    stmt = (
        sa.select(
            edges.c.source_id, edges.c.relation, edges.c.key, edges.c.position, edges.c.target_id
        )
        .where(edges.c.source_id.in_(set(ids)))
        .order_by(edges.c.relation, edges.c.position)
    )
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    async with db.read() as conn:
        for row in (await conn.execute(stmt)).mappings():
            out[row["source_id"]].append(dict(row))
    return [out.get(i, []) for i in ids]


async def blobs_of(
    db: Database, ids: Sequence[str], now: dt.datetime
) -> list[list[dict[str, Any]]]:
    """Each artifact's blob slots in field and key order: a slot with an open upload reads as
    SAVING (its stored value, if any, comes back should the upload end otherwise)."""
    wanted = set(ids)
    open_upload = sa.and_(uploads.c.state == "OPEN", uploads.c.expires_at > now)
    shadowed = sa.exists().where(
        open_upload,
        uploads.c.artifact_id == blobs.c.artifact_id,
        uploads.c.field == blobs.c.field,
        uploads.c.key == blobs.c.key,
    )
    stored = sa.select(blobs).where(blobs.c.artifact_id.in_(wanted), ~shadowed)
    saving = sa.select(
        uploads.c.id,
        uploads.c.artifact_id,
        uploads.c.field,
        uploads.c.key,
        sa.literal("SAVING").label("status"),
        uploads.c.size,
        uploads.c.sha256,
        sa.false().label("verified"),
        uploads.c.content_type,
        sa.false().label("external"),
        sa.null().label("url"),
        sa.null().label("storage_key"),
        uploads.c.created_at,
    ).where(uploads.c.artifact_id.in_(wanted), open_upload)
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    async with db.read() as conn:
        for stmt in (stored, saving):
            for row in (await conn.execute(stmt)).mappings():
                out[row["artifact_id"]].append(dict(row))
    for rows in out.values():
        rows.sort(key=lambda r: (r["field"], r["key"]))
    return [out.get(i, []) for i in ids]


async def _values_of(db: Database, owner: Any, value: Any, ids: Sequence[str]) -> list[list[str]]:
    """`value` per artifact id (in code point order, as Python sorts), for a table keyed by
    artifact `owner`."""
    order = value.collate("C") if not db.is_sqlite else value
    stmt = sa.select(owner, value).where(owner.in_(set(ids))).order_by(order)
    out: dict[str, list[str]] = defaultdict(list)
    async with db.read() as conn:
        for owner_id, item in await conn.execute(stmt):
            out[owner_id].append(item)
    return [out.get(i, []) for i in ids]


async def links_into(
    catalog: Catalog, principal: Principal, ids: Sequence[str]
) -> list[list[dict[str, Any]]]:
    """Incoming edges per artifact, held by artifacts the caller may see."""
    stmt = (
        sa.select(
            edges.c.source_id, edges.c.relation, edges.c.key, edges.c.position, edges.c.target_id
        )
        .join(artifacts, artifacts.c.id == edges.c.source_id)
        .where(edges.c.target_id.in_(set(ids)), catalog.authz.visible(principal))
        .order_by(edges.c.relation, edges.c.source_id, edges.c.position)
    )
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    async with catalog.db.read() as conn:
        for row in (await conn.execute(stmt)).mappings():
            out[row["target_id"]].append(dict(row))
    return [out.get(i, []) for i in ids]
