"""The `Artifact` interface: base fields every generated type shares, and `ArtifactLink`."""

import datetime as dt
from typing import Annotated, Any, Optional, cast

import strawberry

from glaregraph.catalog.records import ArtifactRecord
from glaregraph.catalog.typedef.model import to_pascal
from glaregraph.resolvers import artifacts as resolve
from glaregraph.resolvers import controls as resolve_controls
from glaregraph.resolvers import graph as resolve_graph
from glaregraph.schema import lookahead
from glaregraph.schema.common import (
    ArtifactStatus,
    Blob,
    LineageDirection,
    LinkDirection,
    Visibility,
    blob_from_row,
)
from glaregraph.schema.controls import lock_of
from glaregraph.schema.scalars import JSON

# type name -> GraphQL type name: to_pascal once per type, not once per artifact served
_type_names: dict[str, str] = {}


def _arg(description: str) -> Any:
    return strawberry.argument(description=description)


@strawberry.interface(
    description="Relay object identification: anything refetchable by its id with `node(id:)`."
)
class Node:
    id: strawberry.ID = strawberry.field(description="Globally unique id (a UUID).")

    @classmethod
    def resolve_type(cls, obj: Any, *_: Any) -> str:
        return cls.type_of_value(obj)

    @staticmethod
    def type_of_value(obj: Any) -> str:
        """The concrete type, from the record alone (schema/fastpath.py calls it without
        resolve info)."""
        return _type_names.get(obj.type_name) or _type_names.setdefault(
            obj.type_name, to_pascal(obj.type_name)
        )


@strawberry.interface(description="What every artifact has, whatever its type.")
class Artifact(Node):
    id: strawberry.ID = strawberry.field(description="Artifact id (UUID).")
    type_name: str = strawberry.field(description="Artifact type, e.g. 'image'.")
    name: str = strawberry.field(description="Name; unique with version per project and type.")
    version: str = strawberry.field(description="Normalised semver ('1.0' reads '1.0.0').")
    description: str | None = strawberry.field(description="Free text, up to 4096 characters.")
    owner: str = strawberry.field(description="Project of the creator.")
    created_by: str = strawberry.field(description="User who created it (token subject).")
    visibility: Visibility = strawberry.field(description="PRIVATE, SHARED or PUBLIC.")
    status: ArtifactStatus = strawberry.field(description="DRAFTED, ACTIVE or DEACTIVATED.")
    metadata: JSON = strawberry.field(description="Object of string keys to string values.")
    revision: int = strawberry.field(description="1 at creation, +1 on every change.")
    created_at: dt.datetime = strawberry.field(description="When it was created.")
    updated_at: dt.datetime = strawberry.field(description="When it last changed.")
    activated_at: dt.datetime | None = strawberry.field(description="When it was activated.")

    @classmethod
    def resolve_type(cls, obj: Any, *_: Any) -> str:
        return cls.type_of_value(obj)

    @strawberry.field(description="Tags, in name order.")
    def tags(self, info: strawberry.Info) -> list[str]:
        record = _rec(self)
        if record.tags is not None:  # read with the row: no coroutine, no extra statement
            return record.tags
        return info.context.loaders.tags.load(record.id)  # type: ignore[no-any-return]

    @strawberry.field(description="Aliases that point at this artifact.")
    def aliases(self, info: strawberry.Info) -> list[str]:
        record = _rec(self)
        if record.aliases is not None:  # read with the row: no coroutine, no extra statement
            return record.aliases
        return info.context.loaders.aliases.load(record.id)  # type: ignore[no-any-return]

    @strawberry.field(description="Projects it is shared with (owner and admin only).")
    async def shared_with(self, info: strawberry.Info) -> list[str]:
        return await resolve.shared_with(info.context, _rec(self))

    @strawberry.field(description="Every blob value of the artifact, in field order.")
    async def blobs(self, info: strawberry.Info) -> list[Blob]:
        rows = await info.context.loaders.blobs.load(_rec(self).id)
        record = _rec(self)
        return [blob_from_row(r, record) for r in rows if r["status"] in ("SAVING", "ACTIVE")]

    @strawberry.field(description="The live lease on it, if any (null once expired).")
    async def lock(
        self, info: strawberry.Info
    ) -> Optional[Annotated["Lock", strawberry.lazy("glaregraph.schema.controls")]]:  # noqa: F821
        found = await resolve_controls.lease_of(info.context, _rec(self))
        return None if found is None else lock_of(found)

    @strawberry.field(description="Direct upstream lineage that the caller may see.")
    async def derived_from(self, info: strawberry.Info) -> list["Artifact"]:
        pairs = await resolve.linked(info.context, _rec(self), "derived_from")
        return [target for _, target in pairs if target is not None]

    @strawberry.field(
        description="Links this artifact holds (OUT), others hold to it (IN), or both."
    )
    async def links(
        self,
        info: strawberry.Info,
        direction: Annotated[LinkDirection, _arg("Which ends to list.")] = LinkDirection.OUT,
        relation: Annotated[
            str | None, _arg("Only this relation (a link field name or 'derived_from').")
        ] = None,
    ) -> list["ArtifactLink"]:
        rows = await resolve.all_links(info.context, _rec(self), direction.value, relation)
        return [
            ArtifactLink(
                relation=e["relation"],
                key=e["key"],
                position=e["position"],
                artifact_id=strawberry.ID(other),
                artifact=rec,
            )
            for e, other, rec in rows
        ]

    @strawberry.field(
        description="Multi-hop lineage: artifacts reached through links, each once at its "
        "shortest distance; those the caller may not see are neither returned nor crossed."
    )
    async def lineage(
        self,
        info: strawberry.Info,
        direction: Annotated[
            LineageDirection, _arg("UPSTREAM, DOWNSTREAM or BOTH.")
        ] = LineageDirection.UPSTREAM,
        depth: Annotated[int, _arg("Most links from the root (1-20).")] = 3,
        relations: Annotated[
            list[str] | None, _arg("Only these relations (link field names, 'derived_from').")
        ] = None,
        type_names: Annotated[
            list[str] | None, _arg("Only enter artifacts of these types.")
        ] = None,
        first: Annotated[int, _arg("Most artifacts returned (0-10000), nearest first.")] = 100,
    ) -> "LineageGraph":
        found = await resolve_graph.lineage(
            info.context,
            _rec(self),
            direction.value,
            depth,
            relations,
            type_names,
            first,
            lookahead.lineage_columns(info),
        )
        return LineageGraph(
            root=found.root,
            nodes=[LineageNode(artifact=r, depth=d) for r, d in found.nodes],
            # the walk's edges have this type's attributes (ids are plain strings, as ID is):
            # served as they are rather than copied, a few thousand objects on a large graph
            edges=cast(list[LineageEdge], found.edges),
            truncated=found.truncated,
            hidden_count=found.hidden_count,
        )


@strawberry.type(description="An artifact reached by a lineage walk.")
class LineageNode:
    artifact: Artifact = strawberry.field(description="The artifact.")
    depth: int = strawberry.field(description="Links between it and the root (shortest).")


@strawberry.type(description="A link a lineage walk crossed, in link direction.")
class LineageEdge:
    from_id: strawberry.ID = strawberry.field(description="The artifact holding the link.")
    to_id: strawberry.ID = strawberry.field(description="The artifact it points at.")
    relation: str = strawberry.field(description="Link field name, or 'derived_from'.")


@strawberry.type(description="Lineage of one artifact: nodes and edges a frontend can draw.")
class LineageGraph:
    root: Artifact = strawberry.field(description="The artifact the walk started from.")
    nodes: list[LineageNode] = strawberry.field(description="Reached artifacts, nearest first.")
    edges: list[LineageEdge] = strawberry.field(description="Links crossed between them.")
    truncated: bool = strawberry.field(description="`first` left out reached artifacts.")
    hidden_count: int = strawberry.field(
        description="Distinct artifacts next to the walk that the caller may not see."
    )


@strawberry.type(description="One link between two artifacts, seen from one end.")
class ArtifactLink:
    relation: str = strawberry.field(description="Link field name, or 'derived_from'.")
    key: str | None = strawberry.field(description="Entry key of a link_dict value.")
    position: int = strawberry.field(description="Position within a list value.")
    artifact_id: strawberry.ID = strawberry.field(description="Id of the other end.")
    artifact: Artifact | None = strawberry.field(
        description="The other end; null when deleted or invisible to the caller."
    )


def _rec(obj: Any) -> ArtifactRecord:
    return obj  # resolvers receive the ArtifactRecord as `self`
