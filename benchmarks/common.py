"""What every benchmark script shares: database URLs, the GraphQL documents and small helpers."""

from __future__ import annotations

import datetime as dt
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
PG_ADMIN_DSN = os.environ.get("BENCH_PG_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB_100K = "glaregraph_bench"
PG_DB_10K = "glaregraph_bench_10k"
QUICK = os.environ.get("BENCH_QUICK") == "1"
PY = sys.executable
BIN = Path(PY).parent

LIST_FIELDS = (
    "id name version status visibility owner createdAt updatedAt "
    "diskFormat containerFormat minRam minDisk tags"
)


def list_query(first: int = 50) -> str:
    """Scenario (a): a page of qcow2 images by min_ram, 12 fields + tags, as `nodes`."""
    return (
        f'query {{ images(first: {first}, filter: {{diskFormat: {{eq: "qcow2"}}}}, '
        f"sort: [{{field: MIN_RAM}}]) {{ nodes {{ {LIST_FIELDS} }} }} }}"
    )


LIST_QUERY = list_query(50)
LOOKUP_QUERY = "query($name: String!) { image(name: $name) { id version } }"
CREATE_QUERY = (
    "mutation($input: ImageCreateInput!) { imageCreate(input: $input) { id name version } }"
)

# The "real caller" scenario (benchmarks/real_caller.py): a project member with a static token,
# every leaf field of HeatTemplate selected, as a generated client would.
MEMBER_PROJECT = "project-03"
MEMBER_TOKEN = "bench-member-token"
FIELDS_QUERY = (  # what a client generator asks: every field's name, arguments and type
    '{ __type(name: "HeatTemplate") { fields { name args { name } type { kind name ofType { '
    "kind name ofType { kind name ofType { kind name } } } } } } }"
)
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"


def write_tokens(workdir: Path) -> Path:
    """The static tokens file of the real-caller scenario: one member of MEMBER_PROJECT."""
    path = workdir / "tokens.yaml"
    path.write_text(
        "tokens:\n"
        f"  {MEMBER_TOKEN}: {{user: bench-user, project: {MEMBER_PROJECT}, roles: [member]}}\n"
    )
    return path


def real_get_query(fields: list[str]) -> str:
    """(g) one heat template by id, every leaf field."""
    return f"query($id: ID!) {{ heatTemplate(id: $id) {{ {' '.join(fields)} }} }}"


def real_list_query(fields: list[str], first: int = 50) -> str:
    """(l) the newest `first` heat templates the caller sees, with totalCount, pageInfo and
    cursors, every leaf field."""
    return (
        f"query {{ heatTemplates(first: {first}) {{ totalCount {PAGE_INFO} "
        f"edges {{ cursor node {{ {' '.join(fields)} }} }} }} }}"
    )


def pg_dsn(database: str) -> str:
    """asyncpg DSN of a database on the admin DSN's server."""
    return PG_ADMIN_DSN.rsplit("/", 1)[0] + "/" + database


def pg_url(database: str) -> str:
    """SQLAlchemy URL of a database on the admin DSN's server."""
    return pg_dsn(database).replace("postgresql://", "postgresql+asyncpg://", 1)


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def log(message: str) -> None:
    stamp = time.strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(
    url: str, path: str, proc: subprocess.Popen[bytes], logfile: Path, timeout: float = 60
) -> None:
    """Poll `url + path` until it answers 200 (glaregraph: /readyz, which pings the database)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early:\n{logfile.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + path, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} not ready after {timeout}s:\n{logfile.read_text()[-3000:]}")


FLOOR_APPS = {"floor": "floor_app:app", "floor_real": "floor_real:app"}


@contextmanager
def server(
    kind: str, db_url: str, workdir: Path, env: dict[str, str] | None = None
) -> Iterator[str]:
    """`glaregraph serve` (1 worker, dev auth unless `env` says otherwise) or a floor app
    (FLOOR_APPS) on a free port; yields its base URL once ready, stops the process group at the
    end."""
    port = free_port()
    env = {**os.environ, "CATALOG_AUTH": "dev", "CATALOG_DATABASE_URL": db_url, **(env or {})}
    if kind == "glaregraph":
        cmd = [str(BIN / "glaregraph"), "serve", "--port", str(port)]
    else:
        env["FLOOR_DATABASE_URL"] = db_url
        cmd = [PY, "-m", "uvicorn", "--app-dir", str(BENCH_DIR), FLOOR_APPS[kind]]
        cmd += ["--host", "127.0.0.1", "--port", str(port)]
        cmd += ["--log-level", "warning", "--no-access-log"]
    logfile = workdir / f"{kind}-{port}.log"
    with logfile.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, "/readyz" if kind == "glaregraph" else "/healthz", proc, logfile)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def machine() -> dict[str, object]:
    """When and on what a run happened: date, cores, CPU model, Python."""
    cpu = "?"
    with Path("/proc/cpuinfo").open() as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "cpu_loop_ms": cpu_loop_ms(),
    }


def cpu_loop_ms() -> float:
    """How fast this CPU runs Python right now: ms for a fixed loop (5 million additions),
    the best of 5. The machines are shared: the same code measured at another moment or on
    another machine can differ by 2x; this says by how much the CPU did."""
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        total = 0
        for i in range(5_000_000):
            total += i
        best = min(best, (time.perf_counter() - t0) * 1000)
    return round(best, 1)


def checkout() -> dict[str, object]:
    """The commit measured, and the server files that differ from it."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.rstrip("\n")  # not strip(): porcelain lines start with a space

    dirty = git("status", "--porcelain", "--", "glaregraph").splitlines()
    return {"commit": git("rev-parse", "--short", "HEAD"), "dirty_paths": [x[3:] for x in dirty]}
