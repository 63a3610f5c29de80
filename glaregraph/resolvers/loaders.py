"""DataLoaders, one set per request: every per-artifact read is batched into one statement."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from glaregraph.catalog import lookup
from glaregraph.catalog.principal import Principal
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.catalog.store.database import Database


class Loaders:
    def __init__(self, db: Database, principal: Principal, types: Collection[str]) -> None:
        async def visible(ids: Sequence[str]) -> list[ArtifactRecord | None]:
            return await lookup.get_visible(db, principal, ids, types)

        async def tags(ids: Sequence[str]) -> list[list[str]]:
            return await lookup.tags_of(db, ids)

        async def aliases(ids: Sequence[str]) -> list[list[str]]:
            return await lookup.aliases_of(db, ids)

        async def shares(ids: Sequence[str]) -> list[list[str]]:
            return await lookup.shares_of(db, ids)

        async def links(ids: Sequence[str]) -> list[list[dict[str, Any]]]:
            return await lookup.links_of(db, ids)

        async def links_in(ids: Sequence[str]) -> list[list[dict[str, Any]]]:
            return await lookup.links_into(db, principal, ids)

        async def blobs(ids: Sequence[str]) -> list[list[dict[str, Any]]]:
            return await lookup.blobs_of(db, ids)

        self.artifact: DataLoader[str, ArtifactRecord | None] = DataLoader(load_fn=visible)
        self.tags: DataLoader[str, list[str]] = DataLoader(load_fn=tags)
        self.aliases: DataLoader[str, list[str]] = DataLoader(load_fn=aliases)
        self.shares: DataLoader[str, list[str]] = DataLoader(load_fn=shares)
        self.links: DataLoader[str, list[dict[str, Any]]] = DataLoader(load_fn=links)
        self.links_in: DataLoader[str, list[dict[str, Any]]] = DataLoader(load_fn=links_in)
        self.blobs: DataLoader[str, list[dict[str, Any]]] = DataLoader(load_fn=blobs)
