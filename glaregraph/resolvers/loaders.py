"""DataLoaders, one set per request: every per-artifact read is batched into one statement per
chunk of keys (so no statement carries more parameters than a database accepts)."""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from glaregraph.catalog import locks, lookup
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.graph import tags as tag_graph
from glaregraph.catalog.locks import Lease
from glaregraph.catalog.principal import Principal
from glaregraph.catalog.records import ArtifactRecord

MAX_BATCH = 500  # keys per statement


class Loaders:
    def __init__(self, catalog: Catalog, principal: Principal) -> None:
        db = catalog.db

        async def visible(ids: Sequence[str]) -> list[ArtifactRecord | None]:
            return await lookup.get_visible(catalog, principal, ids)

        async def tags(ids: Sequence[str]) -> list[list[str]]:
            return await lookup.tags_of(db, ids)

        async def aliases(ids: Sequence[str]) -> list[list[str]]:
            return await lookup.aliases_of(db, ids)

        async def shares(ids: Sequence[str]) -> list[list[str]]:
            return await lookup.shares_of(db, ids)

        async def links(ids: Sequence[str]) -> list[list[dict[str, Any]]]:
            return await lookup.links_of(db, ids)

        async def links_in(ids: Sequence[str]) -> list[list[dict[str, Any]]]:
            return await lookup.links_into(catalog, principal, ids)

        async def blobs(ids: Sequence[str]) -> list[list[dict[str, Any]]]:
            return await lookup.blobs_of(db, ids, catalog.clock())

        async def tag_parent(names: Sequence[str]) -> list[str | None]:
            async with db.read() as conn:
                found = await tag_graph.parents(conn, names)
            return [found.get(n) for n in names]

        async def tag_children(names: Sequence[str]) -> list[list[str]]:
            async with db.read() as conn:
                found = await tag_graph.children(conn, names)
            return [found.get(n, []) for n in names]

        async def tag_ancestors(names: Sequence[str]) -> list[list[str]]:
            async with db.read() as conn:
                found = await tag_graph.ancestors(conn, names)
            return [found[n] for n in names]

        async def tag_subtree(names: Sequence[str]) -> list[list[str]]:
            async with db.read() as conn:
                found = await tag_graph.subtrees(conn, names)
            return [found[n] for n in names]

        async def tag_count(names: Sequence[str]) -> list[int]:
            found = await tag_graph.counts(catalog, principal, names)
            return [found[n] for n in names]

        async def leases(ids: Sequence[str]) -> list[Lease | None]:
            found = await locks.live_leases(catalog, ids, catalog.clock())
            return [found.get(i) for i in ids]

        self.artifact: DataLoader[str, ArtifactRecord | None] = _loader(visible)
        self.tags: DataLoader[str, list[str]] = _loader(tags)
        self.aliases: DataLoader[str, list[str]] = _loader(aliases)
        self.shares: DataLoader[str, list[str]] = _loader(shares)
        self.links: DataLoader[str, list[dict[str, Any]]] = _loader(links)
        self.links_in: DataLoader[str, list[dict[str, Any]]] = _loader(links_in)
        self.blobs: DataLoader[str, list[dict[str, Any]]] = _loader(blobs)
        self.leases: DataLoader[str, Lease | None] = _loader(leases)
        # the tag taxonomy and counts (`forget_tags` after a taxonomy change)
        self.tag_parent: DataLoader[str, str | None] = _loader(tag_parent)
        self.tag_children: DataLoader[str, list[str]] = _loader(tag_children)
        self.tag_ancestors: DataLoader[str, list[str]] = _loader(tag_ancestors)
        self.tag_subtree: DataLoader[str, list[str]] = _loader(tag_subtree)
        self.tag_count: DataLoader[str, int] = _loader(tag_count)

    def forget(self, ids: Collection[str]) -> None:
        """Artifacts `ids` changed: nothing cached about them is served again. Incoming links
        are keyed by the other end (and filtered by its visibility), so they all go."""
        for loader in (
            self.artifact,
            self.tags,
            self.aliases,
            self.shares,
            self.links,
            self.blobs,
        ):
            for key in ids:
                with contextlib.suppress(KeyError):  # only what was loaded is cached
                    loader.clear(key)
        self.links_in.clear_all()
        self.tag_count.clear_all()  # the artifacts' tags may have changed

    def forget_lease(self, artifact_id: str) -> None:
        with contextlib.suppress(KeyError):
            self.leases.clear(artifact_id)

    def forget_tags(self) -> None:
        for loader in (
            self.tag_parent,
            self.tag_children,
            self.tag_ancestors,
            self.tag_subtree,
            self.tag_count,
        ):
            loader.clear_all()


def _loader(load: Any) -> Any:
    return DataLoader(load_fn=load, max_batch_size=MAX_BATCH)
