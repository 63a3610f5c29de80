"""Self-hosted GraphiQL: an HTML page and a static mount that need no internet access.

React, ReactDOM and GraphiQL are vendored under ``static/graphiql`` (see the LICENSE.* files).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

GRAPHIQL_STATIC_DIR: Path = Path(__file__).resolve().parent / "static" / "graphiql"

_TITLE = "glaregraph — GraphiQL"

_PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{title}</title>
    <style>
      body {{ height: 100%; margin: 0; width: 100%; overflow: hidden; }}
      #graphiql {{ height: 100vh; }}
    </style>
    <link rel="stylesheet" href="{prefix}/graphiql.min.css">
    <script src="{prefix}/react.production.min.js"></script>
    <script src="{prefix}/react-dom.production.min.js"></script>
    <script src="{prefix}/graphiql.min.js"></script>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script>
      (function () {{
        var endpoint = {endpoint};
        var fetcher = GraphiQL.createFetcher({{ url: endpoint }});
        var root = ReactDOM.createRoot(document.getElementById("graphiql"));
        root.render(
          React.createElement(GraphiQL, {{
            fetcher: fetcher,
            isHeadersEditorEnabled: true,
            shouldPersistHeaders: false,
          }})
        );
      }})();
    </script>
  </body>
</html>
"""


def _js_string(value: str) -> str:
    """A JS string literal that is also safe inside an HTML <script> element."""
    return (
        json.dumps(value)
        .replace("<", "\\u003c")  # covers "</script" and "<!--"
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def render_graphiql(endpoint: str, static_prefix: str) -> str:
    """Return a complete GraphiQL page loading its assets from ``static_prefix``."""
    prefix = html.escape(static_prefix.rstrip("/"), quote=True)
    return _PAGE.format(title=html.escape(_TITLE), prefix=prefix, endpoint=_js_string(endpoint))


def graphiql_routes(
    endpoint: str = "/graphql", static_prefix: str = "/graphiql-static"
) -> list[BaseRoute]:
    """Starlette routes serving the vendored GraphiQL assets under ``static_prefix``.

    ``endpoint`` is accepted for symmetry with :func:`render_graphiql`; the page itself
    is served by the GraphQL route.
    """
    del endpoint
    return [
        Mount(
            static_prefix.rstrip("/"),
            app=StaticFiles(directory=GRAPHIQL_STATIC_DIR),
            name="graphiql-static",
        )
    ]
