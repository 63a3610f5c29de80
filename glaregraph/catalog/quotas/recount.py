"""Usage recomputed from the truth (artifacts not DELETED; bytes of stored blob values plus
open uploads), compared with the counters and repaired: what `glaregraph gc` reports as drift.
The counter rows are locked first (in key order, as every writer takes them), so no mutation
changes them meanwhile. A repaired scope's stripes are replaced by one row holding the truth
and no room: the next charge under a limit shares the room out from the true usage."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.tables import artifacts, blobs, quota_counters, uploads
from glaregraph.catalog.quotas import counters
from glaregraph.catalog.quotas.limits import ALL_TYPES

Key = tuple[str, str]  # (project, scope)
INDEX = {"artifacts": 0, "bytes": 1}


@dataclass(frozen=True, slots=True)
class Drift:
    project: str
    type_name: str | None
    artifacts: tuple[int, int]  # (counted, true)
    bytes: tuple[int, int]


async def recount(catalog: Catalog, now: dt.datetime) -> list[Drift]:
    truth: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    live = artifacts.c.status != "DELETED"
    async with catalog.db.write() as conn:
        qc = quota_counters
        await counters.lock(conn, sa.true())
        counted: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
        for project, scope, counter, used in await conn.execute(
            sa.select(qc.c.project, qc.c.type_name, qc.c.counter, sa.func.sum(qc.c.used)).group_by(
                qc.c.project, qc.c.type_name, qc.c.counter
            )
        ):
            counted[(project, scope)][INDEX[counter]] = int(used)
        by_type = sa.select(artifacts.c.owner, artifacts.c.type_name, sa.func.count()).where(live)
        for owner, type_name, n in await conn.execute(
            by_type.group_by(artifacts.c.owner, artifacts.c.type_name)
        ):
            _add(truth, owner, type_name, 0, n)
        stored = (
            sa.select(artifacts.c.owner, artifacts.c.type_name, sa.func.sum(blobs.c.size))
            .join(blobs, blobs.c.artifact_id == artifacts.c.id)
            .where(live, blobs.c.external.is_(False))
            .group_by(artifacts.c.owner, artifacts.c.type_name)
        )
        pending = (
            sa.select(artifacts.c.owner, artifacts.c.type_name, sa.func.sum(uploads.c.size))
            .join(uploads, uploads.c.artifact_id == artifacts.c.id)
            .where(live, uploads.c.state == "OPEN", uploads.c.expires_at > now)
            .group_by(artifacts.c.owner, artifacts.c.type_name)
        )
        for stmt in (stored, pending):
            for owner, type_name, size in await conn.execute(stmt):
                _add(truth, owner, type_name, 1, int(size or 0))
        drift = []
        for key in sorted(set(truth) | set(counted)):
            true = tuple(truth.get(key, [0, 0]))
            seen = tuple(int(v) for v in counted.get(key, (0, 0)))
            if true != seen:
                project, scope = key
                drift.append(Drift(project, scope or None, (seen[0], true[0]), (seen[1], true[1])))
                where = sa.and_(qc.c.project == project, qc.c.type_name == scope)
                await conn.execute(sa.delete(qc).where(where))
                await conn.execute(
                    sa.insert(qc),
                    [
                        {
                            "project": project,
                            "type_name": scope,
                            "counter": counter,
                            "stripe": 0,
                            "used": true[index],
                            "room": 0,
                        }
                        for counter, index in INDEX.items()
                    ],
                )
    return drift


def _add(truth: dict[Key, list[int]], owner: str, type_name: str, index: int, amount: int) -> None:
    for scope in (ALL_TYPES, type_name):
        truth[(owner, scope)][index] += amount
