"""relay-compiler (npm) accepts the served schema: a fragment on an artifact type compiles with
`@refetchable`, which needs every artifact type to implement `Node` and `Query.node(id:)`. It
needs Node.js and npm, which these machines have; elsewhere it is skipped, saying why."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from glaregraph.catalog.typedef.loader import load_registry
from glaregraph.schema.build import build_schema, print_sdl

RELAY = Path(__file__).parent.parent / "fixtures" / "relay"


def test_a_refetchable_fragment_on_an_artifact_type_compiles(tmp_path: Path):
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js and npm are not installed here")
    shutil.copytree(RELAY, tmp_path / "relay")
    folder = tmp_path / "relay"
    (folder / "schema.graphql").write_text(print_sdl(build_schema(load_registry())))
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--silent"],
        cwd=folder,
        check=True,
        capture_output=True,
        timeout=300,
    )
    compiled = subprocess.run(
        ["npx", "relay-compiler"], cwd=folder, capture_output=True, text=True, timeout=120
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    generated = folder / "src" / "__generated__" / "ImageCardRefetchQuery.graphql.js"
    assert "node(id: $id)" in generated.read_text()
