"""Plain fields read straight from the source object, skipping strawberry's per-field wrapper
and graphql-core's per-field resolve-info, path and completion machinery.

A 50-row page selects hundreds of plain leaf fields. An object whose selected fields are all
plain leaves (or lists of leaves) is completed in one loop; a field with a resolver, arguments,
a value that is not ready (a preloaded attribute that was not loaded) or a value that would
raise a field error sends the object down graphql-core's standard path, which reports it.

A field of an interface type (a lineage node's `artifact: Artifact!`) takes the same loop when
the interface's class declares `type_of_value(value) -> str`: its concrete type decided from
the value alone, as its `resolve_type` does, so no resolve info is built per object.
"""

from collections.abc import Callable
from itertools import chain
from operator import attrgetter
from typing import Any

from graphql import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    is_leaf_type,
)
from graphql.execution.incremental.incremental_executor import IncrementalExecutor

from glaregraph.schema.lookahead import COLUMN
from glaregraph.schema.typegen import DATA_PREFIX

BACKREF = "strawberry-definition"
READER = "glaregraph_read"  # attribute on a GraphQLField: (source) -> value, or NOT_READY
TYPE_OF = "glaregraph_type_of"  # attribute on a GraphQLInterfaceType: (value) -> type name
ATTRIBUTE = "glaregraph_attribute"  # on a GraphQLField whose reader is getattr of this name
PLAIN_TEXT = "glaregraph_plain_text"  # on a finish: a non-null String/ID (a str is its answer)
# on a plain-text completer (and its finish): (read, one, make)
BULK = "glaregraph_bulk"
NOT_READY = object()

Reader = Callable[[Any], Any]


def install_fast_resolvers(schema: GraphQLSchema, preloaded: tuple[str, ...] = ()) -> int:
    """Give basic fields direct readers, and fields named in `preloaded` (resolver fields whose
    value the source may already carry as an attribute) a reader that tries that first.
    Returns how many fields got a reader."""
    count = 0
    for named in schema.type_map.values():
        if isinstance(named, GraphQLInterfaceType):
            _declare_type_of(named)
            continue
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for field in named.fields.values():
            definition = (field.extensions or {}).get(BACKREF)
            if definition is None or definition.extensions:
                continue
            if definition.is_basic_field:
                read = _reader(definition.python_name)
                field.resolve = lambda source, _info, read=read: read(source)
                if definition.python_name.startswith(DATA_PREFIX):
                    setattr(field, COLUMN, "data")
                else:
                    setattr(field, ATTRIBUTE, definition.python_name)
                    setattr(field, COLUMN, definition.python_name)
            elif definition.python_name in preloaded and not field.args:
                read = _preloaded(definition.python_name)
            else:
                continue
            setattr(field, READER, read)
            count += 1
    return count


def _declare_type_of(interface: GraphQLInterfaceType) -> None:
    """The interface's `type_of_value`, if its class declares one, for the fast path."""
    definition = (interface.extensions or {}).get(BACKREF)
    type_of = getattr(getattr(definition, "origin", None), "type_of_value", None)
    if callable(type_of):
        setattr(interface, TYPE_OF, type_of)


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


class _Slow(Exception):
    """This object needs graphql-core's standard path (it reports what is wrong)."""


# (response name, reader, finish): finish turns the read value into the answer or raises _Slow
Step = tuple[str, Reader, Callable[[Any], Any]]
# an object's data from its source; _Slow when anything needs the standard path
Completer = Callable[[Any], dict[str, Any]]


class FastExecutor(IncrementalExecutor):
    """Completes objects made only of plain leaves, and of objects made of them (a page's
    `edges { cursor node { ... } }`), inline; everything else the standard way."""

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Any,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        plan = self._fast_plan(parent_type, grouped_field_set)
        if plan is not None:
            try:
                return plan(source_value)
            except _Slow:
                pass
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def _fast_plan(
        self, parent_type: GraphQLObjectType, grouped_field_set: Any
    ) -> Completer | None:
        plans: dict[int, tuple[Any, Completer | None]] = self.__dict__.setdefault("_fast_plans", {})
        key = id(grouped_field_set)
        if key not in plans:  # the set is kept alive with its plan, so its id is not reused
            plans[key] = (grouped_field_set, self._plan(parent_type, grouped_field_set))
        return plans[key][1]

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> Completer | None:
        steps: list[Step] = []
        attributes: list[str] | None = []  # while every field is an attribute's plain text
        for name, field_details_list in grouped_field_set.items():
            node = field_details_list[0].node
            if node.arguments or node.directives:
                return None
            if node.name.value == "__typename":
                steps.append((name, _constant(parent_type.name), str))
                attributes = None
                continue
            field: GraphQLField | None = parent_type.fields.get(node.name.value)
            read = getattr(field, READER, None)
            if field is None or read is None:
                return None
            finish = _leaf_finish(field.type) or self._object_finish(field.type, field_details_list)
            if finish is None:
                return None
            steps.append((name, read, finish))
            attribute = getattr(field, ATTRIBUTE, None)
            if attributes is not None and attribute and getattr(finish, PLAIN_TEXT, False):
                attributes.append(attribute)
            else:
                attributes = None
        if attributes:
            return _plain_texts(steps, attributes)
        return lambda source: _complete(steps, source)

    def complete_iterable_value(
        self,
        item_type: Any,
        field_details_list: Any,
        info: Any,
        path: Any,
        items: Any,
        position_context: Any,
    ) -> Any:
        """A list of objects of one concrete type with a fast plan (a page's nodes or edges)
        is completed in one loop; anything else, or any item that needs it, the standard way."""
        finish = self._object_finish(item_type, field_details_list)
        if finish is not None and isinstance(items, list):
            bulk = getattr(finish, BULK, None)
            if bulk is not None:
                done = _complete_all(bulk, items)
                if done is not None:
                    return done
            try:
                return [finish(item) for item in items]
            except _Slow:
                pass
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )

    def _object_finish(self, field_type: Any, field_details_list: Any) -> Any:
        """A nested object of a concrete type whose own selection has a fast plan, or of an
        interface that names its concrete type from the value (`TYPE_OF`)."""
        non_null = isinstance(field_type, GraphQLNonNull)
        inner = field_type.of_type if non_null else field_type
        if isinstance(inner, GraphQLInterfaceType) and hasattr(inner, TYPE_OF):
            return self._interface_finish(inner, non_null, field_details_list)
        if not isinstance(inner, GraphQLObjectType):
            return None
        grouped, deferred, _ = self.collect_subfields(inner, field_details_list)
        if deferred:
            return None
        plan = self._fast_plan(inner, grouped)
        if plan is None:
            return None
        is_type_of = inner.is_type_of

        def finish(value: Any) -> Any:
            if value is None:
                if non_null:
                    raise _Slow
                return None
            # our generated types decide from the value alone (see typegen.is_type_of)
            if is_type_of is not None and is_type_of(value, None) is not True:  # type: ignore[arg-type]
                raise _Slow
            return plan(value)

        if is_type_of is None and hasattr(plan, BULK):
            setattr(finish, BULK, getattr(plan, BULK))
        return finish

    def _interface_finish(
        self, interface: GraphQLInterfaceType, non_null: bool, field_details_list: Any
    ) -> Any:
        """The finish of a value of `interface`: the finish of its concrete type (found from
        the value as graphql-core's `ensure_valid_runtime_type` would, each type once). A type
        that is not one of the interface's, or whose selection has no fast plan, sends the
        value down the standard path, which reports or completes it."""
        type_of: Reader = getattr(interface, TYPE_OF)
        finishes: dict[str, Any] = {}

        def concrete(name: str) -> Any:
            runtime = self.schema.get_type(name) if isinstance(name, str) else None
            if not isinstance(runtime, GraphQLObjectType) or not self.schema.is_sub_type(
                interface, runtime
            ):
                return None
            return self._object_finish(GraphQLNonNull(runtime), field_details_list)

        def finish(value: Any) -> Any:
            if value is None:
                if non_null:
                    raise _Slow
                return None
            name = type_of(value)
            try:
                found = finishes[name]
            except KeyError:
                found = finishes[name] = concrete(name)
            if found is None:
                raise _Slow
            return found(value)

        return finish


def _plain_texts(steps: list[Step], attributes: list[str]) -> Completer:
    """An object whose fields are all non-null String/ID attributes (a lineage edge, an
    `{ id name }` selection): read in one call and taken as they are when they are strings,
    else the steps one by one (which serialize or report)."""
    names = tuple(name for name, _, _ in steps)
    read = attrgetter(*attributes)
    one = len(attributes) == 1

    def complete(source: Any) -> dict[str, Any]:
        try:
            values = (read(source),) if one else read(source)
        except Exception:
            return _complete(steps, source)
        for value in values:
            if value.__class__ is not str:
                return _complete(steps, source)
        return make(values)

    make = _object_maker(names)
    setattr(complete, BULK, (read, one, make))
    return complete


def _object_maker(names: tuple[str, ...]) -> Callable[[Any], dict[str, Any]]:
    """`values` (as many as `names`) -> the object: a dict display for the usual few fields,
    a third of what `dict(zip(...))` costs (thousands of lineage nodes and edges)."""
    if len(names) == 1:
        (a,) = names
        return lambda v: {a: v[0]}
    if len(names) == 2:
        a, b = names
        return lambda v: {a: v[0], b: v[1]}
    if len(names) == 3:
        a, b, c = names
        return lambda v: {a: v[0], b: v[1], c: v[2]}
    if len(names) == 4:
        a, b, c, d = names
        return lambda v: {a: v[0], b: v[1], c: v[2], d: v[3]}
    return lambda v: dict(zip(names, v, strict=True))


def _complete_all(
    bulk: tuple[Reader, bool, Callable[[Any], dict[str, Any]]], items: list[Any]
) -> Any:
    """A whole list of plain-text objects (a lineage's thousands of edges) completed in a few
    C-level passes: every item read at once, every value checked to be a string, then the
    objects made; None (the item-by-item path, which reports) when any of that fails."""
    read, one, make = bulk
    try:
        values = list(map(read, items))
    except Exception:
        return None
    if not set(map(type, values if one else chain.from_iterable(values))) <= {str}:
        return None
    return list(map(make, map(_single, values) if one else values))


def _single(value: Any) -> tuple[Any]:
    return (value,)


def _complete(plan: list[Step], source: Any) -> dict[str, Any]:
    """The object's data; _Slow when anything needs the standard path."""
    out: dict[str, Any] = {}
    try:
        for name, read, finish in plan:
            value = read(source)
            if value is NOT_READY:
                raise _Slow
            out[name] = finish(value)
    except _Slow:
        raise
    except Exception as exc:
        raise _Slow from exc
    return out


def _serializer(leaf_type: Any) -> Callable[[Any], Any]:
    """The type's serializer; for String and ID, a string is passed as it is (what their
    serializers return for it) without their checks."""
    serialize: Callable[[Any], Any] = leaf_type.serialize
    if leaf_type in (GraphQLString, GraphQLID):
        return lambda value: value if value.__class__ is str else serialize(value)
    if leaf_type is GraphQLInt:
        # an int in range is its own answer (a lineage node's depth, a thousand times)
        return lambda value: (
            value
            if value.__class__ is int and GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT
            else serialize(value)
        )
    return serialize


def _leaf_finish(field_type: Any) -> Callable[[Any], Any] | None:
    """The finish of a leaf or a list of leaves. The null check is written out in each closure
    rather than shared: these run once per field of every row, where a call costs."""
    non_null = isinstance(field_type, GraphQLNonNull)
    inner = field_type.of_type if non_null else field_type
    if inner in (GraphQLString, GraphQLID):
        serialize_text: Callable[[Any], Any] = inner.serialize

        def text(value: Any) -> Any:
            # a string is passed as it is (what the serializer returns for it), without a call:
            # a lineage answer has ten thousand of them (ids of its edges)
            if value.__class__ is str:
                return value
            if value is None:
                if non_null:
                    raise _Slow
                return None
            return serialize_text(value)

        if non_null:
            setattr(text, PLAIN_TEXT, True)
        return text
    if is_leaf_type(inner):
        serialize = _serializer(inner)

        def leaf(value: Any) -> Any:
            if value is None:
                if non_null:
                    raise _Slow
                return None
            return serialize(value)

        return leaf
    if isinstance(inner, GraphQLList):
        item = inner.of_type
        items_non_null = isinstance(item, GraphQLNonNull)
        item = item.of_type if items_non_null else item
        if is_leaf_type(item):
            serialize_item = _serializer(item)

            def leaves(value: Any) -> Any:
                if value is None:
                    if non_null:
                        raise _Slow
                    return None
                if items_non_null and any(v is None for v in value):
                    raise _Slow
                return [None if v is None else serialize_item(v) for v in value]

            return leaves
    return None
