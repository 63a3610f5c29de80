"""Self-hosted GraphiQL: an HTML page and a static mount that need no internet access.

React, ReactDOM and GraphiQL are vendored under ``static/graphiql`` (see the LICENSE.* files);
GraphiQL's bundle is minified (esbuild) and served compressed with long cache headers.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from glaregraph.server.assets import Assets

GRAPHIQL_STATIC_DIR: Path = Path(__file__).resolve().parent / "static" / "graphiql"

_TITLE = "glaregraph — GraphiQL"

_PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{title}</title>
    <link rel="icon" type="image/svg+xml" href="{prefix}/favicon.svg">
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
            defaultQuery: {starter},
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


def render_graphiql(endpoint: str, static_prefix: str, starter: str = "") -> str:
    """Return a complete GraphiQL page loading its assets from ``static_prefix``, with
    ``starter`` as the query a first visit shows."""
    prefix = html.escape(static_prefix.rstrip("/"), quote=True)
    return _PAGE.format(
        title=html.escape(_TITLE),
        prefix=prefix,
        endpoint=_js_string(endpoint),
        starter=_js_string(starter),
    )


def starter_query(plural: str | None) -> str:
    """A first query over the configured types: the newest artifacts of the first one."""
    if plural is None:
        return "# Welcome to glaregraph: no artifact types are configured.\n{ me { userId } }\n"
    return (
        "# Welcome to glaregraph. Press Ctrl-Enter (or the run button) to send this query;\n"
        "# the Docs and Explorer panes list every type and field.\n"
        f"query Newest{plural[0].upper()}{plural[1:]} {{\n"
        f"  {plural}(first: 5) {{\n"
        "    totalCount\n"
        "    nodes { id name version status createdAt }\n"
        "  }\n"
        "  me { userId project isAdmin }\n"
        "}\n"
    )


def graphiql_assets(static_prefix: str = "/graphiql-static") -> Assets:
    """The vendored assets, served under ``<static_prefix>/<content version>/``."""
    return Assets(GRAPHIQL_STATIC_DIR, static_prefix)
