"""Writing link values and `derived_from` into the one `edges` table.

A target must exist, be visible to the writer and be of the field's `to:` type; a missing and an
invisible target get the same BAD_USER_INPUT, so writing a link never reveals an artifact.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from glaregraph.catalog.database.tables import artifacts, edges
from glaregraph.catalog.errors import BadUserInput
from glaregraph.catalog.typedef.model import ANY_TYPE, DEFAULT_MAX_ITEMS, FieldDef, Kind
from glaregraph.catalog.unit_of_work import UnitOfWork

DERIVED_FROM = "derived_from"
CHUNK = 1000  # ids per statement, far below PostgreSQL's 32,767 parameters

Entry = tuple[str | None, str]  # (key, target id)


def link_entries(f: FieldDef | None, value: Any, path: str) -> list[Entry]:
    """The input value of a link field (or derivedFromIds when `f` is None) as entries."""
    if value is None:
        return []
    if f is not None and f.kind is Kind.LINK:
        return [(None, str(value))]
    if f is not None and f.kind is Kind.LINK_DICT:
        entries: list[Entry] = [(str(e["key"]), str(e["id"])) for e in value]
        keys = [k for k, _ in entries]
        for i, key in enumerate(keys):
            if not key or len(key) > 255:
                raise BadUserInput("a link key must be 1-255 characters", field=f"{path}[{i}].key")
        if len(set(keys)) != len(keys):
            raise BadUserInput("link keys must be unique", field=path)
    else:
        entries = [(None, str(v)) for v in value]
        if len({t for _, t in entries}) != len(entries):
            raise BadUserInput("the same artifact is linked twice", field=path)
    limit = (
        f.validators.max_items if f is not None and f.validators.max_items else DEFAULT_MAX_ITEMS
    )
    if len(entries) > limit:
        raise BadUserInput(f"at most {limit} links", field=path)
    return entries


async def replace_links(
    uow: UnitOfWork,
    source_id: str,
    relation: str,
    to: str,
    entries: list[Entry],
    path: str,
    indexed: bool = True,
) -> None:
    """Make `entries` the whole value of `relation` on `source_id`."""
    await check_targets(uow, to, entries, path, indexed)
    await uow.conn.execute(
        sa.delete(edges).where(edges.c.source_id == source_id, edges.c.relation == relation)
    )
    if entries:
        await uow.conn.execute(
            sa.insert(edges),
            [
                {
                    "source_id": source_id,
                    "target_id": target,
                    "relation": relation,
                    "key": key,
                    "position": i,
                }
                for i, (key, target) in enumerate(entries)
            ],
        )


async def check_targets(
    uow: UnitOfWork,
    to: str,
    entries: list[Entry],
    path: str,
    indexed: bool,
) -> None:
    ids = sorted({target for _, target in entries})
    found: dict[str, str] = {}
    for start in range(0, len(ids), CHUNK):  # a type may allow more links than one statement
        stmt = sa.select(artifacts.c.id, artifacts.c.type_name).where(
            artifacts.c.id.in_(ids[start : start + CHUNK]),
            uow.catalog.authz.visible(uow.principal),
        )
        found.update({row.id: row.type_name for row in await uow.conn.execute(stmt)})
    for i, (_key, target) in enumerate(entries):
        type_name = found.get(target)
        if type_name is None or (to != ANY_TYPE and type_name != to):
            kind = "artifact" if to == ANY_TYPE else f"'{to}' artifact"
            where = f"{path}[{i}]" if indexed else path
            raise BadUserInput(f"no {kind} with id {target} that you can see", field=where)
