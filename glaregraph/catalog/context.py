"""What every use case is handed: the database, the types, the policy and the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from glaregraph.catalog.errors import NotFound
from glaregraph.catalog.policy import Policy
from glaregraph.catalog.store.database import Database
from glaregraph.catalog.typedef.model import Registry, TypeDef


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Catalog:
    db: Database
    registry: Registry
    policy: Policy = field(default_factory=Policy)
    clock: Callable[[], dt.datetime] = utcnow

    def type(self, name: str) -> TypeDef:
        try:
            return self.registry[name]
        except KeyError:
            raise NotFound(f"unknown artifact type '{name}'") from None
