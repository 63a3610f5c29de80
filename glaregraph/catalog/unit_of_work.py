"""One mutation, one unit of work: the transaction, the row locks (in id order), the checks
(authorization, the admin rules, guards such as leases, `expectedRevision`), one clock reading,
the revision bumps, the commit hooks (audit, quotas) and the news for the request's caches.

Writes nothing in the mutation reads back (its audit event, count changes, the revision bump of
a tag change) can wait (`later`): they are sent together just before COMMIT, on PostgreSQL as
one statement, so a mutation of a much-written artifact holds its row lock for fewer round trips.

A use case is a few lines inside it:

    async with unit_of_work(catalog, caller, "artifactTagsAdd") as uow:
        record = await uow.artifact(artifact_id, "edit_tags", expected_revision)
        ...write rows through uow.conn...
        await uow.touch(record)
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Result
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import UpdateBase

from glaregraph.catalog.authz import require_user
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.tables import artifacts
from glaregraph.catalog.database.together import Params, Refusal, WaitingWrites
from glaregraph.catalog.errors import ConcurrentChange, NotFound, RevisionMismatch
from glaregraph.catalog.principal import Caller
from glaregraph.catalog.records import ArtifactRecord

# PostgreSQL gave up on the transaction because of another one: deadlock detected,
# serialization failure, a row locked by another that `lock_related` does not wait for
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001", "55P03"})
TRIES = 8  # runs of a mutation `again_if_concurrent` makes at most
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Change:
    """One artifact a mutation changed: what the audit trail and the caches are told."""

    artifact_id: str
    type_name: str
    revision_before: int | None  # None: created by this mutation
    revision_after: int


class ArtifactGuard(Protocol):
    """Asked about every artifact a mutation takes for change, after authorization; raises
    (LOCKED, ...) to refuse. Leases plug in here."""

    async def __call__(self, uow: UnitOfWork, artifact_id: str) -> None: ...


class CommitHook(Protocol):
    """Runs inside the mutation's transaction just before it commits; what it writes commits
    or rolls back with the mutation. The audit trail and quota usage plug in here."""

    async def __call__(self, uow: UnitOfWork) -> None: ...


# the other artifacts a mutation of `record` will change (an alias's previous holder, ...)
Related = Callable[[AsyncConnection, ArtifactRecord], Awaitable[Collection[str]]]


class UnitOfWork:
    def __init__(
        self,
        catalog: Catalog,
        caller: Caller,
        name: str,
        conn: AsyncConnection,
        exits: AsyncExitStack | None = None,
        turn: str | None = None,
    ):
        self.catalog, self.caller, self.name, self.conn = catalog, caller, name, conn
        self._exits = exits  # closed after the transaction ends: the turn is given up there
        self._turn = turn  # the artifact whose turn this unit holds
        self.principal = caller.principal
        self.now = catalog.clock()  # the one clock reading of this mutation
        self._changes: dict[str, Change] = {}
        self._locked: set[str] = set()
        self._cleared: set[str] = set()  # passed the admin rules for a change
        self.related: list[str] = []  # what `related` last answered, all of it locked
        self._unguarded: list[str] = []  # related artifacts locked before the checks ran
        # what the mutation is about (the first artifact it took or created), for the audit
        self.subject: ArtifactRecord | None = None
        self.details: dict[str, Any] = {}  # what a use case adds to its audit event
        self.audited = True  # False only for a unit that checks and writes nothing
        # run last, after the commit hooks, right before COMMIT: writes to rows every writer
        # of a project shares (quota counters) hold their locks for the shortest time
        self.last: list[Callable[[], Awaitable[None]]] = []
        self._later = WaitingWrites()  # writes waiting for `flush`
        self._later_rows: set[str] = set()  # artifacts a waiting write updates
        # when the lease of each artifact this unit read under its lock ends (None: no lease),
        # as its row says: a guard needs no statement of its own to learn there is none
        self.lease_ends: dict[str, dt.datetime | None] = {}

    @property
    def locked(self) -> frozenset[str]:
        return frozenset(self._locked)

    @property
    def changes(self) -> list[Change]:
        return list(self._changes.values())

    async def take_turn(self, artifact_id: str) -> None:
        """Queue behind this process's other writers of `artifact_id` (turns.py) until the
        transaction ends, unless the unit already took a turn (`unit_of_work(turn=)`, which
        waits before taking a connection). Only before the unit holds any row."""
        if self._turn is not None or self._locked or self._exits is None:
            return
        self._turn = artifact_id
        await self._exits.enter_async_context(self.catalog.turns.take(artifact_id))

    async def authorize(self, action: str) -> None:
        """For a mutation that does not start from an existing artifact (a create)."""
        await self.catalog.authz.check(self.principal, action)

    async def artifact(
        self,
        artifact_id: str,
        action: str,
        expected_revision: int | None = None,
        *,
        guard: bool = True,
        related: Related | None = None,
        check_guards: bool = True,
    ) -> ArtifactRecord:
        """The artifact, row-locked, once the caller may see it (else NOT_FOUND) and may do
        `action` to it. With `guard=False` the admin rules for PUBLIC/DEACTIVATED artifacts
        wait until something is saved (a transition that changes nothing is allowed).
        `related` names other artifacts the mutation will change: they are locked too, all in
        id order."""
        await self.take_turn(artifact_id)
        record = await self._lock(artifact_id, related)
        authz = self.catalog.authz
        await authz.check(self.principal, action, record)
        if guard:
            await authz.check_change(self.principal, record)
            self._cleared.add(record.id)
        if check_guards:  # False only where a guard's own rule is overridden (force unlock)
            for locked in (record.id, *self._unguarded):  # only once the caller may act
                await self._guard(locked)
        self._unguarded.clear()
        if expected_revision is not None and expected_revision != record.revision:
            raise RevisionMismatch(expected_revision, record.revision)
        if self.subject is None:
            self.subject = record
        return record

    def created(self, record: ArtifactRecord) -> None:
        """An artifact this mutation inserted."""
        self._locked.add(record.id)
        self._changes[record.id] = Change(record.id, record.type_name, None, record.revision)
        if self.subject is None:
            self.subject = record

    async def save(
        self, record: ArtifactRecord, *, later: bool = False, **columns: Any
    ) -> ArtifactRecord:
        """Write column changes to a locked artifact, with its revision bump (once per
        mutation) and `updated_at`; `record` is updated in place. `later`: with the writes
        sent before COMMIT, for columns no constraint of the table can refuse (metadata)."""
        await self._before_change(record)
        values = {**columns, "updated_at": self.now}
        if record.id not in self._changes:
            values["revision"] = record.revision + 1
        await self._update(record.id, values, later)
        self._note(record.id, record.type_name, values.get("revision", record.revision))
        for key, value in values.items():
            if key != "version_key":  # derived from `version`; the record does not carry it
                setattr(record, key, value)
        return record

    async def touch(
        self, record: ArtifactRecord, *others: str, later: bool = False
    ) -> ArtifactRecord:
        """`record` (and the locked artifacts `others`) changed through other tables (tags,
        aliases, shares, links): bump each revision once and set `updated_at`, in one
        statement; `record` is updated in place. `later` (`record` alone): the bump is sent
        with the writes before COMMIT (the row is locked, so its next revision is known)."""
        await self._before_change(record)
        ids = sorted({record.id, *others} - self._changes.keys())
        assert self._locked.issuperset(ids), "touch only what this unit locked"
        if not ids:
            return record
        if later and not others:
            values = {"revision": record.revision + 1, "updated_at": self.now}
            await self._update(record.id, values, later=True)
            self._note(record.id, record.type_name, record.revision + 1)
            record.revision, record.updated_at = record.revision + 1, self.now
            return record
        rows = await self.conn.execute(
            sa.update(artifacts)
            .where(artifacts.c.id.in_(ids))
            .values(revision=artifacts.c.revision + 1, updated_at=self.now)
            .returning(artifacts.c.id, artifacts.c.type_name, artifacts.c.revision)
        )
        for artifact_id, type_name, revision in rows:
            self._note(artifact_id, type_name, revision)
            if artifact_id == record.id:
                record.revision, record.updated_at = revision, self.now
        return record

    def later(
        self, write: UpdateBase, params: Params | None = None, *, refused: Refusal | None = None
    ) -> None:
        """Send `write` (an INSERT, UPDATE or DELETE nothing in this mutation reads back) with
        the others just before COMMIT, or at the next `flush`. A constraint refusing it
        surfaces there: as `refused` says (a CONFLICT, say), else as any database error."""
        self._later.add(write, {} if params is None else params, refused)

    async def flush(
        self, read: sa.Select[Any] | None = None, params: Mapping[str, Any] | None = None
    ) -> Result[Any] | None:
        """Send the waiting writes, then `read` (with its `params`) if given, and answer its
        rows: on PostgreSQL in one round trip (database/together.py)."""
        self._later_rows.clear()
        return await self._later.send(self.conn, read, params)

    # -- internals -------------------------------------------------------------------------

    async def _update(self, artifact_id: str, values: dict[str, Any], later: bool) -> None:
        if artifact_id in self._later_rows:  # one statement updates a row once
            await self.flush()
        update = _row_update(tuple(sorted(values)))
        params = {"row_id": artifact_id, **{f"row_{k}": v for k, v in values.items()}}
        if later:
            self._later_rows.add(artifact_id)
            self.later(update, params)
        else:
            await self.conn.execute(update, params)

    def _note(self, artifact_id: str, type_name: str, revision_after: int) -> None:
        before = self._changes.get(artifact_id)
        first = revision_after - 1 if before is None else before.revision_before
        self._changes[artifact_id] = Change(artifact_id, type_name, first, revision_after)

    async def _before_change(self, record: ArtifactRecord) -> None:
        if record.id not in self._cleared:
            await self.catalog.authz.check_change(self.principal, record)
            self._cleared.add(record.id)

    async def _guard(self, artifact_id: str) -> None:
        for guard in self.catalog.guards:
            await guard(self, artifact_id)

    async def lock_related(self, ids: Collection[str]) -> None:
        """Lock more artifacts this mutation will change, found after its own was locked. Ids
        above every locked one are waited for (still in id order); others would be locked out
        of order, so they are not waited for: one another transaction holds ends this one with
        ConcurrentChange (waiting could close a lock cycle, which PostgreSQL breaks only after
        `deadlock_timeout`, a second by default). Run such a mutation with
        `again_if_concurrent`: its next run locks them in order."""
        await self._lock_later(ids)
        for artifact_id in self._unguarded:
            await self._guard(artifact_id)
        self._unguarded.clear()

    async def _lock(self, artifact_id: str, related: Related | None) -> ArtifactRecord:
        visible = self.catalog.authz.visible(self.principal)
        served = artifacts.c.type_name.in_(self.catalog.served_types)
        stmt = sa.select(artifacts).where(artifacts.c.id == artifact_id, served, visible)
        if related is None or self.catalog.db.is_sqlite:
            # SQLite: the write transaction (BEGIN IMMEDIATE) already excludes every writer
            record = await self._one(stmt.with_for_update(of=artifacts), artifact_id)
            self._locked.add(record.id)
            self.lease_ends[record.id] = record.lease_until
            if related is not None:
                self.related = list(await related(self.conn, record))
                await self._lock_ids(self.related)
            return record
        # Read first to learn the related ids, lock them all in id order (reading our own row
        # afresh in the same statement), then ask again until nothing new turns up: what turns
        # up then may come out of id order (see `lock_related`).
        ahead = await self._one(stmt, artifact_id)
        ids = sorted({ahead.id, *await related(self.conn, ahead)})
        rows = await self.conn.execute(
            sa.select(artifacts, sa.and_(served, visible).label("_visible"))
            .where(artifacts.c.id.in_(ids))
            .order_by(artifacts.c.id)
            .with_for_update(of=artifacts)
        )
        found = list(rows.mappings())
        self.lease_ends.update((r["id"], r["lease_until"]) for r in found)
        row = next((r for r in found if r["id"] == artifact_id and r["_visible"]), None)
        if row is None:
            raise NotFound(f"artifact {artifact_id} not found")
        record = ArtifactRecord.from_row(row)
        self._locked.add(record.id)
        await self._lock_ids([i for i in ids if i != record.id], take=False)
        while True:
            self.related = list(await related(self.conn, record))
            if self._locked.issuperset(self.related):
                return record
            await self._lock_later(self.related)

    async def _one(self, stmt: Any, artifact_id: str) -> ArtifactRecord:
        row = (await self.conn.execute(stmt)).mappings().first()
        if row is None:
            raise NotFound(f"artifact {artifact_id} not found")
        return ArtifactRecord.from_row(row)

    async def _lock_later(self, ids: Collection[str]) -> None:
        """Lock `ids` after others: waiting only while that keeps the id order."""
        new = set(ids) - self._locked
        in_order = not self._locked or min(new, default="") > max(self._locked)
        await self._lock_ids(new, wait=in_order)

    async def _lock_ids(
        self, ids: Collection[str], *, take: bool = True, wait: bool = True
    ) -> None:
        """Lock related artifacts (unless `take` is False: already locked); they are guarded
        once the caller's own checks passed. `wait=False`: a row another transaction holds
        ends this one (ConcurrentChange) rather than being waited for."""
        new = sorted(set(ids) - self._locked)
        if not new:
            return
        if take and not self.catalog.db.is_sqlite:
            rows = await self.conn.execute(
                sa.select(artifacts.c.id, artifacts.c.lease_until)
                .where(artifacts.c.id.in_(new))
                .order_by(artifacts.c.id)
                .with_for_update(of=artifacts, nowait=not wait)
            )
            self.lease_ends.update((i, ends) for i, ends in rows)
        self._locked.update(new)
        self._unguarded.extend(new)


@functools.cache
def _row_update(columns: tuple[str, ...]) -> UpdateBase:
    """UPDATE of one artifact's `columns`, parameters `row_id` and `row_<column>`: built once
    per column set, so that running it costs no statement building and no cache key."""
    values = {c: sa.bindparam(f"row_{c}", type_=artifacts.c[c].type) for c in columns}
    return sa.update(artifacts).where(artifacts.c.id == sa.bindparam("row_id")).values(values)


@asynccontextmanager
async def unit_of_work(
    catalog: Catalog, caller: Caller, name: str, turn: str | None = None
) -> AsyncIterator[UnitOfWork]:
    """Run one mutation named `name` (its API name, e.g. `artifactTagsAdd`): committed when the
    block ends, rolled back on any error, then the caller is told what changed. `turn`: the
    artifact it starts from, whose turn (turns.py) it waits for before it even takes a
    database connection."""
    require_user(caller.principal)
    try:
        # the turns are given up after the transaction ends (committed or rolled back)
        async with AsyncExitStack() as turns:
            if turn is not None:
                await turns.enter_async_context(catalog.turns.take(turn))
            async with catalog.db.write() as conn:
                uow = UnitOfWork(catalog, caller, name, conn, turns, turn)
                yield uow
                for hook in catalog.hooks:
                    await hook(uow)
                for step in uow.last:
                    await step()
                await uow.flush()
    except DBAPIError as exc:
        if _sqlstate(exc) in RETRYABLE_SQLSTATES:
            raise ConcurrentChange("the artifact changed concurrently; try again") from exc
        raise
    if uow.changes:
        caller.changed([c.artifact_id for c in uow.changes])


async def again_if_concurrent(mutation: Callable[[], Awaitable[T]]) -> T:
    """`mutation` (a whole unit of work) run again while the database gives up on it because
    of another transaction (ConcurrentChange: nothing of it was written), `TRIES` runs at
    most; the last one's ConcurrentChange is the answer (CONFLICT)."""
    for _ in range(TRIES - 1):
        try:
            return await mutation()
        except ConcurrentChange:
            continue
    return await mutation()


def _sqlstate(exc: DBAPIError) -> str | None:
    orig = exc.orig
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
