"""Turns at an artifact, per server process: the writers of one artifact in this process queue
here, first come first served, and only the one whose turn it is waits in the database for the
artifact's row lock. The row lock alone decides who changes the artifact (across processes too);
turns only keep the database's own queue short: a row lock with dozens of waiting transactions
costs PostgreSQL lock-manager work at every hand-over, and on a much-written artifact that work
was most of what each mutation held the lock for.

A mutation takes at most one turn, before it holds any row or the taxonomy lock, so waiting for
a turn never closes a cycle with a database lock (UnitOfWork.take_turn)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass(slots=True)
class _Queue:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # holding or waiting: the queue is dropped when none is left


class Turns:
    def __init__(self) -> None:
        self._queues: dict[str, _Queue] = {}

    @asynccontextmanager
    async def take(self, key: str) -> AsyncIterator[None]:
        """Wait for the turn at `key`; it passes on when the block ends."""
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = _Queue()
        queue.users += 1
        try:
            async with queue.lock:
                yield
        finally:
            queue.users -= 1
            if queue.users == 0:
                del self._queues[key]

    def __len__(self) -> int:
        """Keys with a holder or a waiter."""
        return len(self._queues)
