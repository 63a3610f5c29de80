"""Glue for `artifactTypes` and `artifactType`: the registry's types described for clients."""

from __future__ import annotations

from typing import Any

from glaregraph.catalog.typedef.jsonschema import create_input_schema
from glaregraph.catalog.typedef.model import FieldDef, TypeDef
from glaregraph.resolvers.context import RequestContext


def type_infos(ctx: RequestContext) -> list[TypeDef]:
    return list(ctx.catalog.registry.values())


def type_info(ctx: RequestContext, name: str) -> TypeDef | None:
    return ctx.catalog.registry.get(name)


def field_facts(f: FieldDef) -> dict[str, Any]:
    return {
        "name": f.name,
        "graphql_name": f.graphql_name,
        "kind": f.kind.value,
        "of": f.of.value if f.of else None,
        "to": f.to,
        "description": f.description,
        "required_on_activate": f.required_on_activate,
        "mutable": f.mutable,
        "nullable": f.nullable,
        "sortable": f.sortable,
        "filterable": f.filterable,
        "default": f.default if f.has_default else None,
        "validators": f.validators.as_dict(),
    }


def json_schema(t: TypeDef) -> dict[str, Any]:
    return create_input_schema(t)
