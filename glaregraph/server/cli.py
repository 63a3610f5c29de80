"""The `glaregraph` command: serve, db upgrade/downgrade/current, gc, types check, schema print."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

from pydantic import ValidationError

from glaregraph import migrations
from glaregraph.catalog.errors import TypeDefinitionError
from glaregraph.server.settings import ConfigurationError, Settings, check_configuration


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="glaregraph", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate an empty database, then serve HTTP")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--workers", type=int, default=1)
    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="migrate to the newest revision")
    down = db_sub.add_parser("downgrade", help="migrate down to REV")
    down.add_argument("revision")
    db_sub.add_parser("current", help="print the current revision")
    types = sub.add_parser("types", help="artifact type definitions")
    types_sub = types.add_subparsers(dest="types_command", required=True)
    check = types_sub.add_parser("check", help="check a type definition file or folder")
    check.add_argument("path", type=Path)
    sub.add_parser(
        "gc", help="end expired uploads, remove their data and content no blob uses any more"
    )
    schema = sub.add_parser("schema", help="the GraphQL schema")
    schema_sub = schema.add_subparsers(dest="schema_command", required=True)
    schema_sub.add_parser("print", help="print the SDL for the configured types")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except (TypeDefinitionError, ConfigurationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:  # a CATALOG_* variable out of bounds or of the wrong type
        print(f"error: {_setting_errors(exc)}", file=sys.stderr)
        return 2


def _setting_errors(exc: ValidationError) -> str:
    """One line naming each bad setting as the environment spells it."""
    return "; ".join(
        f"CATALOG_{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()
    )


def _run(args: argparse.Namespace) -> int:
    settings = Settings()
    if args.command == "types":
        from glaregraph.catalog.typedef.loader import load_types

        found = load_types(args.path)
        print(f"{args.path}: {len(found)} types OK: " + ", ".join(t.name for t in found))
        return 0
    if args.command == "schema":
        from glaregraph.catalog.typedef.loader import load_registry
        from glaregraph.schema.build import build_schema, print_sdl

        sys.stdout.write(print_sdl(build_schema(load_registry(settings.types))))
        return 0
    if args.command == "db":
        return _db(args, settings)
    if args.command == "gc":
        from glaregraph.server.maintenance import run_gc

        print(json.dumps(asyncio.run(run_gc(settings))))
        return 0
    return _serve(args, settings)


def _db(args: argparse.Namespace, settings: Settings) -> int:
    _ensure_sqlite_dir(settings.database_url)
    if args.db_command == "upgrade":
        migrations.upgrade(settings.database_url)
        asyncio.run(_ensure_indexes(settings))
    elif args.db_command == "downgrade":
        migrations.downgrade(settings.database_url, args.revision)
    else:
        print(asyncio.run(_current(settings.database_url)) or "(empty database)")
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from glaregraph.server.auth import check_bind

    host, port = args.host or settings.host, args.port or settings.port
    check_bind(settings, host)
    check_configuration(settings)  # wrong types, tokens or policy stop here, before any worker
    _ensure_sqlite_dir(settings.database_url)
    migrations.upgrade(settings.database_url)
    asyncio.run(_ensure_indexes(settings))
    # workers build their settings from the environment: let them see where they listen (the
    # local store's URLs default to it)
    os.environ["CATALOG_HOST"], os.environ["CATALOG_PORT"] = host, str(port)
    uvicorn.run(
        "glaregraph.server.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        log_level="info",
        access_log=False,
    )
    return 0


async def _ensure_indexes(settings: Settings) -> None:
    from glaregraph.catalog.database.engine import Database
    from glaregraph.catalog.database.indexes import ensure_type_indexes
    from glaregraph.catalog.typedef.loader import load_registry

    db = Database(settings.database_url)
    try:
        await ensure_type_indexes(db, load_registry(settings.types))
    finally:
        await db.dispose()


async def _current(url: str) -> str | None:
    from glaregraph.catalog.database.engine import Database

    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            return await conn.run_sync(migrations.current_revision)
    finally:
        await db.dispose()


def _ensure_sqlite_dir(url: str) -> None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
