"""The tag graph: a taxonomy (each tag at most one parent, no cycles) over the tags artifacts
carry. Counts and co-occurrence are taken only over artifacts the caller may see; a tag exists
for a caller if it is in the taxonomy or on an artifact the caller may see."""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog import basefields
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.tables import artifact_tags, artifacts, tags
from glaregraph.catalog.errors import BadUserInput
from glaregraph.catalog.principal import Caller, Principal
from glaregraph.catalog.query.filters import LIKE_ESCAPE
from glaregraph.catalog.unit_of_work import unit_of_work

MAX_RELATED = 100
TAXONOMY_LOCK = 7_340_113  # PostgreSQL advisory lock key: one taxonomy change at a time


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
    that is `name` or one of its descendants would close a cycle → BAD_USER_INPUT."""
    name = check_name(name, "name")
    parent = None if parent is None else check_name(parent, "parent")
    async with unit_of_work(catalog, caller, "tagSetParent") as uow:
        await uow.authorize("edit_tag_taxonomy")
        conn = uow.conn
        if not catalog.db.is_sqlite:  # SQLite writers are serialised already
            await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(TAXONOMY_LOCK)))
        for tag in (name, parent):
            if tag is not None:
                await conn.execute(_insert_missing(conn, tag))
        if parent is not None and name in {parent, *await _ancestors_of(conn, parent)}:
            raise BadUserInput(
                f"'{parent}' is '{name}' or below it: that would make a cycle", field="parent"
            )
        await conn.execute(sa.update(tags).where(tags.c.name == name).values(parent=parent))
        uow.details = {"name": name, "parent": parent}
    return name


def _insert_missing(conn: AsyncConnection, name: str) -> sa.Insert:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt: sa.Insert = dialect.insert(tags).values(name=name, parent=None)
    return stmt.on_conflict_do_nothing()  # type: ignore[attr-defined,no-any-return]


async def _ancestors_of(conn: AsyncConnection, name: str) -> list[str]:
    return (await ancestors(conn, [name]))[name]


def carried(catalog: Catalog, principal: Principal) -> sa.Select[tuple[str]]:
    """Tag names on artifacts `principal` may see."""
    return (
        sa.select(artifact_tags.c.tag)
        .join(artifacts, artifacts.c.id == artifact_tags.c.artifact_id)
        .where(catalog.authz.visible(principal), artifacts.c.type_name.in_(catalog.served_types))
    )


async def exists(catalog: Catalog, principal: Principal, name: str) -> bool:
    in_taxonomy = sa.exists().where(tags.c.name == name)
    on_visible = carried(catalog, principal).where(artifact_tags.c.tag == name).exists()
    async with catalog.db.read() as conn:
        return bool(await conn.scalar(sa.select(sa.or_(in_taxonomy, on_visible))))


async def page(
    catalog: Catalog, principal: Principal, prefix: str | None, first: int, after: str | None
) -> TagPage:
    """Tags in name order (the taxonomy's and those on artifacts the caller may see)."""
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


async def ancestors(conn: AsyncConnection, names: Sequence[str]) -> dict[str, list[str]]:
    """Each tag's ancestors, nearest first, for many tags in one statement."""
    start = _seeds(names)
    seed = sa.select(
        start.c.root, start.c.root.label("name"), sa.literal(0, sa.Integer).label("level")
    ).cte("up", recursive=True)
    up = seed.union_all(
        sa.select(seed.c.root, tags.c.parent, (seed.c.level + 1))
        .join(tags, tags.c.name == seed.c.name)
        .where(tags.c.parent.is_not(None), seed.c.level < 1000)
    )
    rows = await conn.execute(
        sa.select(up.c.root, up.c.name).where(up.c.level > 0).order_by(up.c.root, up.c.level)
    )
    out: dict[str, list[str]] = {n: [] for n in names}
    for root, name in rows:
        out[root].append(name)
    return out


def _seeds(names: Sequence[str]) -> sa.Subquery:
    """The names as rows of one column, `root` (a recursive CTE's anchor selects from it)."""
    rows = [sa.select(sa.literal(n, tags.c.name.type).label("root")) for n in names]
    return (rows[0] if len(rows) == 1 else sa.union_all(*rows)).subquery("seeds")


def descendants_of(names: Sequence[str]) -> sa.CTE:
    """(root, name) for each of `names` and every tag below it in the taxonomy."""
    start = _seeds(names)
    seed = sa.select(start.c.root, start.c.root.label("name")).cte("down", recursive=True)
    return seed.union(sa.select(seed.c.root, tags.c.name).join(tags, tags.c.parent == seed.c.name))


async def counts(
    catalog: Catalog, principal: Principal, names: Sequence[str], deep: bool
) -> dict[str, int]:
    """Artifacts the caller may see that carry each tag (or, `deep`, a tag below it)."""
    if deep:
        down = descendants_of(names)
        stmt = (
            sa.select(down.c.root, sa.func.count(sa.distinct(artifacts.c.id)))
            .select_from(down)
            .join(artifact_tags, artifact_tags.c.tag == down.c.name)
            .join(artifacts, artifacts.c.id == artifact_tags.c.artifact_id)
            .group_by(down.c.root)
        )
    else:
        stmt = (
            sa.select(artifact_tags.c.tag, sa.func.count())
            .join(artifacts, artifacts.c.id == artifact_tags.c.artifact_id)
            .where(artifact_tags.c.tag.in_(names))
            .group_by(artifact_tags.c.tag)
        )
    stmt = stmt.where(
        catalog.authz.visible(principal), artifacts.c.type_name.in_(catalog.served_types)
    )
    async with catalog.db.read() as conn:
        found = {name: int(n) for name, n in await conn.execute(stmt)}
    return {n: found.get(n, 0) for n in names}


async def related(
    catalog: Catalog, principal: Principal, name: str, first: int
) -> list[tuple[str, int]]:
    """Tags carried directly by the caller-visible artifacts that carry `name`, with how many
    such artifacts carry each: highest count first, then name."""
    if not 0 <= first <= MAX_RELATED:
        raise BadUserInput(f"first is 0-{MAX_RELATED}", field="first")
    mine, other = artifact_tags.alias("mine"), artifact_tags.alias("other")
    count = sa.func.count().label("n")
    stmt = (
        sa.select(other.c.tag, count)
        .select_from(mine)
        .join(other, sa.and_(other.c.artifact_id == mine.c.artifact_id, other.c.tag != name))
        .join(artifacts, artifacts.c.id == mine.c.artifact_id)
        .where(
            mine.c.tag == name,
            catalog.authz.visible(principal),
            artifacts.c.type_name.in_(catalog.served_types),
        )
        .group_by(other.c.tag)
        .order_by(count.desc(), other.c.tag)
        .limit(first)
    )
    async with catalog.db.read() as conn:
        return [(tag, int(n)) for tag, n in await conn.execute(stmt)]
