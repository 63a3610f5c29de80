"""Query limits checked before anything runs: selection depth, aliases and estimated cost.

Cost: every field costs 1; a field with a `first`/`last` argument (a page) multiplies its
children by that size (the default page size when absent or null) and one with `depth` by the
depth.
"""

from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    value_from_ast_untyped,
)

from glaregraph.catalog.errors import QueryTooComplex
from glaregraph.catalog.listing import DEFAULT_PAGE


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int = 15
    max_cost: int = 100_000
    max_aliases: int = 200


@dataclass(slots=True)
class Measure:
    depth: int = 0
    cost: int = 0
    aliases: int = 0


def check_limits(
    limits: Limits,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
) -> None:
    m = Measure()
    m.cost = _walk(operation.selection_set, fragments, variables, 1, m, frozenset())
    for what, limit, actual in (
        ("depth", limits.max_depth, m.depth),
        ("aliases", limits.max_aliases, m.aliases),
        ("cost", limits.max_cost, m.cost),
    ):
        if actual > limit:
            raise QueryTooComplex(
                f"query {what} {actual} exceeds the limit of {limit}",
                limit=limit,
                actual=actual,
                measure=what,
            )


def _walk(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    depth: int,
    m: Measure,
    seen: frozenset[str],
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            if sel.alias is not None:
                m.aliases += 1
            m.depth = max(m.depth, depth)
            children = _walk(sel.selection_set, fragments, variables, depth + 1, m, seen)
            total += 1 + _multiplier(sel, variables) * children
        elif isinstance(sel, InlineFragmentNode):
            total += _walk(sel.selection_set, fragments, variables, depth, m, seen)
        elif isinstance(sel, FragmentSpreadNode):
            name = sel.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                total += _walk(
                    fragment.selection_set, fragments, variables, depth, m, seen | {name}
                )
    return total


def _multiplier(node: FieldNode, variables: dict[str, Any]) -> int:
    args = {a.name.value: a.value for a in node.arguments or ()}
    for name in ("first", "last", "depth"):
        if name in args:
            value = value_from_ast_untyped(args[name], variables)
            if isinstance(value, int) and not isinstance(value, bool):
                return max(value, 1)  # `first: 0` still answers totalCount and pageInfo
            return DEFAULT_PAGE  # null or an omitted variable: the default page, as listed
    return DEFAULT_PAGE if _is_page(node) else 1


def _is_page(node: FieldNode) -> bool:
    """A connection field asked without a page size gets the default page size."""
    return node.selection_set is not None and any(
        s.name.value in ("edges", "nodes")
        for s in node.selection_set.selections
        if isinstance(s, FieldNode)
    )
