"""The `glaregraph` command as an operator runs it: type checks, SDL, migrations, and `serve`
with several worker processes sharing one port and one database."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from servers import free_port, serve

FIXTURES = Path(__file__).parent.parent / "fixtures"


def glaregraph(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "glaregraph", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_types_check_accepts_the_test_types():
    result = glaregraph("types", "check", str(FIXTURES / "types"))
    assert result.returncode == 0, result.stderr
    assert "sample_artifact" in result.stdout


def test_types_check_names_file_type_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("types:\n  widget:\n    fields:\n      size: {kind: huge}\n")
    result = glaregraph("types", "check", str(bad))
    assert result.returncode == 2
    assert "bad.yaml" in result.stderr
    assert "widget" in result.stderr
    assert "size" in result.stderr


def test_schema_print_uses_the_configured_types():
    result = glaregraph("schema", "print", env={"CATALOG_TYPES": str(FIXTURES / "types")})
    assert result.returncode == 0, result.stderr
    assert result.stdout == (FIXTURES / "schema.graphql").read_text(encoding="utf-8")


def test_db_upgrade_current_and_downgrade(tmp_path):
    env = {"CATALOG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/c.db"}
    assert glaregraph("db", "current", env=env).stdout.strip() == "(empty database)"
    assert glaregraph("db", "upgrade", env=env).returncode == 0
    assert glaregraph("db", "current", env=env).stdout.strip() == "0010"
    assert glaregraph("db", "downgrade", "0001", env=env).returncode == 0
    assert glaregraph("db", "current", env=env).stdout.strip() == "0001"
    assert glaregraph("db", "downgrade", "base", env=env).returncode == 0
    assert glaregraph("db", "current", env=env).stdout.strip() == "(empty database)"


def test_dev_auth_refuses_a_public_bind():
    result = glaregraph("serve", "--host", "0.0.0.0", "--port", "1")
    assert result.returncode != 0
    assert "dev" in result.stderr


@pytest.fixture
def two_workers(tmp_path, migrated):
    """`serve --workers 2` on the test database (SQLite file or PostgreSQL)."""
    with serve(migrated, tmp_path / "serve.log", "--workers", "2") as (host, port):
        yield f"http://{host}:{port}"


def test_two_workers_lose_no_concurrent_tag_writes(two_workers):
    headers = {"authorization": "Bearer alice-token"}

    def post(query: str, variables: dict) -> dict:
        r = httpx.post(
            f"{two_workers}/graphql",
            json={"query": query, "variables": variables},
            headers=headers,
            timeout=60,
        )
        body = r.json()
        assert "errors" not in body, body
        return body["data"]

    created = post(
        "mutation($i: ImageCreateInput!) { imageCreate(input: $i) { id } }",
        {"i": {"name": "shared"}},
    )["imageCreate"]["id"]
    add = "mutation($id: ID!, $t: [String!]!) { artifactTagsAdd(id: $id, tags: $t) { id } }"
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: post(add, {"id": created, "t": [f"t{i}"]}), range(24)))
    final = post("query($id: ID!) { artifact(id: $id) { tags revision } }", {"id": created})
    assert sorted(final["artifact"]["tags"]) == sorted(f"t{i}" for i in range(24))
    assert final["artifact"]["revision"] == 25


@pytest.mark.parametrize(
    ("setting", "content", "says"),
    [
        ("CATALOG_POLICY", "publsh: admin\n", "publsh"),
        ("CATALOG_POLICY", "publish: role:\n", "publish"),
        ("CATALOG_STATIC_TOKENS", "tokens: {t1: {user: u1}}\n", "project"),
        ("CATALOG_STATIC_TOKENS", "tokens: [unclosed\n", "YAML"),
    ],
)
def test_a_broken_configuration_file_stops_serve_with_one_line(tmp_path, setting, content, says):
    path = tmp_path / "config.yaml"
    path.write_text(content)
    env = {
        setting: str(path),
        "CATALOG_AUTH": "static",
        "CATALOG_STATIC_TOKENS": str(FIXTURES / "tokens.yaml"),
        "CATALOG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/c.db",
    }
    env[setting] = str(path)
    result = glaregraph("serve", "--port", str(free_port()), env=env)
    assert result.returncode == 2
    assert says in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("CATALOG_PORT", "abc", "CATALOG_PORT: Input should be a valid integer"),
        ("CATALOG_OIDC_LEEWAY", "100", "CATALOG_OIDC_LEEWAY: Input should be less than"),
    ],
)
def test_a_bad_setting_stops_serve_with_one_line(variable, value, says):
    result = glaregraph("serve", env={variable: value})
    assert result.returncode == 2
    assert result.stderr.strip().startswith(f"error: {says}")
    assert len(result.stderr.strip().splitlines()) == 1
