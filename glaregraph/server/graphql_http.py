"""GraphQL over HTTP: body limits, JSON shape checks, auth, GET for queries, GraphiQL pages."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from glaregraph.catalog.context import Catalog
from glaregraph.catalog.errors import Unauthenticated
from glaregraph.resolvers.context import RequestContext
from glaregraph.schema.errors import error_dict
from glaregraph.schema.executor import Executor, is_introspection
from glaregraph.server.auth import Authenticator, challenge
from glaregraph.server.graphiql import render_graphiql
from glaregraph.server.persisted import HashMismatch, PersistedQueries, QueryNotFound

GRAPHQL_RESPONSE = "application/graphql-response+json"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# How much of an over-large body is read (and dropped) so its sender can read the 413 answer.
MAX_DRAIN_BYTES = 32 * 1024 * 1024


class FastJSONResponse(JSONResponse):
    """GraphQL results are plain JSON values; orjson renders them several times faster."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class BadRequest(Exception):
    def __init__(self, status: int, message: str, code: str = "BAD_REQUEST") -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


@dataclass
class GraphQLEndpoint:
    catalog: Catalog
    executor: Executor
    authenticator: Authenticator
    max_body_bytes: int
    anonymous_read: bool
    public_schema: bool
    persisted: PersistedQueries = field(default_factory=PersistedQueries)
    graphiql_prefix: str = "/graphiql-static"  # where the page loads its assets from
    graphiql_starter: str = ""  # the query a first visit shows

    async def handle(self, request: Request) -> Response:
        try:
            principal = await self.authenticator.authenticate(request.headers.get("authorization"))
            reading = request.method in ("GET", "HEAD")  # HEAD answers as GET, without a body
            if reading and _wants_html(request):
                if principal.anonymous and not self.public_schema:
                    raise Unauthenticated("authentication required")
                page = render_graphiql("/graphql", self.graphiql_prefix, self.graphiql_starter)
                return HTMLResponse(page)
            query, variables, operation_name = await self._read(request)
        except QueryNotFound as exc:  # Apollo's client resends the query on this answer
            return error_response(200, str(exc), "PERSISTED_QUERY_NOT_FOUND")
        except HashMismatch as exc:
            return error_response(400, str(exc), "BAD_REQUEST")
        except BadRequest as exc:
            return error_response(exc.status, exc.message, exc.code)
        except Unauthenticated as exc:
            return error_response(401, exc.message, "UNAUTHENTICATED", _challenge(exc))
        if principal.anonymous and not self._anonymous_allowed(query, operation_name):
            return error_response(
                401, "authentication required", "UNAUTHENTICATED", {"WWW-Authenticate": "Bearer"}
            )
        context = RequestContext(self.catalog, principal, _request_id(request))
        outcome = await self.executor.run(
            query, variables, operation_name, context, allow_mutation=request.method == "POST"
        )
        headers = {"x-request-id": context.request_id}
        media, status = _negotiate(request.headers.get("accept", ""), outcome.status)
        if outcome.status == 405:
            headers["allow"] = "POST"
        if request.method in ("GET", "HEAD"):  # a GET (with a persisted hash) may be cached
            headers["cache-control"] = (
                "public, max-age=30" if principal.anonymous else "private, no-cache"
            )
        return FastJSONResponse(outcome.body, status_code=status, headers=headers, media_type=media)

    def _anonymous_allowed(self, query: str, operation_name: str | None) -> bool:
        if self.anonymous_read:
            return True
        _, op = self.executor.operation(query, operation_name)
        return self.public_schema and op is not None and is_introspection(op)

    async def _read(self, request: Request) -> tuple[str, dict[str, Any] | None, str | None]:
        if request.method in ("GET", "HEAD"):
            params = request.query_params
            raw_vars, raw_ext = params.get("variables"), params.get("extensions")
            try:
                variables = json.loads(raw_vars) if raw_vars else None
                extensions = json.loads(raw_ext) if raw_ext else None
            except (ValueError, RecursionError) as exc:
                raise BadRequest(400, "variables and extensions must be JSON objects") from exc
            payload = {
                "query": params.get("query"),
                "variables": variables,
                "operationName": params.get("operationName"),
                "extensions": extensions,
            }
            return _checked(self._persisted(payload))
        body = await _read_body(request, self.max_body_bytes)
        if not _is_json(request.headers.get("content-type", "")):
            # a browser sends text/plain or a form without a CORS preflight: such a request
            # must run nothing, or any web page could make its visitors' browsers mutate here
            raise BadRequest(415, "a POST body must be Content-Type: application/json")
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
            raise BadRequest(400, "the request body is not JSON") from exc
        return _checked(self._persisted(payload))

    def _persisted(self, payload: Any) -> Any:
        """The payload with the query a persisted hash names filled in."""
        if not isinstance(payload, dict):
            return payload
        query = payload.get("query")
        resolved = self.persisted.resolve(
            query if isinstance(query, str) else None, payload.get("extensions")
        )
        return payload if resolved is None else {**payload, "query": resolved}


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, up to `limit` bytes; past that a 413, once the rest has been drained."""
    too_large = BadRequest(413, f"request body over {limit} bytes", "PAYLOAD_TOO_LARGE")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        # a client waiting for "100 Continue" has sent no body yet: answer it before it does
        if request.headers.get("expect", "").lower() != "100-continue":
            await _drain(request, MAX_DRAIN_BYTES)
        raise too_large
    chunks, size = [], 0
    while True:
        chunk, more = await _next_chunk(request)
        size += len(chunk)
        if size > limit:
            if more:
                await _drain(request, MAX_DRAIN_BYTES - size)
            raise too_large
        chunks.append(chunk)
        if not more:
            return b"".join(chunks)


async def _next_chunk(request: Request) -> tuple[bytes, bool]:
    """One piece of the body and whether more follows; ClientDisconnect if the client left."""
    message = await request.receive()
    if message["type"] != "http.request":
        raise ClientDisconnect()
    return message.get("body", b""), bool(message.get("more_body", False))


async def _drain(request: Request, budget: int) -> None:
    """Read and drop the rest of the body (at most `budget` bytes). A client that sends the
    whole body before reading would otherwise meet a closed connection (a reset, not our 413)
    when the server closes it with unread data; past the budget, that is what it gets."""
    while budget > 0:
        chunk, more = await _next_chunk(request)
        budget -= len(chunk)
        if not more:
            return


def _checked(payload: Any) -> tuple[str, dict[str, Any] | None, str | None]:
    if not isinstance(payload, dict):
        raise BadRequest(400, "the request must be a JSON object")
    query, variables, name = (
        payload.get("query"),
        payload.get("variables"),
        payload.get("operationName"),
    )
    if not isinstance(query, str):
        raise BadRequest(400, "the request has no string 'query'")
    if variables is not None and not isinstance(variables, dict):
        raise BadRequest(400, "'variables' must be an object")
    if name is not None and not isinstance(name, str):
        raise BadRequest(400, "'operationName' must be a string")
    extensions = payload.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise BadRequest(400, "'extensions' must be an object")
    return query, variables, name


def _negotiate(accept: str, status: int) -> tuple[str, int]:
    """GraphQL over HTTP: a client that accepts application/graphql-response+json gets it, with
    4xx for requests that fail before execution; application/json (older clients) gets 200 for
    any well-formed GraphQL request, the errors in the body."""
    if GRAPHQL_RESPONSE in accept.lower():
        return GRAPHQL_RESPONSE, status
    return "application/json", 200 if status == 400 else status


def _is_json(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


def _request_id(request: Request) -> str:
    """The caller's X-Request-Id when it is a plain token (it ends up in logs), else a new one."""
    given = request.headers.get("x-request-id", "")
    return given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _wants_html(request: Request) -> bool:
    return "query" not in request.query_params and "text/html" in request.headers.get("accept", "")


def _challenge(exc: Unauthenticated) -> dict[str, str]:
    return {"WWW-Authenticate": challenge(exc)}


def error_response(
    status: int, message: str, code: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """Any non-GraphQL failure, in the GraphQL error shape with a stable code."""
    return JSONResponse(
        {"errors": [error_dict(message, code)]}, status_code=status, headers=headers
    )
