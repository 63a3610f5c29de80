"""One mapping from exceptions to GraphQL errors with a stable `extensions.code` (API.md §9).

Catalog errors keep their message and details; anything unexpected is masked and logged with
the request id, so no internal detail reaches a client.
"""

import logging
import re
from typing import Any

from graphql import GraphQLError

from glaregraph.catalog.errors import CatalogError

log = logging.getLogger("glaregraph.errors")

_VARIABLE = re.compile(r"Variable '\$(\w+)'(?: has invalid value(?: at ([^:]+))?:)?")
_NAMED_FIELD = re.compile(r"(?:unknown|required) field '(\w+)'")


def error_dict(message: str, code: str, **details: Any) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code, **details}}


def from_graphql_error(error: GraphQLError, request_id: str) -> dict[str, Any]:
    """An execution error: a CatalogError raised by a resolver, or something unexpected."""
    original = error.original_error
    out: dict[str, Any] = dict(error.formatted)
    if isinstance(original, CatalogError):
        out["message"] = original.message
        out["extensions"] = original.extensions()
    elif original is None and error.extensions and "code" in error.extensions:
        pass
    else:
        # anything else, graphql-core's own completion errors included, is the server's fault
        log.error("unexpected error (request %s): %s", request_id, error.message, exc_info=original)
        out["message"] = f"Internal server error (request id {request_id})."
        out["extensions"] = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    return out


def variable_error(error: GraphQLError) -> dict[str, Any]:
    """A variable whose value does not fit its declared type: BAD_USER_INPUT naming its path."""
    field = None
    if (match := _VARIABLE.match(error.message)) is not None:
        field = match.group(1) + (match.group(2) or "")
        if (named := _NAMED_FIELD.search(error.message)) is not None:
            field += "." + named.group(1)
    out: dict[str, Any] = dict(error.formatted)
    out["extensions"] = {"code": "BAD_USER_INPUT", **({"field": field} if field else {})}
    return out
