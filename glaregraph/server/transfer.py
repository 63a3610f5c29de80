"""The routes that serve the local blob store's signed URLs under /transfer/: PUT of an object or
a part of exactly the signed size, GET and HEAD of an object. Nothing is read before the
signature, expiry, method and announced size are checked."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from glaregraph.storage import (
    LocalStore,
    ObjectMissing,
    PartsInvalid,
    SignatureInvalid,
    StorageError,
    TooLarge,
)
from glaregraph.storage.localfiles import IncompleteBody
from glaregraph.storage.localurls import TRANSFER_PATH, Grant


def transfer_routes(store: LocalStore) -> list[BaseRoute]:
    """Routes for the URLs `store` presigns; mount them on the app that `public_url` names."""

    async def transfer(request: Request) -> Response:
        key = request.path_params["key"]
        try:
            grant = store.urls.check(request.method, key, request.url.query, datetime.now(UTC))
        except SignatureInvalid as exc:
            return PlainTextResponse(f"signature refused: {exc.reason}", 403)
        except ValueError:  # not a key this store could have signed
            return PlainTextResponse("not found", 404)
        if request.method == "PUT":
            return await _receive(store, key, grant, request)
        return _send(store, key, grant)

    return [Route(f"{TRANSFER_PATH}{{key:path}}", transfer, methods=["GET", "HEAD", "PUT"])]


async def _receive(store: LocalStore, key: str, grant: Grant, request: Request) -> Response:
    refusal = _refuse_body(grant, request)
    if refusal is not None:
        return refusal
    try:
        etag = await store.receive(key, grant, request.stream())
    except TooLarge:
        return PlainTextResponse("more bytes than signed", 413)
    except (IncompleteBody, ClientDisconnect):  # nothing was kept either way
        return PlainTextResponse("fewer bytes than signed", 400)
    except (ObjectMissing, PartsInvalid):  # the multipart upload does not exist (any more)
        return PlainTextResponse("no such upload", 404)
    except StorageError:
        return PlainTextResponse("cannot store the object", 500)
    return Response(status_code=200, headers={"ETag": etag})


def _refuse_body(grant: Grant, request: Request) -> Response | None:
    """Why the request must be refused before its body is read, if it must."""
    if grant.size is None:
        return PlainTextResponse("not an upload URL", 403)
    length = request.headers.get("content-length")
    if length is None:
        return PlainTextResponse("Content-Length required", 411)
    if not length.isdigit() or int(length) < grant.size:
        return PlainTextResponse(f"Content-Length must be {grant.size}", 400)
    if int(length) > grant.size:
        return PlainTextResponse(f"Content-Length must be {grant.size}", 413)
    if grant.content_type is not None and request.headers.get("content-type") != grant.content_type:
        return PlainTextResponse(f"Content-Type must be {grant.content_type}", 403)
    return None


def _send(store: LocalStore, key: str, grant: Grant) -> Response:
    if grant.size is not None:
        return PlainTextResponse("not a download URL", 403)
    path = store.object_path(key)
    try:
        stat = path.stat()
    except OSError:
        return PlainTextResponse("not found", 404)
    if not path.is_file():
        return PlainTextResponse("not found", 404)
    headers = {"Content-Disposition": grant.disposition} if grant.disposition else {}
    return FileResponse(
        path,
        headers=headers,
        media_type=grant.content_type or "application/octet-stream",
        stat_result=stat,
    )
