"""Keeping tag counts in step with the artifacts: a mutation notes, for each artifact whose tags
or audiences it changes, what the artifact held before and after (`note`); the ledger turns
that into count changes as the first of the mutation's last steps, just before COMMIT (so the
counter rows' locks are held for the least time), under the shared taxonomy lock: -1 in
`tag_counts` for every (tag or ancestor, audience) the artifact covered before, +1 for every one
it covers after (an artifact carrying a tag and its descendant counts once). A change writes
rows linear in the artifact's tags. Co-occurrence (`tag_pairs`, read by `related`) is kept the
same way, over the tags an artifact carries itself (pairs.py).

Only the net changes are written, as relative upserts (`n = n + delta`) in key order into the
one stripe this transaction picked: no read-then-write in Python, and no deadlock between two
mutations (both take rows in key order). The upsert waits for COMMIT with the mutation's other
last writes (`UnitOfWork.later`).

A tag mutation, the one that many writers send to one artifact, does its taxonomy work before it
takes the artifact's row: `prepare` takes the taxonomy lock and reads the ancestors of the tags
it adds or removes, and `carried` reads the artifact's tags with their ancestors in one
statement, so settling only computes and writes."""

from __future__ import annotations

import functools
import random
import weakref
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog import lifecycle
from glaregraph.catalog.database.tables import (
    artifact_shares,
    artifact_tags,
    tag_counts,
    tag_pairs,
)
from glaregraph.catalog.graph import taxonomy
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.catalog.tagcounts import pairs
from glaregraph.catalog.tagcounts.audience import Audience, audiences
from glaregraph.catalog.unit_of_work import UnitOfWork

STRIPES = 4  # rows per key writers spread over; readers sum them (gc folds repaired keys)


@dataclass(frozen=True, slots=True)
class Holding:
    """What one artifact contributes to the counts: its type, its tags, its audiences (and its
    id, which keys its wide_tags rows)."""

    artifact_id: str
    type_name: str
    tags: frozenset[str]
    audiences: frozenset[Audience]

    def retagged(self, tags: Iterable[str]) -> Holding:
        return replace(self, tags=frozenset(tags))


async def holding(
    conn: AsyncConnection, record: ArtifactRecord, tags: Iterable[str] | None = None
) -> Holding:
    """What `record` (as it is now) holds; its tags are read unless given, its share projects
    only when it is SHARED (so a PRIVATE or PUBLIC artifact with known tags costs nothing)."""
    if tags is None:
        tags = await _values(conn, artifact_tags.c.tag, artifact_tags.c.artifact_id, record.id)
    shared: list[str] = []
    if record.visibility == lifecycle.SHARED:
        shared = await _values(
            conn, artifact_shares.c.project, artifact_shares.c.artifact_id, record.id
        )
    seen = audiences(record.owner, record.visibility, record.status, shared)
    return Holding(record.id, record.type_name, frozenset(tags), seen)


def note(uow: UnitOfWork, before: Holding | None, after: Holding | None) -> None:
    """One artifact of this mutation went from holding `before` to `after` (None: nothing,
    as before a create or after a delete)."""
    before, after = _counted(before), _counted(after)
    if before != after:
        _ledger(uow).moves.append((before, after))


def _counted(held: Holding | None) -> Holding | None:
    """None for what counts nowhere (no tags, or no audience: DELETED)."""
    return held if held is not None and held.tags and held.audiences else None


class Ledger:
    def __init__(self) -> None:
        self.stripe = random.randrange(STRIPES)  # the one stripe this transaction writes
        self.moves: list[tuple[Holding | None, Holding | None]] = []
        self.locked = False  # the shared taxonomy lock is held
        self.above: dict[str, list[str]] = {}  # ancestors read under it

    async def lock(self, conn: AsyncConnection) -> None:
        if not self.locked:
            await taxonomy.lock(conn, shared=True)  # ancestors cannot move until COMMIT
            self.locked = True

    async def settle(self, uow: UnitOfWork) -> None:
        if not self.moves:
            return
        await self.lock(uow.conn)
        names = {t for move in self.moves for h in move if h is not None for t in h.tags}
        missing = sorted(names.difference(self.above))
        if missing:
            self.above.update(await taxonomy.ancestors(uow.conn, missing))
        above = self.above
        counts: Counter[tuple[str, ...]] = Counter()
        paired: Counter[pairs.PairKey] = Counter()
        wide: Counter[pairs.WideRow] = Counter()
        for before, after in self.moves:
            for held, sign in ((before, -1), (after, 1)):
                if held is None:
                    continue
                covered = set(held.tags).union(*(above[t] for t in held.tags))
                for scope, project in held.audiences:
                    for tag in covered:
                        counts[(tag, scope, project, held.type_name)] += sign
            pairs.moved(before, after, paired, wide)
        self.moves.clear()
        _add(uow, tag_counts, counts, self.stripe)
        _add(uow, tag_pairs, paired, self.stripe)
        pairs.write_wide(uow, wide)


async def prepare(uow: UnitOfWork, names: Iterable[str]) -> None:
    """Before a mutation locks its artifact: the shared taxonomy lock, and the ancestors of
    `names` (the tags it will add or remove)."""
    found = _ledger(uow)
    await found.lock(uow.conn)
    wanted = sorted(set(names).difference(found.above))
    if wanted:
        found.above.update(await taxonomy.ancestors(uow.conn, wanted))


async def carried(uow: UnitOfWork, artifact_id: str) -> set[str]:
    """The tags of the (locked) artifact; their ancestors, read in the same statement, are
    noted for settling (under the taxonomy lock `prepare` took)."""
    found = _ledger(uow)
    await found.lock(uow.conn)
    tagged = await taxonomy.carried(uow.conn, artifact_id)
    found.above.update(tagged)
    return set(tagged)


_ledgers: weakref.WeakKeyDictionary[UnitOfWork, Ledger] = weakref.WeakKeyDictionary()


def _ledger(uow: UnitOfWork) -> Ledger:
    """The mutation's ledger, settled first among its last steps: before the quota counters,
    so every transaction takes count rows before quota rows."""
    found = _ledgers.get(uow)
    if found is None:
        found = _ledgers[uow] = Ledger()

        async def settle() -> None:
            await found.settle(uow)

        uow.last.insert(0, settle)
    return found


def _add(uow: UnitOfWork, table: sa.Table, deltas: Counter[tuple[str, ...]], stripe: int) -> None:
    """Add the non-zero `deltas` (keyed by the table's key columns but the stripe) to `stripe`,
    in key order, by one statement (PostgreSQL: the rows as arrays, unnested), sent with the
    mutation's last writes."""
    keys = _keys(table)
    ordered = sorted((key, n) for key, n in deltas.items() if n)
    if not ordered:
        return
    columns = [*keys, "stripe", "n"]
    values = [[*key, stripe, n] for key, n in ordered]
    if uow.conn.dialect.name == "postgresql":
        arrays = {_array(table, c): [v[i] for v in values] for i, c in enumerate(columns)}
        uow.later(_unnested_upsert(table), arrays)
        return
    insert = sqlite.insert(table)
    uow.later(
        insert.on_conflict_do_update(
            index_elements=[*keys, "stripe"], set_={"n": table.c.n + insert.excluded.n}
        ),
        [dict(zip(columns, v, strict=True)) for v in values],
    )


def _keys(table: sa.Table) -> list[str]:
    return [c.name for c in table.primary_key.columns if c.name != "stripe"]


@functools.cache
def _unnested_upsert(table: sa.Table) -> Any:
    """PostgreSQL: add `n` to rows given as one array per column; built once (building it
    took longer than running it)."""
    keys = _keys(table)
    columns = [*keys, "stripe", "n"]
    arrays = [
        sa.bindparam(_array(table, c), type_=postgresql.ARRAY(table.c[c].type)) for c in columns
    ]
    rows = sa.func.unnest(*arrays).table_valued(*columns).render_derived()
    insert = postgresql.insert(table).from_select(columns, sa.select(*(rows.c[c] for c in columns)))
    return insert.on_conflict_do_update(
        index_elements=[*keys, "stripe"], set_={"n": table.c.n + insert.excluded.n}
    )


def _array(table: sa.Table, column: str) -> str:
    """The parameter naming a column's values: per table, so the writes of both tables share
    one statement (sent together, parameters must not collide)."""
    return f"{table.name}_{column}"


async def _values(
    conn: AsyncConnection, column: sa.Column[str], key: sa.Column[str], value: str
) -> list[str]:
    return list((await conn.execute(sa.select(column).where(key == value))).scalars())
