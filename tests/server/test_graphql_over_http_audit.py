"""graphql-http's server audit (npm; the reference audit of the GraphQL-over-HTTP
specification) against `glaregraph serve`: every check passes, none warns. It needs Node.js
and npm, which these machines have; elsewhere it is skipped, saying why."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from servers import serve

AUDIT = Path(__file__).parent.parent / "fixtures" / "http-audit"


@pytest.fixture(scope="module")
def audit_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js and npm are not installed here")
    folder = tmp_path_factory.mktemp("http-audit")
    for name in ("package.json", "package-lock.json", "audit.mjs"):
        shutil.copy(AUDIT / name, folder / name)
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--silent"],
        cwd=folder,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return folder


def test_the_server_passes_every_audit_check(audit_dir: Path, migrated: str, tmp_path: Path):
    # anonymous reads on: the audit sends no token
    with serve(migrated, tmp_path / "server.log", anonymous_read="true") as (host, port):
        found = subprocess.run(
            ["node", "audit.mjs", f"http://{host}:{port}/graphql"],
            cwd=audit_dir,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
    results = json.loads(found.stdout)
    assert len(results) > 50
    not_ok = [
        (r["id"], r["status"], r["name"], r["reason"]) for r in results if r["status"] != "ok"
    ]
    assert not_ok == []
