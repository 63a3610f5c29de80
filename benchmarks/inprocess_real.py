"""In-process measurements of the "real caller" scenario on the real app (`create_app(Settings(
auth="static", ...))`, the member's static token, no sockets).

    python benchmarks/inprocess_real.py count   URL TOKENS   # statements per get / list request
    python benchmarks/inprocess_real.py profile URL TOKENS   # cProfile of the list request
    python benchmarks/inprocess_real.py profile URL TOKENS --request get   # ... of a get by id

`count`: SQL statements (`before_cursor_execute`, after one warm-up request) of `heatTemplate(id:)`
for an artifact of the member's own project that is shared (so `sharedWith` is read) and for a
PUBLIC one of another project, and of `heatTemplates(first: 1)` and `(first: 50)`, every leaf
field selected (found by introspection, as the load does). `profile`: inprocess.py's profile
(phases and cProfile top functions) of the list request of 50. Each prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import inprocess
from common import (
    FIELDS_QUERY,
    MEMBER_PROJECT,
    MEMBER_TOKEN,
    real_get_query,
    real_list_query,
)

from glaregraph.server.app import create_app
from glaregraph.server.settings import Settings

AUTH = {"authorization": f"Bearer {MEMBER_TOKEN}"}


def make_member_app(url: str, tokens: Path) -> Any:
    return create_app(Settings(database_url=url, auth="static", static_tokens=tokens))


def leaf_fields(introspection: dict[str, Any]) -> list[str]:
    """The argument-free fields whose type is a scalar or an enum, or a list of them."""
    out = []
    for f in introspection["data"]["__type"]["fields"]:
        ref = f["type"]
        while ref["kind"] in ("NON_NULL", "LIST"):
            ref = ref["ofType"]
        if not f["args"] and ref["kind"] in ("SCALAR", "ENUM"):
            out.append(f["name"])
    return out


async def _post(http: httpx.AsyncClient, query: str, variables: Any = None) -> dict[str, Any]:
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=AUTH
    )
    body: dict[str, Any] = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise SystemExit(f"request failed: {response.status_code} {str(body)[:500]}")
    return body


def _label(sql: str) -> str:
    """inprocess._kind, with the count told apart from the page."""
    kind = inprocess._kind(sql)
    head = sql.split("FROM", 1)[0].lower()
    return kind.replace("SELECT", "SELECT count(*)") if "count(" in head else kind


async def _counted(
    http: httpx.AsyncClient, rec: inprocess.Recorder, query: str, variables: Any = None
) -> dict[str, Any]:
    await _post(http, query, variables)  # warm caches
    rec.clear()
    await _post(http, query, variables)
    kinds = [_label(s["sql"]) for s in rec.statements]
    return {"statements": len(kinds), "kinds": kinds}


def _pick(edges: list[dict[str, Any]]) -> dict[str, str]:
    """From a page: an own shared artifact (sharedWith read) and another project's PUBLIC one."""
    picks: dict[str, str] = {}
    for edge in edges:
        node = edge["node"]
        if node["owner"] == MEMBER_PROJECT and node["sharedWith"]:
            picks.setdefault("own shared", node["id"])
        if node["owner"] != MEMBER_PROJECT and node["visibility"] == "PUBLIC":
            picks.setdefault("other PUBLIC", node["id"])
    return picks


async def count(url: str, tokens: Path) -> dict[str, Any]:
    app = make_member_app(url, tokens)
    rec = inprocess.Recorder(app)
    out: dict[str, Any] = {}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            fields = leaf_fields(await _post(http, FIELDS_QUERY))
            page = await _post(http, real_list_query(fields, 500))
            for what, artifact_id in _pick(page["data"]["heatTemplates"]["edges"]).items():
                out[f"get ({what})"] = await _counted(
                    http, rec, real_get_query(fields), {"id": artifact_id}
                )
            for first in (1, 50):
                out[f"list first={first}"] = await _counted(
                    http, rec, real_list_query(fields, first)
                )
    finally:
        await app.state.catalog.db.dispose()
    return out


async def profile(url: str, tokens: Path, requests: int, request: str = "list") -> dict[str, Any]:
    """inprocess.profile of the list request of 50 (`request` "get": of the get by id of the
    newest artifact the member sees)."""
    app = make_member_app(url, tokens)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        fields = leaf_fields(await _post(http, FIELDS_QUERY))
        page = await _post(http, real_list_query(fields, 1))
    if request == "get":
        newest = page["data"]["heatTemplates"]["edges"][0]["node"]["id"]
        doc = {"query": real_get_query(fields), "variables": {"id": newest}}
    else:
        doc = {"query": real_list_query(fields, 50)}
    body = json.dumps(doc).encode()
    headers = tuple((k.encode(), v.encode()) for k, v in AUTH.items())
    return await inprocess.profile(url, requests, app=app, body=body, headers=headers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["count", "profile"])
    parser.add_argument("url")
    parser.add_argument("tokens", type=Path, help="static tokens file with the member's token")
    parser.add_argument("-n", type=int, default=100, help="requests (profile)")
    parser.add_argument("--request", choices=["list", "get"], default="list", help="(profile)")
    args = parser.parse_args()
    if args.what == "count":
        result = asyncio.run(count(args.url, args.tokens))
    else:
        result = asyncio.run(profile(args.url, args.tokens, args.n, args.request))
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
