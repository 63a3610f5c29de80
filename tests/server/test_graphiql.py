"""Self-hosted GraphiQL page: no external URLs, every asset served locally."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from glaregraph.server.graphiql import GRAPHIQL_STATIC_DIR, graphiql_routes, render_graphiql


def _page(request: Request) -> HTMLResponse:
    return HTMLResponse(render_graphiql("/graphql", "/graphiql-static"))


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = Starlette(routes=[Route("/graphql", _page), *graphiql_routes()])
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def page(client: TestClient) -> str:
    response = client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def test_static_dir_has_assets() -> None:
    for name in (
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphiql.min.js",
        "graphiql.min.css",
        "LICENSE.react",
        "LICENSE.graphiql",
    ):
        assert (GRAPHIQL_STATIC_DIR / name).is_file(), name


def test_page_has_no_external_references(page: str) -> None:
    lowered = page.lower()
    assert "http://" not in lowered
    assert "https://" not in lowered
    assert not re.search(r"""(src|href)\s*=\s*["']?//""", lowered)  # protocol-relative
    assert "unpkg" not in lowered
    assert "cdn" not in lowered
    assert "fonts.googleapis" not in lowered


def test_page_config(page: str) -> None:
    assert "<title>glaregraph — GraphiQL</title>" in page
    assert "GraphiQL.createFetcher({ url: endpoint })" in page
    assert 'var endpoint = "/graphql";' in page
    assert "isHeadersEditorEnabled: true" in page
    assert "shouldPersistHeaders: false" in page


def test_every_asset_is_served(client: TestClient, page: str) -> None:
    scripts = re.findall(r"<script[^>]*\ssrc=\"([^\"]+)\"", page)
    links = re.findall(r"<link[^>]*\shref=\"([^\"]+)\"", page)
    assert len(scripts) == 3
    assert len(links) == 1
    for url, kind in [*((s, "javascript") for s in scripts), *((h, "css") for h in links)]:
        assert url.startswith("/graphiql-static/"), url
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content, url
        assert kind in response.headers["content-type"], (url, response.headers["content-type"])


def test_endpoint_cannot_break_out_of_script() -> None:
    evil = '</script><script>alert(1)</script><!--"'
    html = render_graphiql(evil, "/graphiql-static")
    assert "</script><script>alert(1)" not in html
    assert html.count("</script>") == 4  # 3 asset tags + the inline one
    literal = re.search(r"var endpoint = (.*);\n", html)
    assert literal is not None
    assert json.loads(literal.group(1)) == evil


def test_static_prefix_trailing_slash() -> None:
    html = render_graphiql("/graphql", "/assets/")
    assert 'src="/assets/graphiql.min.js"' in html
    assert "/assets//" not in html
