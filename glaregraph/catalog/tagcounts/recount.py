"""Tag counts recomputed from the truth (artifacts not DELETED, their tags and shares, the
taxonomy): for the tags above a moved one when the taxonomy changes (`recompute`), and for
everything when `glaregraph gc` checks for drift (`recount`).

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
    tags,
)
from glaregraph.catalog.graph import taxonomy
from glaregraph.catalog.tagcounts.audience import OWNER, PUBLIC, SHARED

SAMPLE = 20  # drifted tags named in the report
CHUNK = 50  # tags recounted per transaction (mutations that change counts wait for one chunk)


@dataclass(slots=True)
class Drift:
    """What a recount found wrong and repaired: keys (tag, audience, type) whose count differed
    from the truth, and some of their tags."""

    counts: int = 0
    tags: list[str] = field(default_factory=list)


def _by_audience(
    source: sa.FromClause,
    artifact_id: sa.ColumnElement[str],
    tag: sa.ColumnElement[str],
) -> sa.CompoundSelect[Any]:
    """(tag, scope, project, type_name, n): the rows of `source` (one per artifact
    `artifact_id` and key) counted per audience of their artifact, for artifacts not DELETED
    (audience.py's rule in SQL). Driven by `source`, so a few tags read only their artifacts."""
    a, s = artifacts, artifact_shares
    joined = source.join(a, a.c.id == artifact_id)
    live = a.c.status != lifecycle.DELETED
    public = a.c.visibility == lifecycle.PUBLIC
    scope = sa.case((public, PUBLIC), else_=OWNER)
    project = sa.case((public, ""), else_=a.c.owner)
    direct = (
        sa.select(tag, scope, project, a.c.type_name, sa.func.count())
        .select_from(joined)
        .where(live)
        .group_by(tag, scope, project, a.c.type_name)
    )
    shared = (
        sa.select(tag, sa.literal(SHARED), s.c.project, a.c.type_name, sa.func.count())
        .select_from(joined.join(s, s.c.artifact_id == a.c.id))
        .where(live, a.c.visibility == lifecycle.SHARED, s.c.project != a.c.owner)
        .group_by(tag, s.c.project, a.c.type_name)
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


async def recompute(conn: AsyncConnection, names: Sequence[str]) -> None:
    """Replace the counts of `names` by the truth (the caller holds the taxonomy lock)."""
    if not names:
        return
    await conn.execute(sa.delete(tag_counts).where(tag_counts.c.tag.in_(names)))
    await conn.execute(_insert(tag_counts, true_counts(names)))


async def recount(catalog: Catalog) -> Drift:
    """Find the tags whose counts differ from the truth and repair them (as one row per key
    in stripe 0, rows summing to nothing dropped), CHUNK tags per transaction."""
    drift = Drift()
    drifted: set[str] = set()
    found = await _drifting(catalog.db)
    for start in range(0, len(found), CHUNK):
        chunk = found[start : start + CHUNK]
        async with catalog.db.write() as conn:
            await taxonomy.lock(conn, shared=False)
            wrong = await _repair(conn, tag_counts, true_counts(chunk), chunk)
            drift.counts += len(wrong)
            drifted.update(key[0] for key in wrong)
    drift.tags = sorted(drifted)[:SAMPLE]
    return drift


async def _drifting(db: Database) -> list[str]:
    """The tags with a count that differs from the truth, in one statement (one snapshot)."""
    differing = _differing(tag_counts, true_counts(None))
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
