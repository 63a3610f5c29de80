"""Charging and releasing usage. A mutation notes what it charges and gives back in its ledger;
the ledger changes the counters at the very end of the mutation's transaction, just before
COMMIT, so their row locks are held for the least time: net amounts per scope (all types, then
the type's), in key order, each by conditional statements in the database (never
read-then-write in Python; see counters.py)."""

from __future__ import annotations

import random
import weakref
from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog.context import Catalog
from glaregraph.catalog.errors import QuotaExceeded
from glaregraph.catalog.quotas import counters
from glaregraph.catalog.quotas.counters import STRIPES, Key, Refused
from glaregraph.catalog.quotas.limits import ALL_TYPES, Limit, Reader, limits
from glaregraph.catalog.unit_of_work import UnitOfWork

ARTIFACTS, BYTES = "artifacts", "bytes"


class Ledger:
    """What one transaction charges (+) and gives back (-), per key, until `settle`."""

    def __init__(self) -> None:
        self.stripe = random.randrange(STRIPES)  # the one stripe per key this transaction uses
        self._charged: dict[Key, int] = defaultdict(int)
        self._released: dict[Key, int] = defaultdict(int)

    def charge(self, project: str, type_name: str, counter: str, amount: int) -> None:
        """`amount` more of `counter` in both scopes of `type_name`, under their limits."""
        for scope in (ALL_TYPES, type_name):
            self._charged[Key(project, scope, counter)] += max(amount, 0)

    def release(self, project: str, type_name: str, counter: str, amount: int) -> None:
        """`amount` of `counter` given back in both scopes."""
        for scope in (ALL_TYPES, type_name):
            self._released[Key(project, scope, counter)] += max(amount, 0)

    def charges(self) -> bool:
        """Whether some key is charged more than it is given back (its limits are read)."""
        return any(v > self._released[k] for k, v in self._charged.items())

    async def settle(
        self, conn: AsyncConnection, catalog: Catalog, read: Reader | None = None
    ) -> None:
        """Apply the net amounts in key order; QUOTA_EXCEEDED if a charge would pass a limit
        (the transaction then rolls back, so nothing is charged). `read` reads the limits
        (a mutation sends its waiting writes with that statement)."""
        found: dict[Key, Limit] = {}
        projects = {k.project for k, v in self._charged.items() if v > self._released[k]}
        for project in sorted(projects):
            scopes = sorted({k.scope for k in self._charged if k.project == project} - {ALL_TYPES})
            found_limits = await limits(
                conn, catalog.quota, catalog.registry, project, scopes, read
            )
            read = None  # the writes went with the first
            for each in found_limits:
                for counter in (ARTIFACTS, BYTES):
                    found[Key(project, each.scope, counter)] = each
        # (key, amount, cap): the keys without a limit are written together, after the
        # capped key before them (PostgreSQL: in the same statement) or first
        steps: list[tuple[Key | None, int, int, list[tuple[Key, int]]]] = [(None, 0, 0, [])]
        for key in sorted(set(self._charged) | set(self._released)):
            amount = self._charged[key] - self._released[key]
            limit: Limit | None = found.get(key) if amount > 0 else None
            cap = None if limit is None else _cap(limit, key.counter)
            if cap is None:
                steps[-1][3].append((key, amount))
            else:
                steps.append((key, amount, cap, []))
        for capped, amount, cap, then in steps:
            if capped is None:
                await counters.shift(conn, then, self.stripe)
                continue
            try:
                await counters.add(conn, capped, self.stripe, amount, cap, then)
            except Refused as refused:  # told as: what it asks for, against usage without it
                used = refused.used - self._released[capped]
                raise _exceeded(capped, cap, used, self._charged[capped]) from None
        self._charged.clear()
        self._released.clear()


_ledgers: weakref.WeakKeyDictionary[UnitOfWork, Ledger] = weakref.WeakKeyDictionary()


def ledger(uow: UnitOfWork) -> Ledger:
    """The mutation's ledger, settled as the last step before it commits."""
    found = _ledgers.get(uow)
    if found is None:
        found = _ledgers[uow] = Ledger()

        async def settle() -> None:
            # the writes waiting for COMMIT go first (with the limits read, when there is a
            # charge), so none of them is sent while a counter row is held
            if not found.charges():
                await uow.flush()
            await found.settle(uow.conn, uow.catalog, uow.flush)

        uow.last.append(settle)
    return found


def charge(uow: UnitOfWork, project: str, type_name: str, counter: str, amount: int) -> None:
    ledger(uow).charge(project, type_name, counter, amount)


def _cap(limit: Limit, counter: str) -> int | None:
    return limit.max_artifacts if counter == ARTIFACTS else limit.max_bytes


def _exceeded(key: Key, cap: int, used: int, amount: int) -> QuotaExceeded:
    scope = "project" if key.scope == ALL_TYPES else "type"
    what = "artifacts" if key.counter == ARTIFACTS else "bytes"
    return QuotaExceeded(
        f"the {scope} quota of {cap} {what} would be exceeded",
        scope=scope,
        limit=cap,
        used=used,
        requested=amount,
        typeName=None if key.scope == ALL_TYPES else key.scope,
    )
