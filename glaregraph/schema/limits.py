"""Query limits checked before anything runs: selection depth, aliases and estimated cost.

Cost: every field costs 1; a field with a `first`/`last` argument (a page, a lineage graph)
multiplies its per-item selections (`edges`, `nodes`) by that size (the default page size when
absent or null); `totalCount`, `pageInfo` and the rest cost 1. Size arguments out of bounds are
BAD_USER_INPUT before any cost is weighed, and so are lists of input objects past their bounds
(a `filter` past its size limits, a `sort` of more keys than allowed, more `parts` than an
upload can have): refused later, they were first made into input objects by strawberry, one by
one (a filter of 40,000 items, 1 MB of JSON, held the worker for 24 s before its
BAD_USER_INPUT on a slow 2-core machine; 25,000 sort keys 0.5 s on a fast one).
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

from glaregraph.catalog.blobs.completion import check_part_list
from glaregraph.catalog.errors import BadUserInput, QueryTooComplex
from glaregraph.catalog.graph.lineage import DEFAULT_FIRST as DEFAULT_LINEAGE_FIRST
from glaregraph.catalog.graph.lineage import MAX_DEPTH, MAX_FIRST
from glaregraph.catalog.listing import DEFAULT_PAGE, MAX_PAGE
from glaregraph.catalog.query.filters import check_size
from glaregraph.catalog.query.ordering import check_sort_size

ITEM_FIELDS = frozenset({"edges", "nodes"})
LISTS = frozenset({"filter", "sort", "parts"})  # arguments bounded before anything runs
PAGE_BOUNDS = {"first": (0, MAX_PAGE), "last": (0, MAX_PAGE)}
# fields whose size arguments have bounds of their own
BOUNDS = {"lineage": {"first": (0, MAX_FIRST), "depth": (1, MAX_DEPTH)}}
DEFAULT_FIRST = {"lineage": DEFAULT_LINEAGE_FIRST}


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
    items: int = 1,
) -> int:
    """Cost of a selection set; `items` multiplies its per-item fields (`edges`, `nodes`):
    a page's `totalCount` and `pageInfo` cost 1 whatever its size."""
    if selection_set is None:
        return 0
    total = 0
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            if sel.alias is not None:
                m.aliases += 1
            m.depth = max(m.depth, depth)
            _check_lists(sel, variables)
            inner = _multiplier(sel, variables)
            children = _walk(sel.selection_set, fragments, variables, depth + 1, m, seen, inner)
            factor = items if sel.name.value in ITEM_FIELDS else 1
            total += factor * (1 + children)
        elif isinstance(sel, InlineFragmentNode):
            total += _walk(sel.selection_set, fragments, variables, depth, m, seen, items)
        elif isinstance(sel, FragmentSpreadNode):
            name = sel.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                total += _walk(
                    fragment.selection_set, fragments, variables, depth, m, seen | {name}, items
                )
    return total


def _multiplier(node: FieldNode, variables: dict[str, Any]) -> int:
    """How many items a field's `edges`/`nodes` may hold: its `first`/`last` (bounds checked
    here, before any cost: an argument out of bounds is BAD_USER_INPUT whatever the cost), the
    default page size when a page is asked without one, else 1."""
    args = {a.name.value: a.value for a in node.arguments or ()}
    bounds = BOUNDS.get(node.name.value, PAGE_BOUNDS)
    found = None
    for name, (low, high) in bounds.items():
        if name not in args:
            continue
        value = value_from_ast_untyped(args[name], variables)
        if isinstance(value, int) and not isinstance(value, bool):
            if not low <= value <= high:
                raise BadUserInput(f"{name} must be between {low} and {high}", field=name)
            if name != "depth" and found is None:
                found = max(value, 1)  # `first: 0` still answers totalCount and pageInfo
    if found is not None:
        return found
    if "first" in args or "last" in args or _is_page(node):
        # null, an omitted variable or no size: the field's default size
        return DEFAULT_FIRST.get(node.name.value, DEFAULT_PAGE)
    return 1


def _check_lists(node: FieldNode, variables: dict[str, Any]) -> None:
    """A field's `filter` argument within its size limits (the rule the filter's compiler
    applies: only `and`, `or`, `not` and `like` are looked at by name, the same in GraphQL's
    names and Python's), its `sort` and `parts` within their lengths (the rules the use cases
    apply)."""
    for argument in node.arguments or ():
        name = argument.name.value
        if name not in LISTS:
            continue
        value = value_from_ast_untyped(argument.value, variables)
        if name == "filter":
            check_size(value, "filter")
        elif name == "sort" and isinstance(value, list):
            check_sort_size(len(value))
        elif name == "parts" and isinstance(value, list):
            check_part_list(len(value))


def _is_page(node: FieldNode) -> bool:
    """A connection field asked without a page size gets the default page size."""
    return node.selection_set is not None and any(
        s.name.value in ITEM_FIELDS
        for s in node.selection_set.selections
        if isinstance(s, FieldNode)
    )
