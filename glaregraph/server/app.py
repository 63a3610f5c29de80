"""Composition root: builds the catalog, schema and routes from Settings into a Starlette app."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from glaregraph.catalog.audit import record_event
from glaregraph.catalog.authz import Authorizer, Policy
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.errors import Unauthenticated
from glaregraph.catalog.locks import lease_guard
from glaregraph.catalog.quotas import QuotaSettings
from glaregraph.catalog.quotas.counters import forget_default_room
from glaregraph.catalog.typedef.loader import load_registry
from glaregraph.catalog.typedef.model import to_camel
from glaregraph.schema.build import build_schema, print_sdl
from glaregraph.schema.executor import Executor
from glaregraph.schema.limits import Limits
from glaregraph.server.auth import challenge, make_authenticator
from glaregraph.server.blobstore import blob_config
from glaregraph.server.cors import cors_middleware
from glaregraph.server.graphiql import graphiql_assets, starter_query
from glaregraph.server.graphql_http import GraphQLEndpoint, error_response
from glaregraph.server.maintenance import periodic_gc
from glaregraph.server.settings import Settings
from glaregraph.server.transfer import transfer_routes
from glaregraph.storage import LocalStore

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> Starlette:
    registry = load_registry(settings.types)
    db = Database(
        settings.database_url,
        pool_size=settings.db_pool_size,
        statement_timeout=settings.statement_timeout,
    )
    authz = Authorizer(Policy.from_file(settings.policy))
    blobs = blob_config(settings)
    catalog = Catalog(
        db=db,
        registry=registry,
        authz=authz,
        blobs=blobs,
        guards=(lease_guard,),  # every mutation of an artifact honours its lease
        hooks=(record_event,),  # every mutation writes its audit event in its transaction
        quota=QuotaSettings(settings.quota_max_artifacts, settings.quota_max_bytes),
    )
    schema = build_schema(registry)
    sdl = print_sdl(schema)
    limits = Limits(settings.max_query_depth, settings.max_query_cost, settings.max_query_aliases)
    assets = graphiql_assets()
    endpoint = GraphQLEndpoint(
        catalog,
        Executor(schema, limits),
        make_authenticator(settings),
        settings.max_body_bytes,
        settings.anonymous_read,
        settings.public_schema,
        graphiql_prefix=assets.base,
        graphiql_starter=starter_query(next((to_camel(t.plural) for t in registry.values()), None)),
    )

    async def schema_sdl(request: Request) -> Response:
        try:
            caller = await endpoint.authenticator.authenticate(request.headers.get("authorization"))
        except Unauthenticated as exc:
            return error_response(
                401, exc.message, "UNAUTHENTICATED", {"WWW-Authenticate": challenge(exc)}
            )
        if caller.anonymous and not settings.public_schema:
            return error_response(
                401, "authentication required", "UNAUTHENTICATED", {"WWW-Authenticate": "Bearer"}
            )
        return PlainTextResponse(sdl, media_type="application/graphql")

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        # Anyone may ask: the answer is ready or not; why not (hosts, users, paths) is for the log.
        try:
            await db.ping()
        except Exception:
            log.warning("not ready: the database does not answer", exc_info=True)
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # The schema and everything built at start live as long as the process: keep them out
        # of the collector's generations so collections stay short under load.
        await blobs.store.open()  # the S3 bucket is created if it is missing
        async with db.write() as conn:
            await forget_default_room(conn)
        # the issuer's keys are fetched in the background: an IdP that is slow or down at
        # start delays nothing (requests fetch them lazily; never a 500)
        keys = asyncio.create_task(endpoint.authenticator.start())
        gc.collect()
        gc.freeze()
        async with periodic_gc(catalog, settings.gc_interval):
            yield
        keys.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keys
        await blobs.store.close()
        await db.dispose()

    app = Starlette(
        middleware=cors_middleware(settings),
        exception_handlers={HTTPException: _http_error},
        routes=[
            Route("/graphql", endpoint.handle, methods=["GET", "POST"]),
            Route("/schema.graphql", schema_sdl, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            *assets.routes(),
            *(transfer_routes(blobs.store) if isinstance(blobs.store, LocalStore) else []),
        ],
        lifespan=lifespan,
    )
    app.state.catalog = catalog
    app.state.schema = schema
    return app


async def _http_error(_: Request, exc: Exception) -> Response:
    """Routing errors (unknown path, wrong method) answer in the GraphQL error shape too."""
    assert isinstance(exc, HTTPException)
    code = "NOT_FOUND" if exc.status_code == 404 else "BAD_REQUEST"
    return error_response(exc.status_code, str(exc.detail), code, exc.headers)


def app_from_env() -> Starlette:
    """Factory for uvicorn workers: each process reads the same environment."""
    return create_app(Settings())
