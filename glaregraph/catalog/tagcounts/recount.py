"""Tag counts recomputed from the truth (artifacts not DELETED, their tags and shares, the
taxonomy): for the tags above a moved one when the taxonomy changes (`recompute`), and for
everything when `glaregraph gc` checks for drift (`recount`), which it repairs. Both run under
the exclusive taxonomy lock, so no mutation adds to the counts meanwhile (mutations wait for
it at their last step; on SQLite the write transaction excludes them anyway); the recount takes
it for one chunk of tags at a time, so mutations never wait for more than a chunk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog import lifecycle
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.tables import (
    artifact_shares,
    artifact_tags,
    artifacts,
    tag_counts,
    tag_pairs,
    tags,
)
from glaregraph.catalog.graph import taxonomy
from glaregraph.catalog.tagcounts.audience import OWNER, PUBLIC, SHARED

SAMPLE = 20  # drifted tags named in the report
CHUNK = 50  # tags recounted per transaction (mutations that change counts wait for one chunk)


@dataclass(slots=True)
class Drift:
    """What a recount found wrong and repaired: keys (tag, audience, type; pairs: with the
    other tag) whose count differed from the truth, and some of their tags."""

    counts: int = 0
    pairs: int = 0
    tags: list[str] = field(default_factory=list)


def _audiences() -> sa.Subquery:
    """(artifact_id, scope, project, type_name) of every artifact not DELETED: audience.py's
    rule in SQL."""
    a, s = artifacts, artifact_shares
    live = a.c.status != lifecycle.DELETED
    public = sa.select(
        a.c.id.label("artifact_id"),
        sa.literal(PUBLIC).label("scope"),
        sa.literal("").label("project"),
        a.c.type_name,
    ).where(live, a.c.visibility == lifecycle.PUBLIC)
    owner = sa.select(a.c.id, sa.literal(OWNER), a.c.owner, a.c.type_name).where(
        live, a.c.visibility != lifecycle.PUBLIC
    )
    shared = (
        sa.select(a.c.id, sa.literal(SHARED), s.c.project, a.c.type_name)
        .join(s, s.c.artifact_id == a.c.id)
        .where(live, a.c.visibility == lifecycle.SHARED, s.c.project != a.c.owner)
    )
    return sa.union_all(public, owner, shared).subquery("audiences")


def _covered(names: Sequence[str]) -> sa.Subquery:
    """(artifact_id, tag): each artifact and every tag of `names` it carries or carries one
    below, once."""
    down = taxonomy.descendants_of(names)
    return (
        sa.select(artifact_tags.c.artifact_id, down.c.root.label("tag"))
        .join(down, down.c.name == artifact_tags.c.tag)
        .distinct()
        .subquery("covered")
    )


def true_counts(names: Sequence[str]) -> sa.Select[Any]:
    """(tag, scope, project, type_name, n) of `names` from the truth."""
    covered, aud = _covered(names), _audiences()
    return (
        sa.select(covered.c.tag, aud.c.scope, aud.c.project, aud.c.type_name, sa.func.count())
        .join(aud, aud.c.artifact_id == covered.c.artifact_id)
        .group_by(covered.c.tag, aud.c.scope, aud.c.project, aud.c.type_name)
    )


def true_pairs(names: Sequence[str]) -> sa.Select[Any]:
    """(tag, scope, project, type_name, other, n) of `names` (as `tag`) from the truth."""
    mine, other, aud = artifact_tags.alias("mine"), artifact_tags.alias("other"), _audiences()
    return (
        sa.select(mine.c.tag, aud.c.scope, aud.c.project, aud.c.type_name, other.c.tag)
        .add_columns(sa.func.count())
        .join(other, sa.and_(other.c.artifact_id == mine.c.artifact_id, other.c.tag != mine.c.tag))
        .join(aud, aud.c.artifact_id == mine.c.artifact_id)
        .where(mine.c.tag.in_(names))
        .group_by(mine.c.tag, aud.c.scope, aud.c.project, aud.c.type_name, other.c.tag)
    )


async def recompute(conn: AsyncConnection, names: Sequence[str]) -> None:
    """Replace the counts of `names` by the truth (the caller holds the taxonomy lock)."""
    if not names:
        return
    await conn.execute(sa.delete(tag_counts).where(tag_counts.c.tag.in_(names)))
    await conn.execute(_insert(tag_counts, true_counts(names)))


async def recount(catalog: Catalog) -> Drift:
    """Compare every count with the truth and repair what differs (as one row in stripe 0),
    CHUNK tags per transaction; rows summing to nothing are dropped."""
    drift = Drift()
    drifted: set[str] = set()
    async with catalog.db.read() as conn:
        names: set[str] = set()
        for column in (artifact_tags.c.tag, tags.c.name, tag_counts.c.tag, tag_pairs.c.tag):
            names.update((await conn.execute(sa.select(column).distinct())).scalars())
    ordered = sorted(names)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        async with catalog.db.write() as conn:
            await taxonomy.lock(conn, shared=False)
            wrong = await _repair(conn, tag_counts, true_counts(chunk), chunk)
            drift.counts += len(wrong)
            drifted.update(key[0] for key in wrong)
            wrong = await _repair(conn, tag_pairs, true_pairs(chunk), chunk)
            drift.pairs += len(wrong)
            drifted.update(key[0] for key in wrong)
    drift.tags = sorted(drifted)[:SAMPLE]
    return drift


async def _repair(
    conn: AsyncConnection, table: sa.Table, truth: sa.Select[Any], names: Sequence[str]
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


def _insert(table: sa.Table, truth: sa.Select[Any]) -> sa.Insert:
    """INSERT INTO `table` (stripe 0) SELECT from `truth`, whose columns are the table's key
    (stripe excepted) and n."""
    keys = [c.name for c in table.primary_key.columns if c.name != "stripe"]
    rows = truth.subquery("truth")
    select = sa.select(*rows.c[: len(keys)], sa.literal(0, sa.SmallInteger), rows.c[len(keys)])
    return sa.insert(table).from_select([*keys, "stripe", "n"], select)
