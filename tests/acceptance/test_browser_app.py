"""A browser app served from another origin lists, pages and updates artifacts through Apollo
Client with persisted queries on, in headless Chromium (Debian's `chromium`, driven by
playwright-core from npm), against `glaregraph serve`. It needs Node.js, npm and Chromium, which
these machines have; elsewhere it is skipped, saying why."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from servers import free_port, in_thread, serve
from starlette.applications import Starlette
from starlette.staticfiles import StaticFiles

APP = Path(__file__).parent.parent / "fixtures" / "browser"
CREATE = "mutation($v: String!) { imageCreate(input: {name: $v, version: $v}) { id } }"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = [tool for tool in ("node", "npm", "chromium") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"not installed here: {', '.join(missing)}")
    folder = tmp_path_factory.mktemp("browser")
    shutil.copytree(APP, folder, dirs_exist_ok=True)
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--silent"],
        cwd=folder,
        check=True,
        capture_output=True,
        timeout=300,
    )
    subprocess.run(
        [
            "npx",
            "esbuild",
            "src/app.js",
            "--bundle",
            "--format=iife",
            "--outfile=bundle.js",
            "--log-level=warning",
        ],
        cwd=folder,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return folder


def test_apollo_in_a_browser_on_another_origin(bundle: Path, migrated: str, tmp_path: Path):
    page_port = free_port()
    origin = f"http://127.0.0.1:{page_port}"
    pages = Starlette(routes=[])
    pages.mount("/", StaticFiles(directory=bundle, html=True))
    settings = {"cors_origins": origin, "local_storage_dir": str(tmp_path / "blobs")}
    with (
        serve(migrated, tmp_path / "server.log", **settings) as (host, port),
        in_thread(pages, page_port),
    ):
        api = f"http://{host}:{port}/graphql"
        for version in ("1.0.1", "1.0.2", "1.0.3"):
            created = httpx.post(
                api,
                json={"query": CREATE, "variables": {"v": version}},
                headers={"authorization": "Bearer alice-token"},
            )
            assert "errors" not in created.json()
        url = f"{origin}/index.html?api={api}&token=alice-token"
        run = subprocess.run(
            ["node", "run.mjs", url, shutil.which("chromium") or "chromium"],
            cwd=bundle,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    assert "error" not in seen, seen["error"]
    assert seen["first"] == ["1.0.3", "1.0.2"]  # newest first
    assert seen["more"] == ["1.0.3", "1.0.2", "1.0.1"]  # the next page merged in the cache
    assert seen["hasNextPage"] is False
    assert seen["updated"] == "described from the browser"
    bodies = [json.loads(r["body"]) for r in seen["requests"] if r["body"]]
    hashed_only = [
        b for b in bodies if "persistedQuery" in b.get("extensions", {}) and "query" not in b
    ]
    assert hashed_only, "Apollo sent no hash-only request: persisted queries were not used"
