"""The HTTP server as a client meets it: `/readyz` says ready or not without the database's
error text, and an over-large body gets its 413 JSON answer even from a client that sends the
whole body before it reads (a real uvicorn process, spoken to with `http.client`)."""

from __future__ import annotations

import http.client
import json
import logging
import socket
import urllib.error
import urllib.request
from pathlib import Path

import httpx
import pytest
from conftest import make_settings
from servers import serve

from glaregraph.server.app import create_app


def _unreachable_databases(tmp: Path) -> dict[str, str]:
    with_port = "postgresql+asyncpg://readyz-user:s3cret@127.0.0.1:1/readyz_db"
    return {
        "postgresql on a closed port": with_port,
        "sqlite in a missing directory": f"sqlite+aiosqlite:///{tmp}/missing-dir/catalog.db",
    }


async def _readyz(app) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get("/readyz")


@pytest.mark.parametrize("which", ["postgresql on a closed port", "sqlite in a missing directory"])
async def test_readyz_says_unavailable_without_the_error_text(tmp_path, caplog, which):
    url = _unreachable_databases(tmp_path)[which]
    app = create_app(make_settings(url))
    try:
        with caplog.at_level(logging.WARNING):
            response = await _readyz(app)
    finally:
        await app.state.catalog.db.dispose()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    for secret in ("127.0.0.1", "readyz", "s3cret", "missing-dir", "Errno", "refused", "open"):
        assert secret not in response.text
    logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged, "the reason must reach the server log"
    assert any(r.exc_info or "database" in r.getMessage() for r in logged)


async def test_readyz_says_ok_when_the_database_answers(app):
    response = await _readyz(app)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


LIMIT = 1_048_576  # CATALOG_MAX_BODY_BYTES as the server below runs with it
QUERY = "{ me { userId } }"


@pytest.fixture(scope="module")
def server(tmp_path_factory, migrated):
    """`glaregraph serve` (uvicorn, one worker) on the test database; yields (host, port)."""
    log_path = tmp_path_factory.mktemp("serve") / "serve.log"
    with serve(migrated, log_path, max_body_bytes=str(LIMIT)) as address:
        yield address


def _json_body(size: int) -> bytes:
    """A valid GraphQL request of exactly `size` bytes (padded with JSON whitespace)."""
    head = json.dumps({"query": QUERY}).encode()
    assert size >= len(head)
    return head[:-1] + b" " * (size - len(head)) + b"}"


def _post_all_then_read(server, body, *, chunked=False, close=True) -> tuple[int, dict]:
    """Like a simple client: the whole body goes out before the response is read. With
    `Connection: close` (what urllib sends) the server closes the connection after answering."""
    host, port = server
    conn = http.client.HTTPConnection(host, port, timeout=60)
    headers = {"Authorization": "Bearer alice-token", "Content-Type": "application/json"}
    if close:
        headers["Connection"] = "close"
    try:
        if chunked:
            pieces = (body[i : i + 65536] for i in range(0, len(body), 65536))
            conn.request("POST", "/graphql", body=pieces, headers=headers, encode_chunked=True)
        else:
            conn.request("POST", "/graphql", body=body, headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


CLIENTS = {
    "content-length, close": {"chunked": False, "close": True},
    "chunked, close": {"chunked": True, "close": True},
    "content-length, keep-alive": {"chunked": False, "close": False},
    "chunked, keep-alive": {"chunked": True, "close": False},
}


@pytest.mark.parametrize("client", CLIENTS.values(), ids=CLIENTS.keys())
def test_a_5_mb_body_sent_whole_gets_its_413_answer(server, client):
    status, body = _post_all_then_read(server, _json_body(5_000_000), **client)
    assert status == 413
    assert body["errors"][0]["extensions"] == {"code": "PAYLOAD_TOO_LARGE"}
    assert str(LIMIT) in body["errors"][0]["message"]


@pytest.mark.parametrize("client", CLIENTS.values(), ids=CLIENTS.keys())
def test_a_body_just_over_the_limit_is_413_and_just_under_it_works(server, client):
    status, body = _post_all_then_read(server, _json_body(LIMIT + 1), **client)
    assert (status, body["errors"][0]["extensions"]["code"]) == (413, "PAYLOAD_TOO_LARGE")
    status, body = _post_all_then_read(server, _json_body(LIMIT), **client)
    assert (status, body) == (200, {"data": {"me": {"userId": "alice"}}})


def test_urllib_reads_the_413_answer(server):
    host, port = server
    request = urllib.request.Request(
        f"http://{host}:{port}/graphql",
        data=_json_body(5_000_000),
        headers={"Authorization": "Bearer alice-token", "Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)
    with refused.value as answer:
        assert answer.code == 413
        assert json.loads(answer.read())["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_the_server_still_serves_after_refusing_large_bodies(server):
    for close in (True, False, True):
        status, _body = _post_all_then_read(server, _json_body(3_000_000), close=close)
        assert status == 413
    status, body = _post_all_then_read(server, _json_body(200))
    assert (status, body) == (200, {"data": {"me": {"userId": "alice"}}})


def test_a_client_expecting_100_continue_gets_the_413_before_sending_the_body(server):
    with socket.create_connection(server, timeout=30) as sock:
        head = (
            "POST /graphql HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer alice-token\r\n"
            "Content-Type: application/json\r\nContent-Length: 5000000\r\n"
            "Expect: 100-continue\r\n\r\n"
        )
        sock.sendall(head.encode())
        answer = http.client.HTTPResponse(sock)
        answer.begin()
        assert answer.status == 413
        assert json.loads(answer.read())["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
