"""Runs one GraphQL request: cached parse and validation, limits, variables, execution, errors.

Returns an `Outcome` (HTTP status + JSON body); transports decide nothing about GraphQL.
"""

from dataclasses import dataclass
from functools import lru_cache
from inspect import isawaitable
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    execute,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values
from strawberry.execution.is_awaitable import optimized_is_awaitable

from glaregraph.catalog.errors import CatalogError
from glaregraph.schema import errors, strings
from glaregraph.schema.fastpath import FastExecutor
from glaregraph.schema.limits import Limits, check_limits

INTROSPECTION_ROOTS = frozenset({"__schema", "__type", "__typename"})
# Longer documents are parsed each time: the cache must not keep megabytes of query text alive.
MAX_CACHED_QUERY = 20_000


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A parsed, validated document (cached per query text)."""

    document: DocumentNode | None
    errors: list[dict[str, Any]]
    fragments: dict[str, FragmentDefinitionNode]


class Executor:
    def __init__(self, schema: strawberry.Schema, limits: Limits, cache_size: int = 1024) -> None:
        self.schema = schema
        self.graphql_schema: GraphQLSchema = schema._schema
        self.limits = limits
        self.cached_prepare = lru_cache(maxsize=cache_size)(self._prepare)

    def prepare(self, query: str) -> Prepared:
        if len(query) > MAX_CACHED_QUERY:
            return self._prepare(query)
        return self.cached_prepare(query)

    def _prepare(self, query: str) -> Prepared:
        try:
            document = parse(query, max_tokens=20_000)
        except GraphQLError as exc:
            return Prepared(None, [_coded(exc, "GRAPHQL_PARSE_FAILED")], {})
        found = validate(self.graphql_schema, document)
        if found:
            return Prepared(None, [_coded(e, "GRAPHQL_VALIDATION_FAILED") for e in found], {})
        if (bad := strings.in_document(document)) is not None:
            return Prepared(None, [_unstorable(bad)], {})
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        return Prepared(document, [], fragments)

    def operation(
        self, query: str, operation_name: str | None
    ) -> tuple[Prepared, OperationDefinitionNode | None]:
        prepared = self.prepare(query)
        if prepared.document is None:
            return prepared, None
        ops = [d for d in prepared.document.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is None:
            return prepared, ops[0] if len(ops) == 1 else None
        return prepared, next((o for o in ops if o.name and o.name.value == operation_name), None)

    async def run(
        self,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: Any,
        *,
        allow_mutation: bool = True,
    ) -> Outcome:
        prepared, op = self.operation(query, operation_name)
        if prepared.errors:
            return Outcome(400, {"errors": prepared.errors})
        if op is None:
            message = (
                "operationName is required when the document has several operations"
                if operation_name is None
                else f"unknown operation '{strings.clean(operation_name)}'"
            )
            return Outcome(400, {"errors": [errors.error_dict(message, "BAD_REQUEST")]})
        if op.operation is not OperationType.QUERY and not allow_mutation:
            return Outcome(
                405,
                {
                    "errors": [
                        errors.error_dict(
                            "only queries may be sent with GET; use POST", "BAD_REQUEST"
                        )
                    ]
                },
            )
        coerced = get_variable_values(
            self.graphql_schema, op.variable_definitions or (), variables or {}
        )
        if isinstance(coerced, list):
            # messages may quote the caller's object keys: lone surrogates cannot be rendered
            found = [errors.variable_error(e) for e in coerced]
            return Outcome(
                400, {"errors": [{**e, "message": strings.clean(e["message"])} for e in found]}
            )
        if (bad := strings.in_variables(coerced.coerced)) is not None:
            return Outcome(400, {"errors": [_unstorable(bad)]})
        try:
            check_limits(self.limits, op, prepared.fragments, coerced.coerced)
        except CatalogError as exc:
            return Outcome(400, {"errors": [errors.error_dict(exc.message, **exc.extensions())]})
        assert prepared.document is not None
        result = execute(
            self.graphql_schema,
            prepared.document,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
            executor_class=FastExecutor,
            variable_values=variables,
            operation_name=operation_name,
            context_value=context,
        )
        if isawaitable(result):
            result = await result
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [
                errors.from_graphql_error(e, context.request_id) for e in result.errors
            ]
        return Outcome(200, body)


def is_introspection(op: OperationDefinitionNode) -> bool:
    """Only schema questions at the top level (`__schema`, `__type`, `__typename`)."""
    return all(
        isinstance(s, FieldNode) and s.name.value in INTROSPECTION_ROOTS
        for s in op.selection_set.selections
    )


def _unstorable(found: strings.Found) -> dict[str, Any]:
    path, problem = found
    return errors.error_dict(f"{path}: {problem}", "BAD_USER_INPUT", field=path)


def _coded(error: GraphQLError, code: str) -> dict[str, Any]:
    out: dict[str, Any] = dict(error.formatted)
    out["extensions"] = {**(error.extensions or {}), "code": code}
    return out
