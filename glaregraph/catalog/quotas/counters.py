"""Striped usage counters: one scope's usage is the sum of STRIPES rows, so writers of one
project mostly change different rows and do not wait for each other until COMMIT.

Under a limit each stripe holds a share of the free room. A charge takes from its own stripe's
room with one conditional UPDATE (`room >= amount` for the limit the room was given out for);
when that stripe has too little, the scope's stripes are locked together in stripe order,
summed, and the charge either fails (QUOTA_EXCEEDED, with the exact usage) or succeeds and the
rest of the room is shared out again. Releases only lower `used`: the room stays where it was,
so the sum of `used` never passes the limit the room was given out for.

No deadlock: every transaction changes counters in key order (project, scope, counter), one
stripe per key, or all of a key's stripes in stripe order, and never goes back to an earlier
key (see Ledger in usage.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog.database.tables import quota_counters as qc
from glaregraph.catalog.database.tables import quotas
from glaregraph.catalog.quotas import statements

STRIPES = 16


@dataclass(frozen=True, slots=True, order=True)
class Key:
    project: str
    scope: str  # ALL_TYPES ('') or a type name
    counter: str  # 'artifacts' or 'bytes'

    def where(self) -> sa.ColumnElement[bool]:
        return sa.and_(
            qc.c.project == self.project, qc.c.type_name == self.scope, qc.c.counter == self.counter
        )


class Refused(Exception):
    """The charge would pass `cap`; `used` is the scope's exact usage (stripes locked)."""

    def __init__(self, used: int) -> None:
        super().__init__(used)
        self.used = used


async def add(
    conn: AsyncConnection,
    key: Key,
    stripe: int,
    amount: int,
    cap: int,
    then: Sequence[tuple[Key, int]] = (),
) -> None:
    """Add `amount` (> 0) to the key's usage under `cap`, or Refused; then `shift` the
    amounts of `then` (later keys where no limit applies)."""
    if amount > cap:
        raise Refused(await used(conn, key))
    if await _take(conn, key, stripe, amount, cap, then):
        return
    await _share_out(conn, key, stripe, amount, cap)
    await shift(conn, then, stripe)


async def _take(
    conn: AsyncConnection,
    key: Key,
    stripe: int,
    amount: int,
    cap: int,
    then: Sequence[tuple[Key, int]] = (),
) -> bool:
    """Take `amount` from the stripe's room given out for `cap`, if it has that much, and
    then (PostgreSQL: in the same statement, only if it took it) shift the amounts of `then`."""
    params = statements.take_params(key.project, key.scope, key.counter, stripe, amount, cap)
    if conn.dialect.name != "postgresql":
        if (await conn.execute(statements.TAKE, params)).first() is None:
            return False
        await shift(conn, then, stripe)
        return True
    # An UPDATE that waited for a stripe another writer changed locks the new row before it
    # finds the condition false, and keeps that lock: out of stripe order, ahead of the
    # share-out. The function the take runs in undoes a failed attempt (its EXCEPTION block
    # is a savepoint), which lets the lock go.
    moves = _moves(then)
    if moves:
        params.update(statements.shift_params(moves, stripe))
        return bool(await conn.scalar(statements.take_then_shift(len(moves)), params))
    return bool(await conn.scalar(statements.PG_TAKE, params))


async def used(conn: AsyncConnection, key: Key) -> int:
    total = await conn.scalar(sa.select(sa.func.sum(qc.c.used)).where(key.where()))
    return int(total or 0)


async def forget_room(conn: AsyncConnection, project: str, scope: str) -> None:
    """The scope's limit changed: no stripe may charge against room given out for the old one
    (the next charge under the new limit shares the room out again)."""
    where = sa.and_(qc.c.project == project, qc.c.type_name == scope)
    await lock(conn, where)
    await conn.execute(sa.update(qc).where(where).values(room=0, cap=None))


async def forget_default_room(conn: AsyncConnection) -> None:
    """At start: default limits come from settings, which may have changed since the room was
    given out, so room given out under a default (no override) is taken back. Every process
    of one deployment must run with the same quota settings."""
    override = sa.exists().where(
        quotas.c.project == qc.c.project, quotas.c.type_name == qc.c.type_name
    )
    where = sa.and_(qc.c.cap.is_not(None), ~override)
    await lock(conn, where)
    await conn.execute(sa.update(qc).where(where).values(room=0, cap=None))


async def lock(conn: AsyncConnection, where: sa.ColumnElement[bool]) -> None:
    """Lock the counter rows `where` in key and stripe order (SQLite: the write transaction
    already excludes every other writer)."""
    if conn.dialect.name == "sqlite":
        return
    await conn.execute(
        sa.select(qc.c.stripe)
        .where(where)
        .order_by(qc.c.project, qc.c.type_name, qc.c.counter, qc.c.stripe)
        .with_for_update()
    )


async def shift(conn: AsyncConnection, moves: Sequence[tuple[Key, int]], stripe: int) -> None:
    """Add each amount (negative: give back) to its key's usage where no limit applies: one
    statement, rows taken in the order given (key order)."""
    rows = _moves(moves)
    if rows:
        stmt = statements.shift(conn.dialect.name, len(rows))
        await conn.execute(stmt, statements.shift_params(rows, stripe))


def _moves(moves: Sequence[tuple[Key, int]]) -> list[tuple[str, str, str, int]]:
    return [(k.project, k.scope, k.counter, amount) for k, amount in moves if amount]


async def _share_out(conn: AsyncConnection, key: Key, stripe: int, amount: int, cap: int) -> None:
    """Lock every stripe of the key, charge `amount` to `stripe` if the sum allows it, and
    share what is left of `cap` out among the stripes."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    missing = dialect.insert(qc).values(
        [
            {
                "project": key.project,
                "type_name": key.scope,
                "counter": key.counter,
                "stripe": s,
                "used": 0,
                "room": 0,
            }
            for s in range(STRIPES)
        ]
    )
    await conn.execute(missing.on_conflict_do_nothing())
    if conn.dialect.name == "postgresql":
        # Many writers find no room at once (right after a limit is set): wait for the share-out
        # in progress (it holds stripe 0 with all the others) without keeping its lock, and try
        # this stripe again, so they do not share out one after the other.
        await conn.exec_driver_sql("SAVEPOINT quota_wait")
        await lock(conn, sa.and_(key.where(), qc.c.stripe == 0))
        await conn.exec_driver_sql("ROLLBACK TO SAVEPOINT quota_wait")
        if await _take(conn, key, stripe, amount, cap):
            return
    await lock(conn, key.where())
    total = await used(conn, key)
    if total + amount > cap:
        raise Refused(total)
    share, extra = divmod(cap - total - amount, STRIPES)
    await conn.execute(
        sa.update(qc)
        .where(key.where())
        .values(
            used=qc.c.used + sa.case((qc.c.stripe == stripe, amount), else_=0),
            room=sa.case((qc.c.stripe < extra, share + 1), else_=share),
            cap=cap,
        )
    )
