"""Builds the whole strawberry schema from the type registry at start-up."""

from typing import Any

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import create_type

from glaregraph.catalog.typedef.model import Registry
from glaregraph.schema import (
    audit,
    blobs,
    controls,
    inputgen,
    rootcommon,
    rootgen,
    tags,
    typegen,
)
from glaregraph.schema.artifact import Artifact
from glaregraph.schema.fastpath import install_fast_resolvers
from glaregraph.schema.scalars import SCALAR_MAP


def build_schema(registry: Registry) -> strawberry.Schema:
    types_ = list(registry.values())
    objects = typegen.make_object_types(types_)
    queries: list[Any] = rootcommon.query_fields()
    mutations: list[Any] = []
    artifact_connection = tags.ArtifactConnection
    queries.append(
        rootgen.list_field(
            "artifacts",
            None,
            Artifact,
            artifact_connection,
            inputgen.make_filter("Artifact", None),
            inputgen.make_sort("Artifact", None),
            "A page of artifacts of every type you may see.",
        )
    )
    for more_queries, more_mutations in (tags.fields(), controls.fields(), audit.fields()):
        queries += more_queries
        mutations += more_mutations
    for t in types_:
        create, update = inputgen.make_inputs(t)
        connection = typegen.make_connection(t.graphql_name, objects[t.name])
        q, m = rootgen.type_fields(
            t,
            objects[t.name],
            connection,
            inputgen.make_filter(t.graphql_name, t),
            inputgen.make_sort(t.graphql_name, t),
            create,
            update,
        )
        queries += q
        mutations += m
    mutations += rootcommon.mutation_fields()
    mutations += blobs.mutation_fields()
    query = create_type("Query", queries, description="Reading the catalog.")
    mutation = create_type("Mutation", mutations, description="Changing the catalog.")
    schema = strawberry.Schema(
        query=query,
        mutation=mutation,
        types=list(objects.values()),
        config=StrawberryConfig(scalar_map=SCALAR_MAP, default_resolver=typegen.resolve_attribute),
    )
    install_fast_resolvers(schema._schema, preloaded=("tags", "aliases", "shared_with"))
    return schema


def print_sdl(schema: strawberry.Schema) -> str:
    return schema.as_str() + "\n"
