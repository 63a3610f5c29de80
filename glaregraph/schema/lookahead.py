"""Which related values (aliases, sharedWith) a lookup or a page selects on its artifacts, and
whether a page's `totalCount` is selected, so that all of it is read in the statement that reads
the rows instead of one more round trip each; which columns a lineage's nodes read.

Read off the field's syntax tree (fragments followed); parsed documents are cached, so the
answer is memoized per field node.
"""

from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLSchema,
    InlineFragmentNode,
)

# on a GraphQL field read straight from the record (schema/fastpath.py sets it): the attribute
# it reads (`data` for a type's data fields)
COLUMN = "glaregraph_column"
# GraphQL field -> the catalog's name of the related values behind it
RELATED = {"aliases": "aliases", "sharedWith": "shared_with"}
_MEMO_SIZE = 4096
# (node id, question) -> (node, answer): the node kept alive with its answer, so ids stay unique
_memo: dict[tuple[int, str], tuple[FieldNode, Any]] = {}


def related_of_lookup(info: strawberry.Info) -> tuple[str, ...]:
    """For a field returning artifacts directly (`image(id:)`)."""
    raw = info._raw_info  # graphql-core's resolve info: the field's node and the fragments

    def answer(node: FieldNode) -> tuple[str, ...]:
        return _related(_children(node, raw.fragments))

    return _memoized(raw.field_nodes[0], answer)  # type: ignore[no-any-return]


def selects(info: strawberry.Info, name: str) -> bool:
    """Whether the field's own selection has a field `name` (`tag(name) { artifacts }`)."""
    raw = info._raw_info

    def answer(node: FieldNode) -> bool:
        return any(f.name.value == name for f in _children(node, raw.fragments))

    return _memoized(raw.field_nodes[0], answer, f"selects:{name}")  # type: ignore[no-any-return]


def related_of_page(info: strawberry.Info) -> tuple[tuple[str, ...], bool]:
    """For a connection: what `nodes` and `edges { node }` select, and whether the answer
    selects `totalCount`."""
    raw = info._raw_info
    fragments = raw.fragments

    def answer(node: FieldNode) -> tuple[tuple[str, ...], bool]:
        chosen: list[FieldNode] = []
        total = False
        for field in _children(node, fragments):
            name = field.name.value
            total = total or name == "totalCount"
            if name == "nodes":
                chosen += _children(field, fragments)
            elif name == "edges":
                for inner in _children(field, fragments):
                    if inner.name.value == "node":
                        chosen += _children(inner, fragments)
        return _related(chosen), total

    return _memoized(raw.field_nodes[0], answer)  # type: ignore[no-any-return]


def lineage_columns(info: strawberry.Info) -> tuple[str, ...] | None:
    """The record fields that `lineage { nodes { artifact { ... } } }` reads: the columns
    behind its fields when every one of them reads a column as it is (on every artifact type
    having it), else None (a field with a resolver, which may read anything: all columns)."""
    raw = info._raw_info
    fragments = raw.fragments
    schema: GraphQLSchema = raw.schema

    def answer(node: FieldNode) -> tuple[str, ...] | None:
        selected = [
            field
            for nodes in _children(node, fragments)
            if nodes.name.value == "nodes"
            for artifact in _children(nodes, fragments)
            if artifact.name.value == "artifact"
            for field in _children(artifact, fragments)
        ]
        interface = schema.get_type("Artifact")
        if not isinstance(interface, GraphQLInterfaceType):
            return None
        types = schema.get_possible_types(interface)
        needed: set[str] = set()
        for name in {f.name.value for f in selected} - {"__typename"}:
            for object_type in types:
                field = object_type.fields.get(name)
                if field is None:
                    continue  # asked in a fragment on another type
                column = getattr(field, COLUMN, None)
                if column is None:
                    return None
                needed.add(column)
        return tuple(sorted(needed))

    return _memoized(raw.field_nodes[0], answer, "lineage_columns")  # type: ignore[no-any-return]


def _memoized(node: FieldNode, compute: Any, question: str = "") -> Any:
    key = (id(node), question)
    found = _memo.get(key)
    if found is not None and found[0] is node:
        return found[1]
    if len(_memo) >= _MEMO_SIZE:
        _memo.clear()
    value = compute(node)
    _memo[key] = (node, value)
    return value


def _related(fields: list[FieldNode]) -> tuple[str, ...]:
    names = {f.name.value for f in fields}
    return tuple(value for field, value in RELATED.items() if field in names)


def _children(node: FieldNode, fragments: dict[str, Any]) -> list[FieldNode]:
    if node.selection_set is None:
        return []
    return list(_walk(node.selection_set.selections, fragments))


def _walk(selections: Any, fragments: dict[str, Any]) -> Iterator[FieldNode]:
    for selection in selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _walk(selection.selection_set.selections, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _walk(fragment.selection_set.selections, fragments)
