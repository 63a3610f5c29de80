"""Plain fields read straight from the source object, skipping strawberry's per-field wrapper
and graphql-core's per-field resolve-info, path and completion machinery.

A 50-row page selects hundreds of plain leaf fields. An object whose selected fields are all
plain leaves (or lists of leaves) is completed in one loop; a field with a resolver, arguments,
a value that is not ready (a preloaded attribute that was not loaded) or a value that would
raise a field error sends the object down graphql-core's standard path, which reports it.
"""

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    is_leaf_type,
)
from graphql.execution.incremental.incremental_executor import IncrementalExecutor

from glaregraph.schema.typegen import DATA_PREFIX

BACKREF = "strawberry-definition"
READER = "glaregraph_read"  # attribute on a GraphQLField: (source) -> value, or NOT_READY
NOT_READY = object()

Reader = Callable[[Any], Any]


def install_fast_resolvers(schema: GraphQLSchema, preloaded: tuple[str, ...] = ()) -> int:
    """Give basic fields direct readers, and fields named in `preloaded` (resolver fields whose
    value the source may already carry as an attribute) a reader that tries that first.
    Returns how many fields got a reader."""
    count = 0
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for field in named.fields.values():
            definition = (field.extensions or {}).get(BACKREF)
            if definition is None or definition.extensions:
                continue
            if definition.is_basic_field:
                read = _reader(definition.python_name)
                field.resolve = lambda source, _info, read=read: read(source)
            elif definition.python_name in preloaded and not field.args:
                read = _preloaded(definition.python_name)
            else:
                continue
            setattr(field, READER, read)
            count += 1
    return count


def _reader(python_name: str) -> Reader:
    if python_name.startswith(DATA_PREFIX):
        key = python_name[len(DATA_PREFIX) :]
        return lambda source: source.data.get(key)
    return attrgetter(python_name)


def _constant(value: str) -> Reader:
    return lambda _source: value


def _preloaded(attribute: str) -> Reader:
    def read(source: Any) -> Any:
        value = getattr(source, attribute, None)
        return NOT_READY if value is None else value

    return read


# (response name, reader, serialize, non-null, list of leaves, non-null items)
Step = tuple[str, Reader, Callable[[Any], Any], bool, bool, bool]


class FastExecutor(IncrementalExecutor):
    """Completes objects made only of plain leaves inline; everything else the standard way."""

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Any,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        plans: dict[int, list[Step] | None] = self.__dict__.setdefault("_fast_plans", {})
        key = id(grouped_field_set)
        if key not in plans:
            plans[key] = _plan(parent_type, grouped_field_set)
        plan = plans[key]
        if plan is not None:
            result = _complete(plan, source_value)
            if result is not None:
                return result
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )


def _complete(plan: list[Step], source: Any) -> dict[str, Any] | None:
    """The object's data, or None when anything needs the standard path."""
    out: dict[str, Any] = {}
    try:
        for name, read, serialize, non_null, is_list, items_non_null in plan:
            value = read(source)
            if value is NOT_READY:
                return None
            if value is None:
                if non_null:
                    return None
                out[name] = None
            elif is_list:
                if items_non_null and any(v is None for v in value):
                    return None
                out[name] = [None if v is None else serialize(v) for v in value]
            else:
                out[name] = serialize(value)
    except Exception:
        return None
    return out


def _plan(parent_type: GraphQLObjectType, grouped_field_set: Any) -> list[Step] | None:
    steps: list[Step] = []
    for name, field_details_list in grouped_field_set.items():
        node = field_details_list[0].node
        if node.arguments:
            return None
        if node.name.value == "__typename":
            steps.append((name, _constant(parent_type.name), str, True, False, False))
            continue
        field: GraphQLField | None = parent_type.fields.get(node.name.value)
        read = getattr(field, READER, None)
        if field is None or read is None:
            return None
        step = _leaf_step(name, read, field.type)
        if step is None:
            return None
        steps.append(step)
    return steps


def _leaf_step(name: str, read: Reader, field_type: Any) -> Step | None:
    non_null = isinstance(field_type, GraphQLNonNull)
    inner = field_type.of_type if non_null else field_type
    if is_leaf_type(inner):
        return name, read, inner.serialize, non_null, False, False
    if isinstance(inner, GraphQLList):
        item = inner.of_type
        items_non_null = isinstance(item, GraphQLNonNull)
        item = item.of_type if items_non_null else item
        if is_leaf_type(item):
            return name, read, item.serialize, non_null, True, items_non_null
    return None
