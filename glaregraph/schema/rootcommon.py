"""Root fields shared by every schema: cross-type queries, type info, `me`, artifact mutations."""

from typing import Any, Optional

import strawberry

from glaregraph.catalog.typedef.model import TypeDef
from glaregraph.resolvers import artifacts as resolve
from glaregraph.resolvers import mutations, typeinfo
from glaregraph.schema.artifact import Artifact, Node
from glaregraph.schema.common import ArtifactTypeInfo, FieldInfo, PrincipalType
from glaregraph.schema.rootgen import REVISION, arg
from glaregraph.schema.scalars import JSON

ID = strawberry.ID
OptInt = Optional[int]


def _type_info(t: TypeDef) -> ArtifactTypeInfo:
    return ArtifactTypeInfo(
        name=t.name,
        graphql_name=t.graphql_name,
        display_name=t.display_name,
        plural=t.plural,
        description=t.description,
        fields=[FieldInfo(**typeinfo.field_facts(f)) for f in t.fields],
        json_schema=typeinfo.json_schema(t),
    )


def query_fields() -> list[Any]:
    async def artifact(info: strawberry.Info, id: ID) -> Optional[Artifact]:
        return await resolve.by_id(info.context, id)

    def artifact_types(info: strawberry.Info) -> list[ArtifactTypeInfo]:
        return [_type_info(t) for t in typeinfo.type_infos(info.context)]

    def artifact_type(info: strawberry.Info, name: str) -> Optional[ArtifactTypeInfo]:
        t = typeinfo.type_info(info.context, name)
        return _type_info(t) if t is not None else None

    async def node(info: strawberry.Info, id: ID) -> Optional[Node]:
        return await resolve.by_id(info.context, id)

    async def nodes(info: strawberry.Info, ids: list[ID]) -> list[Optional[Node]]:
        return await resolve.by_ids(info.context, ids)

    def me(info: strawberry.Info) -> PrincipalType:
        p = info.context.principal
        return PrincipalType(
            user_id=p.user_id,
            project=p.project,
            roles=list(p.roles),
            is_admin=p.is_admin,
            anonymous=p.anonymous,
        )

    artifact.__annotations__["id"] = arg(ID, "Artifact id.")
    node.__annotations__["id"] = arg(ID, "The object's id.")
    nodes.__annotations__["ids"] = arg(list[ID], "Up to 500 ids.")
    artifact_type.__annotations__["name"] = arg(str, "Type name, e.g. 'heat_template'.")
    return [
        strawberry.field(
            resolver=node, description="Relay refetch: the object, or null if you may not see it."
        ),
        strawberry.field(
            resolver=nodes, description="Objects by id, in order; null where you may not see one."
        ),
        strawberry.field(resolver=artifact, description="Any artifact by id, or null."),
        strawberry.field(resolver=artifact_types, description="Every enabled artifact type."),
        strawberry.field(resolver=artifact_type, description="One artifact type, or null."),
        strawberry.field(resolver=me, description="The caller."),
    ]


def mutation_fields() -> list[Any]:
    fields = [_transition(n) for n in ("activate", "deactivate", "reactivate")]

    async def artifact_publish(
        info: strawberry.Info, id: ID, expected_revision: OptInt = None
    ) -> Artifact:
        return await mutations.publish(info.context, id, expected_revision)

    async def artifact_delete(
        info: strawberry.Info, id: ID, expected_revision: OptInt = None
    ) -> ID:
        return ID(await mutations.delete(info.context, id, expected_revision))

    fields += [
        _field(artifact_publish, "Make an ACTIVE artifact PUBLIC (one way; admin by default)."),
        _field(
            artifact_delete, "Delete an artifact (not while a blob is uploading); returns its id."
        ),
    ]
    for add, verb in ((True, "Share"), (False, "Unshare")):
        fields.append(_share(add, verb))
    for add, verb in ((True, "Add"), (False, "Remove")):
        fields.append(_tags(add, verb))
        fields.append(_alias(add, "Set" if add else "Remove"))
    fields += _metadata()
    return fields


def _field(fn: Any, description: str) -> Any:
    ann = fn.__annotations__
    if "id" in ann:
        ann["id"] = arg(ID, "The artifact.")
    if "expected_revision" in ann:
        ann["expected_revision"] = arg(OptInt, REVISION)
    return strawberry.field(resolver=fn, description=description)


def _transition(name: str) -> Any:
    async def resolver(info: strawberry.Info, id: ID, expected_revision: OptInt = None) -> Artifact:
        return await mutations.transition(info.context, id, name, expected_revision)

    resolver.__name__ = f"artifact_{name}"
    text = {
        "activate": "DRAFTED → ACTIVE (owner or admin; required fields set).",
        "deactivate": "ACTIVE → DEACTIVATED (admin).",
        "reactivate": "DEACTIVATED → ACTIVE (admin).",
    }[name]
    return _field(resolver, text)


def _share(add: bool, verb: str) -> Any:
    async def resolver(
        info: strawberry.Info, id: ID, project: str, expected_revision: OptInt = None
    ) -> Artifact:
        return await mutations.share(info.context, id, project, add, expected_revision)

    resolver.__name__ = f"artifact_{verb.lower()}"
    resolver.__annotations__["project"] = arg(str, "Project to share with (or stop sharing).")
    return _field(
        resolver,
        "Share with a project (PRIVATE → SHARED)."
        if add
        else "Stop sharing with a project (SHARED → PRIVATE when none is left).",
    )


def _tags(add: bool, verb: str) -> Any:
    async def resolver(
        info: strawberry.Info, id: ID, tags: list[str], expected_revision: OptInt = None
    ) -> Artifact:
        return await mutations.tags(info.context, id, tags, add, expected_revision)

    resolver.__name__ = f"artifact_tags_{verb.lower()}"
    resolver.__annotations__["tags"] = arg(list[str], "Tag names.")
    return _field(resolver, f"{verb} tags, as one atomic set operation.")


def _alias(add: bool, verb: str) -> Any:
    async def resolver(
        info: strawberry.Info, id: ID, alias: str, expected_revision: OptInt = None
    ) -> Artifact:
        return await mutations.alias(info.context, id, alias, add, expected_revision)

    resolver.__name__ = f"alias_{verb.lower()}"
    resolver.__annotations__["alias"] = arg(str, "Alias name, unique per project, type and name.")
    return _field(
        resolver,
        "Point an alias at this artifact (it moves atomically)."
        if add
        else "Remove an alias from this artifact.",
    )


def _metadata() -> list[Any]:
    async def artifact_metadata_set(
        info: strawberry.Info, id: ID, entries: JSON, expected_revision: OptInt = None
    ) -> Artifact:
        return await mutations.metadata_set(info.context, id, entries, expected_revision)

    async def artifact_metadata_remove(
        info: strawberry.Info, id: ID, keys: list[str], expected_revision: OptInt = None
    ) -> Artifact:
        return await mutations.metadata_remove(info.context, id, keys, expected_revision)

    artifact_metadata_set.__annotations__["entries"] = arg(JSON, "Keys to set (merged).")
    artifact_metadata_remove.__annotations__["keys"] = arg(list[str], "Keys to remove.")
    return [
        _field(artifact_metadata_set, "Merge metadata keys (DRAFTED only)."),
        _field(artifact_metadata_remove, "Remove metadata keys (DRAFTED only)."),
    ]
