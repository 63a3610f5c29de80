"""Generated object types: one per artifact type (implements Artifact), with Edge and Connection."""

import datetime as dt
from typing import Any, Optional

import strawberry

from glaregraph.catalog.listing import Page
from glaregraph.catalog.typedef.model import FieldDef, Kind, TypeDef
from glaregraph.resolvers import artifacts as resolve
from glaregraph.schema.artifact import Artifact, ArtifactLink
from glaregraph.schema.common import Blob, PageInfo, blob_from_row
from glaregraph.schema.registry_module import new_class, py_name
from glaregraph.schema.scalars import JSON, Long

SCALAR_TYPES: dict[Kind, Any] = {
    Kind.STRING: str,
    Kind.TEXT: str,
    Kind.VERSION: str,
    Kind.INTEGER: int,
    Kind.LONG: Long,
    Kind.FLOAT: float,
    Kind.BOOLEAN: bool,
    Kind.DATETIME: dt.datetime,
}


def value_type(f: FieldDef) -> Any:
    """The Python annotation of a data field's value (nullable wrapping not included)."""
    if f.kind is Kind.LIST:
        assert f.of is not None
        return list[SCALAR_TYPES[f.of]]
    if f.kind is Kind.DICT:
        return JSON
    return SCALAR_TYPES[f.kind]


def describe(f: FieldDef) -> str:
    text = f.description or f"The {f.name.replace('_', ' ')} ({f.kind.value})."
    return text + ("" if f.mutable else " Immutable once active.")


DATA_PREFIX = "f_"


def data_attr(name: str) -> str:
    """Python name of a data field on an object type; `resolve_attribute` reads it from `data`."""
    return DATA_PREFIX + name


def resolve_attribute(obj: Any, name: str) -> Any:
    """The schema's default resolver: record attributes, and type fields out of `data`."""
    if name.startswith(DATA_PREFIX):
        return obj.data.get(name[2:])
    return getattr(obj, name)


def make_object_types(types_: list[TypeDef]) -> dict[str, Any]:
    """Phase 1 creates empty classes so links may point anywhere; phase 2 fills them in."""
    classes = {t.name: new_class(t.graphql_name, (Artifact,)) for t in types_}
    for t in types_:
        _fill(classes[t.name], t, classes)
    return classes


def _fill(cls: Any, t: TypeDef, classes: dict[str, Any]) -> None:
    annotations: dict[str, Any] = {}
    for f in t.fields:
        name = data_attr(f.name) if f.is_data else py_name(f.name)
        if f.is_data:
            annotations[name] = Optional[value_type(f)]
            setattr(cls, name, strawberry.field(name=f.graphql_name, description=describe(f)))
        elif f.is_link:
            setattr(cls, name, _link_field(f, classes))
        else:
            setattr(cls, name, _blob_field(f))
    cls.__annotations__ = annotations
    cls.is_type_of = classmethod(lambda _cls, obj, _info, n=t.name: obj.type_name == n)
    strawberry.type(cls, description=t.description or t.display_name)


def _target(f: FieldDef, classes: dict[str, Any]) -> Any:
    return Artifact if f.to == "*" else classes[f.to]


def _link_field(f: FieldDef, classes: dict[str, Any]) -> Any:
    target = _target(f, classes)
    if f.kind is Kind.LINK:

        async def one(root: Any, info: strawberry.Info) -> Any:
            pairs = await resolve.linked(info.context, root, f.name)
            return pairs[0][1] if pairs else None

        one.__annotations__["return"] = Optional[target]
        return strawberry.field(
            resolver=one,
            name=f.graphql_name,
            description=describe(f) + " Null when not visible to you.",
        )
    if f.kind is Kind.LINK_LIST:

        async def many(root: Any, info: strawberry.Info) -> Any:
            pairs = await resolve.linked(info.context, root, f.name)
            return [rec for _, rec in pairs if rec is not None]

        many.__annotations__["return"] = list[target]
        return strawberry.field(
            resolver=many,
            name=f.graphql_name,
            description=describe(f) + " Lists the ones visible to you.",
        )

    async def entries(root: Any, info: strawberry.Info) -> list[ArtifactLink]:
        pairs = await resolve.linked(info.context, root, f.name)
        return [
            ArtifactLink(
                relation=f.name,
                key=e["key"],
                position=e["position"],
                artifact_id=strawberry.ID(e["target_id"]),
                artifact=rec,
            )
            for e, rec in pairs
        ]

    return strawberry.field(resolver=entries, name=f.graphql_name, description=describe(f))


def _blob_field(f: FieldDef) -> Any:
    async def rows(root: Any, info: strawberry.Info) -> list[Blob]:
        found = await info.context.loaders.blobs.load(root.id)
        return [
            blob_from_row(r, root)
            for r in found
            if r["field"] == f.name and r["status"] in ("SAVING", "ACTIVE")
        ]

    if f.kind is Kind.BLOB:

        async def one(root: Any, info: strawberry.Info) -> Blob | None:
            found = await rows(root, info)
            return found[0] if found else None

        return strawberry.field(resolver=one, name=f.graphql_name, description=describe(f))
    return strawberry.field(
        resolver=rows, name=f.graphql_name, description=describe(f) + " One Blob per folder entry."
    )


def make_connection(name: str, node: Any) -> Any:
    """`<name>Edge` and `<name>Connection` over a Page of records."""
    edge = new_class(f"{name}Edge")
    edge.__annotations__ = {"cursor": str, "node": node}
    edge.cursor = strawberry.field(description="Opaque cursor of this item.")
    edge.node = strawberry.field(description="The item.")
    edge = strawberry.type(edge, description=f"One {name} in a page.")

    conn = new_class(f"{name}Connection")

    def edges(root: strawberry.Parent[Page]) -> Any:
        return [edge(cursor=c, node=r) for c, r in zip(root.cursors, root.records, strict=True)]

    edges.__annotations__["return"] = list[edge]

    def nodes(root: strawberry.Parent[Page]) -> Any:
        return root.records

    nodes.__annotations__["return"] = list[node]

    def page_info(root: strawberry.Parent[Page]) -> PageInfo:
        return PageInfo(
            has_next_page=root.has_next,
            has_previous_page=root.has_previous,
            start_cursor=root.start_cursor,
            end_cursor=root.end_cursor,
        )

    async def total_count(root: strawberry.Parent[Page], info: strawberry.Info) -> int:
        return await resolve.total_count(info.context, root)

    conn.edges = strawberry.field(resolver=edges, description="Items with their cursors.")
    conn.nodes = strawberry.field(resolver=nodes, description="Items without cursors.")
    conn.page_info = strawberry.field(resolver=page_info, description="Paging state.")
    conn.total_count = strawberry.field(
        resolver=total_count, description="Exact number of matching items (costs a count)."
    )
    return strawberry.type(conn, description=f"A page of {name} items.")
