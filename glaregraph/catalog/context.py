"""What every use case is handed: the database, the types, the authorization point, the clock,
the extension points of the mutation unit of work and the blob store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from glaregraph.catalog.authz import Authorizer
from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.errors import NotFound
from glaregraph.catalog.quotas.limits import QuotaSettings
from glaregraph.catalog.turns import Turns
from glaregraph.catalog.typedef.model import Registry, TypeDef

if TYPE_CHECKING:
    from glaregraph.catalog.blobs.config import BlobConfig
    from glaregraph.catalog.unit_of_work import ArtifactGuard, CommitHook


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Catalog:
    db: Database
    registry: Registry
    authz: Authorizer = field(default_factory=Authorizer)
    clock: Callable[[], dt.datetime] = utcnow
    # run on every artifact a mutation takes for change (leases plug in here)
    guards: tuple[ArtifactGuard, ...] = ()
    # run inside every mutation's transaction just before it commits (audit, quotas)
    hooks: tuple[CommitHook, ...] = ()
    # the blob store and transfer settings (None: blob mutations answer STORAGE_UNAVAILABLE)
    blobs: BlobConfig | None = None
    # default limits of every project's all-types quota scope
    quota: QuotaSettings = field(default_factory=QuotaSettings)
    # this process's queues of writers per artifact (see turns.py)
    turns: Turns = field(default_factory=Turns)

    def type(self, name: str) -> TypeDef:
        try:
            return self.registry[name]
        except KeyError:
            raise NotFound(f"unknown artifact type '{name}'") from None

    @property
    def served_types(self) -> list[str]:
        """Names of the types this server serves (rows of any other type are hidden)."""
        return sorted(self.registry.keys())
