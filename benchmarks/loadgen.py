"""Closed-loop HTTP load generator: C workers, each on its own keep-alive connection, send the
next request as soon as the previous answer is read; a warm-up, then a timed window.

The default client is a minimal HTTP/1.1 client on asyncio streams (uvloop when installed), so
the generator spends as little of the 2 shared cores as possible; `--client httpx` uses
httpx.AsyncClient instead (about 3x more client CPU per request) as a cross-check.

    python benchmarks/loadgen.py --url http://127.0.0.1:8000 --scenario list -c 16 -d 10

Scenarios: `list` (a), `lookup` (b, names from --names FILE), `create` (c, unique names),
`floor` (the floor endpoint's POST /images); the real-caller scenario (benchmarks/real_caller.py,
sent with `--token`): `real-get` / `real-list` (the GraphQL document in --query-file; get cycles
over the ids in --ids FILE) and `floor-real-get` / `floor-real-list` (floor_real.py's POST
/real/get, /real/list). Prints one JSON object: requests, errors, req_per_s, p50_ms, p99_ms,
mean_ms, client CPU seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import resource
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CREATE_QUERY, LIST_QUERY, LOOKUP_QUERY, percentile

REAL_SCENARIOS = ("real-get", "real-list", "floor-real-get", "floor-real-list")


def _cycling(values: list[str], worker: int, what: str) -> Iterator[str]:
    """`values` in a per-worker shuffled order, forever."""
    if not values:
        raise SystemExit(f"--{what} is required for this scenario")
    return itertools.cycle(random.Random(worker).sample(values, len(values)))


def real_body_factory(
    scenario: str, query: str, ids: list[str], worker: int
) -> tuple[str, Callable[[], bytes]]:
    """(path, next body) of the real-caller scenario: GraphQL or the floor's endpoints."""
    if scenario in ("real-list", "floor-real-list"):
        graphql = scenario == "real-list"
        fixed = json.dumps({"query": query} if graphql else {"first": 50}).encode()
        return ("/graphql" if graphql else "/real/list"), lambda: fixed
    cycle = _cycling(ids, worker, "ids")
    if scenario == "real-get":
        return "/graphql", lambda: json.dumps(
            {"query": query, "variables": {"id": next(cycle)}}
        ).encode()
    return "/real/get", lambda: json.dumps({"id": next(cycle)}).encode()


def body_factory(scenario: str, names: list[str], worker: int) -> tuple[str, Callable[[], bytes]]:
    """(path, function giving the next request body) for one worker."""
    if scenario == "list":
        fixed = json.dumps({"query": LIST_QUERY}).encode()
        return "/graphql", lambda: fixed
    if scenario == "floor":
        fixed = json.dumps({"diskFormat": "qcow2", "first": 50}).encode()
        return "/images", lambda: fixed
    if scenario == "lookup":
        cycle = _cycling(names, worker, "names")

        def lookup() -> bytes:
            variables = {"name": next(cycle)}
            return json.dumps({"query": LOOKUP_QUERY, "variables": variables}).encode()

        return "/graphql", lookup
    if scenario == "create":
        run = uuid.uuid4().hex[:8]
        counter = itertools.count()
        rng = random.Random(worker)

        def create() -> bytes:
            variables = {
                "input": {
                    "name": f"bench-{run}-{worker}-{next(counter)}",
                    "version": "1.0.0",
                    "diskFormat": "qcow2",
                    "containerFormat": "bare",
                    "minRam": rng.randint(0, 65536),
                    "tags": ["bench", "load"],
                    "metadata": {"team": "perf"},
                }
            }
            return json.dumps({"query": CREATE_QUERY, "variables": variables}).encode()

        return "/graphql", create
    raise SystemExit(f"unknown scenario {scenario!r}")


class RawClient:
    """One keep-alive HTTP/1.1 connection; POST with Content-Length, reads Content-Length bodies
    (both servers answer that way)."""

    def __init__(self, host: str, port: int, headers: dict[str, str] | None = None) -> None:
        self.host, self.port = host, port
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n{self.extra}\r\n"
        ).encode()
        self.writer.write(head + body)
        raw_head = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw_head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length = 0
        for line in lines[1:]:
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        payload = await self.reader.readexactly(length)
        return status, payload

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


class HttpxClient:
    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        import httpx

        self.http = httpx.AsyncClient(base_url=base, timeout=60, headers=headers)

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        r = await self.http.post(path, content=body, headers={"content-type": "application/json"})
        return r.status_code, r.content

    async def close(self) -> None:
        await self.http.aclose()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    names = args.name_list
    parts = urlsplit(args.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    start = time.perf_counter()
    window_start = start + args.warmup
    deadline = window_start + args.duration
    latencies: list[float] = []
    counts = {"errors": 0, "requests": 0}
    first_error: list[str] = []

    async def worker(index: int) -> None:
        if args.scenario in REAL_SCENARIOS:
            path, next_body = real_body_factory(args.scenario, args.query, args.id_list, index)
        else:
            path, next_body = body_factory(args.scenario, names, index)
        headers = {"Authorization": f"Bearer {args.token}"} if args.token else None
        client: Any = (
            HttpxClient(args.url, headers)
            if args.client == "httpx"
            else RawClient(host, port, headers)
        )
        try:
            while True:
                t0 = time.perf_counter()
                if t0 >= deadline:
                    break
                status, payload = await client.post(path, next_body())
                t1 = time.perf_counter()
                if t0 >= window_start and t1 <= deadline:
                    latencies.append(t1 - t0)
                    counts["requests"] += 1
                    if status != 200 or b'"errors"' in payload:
                        counts["errors"] += 1
                        if not first_error:
                            first_error.append(f"{status} {payload[:300]!r}")
        finally:
            await client.close()

    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(*(worker(i) for i in range(args.concurrency)))
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    ms = [x * 1000 for x in latencies]
    return {
        "scenario": args.scenario,
        "url": args.url,
        "client": args.client,
        "concurrency": args.concurrency,
        "duration_s": args.duration,
        "requests": counts["requests"],
        "errors": counts["errors"],
        "first_error": first_error[0] if first_error else None,
        "req_per_s": counts["requests"] / args.duration,
        "p50_ms": percentile(ms, 0.5),
        "p99_ms": percentile(ms, 0.99),
        "mean_ms": sum(ms) / len(ms) if ms else float("nan"),
        "client_cpu_s": (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="base URL, e.g. http://127.0.0.1:8000")
    parser.add_argument(
        "--scenario", choices=["list", "lookup", "create", "floor", *REAL_SCENARIOS], required=True
    )
    parser.add_argument("-c", "--concurrency", type=int, default=1)
    parser.add_argument("-d", "--duration", type=float, default=10.0, help="timed seconds")
    parser.add_argument("-w", "--warmup", type=float, default=2.0, help="untimed seconds first")
    parser.add_argument("--names", help="file of image names (lookup)")
    parser.add_argument("--ids", help="file of artifact ids (real-get, floor-real-get)")
    parser.add_argument("--query-file", help="GraphQL document (real-get, real-list)")
    parser.add_argument("--token", help="sent as Authorization: Bearer TOKEN")
    parser.add_argument("--client", choices=["raw", "httpx"], default="raw")
    args = parser.parse_args()
    args.name_list = Path(args.names).read_text().split() if args.names else []
    args.id_list = Path(args.ids).read_text().split() if args.ids else []
    args.query = Path(args.query_file).read_text() if args.query_file else ""
    try:
        import uvloop
    except ImportError:
        print(json.dumps(asyncio.run(run(args))))
    else:
        print(json.dumps(uvloop.run(run(args))))


if __name__ == "__main__":
    main()
