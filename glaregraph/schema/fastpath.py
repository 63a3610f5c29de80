"""Plain fields read straight from the source object, skipping strawberry's per-field wrapper
and, for leaf values, graphql-core's per-field resolve-info and completion machinery.

A 50-row page selects hundreds of plain fields. Fields with resolvers, arguments or
extensions keep the full path, and so does any value that would raise a field error.
"""

from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    is_leaf_type,
)
from graphql.execution.incremental.incremental_executor import IncrementalExecutor

from glaregraph.schema.typegen import DATA_PREFIX

BACKREF = "strawberry-definition"


def install_fast_resolvers(schema: GraphQLSchema) -> int:
    """Replace the resolvers of basic fields; returns how many were replaced."""
    replaced = 0
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for field in named.fields.values():
            definition = (field.extensions or {}).get(BACKREF)
            if definition is None or not definition.is_basic_field or definition.extensions:
                continue
            field.resolve = _reader(definition.python_name)
            replaced += 1
    return replaced


def _reader(python_name: str) -> Any:
    if python_name.startswith(DATA_PREFIX):
        key = python_name[len(DATA_PREFIX) :]

        def read_data(source: Any, _info: Any) -> Any:
            return source.data.get(key)

        read_data.fast = True  # type: ignore[attr-defined]
        return read_data
    getter = attrgetter(python_name)

    def read(source: Any, _info: Any) -> Any:
        return getter(source)

    read.fast = True  # type: ignore[attr-defined]
    return read


Plan = tuple[Any, GraphQLLeafType, bool] | None


class FastExecutor(IncrementalExecutor):
    """Completes plain leaf fields inline; everything else goes the standard way."""

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        plans: dict[int, Plan] = self.__dict__.setdefault("_fast_plans", {})
        key = id(field_details_list)
        if key not in plans:
            plans[key] = _plan(parent_type, field_details_list)
        plan = plans[key]
        if plan is not None:
            read, leaf, non_null = plan
            try:
                value = read(source, None)
                if value is not None:
                    return leaf.serialize(value)
                if not non_null:
                    return None
            except Exception:
                pass
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )


def _plan(parent_type: GraphQLObjectType, field_details_list: Any) -> Plan:
    node = field_details_list[0].node
    field = parent_type.fields.get(node.name.value)
    if field is None or not getattr(field.resolve, "fast", False) or node.arguments:
        return None
    field_type, non_null = field.type, isinstance(field.type, GraphQLNonNull)
    if non_null:
        field_type = field_type.of_type
    if not is_leaf_type(field_type):
        return None
    return field.resolve, field_type, non_null
