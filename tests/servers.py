"""`glaregraph serve` as a real process for tests that need a real HTTP server (uvicorn):
started on the test database with the test tokens, waited for on /readyz, always stopped."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(
    database_url: str, log_path: Path, *args: str, **settings: str
) -> Iterator[tuple[str, int]]:
    """Serve on a free loopback port with static tokens; `args` go to `serve` (`--workers 2`),
    `settings` become CATALOG_<NAME> variables. Yields (host, port)."""
    port = free_port()
    env = {
        **os.environ,
        "CATALOG_DATABASE_URL": database_url,
        "CATALOG_AUTH": "static",
        "CATALOG_STATIC_TOKENS": str(FIXTURES / "tokens.yaml"),
        **{f"CATALOG_{name.upper()}": value for name, value in settings.items()},
    }
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "glaregraph", "serve", "--port", str(port), *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(f"http://127.0.0.1:{port}", proc, log_path)
            yield "127.0.0.1", port
        finally:
            proc.terminate()
            proc.wait(30)


def _wait_ready(base: str, proc: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    pytest.fail(log_path.read_text())


@contextlib.contextmanager
def in_thread(app: Any, port: int | None = None) -> Iterator[int]:
    """Serve an ASGI app with uvicorn in a thread of this process; yields its port."""
    import uvicorn

    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="test-http-server")
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.started, "the test HTTP server did not start"
        yield port
    finally:
        server.should_exit = True
        thread.join(10)
