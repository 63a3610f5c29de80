"""Reading artifacts one at a time (by id, name + version, alias) and in batches for DataLoaders."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa

from glaregraph.catalog import listing
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.database.tables import (
    aliases,
    artifact_shares,
    artifact_tags,
    artifacts,
    blobs,
    edges,
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
    alias. The caller's own project comes first; `latest` then prefers ACTIVE over DRAFTED;
    then the highest version wins."""
    conds: list[Any] = [artifacts.c.type_name == t.name, catalog.authz.visible(principal)]
    prefer_active = id is None and alias is None and version in (None, LATEST)
    if id is not None:
        conds.append(artifacts.c.id == id)
    elif name is None:
        raise BadUserInput("give an id, or a name (with a version or an alias)", field="name")
    else:
        conds.append(artifacts.c.name == name)
        if alias is not None:
            conds.append(
                artifacts.c.id.in_(
                    sa.select(aliases.c.artifact_id).where(
                        aliases.c.type_name == t.name,
                        aliases.c.name == name,
                        aliases.c.alias == alias,
                    )
                )
            )
        elif version is not None and version != LATEST:
            conds.append(_version_condition(version))
    own = sa.case((artifacts.c.owner == (principal.project or ""), 0), else_=1)
    status = (
        sa.case((artifacts.c.status == "ACTIVE", 0), (artifacts.c.status == "DRAFTED", 1), else_=2)
        if prefer_active
        else sa.literal(0)
    )
    stmt = (
        sa.select(artifacts, *(related_values(r) for r in ("tags", *related)))
        .where(*conds)
        .order_by(own, status, artifacts.c.version_key.desc(), artifacts.c.id)
        .limit(1)
    )
    async with catalog.db.read() as conn:
        row = (await conn.execute(stmt)).mappings().first()
    if row is None:
        return None
    record = ArtifactRecord.from_row(row)
    await listing.hide_shares(catalog, principal, [record])
    return record


def _version_condition(version: str) -> Any:
    if is_version_range(version):
        return version_range(artifacts.c.version_key, version, "version")
    try:
        # the version string itself: 1.0.0+a and 1.0.0+b share a key but are two artifacts
        return artifacts.c.version == normalize_version(version)
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


async def blobs_of(db: Database, ids: Sequence[str]) -> list[list[dict[str, Any]]]:
    stmt = (
        sa.select(blobs)
        .where(blobs.c.artifact_id.in_(set(ids)))
        .order_by(blobs.c.field, blobs.c.key)
    )
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    async with db.read() as conn:
        for row in (await conn.execute(stmt)).mappings():
            out[row["artifact_id"]].append(dict(row))
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
