"""GraphiQL's vendored assets, served as a production site would: under a path that names their
content (so they can be cached for a year), gzip-compressed when the browser accepts it (once,
in memory), with an ETag."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from functools import cached_property
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

FOREVER = "public, max-age=31536000, immutable"


class Assets:
    def __init__(self, folder: Path, prefix: str) -> None:
        self.folder, self.prefix = folder, prefix.rstrip("/")
        self._gzipped: dict[str, bytes] = {}

    @cached_property
    def files(self) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(self.folder.iterdir()) if p.is_file()}

    @cached_property
    def version(self) -> str:
        digest = hashlib.sha256()
        for name, data in self.files.items():
            digest.update(name.encode() + b"\0" + data)
        return digest.hexdigest()[:12]

    @property
    def base(self) -> str:
        """Where the page loads them from: the prefix and the content's version."""
        return f"{self.prefix}/{self.version}"

    def routes(self) -> list[BaseRoute]:
        return [Route(self.prefix + "/{version}/{name}", self.serve, methods=["GET", "HEAD"])]

    async def serve(self, request: Request) -> Response:
        name, version = request.path_params["name"], request.path_params["version"]
        data = self.files.get(name)
        if data is None or version != self.version:
            return Response("not found", status_code=404, media_type="text/plain")
        media = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if media.startswith("text/") or media.endswith("javascript"):
            media += "; charset=utf-8"
        headers = {
            "cache-control": FOREVER,
            "etag": f'"{self.version}-{name}"',
            "vary": "Accept-Encoding",
        }
        if request.headers.get("if-none-match") == headers["etag"]:
            return Response(status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", "").lower():
            if name not in self._gzipped:
                self._gzipped[name] = gzip.compress(data, compresslevel=9, mtime=0)
            data = self._gzipped[name]
            headers["content-encoding"] = "gzip"
        return Response(data, media_type=media, headers=headers)
