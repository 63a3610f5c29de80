"""Writes sent together: the writes of a transaction that nothing in it reads back wait here and
go out in as few round trips as possible. On PostgreSQL they are one statement, the last write
(or a read given at the end) with the others as data-modifying CTEs: all see the statement's
snapshot, so none may depend on another, and a read among them does not see them. SQLite, in
process, has no round trip to save: they go one after another."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Result
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import UpdateBase

# the parameters of a write: one set, or many (executemany: sent on its own)
Params = Mapping[str, Any] | Sequence[Mapping[str, Any]]
# what a constraint refusing a waiting write means to the caller (e.g. CONFLICT)
Refusal = Callable[[IntegrityError], Exception]


@dataclass(frozen=True, slots=True)
class _Write:
    statement: UpdateBase
    params: Params
    refused: Refusal | None


class WaitingWrites:
    def __init__(self) -> None:
        self._writes: list[_Write] = []

    def add(self, write: UpdateBase, params: Params, refused: Refusal | None = None) -> None:
        self._writes.append(_Write(write, params, refused))

    async def send(
        self,
        conn: AsyncConnection,
        read: sa.Select[Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Result[Any] | None:
        """Send the waiting writes, then `read` (with its `params`) if given, and answer its
        rows. Writes whose parameters share a name go in turns (each group one statement)."""
        waiting, self._writes = self._writes, []
        if conn.dialect.name == "sqlite":
            for write in waiting:
                await _send(conn, [write], write.params)
            return None if read is None else await conn.execute(read, params or {})
        group: list[_Write] = []
        merged: dict[str, Any] = {}
        for write in waiting:
            if not isinstance(write.params, Mapping) or not merged.keys().isdisjoint(write.params):
                await _send(conn, group, merged)
                group, merged = [], {}
            if isinstance(write.params, Mapping):
                group.append(write)
                merged.update(write.params)
            else:
                await _send(conn, [write], write.params)
        if read is None:
            await _send(conn, group, merged)
            return None
        if not merged.keys().isdisjoint(params or {}):
            await _send(conn, group, merged)
            group, merged = [], {}
        return await _send(conn, group, {**merged, **(params or {})}, read)


async def _send(
    conn: AsyncConnection, group: list[_Write], params: Params, read: sa.Select[Any] | None = None
) -> Result[Any] | None:
    statements: tuple[Any, ...] = tuple(w.statement for w in group)
    if read is not None:
        statements += (read,)
    if not statements:
        return None
    try:
        result: Result[Any] = await conn.execute(_together(statements), params)
    except IntegrityError as exc:
        refusal = next((w.refused for w in group if w.refused is not None), None)
        if refusal is None:
            raise
        raise refusal(exc) from exc
    return result


@functools.lru_cache(maxsize=256)
def _together(statements: tuple[Any, ...]) -> Any:
    """The statements as one: the last, with the others (writes) as data-modifying CTEs (kept
    per combination of the built-once statements, so it is built and cache-keyed once)."""
    *before, main = statements
    return main.add_cte(*(w.cte(f"w{i}") for i, w in enumerate(before))) if before else main
