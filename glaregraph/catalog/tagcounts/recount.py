"""Tag counts recomputed from the truth (artifacts not DELETED, their tags and shares, the
taxonomy): for the tags above a moved one when the taxonomy changes (`recompute`), and for
everything when `glaregraph gc` checks for drift (`recount`), co-occurrence (`tag_pairs`, which
the taxonomy does not touch) included.

The check takes no lock: one statement compares every count with the truth, and since counts
change in the same transactions as what they count, one snapshot agrees with itself unless
something drifted. Only the tags found drifting are repaired, a chunk at a time, under the
exclusive taxonomy lock (so no mutation adds to their counts meanwhile; mutations wait for it
at their last step, for one chunk at most; on SQLite the write transaction excludes them)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog import lifecycle
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.database.tables import (
    artifact_shares,
    artifact_tags,
    artifacts,
    tag_counts,
    tag_pairs,
    tags,
    wide_tags,
)
from glaregraph.catalog.graph import taxonomy
from glaregraph.catalog.tagcounts import pairs
from glaregraph.catalog.tagcounts.audience import OWNER, PUBLIC, SHARED

SAMPLE = 20  # drifted tags named in the report
CHUNK = 50  # tags recounted per transaction (mutations that change counts wait for one chunk)


@dataclass(slots=True)
class Drift:
    """What a recount found wrong and repaired: keys (tag, audience, type) whose count differed
    from the truth, keys (tag, audience, type, other tag) whose co-occurrence did, and some of
    their tags."""

    counts: int = 0
    pairs: int = 0
    wide: int = 0  # rows of wide_tags added or dropped
    tags: list[str] = field(default_factory=list)


def _by_audience(
    source: sa.FromClause,
    artifact_id: sa.ColumnElement[str],
    tag: sa.ColumnElement[str],
    *after: sa.ColumnElement[str],
) -> sa.CompoundSelect[Any]:
    """(tag, scope, project, type_name, *after, n): the rows of `source` (one per artifact
    `artifact_id` and key) counted per audience of their artifact, for artifacts not DELETED
    (audience.py's rule in SQL). Driven by `source`, so a few tags read only their artifacts."""
    a, s = artifacts, artifact_shares
    joined = source.join(a, a.c.id == artifact_id)
    live = a.c.status != lifecycle.DELETED
    public = a.c.visibility == lifecycle.PUBLIC
    scope = sa.case((public, PUBLIC), else_=OWNER)
    project = sa.case((public, ""), else_=a.c.owner)
    direct = (
        sa.select(tag, scope, project, a.c.type_name, *after, sa.func.count())
        .select_from(joined)
        .where(live)
        .group_by(tag, scope, project, a.c.type_name, *after)
    )
    shared = (
        sa.select(tag, sa.literal(SHARED), s.c.project, a.c.type_name, *after, sa.func.count())
        .select_from(joined.join(s, s.c.artifact_id == a.c.id))
        .where(live, a.c.visibility == lifecycle.SHARED, s.c.project != a.c.owner)
        .group_by(tag, s.c.project, a.c.type_name, *after)
    )
    return sa.union_all(direct, shared)


def _covered(names: Sequence[str] | None) -> sa.Subquery:
    """(artifact_id, tag): each artifact and every tag (of `names`, when given) it carries or
    carries one below, once."""
    if names is not None:
        down = taxonomy.descendants_of(names)
        pairs = sa.select(artifact_tags.c.artifact_id, down.c.root.label("tag")).join(
            down, down.c.name == artifact_tags.c.tag
        )
    else:  # every carried tag with its ancestors
        seed = (
            sa.select(artifact_tags.c.tag, artifact_tags.c.tag.label("above"))
            .distinct()
            .cte("up", recursive=True)
        )
        up = seed.union(
            sa.select(seed.c.tag, tags.c.parent)
            .join(tags, tags.c.name == seed.c.above)
            .where(tags.c.parent.is_not(None))
        )
        pairs = sa.select(artifact_tags.c.artifact_id, up.c.above.label("tag")).join(
            up, up.c.tag == artifact_tags.c.tag
        )
    return pairs.distinct().subquery("covered")


def true_counts(names: Sequence[str] | None) -> sa.CompoundSelect[Any]:
    """(tag, scope, project, type_name, n) of `names` (None: every tag) from the truth."""
    covered = _covered(names)
    return _by_audience(covered, covered.c.artifact_id, covered.c.tag)


def true_pairs(names: Sequence[str] | None) -> sa.CompoundSelect[Any]:
    """(tag, scope, project, type_name, other, n) of `names` (None: every tag) from the truth:
    the artifacts carrying both `tag` and `other` themselves (wide ones left out)."""
    mine, also = artifact_tags.alias("mine"), artifact_tags.alias("also")
    source = (
        sa.select(mine.c.artifact_id, mine.c.tag, also.c.tag.label("other"))
        .join(also, sa.and_(also.c.artifact_id == mine.c.artifact_id, also.c.tag != mine.c.tag))
        .where(mine.c.artifact_id.not_in(_wide_ids()))
    )
    if names is not None:
        source = source.where(mine.c.tag.in_(names))
    both = source.subquery("both")
    return _by_audience(both, both.c.artifact_id, both.c.tag, both.c.other)


def _wide_ids() -> sa.Select[tuple[str]]:
    """The artifacts carrying more than PAIRED_TAGS tags."""
    return (
        sa.select(artifact_tags.c.artifact_id)
        .group_by(artifact_tags.c.artifact_id)
        .having(sa.func.count() > pairs.PAIRED_TAGS)
    )


def true_wide(ids: Sequence[str] | None = None) -> sa.Select[tuple[str, str]]:
    """(tag, artifact_id) of wide_tags from the truth: the tags of the wide artifacts not
    DELETED (of `ids`, when given)."""
    stmt = (
        sa.select(artifact_tags.c.tag, artifact_tags.c.artifact_id)
        .join(artifacts, artifacts.c.id == artifact_tags.c.artifact_id)
        .where(
            artifacts.c.status != lifecycle.DELETED,
            artifact_tags.c.artifact_id.in_(_wide_ids()),
        )
    )
    return stmt if ids is None else stmt.where(artifact_tags.c.artifact_id.in_(ids))


async def recompute(conn: AsyncConnection, names: Sequence[str]) -> None:
    """Replace the counts of `names` by the truth (the caller holds the taxonomy lock)."""
    if not names:
        return
    await conn.execute(sa.delete(tag_counts).where(tag_counts.c.tag.in_(names)))
    await conn.execute(_insert(tag_counts, true_counts(names)))


async def recount(catalog: Catalog) -> Drift:
    """Find the tags whose counts or co-occurrences differ from the truth and repair them (as
    one row per key in stripe 0, rows summing to nothing dropped), CHUNK tags per transaction."""
    drift = Drift()
    drifted: set[str] = set()
    for table, truth in ((tag_counts, true_counts), (tag_pairs, true_pairs)):
        found = await _drifting(catalog.db, table, truth(None))
        for start in range(0, len(found), CHUNK):
            chunk = found[start : start + CHUNK]
            async with catalog.db.write() as conn:
                await taxonomy.lock(conn, shared=False)
                wrong = await _repair(conn, table, truth(chunk), chunk)
            if table is tag_counts:
                drift.counts += len(wrong)
            else:
                drift.pairs += len(wrong)
            drifted.update(key[0] for key in wrong)
    for tag, _ in await _repair_wide(catalog.db):
        drift.wide += 1
        drifted.add(tag)
    drift.tags = sorted(drifted)[:SAMPLE]
    return drift


async def _repair_wide(db: Database) -> set[tuple[str, str]]:
    """Make wide_tags say what the artifacts say; the (tag, artifact) rows that differed. The
    check takes no lock; the artifacts found differing are read again and repaired under the
    exclusive taxonomy lock (which every mutation writing wide_tags takes shared)."""
    async with _unbounded(db) as conn:
        held, true = await _wide_sides(conn, None)
    if held == true:
        return set()
    ids = sorted({artifact for _, artifact in held ^ true})
    async with db.write() as conn:
        await taxonomy.lock(conn, shared=False)
        held, true = await _wide_sides(conn, ids)
        if held - true:
            await conn.execute(pairs.delete_rows(), pairs.rows_of(sorted(held - true)))
        if true - held:
            rows = [{"tag": t, "artifact_id": a} for t, a in sorted(true - held)]
            await conn.execute(sa.insert(wide_tags), rows)
    return held ^ true


async def _wide_sides(
    conn: AsyncConnection, ids: Sequence[str] | None
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """The (tag, artifact_id) rows of wide_tags, and those of its truth (of `ids`, if given)."""
    held = sa.select(wide_tags.c.tag, wide_tags.c.artifact_id)
    if ids is not None:
        held = held.where(wide_tags.c.artifact_id.in_(ids))
    sides = []
    for stmt in (held, true_wide(ids)):
        sides.append({(str(tag), str(artifact)) for tag, artifact in await conn.execute(stmt)})
    return sides[0], sides[1]


async def _drifting(db: Database, table: sa.Table, truth: sa.CompoundSelect[Any]) -> list[str]:
    """The tags with a row of `table` that differs from the truth, in one statement (one
    snapshot)."""
    differing = _differing(table, truth)
    async with _unbounded(db) as conn:
        return sorted(set((await conn.execute(differing)).scalars()))


def _differing(table: sa.Table, truth: sa.CompoundSelect[Any]) -> sa.Select[Any]:
    """The tags of the keys where `table` and `truth` disagree."""
    keys = [c for c in table.primary_key.columns if c.name != "stripe"]
    counted = (
        sa.select(*keys, sa.func.sum(table.c.n).label("n"))
        .group_by(*keys)
        .having(sa.func.sum(table.c.n) != 0)
        .subquery("counted")
    )
    true = truth.subquery("true")
    same = sa.and_(*(counted.c[c.name] == true.c[i] for i, c in enumerate(keys)))
    return (
        sa.select(sa.func.coalesce(counted.c.tag, true.c[0]))
        .select_from(counted.join(true, same, full=True))
        .where(sa.func.coalesce(counted.c.n, 0) != sa.func.coalesce(true.c[len(keys)], 0))
    )


@asynccontextmanager
async def _unbounded(db: Database) -> AsyncIterator[AsyncConnection]:
    """A connection whose statements may run past the request statement timeout: the check
    reads every artifact (PostgreSQL: in a transaction that takes no lock it holds)."""
    if db.is_sqlite:
        async with db.read() as conn:
            yield conn
        return
    async with db.write() as conn:
        await conn.execute(sa.text("SET LOCAL statement_timeout = 0"))
        yield conn


async def _repair(
    conn: AsyncConnection, table: sa.Table, truth: sa.CompoundSelect[Any], names: Sequence[str]
) -> list[Any]:
    """Make the rows of `names` in `table` say what `truth` says; the keys that differed."""
    keys = [c for c in table.primary_key.columns if c.name != "stripe"]
    mine = table.c.tag.in_(names)
    total = sa.func.sum(table.c.n)
    rows = await conn.execute(
        sa.select(*keys, total).where(mine).group_by(*keys).having(total != 0)
    )
    counted = {tuple(row[:-1]): int(row[-1]) for row in rows}
    true = {tuple(row[:-1]): int(row[-1]) for row in await conn.execute(truth)}
    wrong = sorted(k for k in counted.keys() | true.keys() if counted.get(k) != true.get(k))
    columns = [c.name for c in keys]
    if wrong and not counted:  # nothing counted yet (after a bulk load): one INSERT ... SELECT
        await conn.execute(sa.delete(table).where(mine))
        await conn.execute(_insert(table, truth))
    elif wrong:
        match = sa.and_(*(c == sa.bindparam(f"k_{c.name}") for c in keys))
        await conn.execute(
            sa.delete(table).where(match),
            [{f"k_{n}": v for n, v in zip(columns, k, strict=True)} for k in wrong],
        )
        fixed = [
            {**dict(zip(columns, k, strict=True)), "stripe": 0, "n": true[k]}
            for k in wrong
            if true.get(k)
        ]
        if fixed:
            await conn.execute(sa.insert(table), fixed)
    await conn.execute(sa.delete(table).where(mine, table.c.n == 0))
    return wrong


def _insert(table: sa.Table, truth: sa.CompoundSelect[Any]) -> sa.Insert:
    """INSERT INTO `table` (stripe 0) SELECT from `truth`, whose columns are the table's key
    (stripe excepted) and n."""
    keys = [c.name for c in table.primary_key.columns if c.name != "stripe"]
    rows = truth.subquery("truth")
    select = sa.select(*rows.c[: len(keys)], sa.literal(0, sa.SmallInteger), rows.c[len(keys)])
    return sa.insert(table).from_select([*keys, "stripe", "n"], select)
