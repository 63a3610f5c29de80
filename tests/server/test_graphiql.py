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

from glaregraph.server.graphiql import (
    GRAPHIQL_STATIC_DIR,
    graphiql_assets,
    render_graphiql,
    starter_query,
)

ASSETS = graphiql_assets()


def _page(request: Request) -> HTMLResponse:
    return HTMLResponse(render_graphiql("/graphql", ASSETS.base, starter_query("images")))


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = Starlette(routes=[Route("/graphql", _page), *ASSETS.routes()])
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
    assert len(links) == 2  # the style sheet and the icon
    styles = [h for h in links if h.endswith(".css")]
    for url, kind in [*((s, "javascript") for s in scripts), *((h, "css") for h in styles)]:
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


def test_assets_are_compressed_and_cached_for_a_year(client: TestClient, page: str) -> None:
    script = next(
        u
        for u in re.findall(r"<script[^>]*\ssrc=\"([^\"]+)\"", page)
        if u.endswith("graphiql.min.js")
    )
    plain = client.get(script, headers={"accept-encoding": "identity"})
    packed = client.get(script, headers={"accept-encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) < len(plain.content) / 3
    assert packed.content == plain.content  # the client decompressed it
    assert "immutable" in plain.headers["cache-control"]
    again = client.get(script, headers={"if-none-match": plain.headers["etag"]})
    assert again.status_code == 304
    stale = client.get(script.replace(ASSETS.version, "0" * 12))
    assert stale.status_code == 404


def test_the_minified_bundle_is_small(client: TestClient) -> None:
    assert (GRAPHIQL_STATIC_DIR / "graphiql.min.js").stat().st_size < 2_000_000


def test_the_page_starts_with_a_query_over_the_configured_types(page: str) -> None:
    assert "query NewestImages" in page
    assert "images(first: 5)" in page
    assert 'rel="icon"' in page
