"""CORS for browser apps on other origins, with Starlette's middleware: the origins of
`CATALOG_CORS_ORIGINS` (`*` for any) and, in dev mode, any loopback origin (a local dev server)."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from glaregraph.server.settings import Settings

LOOPBACK = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?"


def cors_middleware(settings: Settings) -> list[Middleware]:
    origins = list(settings.cors_origins)
    regex = LOOPBACK if settings.auth == "dev" else None
    if not origins and regex is None:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_origin_regex=regex,
            # PUT: presigned uploads to the local store's /transfer/ URLs, whose ETag a
            # multipart completion needs
            allow_methods=["GET", "POST", "PUT"],
            allow_headers=["Authorization", "Content-Type", "X-Request-Id"],
            expose_headers=["X-Request-Id", "ETag"],
            max_age=600,
        )
    ]
