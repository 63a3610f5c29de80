"""The tag graph: a taxonomy (each tag at most one parent, no cycles) over the tags artifacts
carry. Counts and co-occurrence are taken only over artifacts the caller may see: both read
from what is maintained (glaregraph/catalog/tagcounts: tag_counts and tag_pairs) as sums over
the audiences the caller reads; a tag exists for a caller if it is in the taxonomy or on an
artifact the caller may see."""

from __future__ import annotations

import base64
import binascii
import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.expression import ColumnElement

from glaregraph.catalog import basefields
from glaregraph.catalog.authz import Authorizer
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.tables import (
    artifact_tags,
    artifacts,
    tag_counts,
    tag_pairs,
    tags,
    wide_tags,
)
from glaregraph.catalog.errors import BadUserInput
from glaregraph.catalog.graph import taxonomy
from glaregraph.catalog.graph.taxonomy import ancestors
from glaregraph.catalog.principal import Caller, Principal
from glaregraph.catalog.query.filters import LIKE_ESCAPE
from glaregraph.catalog.tagcounts import audience
from glaregraph.catalog.tagcounts.recount import recompute
from glaregraph.catalog.unit_of_work import unit_of_work

__all__ = ["ancestors"]  # the loaders read the taxonomy through this module

MAX_RELATED = 100
# at most this many tags named in a filter (each one a bound parameter of the page statement)
MAX_NAMED_SUBTREE = 1000


@dataclass(frozen=True, slots=True)
class TagPage:
    names: list[str]
    cursors: list[str]
    has_next: bool
    has_previous: bool


def check_name(name: str, path: str) -> str:
    return basefields.validate_tags([name], path)[0]


async def set_parent(catalog: Catalog, caller: Caller, name: str, parent: str | None) -> str:
    """Put `name` under `parent` (None: at the top), creating either tag if unknown; a parent
    that is `name` or one of its descendants would close a cycle → BAD_USER_INPUT. The counts
    of the tags above `name` before and after are recomputed from the truth (the taxonomy lock
    keeps every count-changing mutation out meanwhile)."""
    name = check_name(name, "name")
    parent = None if parent is None else check_name(parent, "parent")
    async with unit_of_work(catalog, caller, "tagSetParent") as uow:
        await uow.authorize("edit_tag_taxonomy")
        conn = uow.conn
        await taxonomy.lock(conn, shared=False)
        for tag in (name, parent):
            if tag is not None:
                await conn.execute(_insert_missing(conn, tag))
        above = await _ancestors_of(conn, name)
        new_above = [] if parent is None else [parent, *await _ancestors_of(conn, parent)]
        if name in new_above:
            raise BadUserInput(
                f"'{parent}' is '{name}' or below it: that would make a cycle", field="parent"
            )
        await conn.execute(sa.update(tags).where(tags.c.name == name).values(parent=parent))
        if above != new_above:
            await recompute(conn, sorted({*above, *new_above}))
        uow.details = {"name": name, "parent": parent}
    return name


def _insert_missing(conn: AsyncConnection, name: str) -> sa.Insert:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt: sa.Insert = dialect.insert(tags).values(name=name, parent=None)
    return stmt.on_conflict_do_nothing()  # type: ignore[attr-defined,no-any-return]


async def _ancestors_of(conn: AsyncConnection, name: str) -> list[str]:
    return (await ancestors(conn, [name]))[name]


def _readable(catalog: Catalog, principal: Principal, table: Any) -> ColumnElement[bool]:
    """The rows of a count table that count for `principal`: its audiences, served types."""
    return _readable_by(tuple(catalog.served_types), principal, table)


def _readable_by(
    served_types: tuple[str, ...], principal: Principal, table: Any
) -> ColumnElement[bool]:
    return sa.and_(audience.readable(principal, table), table.c.type_name.in_(served_types))


def carried(catalog: Catalog, principal: Principal) -> sa.Select[tuple[str]]:
    """Tag names carried by (or, for a tag of the taxonomy, below a tag carried by) artifacts
    `principal` may see."""
    return (
        sa.select(tag_counts.c.tag)
        .where(_readable(catalog, principal, tag_counts))
        .group_by(tag_counts.c.tag)
        .having(sa.func.sum(tag_counts.c.n) > 0)
    )


@dataclass(frozen=True, slots=True)
class Found:
    count: int  # artifactCount for the caller
    subtree: list[str] | None  # the tag and every tag below it, when asked for


async def lookup(
    catalog: Catalog, principal: Principal, name: str, subtree: bool = False
) -> Found | None:
    """The tag's artifactCount for `principal` (and, if `subtree`, the names of its subtree),
    or None if the tag does not exist for it (neither in the taxonomy nor on an artifact it may
    see): `tag(name)`, its `artifactCount` and the subtree its `artifacts` filter on read in
    one statement, so neither costs a statement (a round trip before the page) of its own."""
    stmt = _lookup_statement(tuple(catalog.served_types), principal, catalog.db.dialect, subtree)
    async with catalog.db.read() as conn:
        known, count, *below = (await conn.execute(stmt, {"name": name})).one()
    n = int(count or 0)
    if not known and n == 0:
        return None
    return Found(n, _names(below[0]) if subtree else None)


def _names(value: Any) -> list[str]:
    """An array of names: a list on PostgreSQL, JSON text on SQLite."""
    return list(value) if isinstance(value, list) else list(orjson.loads(value))


# The statements of the tag query are built once per caller (and served types), the values
# bound: building them took more of a request than running them (a 2-core machine: ~5 of ~24
# ms, most of it SQLAlchemy assembling the visibility rule and the column collections).
_ONCE = functools.lru_cache(maxsize=1024)


@_ONCE
def _lookup_statement(
    served_types: tuple[str, ...], principal: Principal, dialect: str, subtree: bool
) -> sa.Select[Any]:
    name = sa.bindparam("name", type_=tags.c.name.type)
    in_taxonomy = sa.exists().where(tags.c.name == name)
    visible = (
        sa.select(sa.func.sum(tag_counts.c.n))
        .where(tag_counts.c.tag == name, _readable_by(served_types, principal, tag_counts))
        .scalar_subquery()
    )
    if not subtree:
        return sa.select(in_taxonomy, visible)
    down = taxonomy.descendants_of([name])
    if dialect == "postgresql":
        below: Any = sa.func.array(sa.select(down.c.name).scalar_subquery())
    else:
        below = sa.select(sa.func.json_group_array(down.c.name)).scalar_subquery()
    return sa.select(in_taxonomy, visible, below)


def artifacts_filter(name: str, below: list[str] | None) -> dict[str, Any]:
    """The artifact filter of `Tag.artifacts`: with descendants (`below`: the tag's subtree,
    read beforehand), the subtree named in the filter: the page statement then checks each
    artifact it walks with one lookup of its tags, where the recursive filter joined the whole
    subtree to each one (on the seeded graph, a page of 50 below a root tag: ~10 -> ~4 ms). A
    subtree too large to name keeps the recursive filter."""
    if below is None:
        return {"tags": {"all": [name]}}
    if len(below) <= MAX_NAMED_SUBTREE:
        return {"tags": {"any": below}}
    return {"tags": {"all": [name], "include_descendants": True}}


async def subtrees(conn: AsyncConnection, names: Sequence[str]) -> dict[str, list[str]]:
    """Each of `names` with every tag below it in the taxonomy."""
    down = taxonomy.descendants_of(names)
    out: dict[str, list[str]] = defaultdict(list)
    for root, name in await conn.execute(sa.select(down.c.root, down.c.name)):
        out[root].append(name)
    return {n: out[n] for n in names}


async def page(
    catalog: Catalog, principal: Principal, prefix: str | None, first: int, after: str | None
) -> TagPage:
    """Tags in name order (the taxonomy's and those on artifacts the caller may see; a tag with
    a count but not carried itself is in the taxonomy, so this is the same set)."""
    names = sa.union(sa.select(tags.c.name.label("tag")), carried(catalog, principal)).subquery()
    stmt = sa.select(names.c.tag).order_by(names.c.tag).limit(first + 1)
    if prefix:
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(names.c.tag.like(escaped + "%", escape=LIKE_ESCAPE))
    if after is not None:
        stmt = stmt.where(names.c.tag > decode_cursor(after))
    async with catalog.db.read() as conn:
        found = list((await conn.execute(stmt)).scalars())
    kept = found[:first]
    return TagPage(kept, [encode_cursor(n) for n in kept], len(found) > first, after is not None)


def encode_cursor(name: str) -> str:
    return base64.urlsafe_b64encode(b"tag:" + name.encode()).decode()


def decode_cursor(cursor: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor.encode())
        if not raw.startswith(b"tag:"):
            raise ValueError(cursor)
        return raw[4:].decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadUserInput("not a cursor of this list", field="after") from None


async def parents(conn: AsyncConnection, names: Sequence[str]) -> dict[str, str | None]:
    rows = await conn.execute(sa.select(tags.c.name, tags.c.parent).where(tags.c.name.in_(names)))
    return {name: parent for name, parent in rows}


async def children(conn: AsyncConnection, names: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    rows = await conn.execute(
        sa.select(tags.c.parent, tags.c.name).where(tags.c.parent.in_(names)).order_by(tags.c.name)
    )
    for parent, name in rows:
        out[parent].append(name)
    return out


async def counts(catalog: Catalog, principal: Principal, names: Sequence[str]) -> dict[str, int]:
    """Artifacts the caller may see that carry each tag or a tag below it, each once."""
    total = sa.func.sum(tag_counts.c.n)
    stmt = (
        sa.select(tag_counts.c.tag, total)
        .where(tag_counts.c.tag.in_(names), _readable(catalog, principal, tag_counts))
        .group_by(tag_counts.c.tag)
    )
    async with catalog.db.read() as conn:
        found = {name: int(n) for name, n in await conn.execute(stmt)}
    return {n: found.get(n, 0) for n in names}


async def related(
    catalog: Catalog, principal: Principal, name: str, first: int
) -> list[tuple[str, int]]:
    """Tags carried directly by the caller-visible artifacts that carry `name` directly, with
    how many such artifacts carry each: highest count first, then name. One statement: the
    maintained co-occurrence (tag_pairs) summed over the audiences the caller reads, one index
    range per audience however many artifacts carry `name` (counting them per request visited
    each one: ~4,000 below a root tag of the benchmark graph, 35-70 ms on PostgreSQL), plus the
    pairs of the few wide artifacts (tagcounts/pairs.py), counted here under the visibility
    rule."""
    if not 0 <= first <= MAX_RELATED:
        raise BadUserInput(f"first is 0-{MAX_RELATED}", field="first")
    stmt = _related_statement(catalog.authz, tuple(catalog.served_types), principal)
    async with catalog.db.read() as conn:
        return [
            (tag, int(n)) for tag, n in await conn.execute(stmt, {"name": name, "first": first})
        ]


@_ONCE
def _related_statement(
    authz: Authorizer, served_types: tuple[str, ...], principal: Principal
) -> sa.Select[Any]:
    name = sa.bindparam("name", type_=tags.c.name.type)
    kept = sa.select(tag_pairs.c.other.label("tag"), tag_pairs.c.n).where(
        tag_pairs.c.tag == name, _readable_by(served_types, principal, tag_pairs)
    )
    also = artifact_tags.alias("also")
    wide = (
        sa.select(also.c.tag, sa.literal(1, sa.BigInteger).label("n"))
        .select_from(wide_tags)
        .join(artifacts, artifacts.c.id == wide_tags.c.artifact_id)
        .join(also, sa.and_(also.c.artifact_id == wide_tags.c.artifact_id, also.c.tag != name))
        .where(
            wide_tags.c.tag == name,
            authz.visible(principal),
            artifacts.c.type_name.in_(served_types),
        )
    )
    both = sa.union_all(kept, wide).subquery("together")
    count = sa.func.sum(both.c.n).label("n")
    return (
        sa.select(both.c.tag, count)
        .group_by(both.c.tag)
        .having(count > 0)
        .order_by(count.desc(), both.c.tag)
        .limit(sa.bindparam("first", type_=sa.Integer()))
    )
