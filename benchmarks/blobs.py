"""Blobs over presigned URLs, against a real `glaregraph serve` and a juicefs S3 gateway.

Steps (see benchmarks/README.md, "Blobs over presigned URLs"):
  1. upload throughput: a BLOB_MIB file through the presigned flow (blobUploadStart, every part
     PUT with httpx, blobUploadComplete) on a server with CATALOG_VERIFY_MAX_BYTES=0 (complete
     does not hash), vs one direct presigned PUT of the same bytes to the same gateway (presigned
     with the minio SDK here); parts sequentially (the headline) and 4 at a time; repetitions
     alternate the three; MiB/s medians and flow ÷ direct of the same run;
     then the verify step: the same upload on a server with the default VERIFY_MAX_BYTES, the
     time of blobUploadComplete alone (it hashes the object from the store) as MiB/s;
  2. `downloadUrl` issuance: one heat template with DOWNLOAD_ENTRIES nestedTemplates entries,
     `heatTemplate(id) { nestedTemplates { key downloadUrl { url } } }` timed REQUESTS times
     (median), URLs/s of one server process, on the S3 and the local store; the same query
     selecting only `key` gives what the rest of the request costs;
  3. server RSS (/proc/<pid>/status VmRSS every 50 ms) while a BIG_MIB blob is verified
     (complete with hashing) and while a BIG_MIB source is imported (`blobImport` from a local
     HTTP server that generates the bytes as it sends them), on a fresh server after a small
     warm-up of both paths; baseline, peak, peak - baseline (target ±20 MiB).

BENCH_QUICK=1: 64 MiB / 256 MiB, one repetition, 20 requests. Sizes also from the command line
(--blob-mib, --big-mib, --reps, --requests, --entries). Results: benchmarks/results/blobs.json
and blobs.md; the last line printed is the JSON summary (`--json`: nothing else on stdout).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # tests.s3gateway

import httpx
from common import (
    BENCH_DIR,
    BIN,
    MEMBER_TOKEN,
    PY,
    QUICK,
    ROOT,
    checkout,
    free_port,
    machine,
    median,
    sqlite_url,
    wait_ready,
    write_tokens,
)
from common import log as _log

MIB = 1024 * 1024
BUCKET = "glaregraph-bench"
PART_MIB = int(os.environ.get("BENCH_PART_MIB", "8"))  # the server's default part size
RSS_INTERVAL = 0.05
CONCURRENT_PARTS = 4

CREATE_MODEL = 'mutation($n: String!) { modelCreate(input: {name: $n, version: "1.0.0"}) { id } }'
CREATE_HEAT = (
    'mutation($n: String!) { heatTemplateCreate(input: {name: $n, version: "1.0.0"}) { id } }'
)
START = """mutation($in: BlobUploadInput!) { blobUploadStart(input: $in) {
  id partSize parts { number url method headers fields } } }"""
COMPLETE = """mutation($id: ID!, $parts: [CompletedPartInput!]) {
  blobUploadComplete(uploadId: $id, parts: $parts) { size sha256 verified } }"""
IMPORT = """mutation($in: BlobImportInput!) { blobImport(input: $in) { size sha256 verified } }"""
URLS = """query($id: ID!) { heatTemplate(id: $id) {
  nestedTemplates { key downloadUrl { url } } } }"""
KEYS_ONLY = """query($id: ID!) { heatTemplate(id: $id) { nestedTemplates { key } } }"""

_json_only = False


def log(message: str) -> None:
    if _json_only:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
    else:
        _log(message)


# -- processes ---------------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    pid: int
    log: Path


@contextmanager
def glaregraph(name: str, work: Path, env: dict[str, str]) -> Iterator[Server]:
    """`glaregraph serve` (one process: uvicorn runs in it) on a free port, static tokens, its
    own SQLite file; the pid is the server's, for RSS."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    full = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
    full |= {
        "CATALOG_AUTH": "static",
        "CATALOG_STATIC_TOKENS": str(write_tokens(work)),
        "CATALOG_DATABASE_URL": sqlite_url(work / f"{name}.db"),
        "CATALOG_PUBLIC_URL": url,
        "CATALOG_LOCAL_STORAGE_DIR": str(work / f"{name}-blobs"),
        "CATALOG_UPLOAD_PART_SIZE": str(PART_MIB * MIB),
        **env,
    }
    logfile = work / f"{name}.log"
    with logfile.open("wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "glaregraph"), "serve", "--port", str(port)],
            cwd=ROOT,
            env=full,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_ready(url, "/readyz", proc, logfile)
        yield Server(url, proc.pid, logfile)
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class _Source(BaseHTTPRequestHandler):
    """GET /<anything>?size=N: N bytes, 1 MiB at a time, each MiB a random block with its index
    written over its first 8 bytes (never more than one block in memory)."""

    protocol_version = "HTTP/1.1"
    block = os.urandom(MIB)

    def do_GET(self) -> None:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        size = int(query["size"][0])
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        block, sent, index = bytearray(self.block), 0, 0
        while sent < size:
            block[:8] = index.to_bytes(8, "big")
            n = min(MIB, size - sent)
            self.wfile.write(block if n == MIB else block[:n])
            sent, index = sent + n, index + 1

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def source_server() -> Iterator[str]:
    """The import source, in a process of its own so that it competes with nobody's GIL."""
    port = free_port()
    proc = subprocess.Popen(
        [PY, __file__, "--source-server", str(port)], cwd=ROOT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{url}/ping?size=0", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("the import source server did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        _stop(proc)


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


class RssSampler:
    """VmRSS of `pid` every RSS_INTERVAL seconds on a thread, as (monotonic time, KiB)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.samples = pid, []  # type: ignore[var-annotated]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), rss_kib(self.pid)))
            self._stop.wait(RSS_INTERVAL)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# -- the client side ---------------------------------------------------------------------------


class Client:
    """GraphQL with the member's token; store requests on a separate client, without it (a
    presigned request carries its own authorisation)."""

    def __init__(self, base: str) -> None:
        headers = {"Authorization": f"Bearer {MEMBER_TOKEN}"}
        self.gql_http = httpx.AsyncClient(base_url=base, headers=headers, timeout=None)
        self.store = httpx.AsyncClient(timeout=None)
        self._names = 0

    async def close(self) -> None:
        await self.gql_http.aclose()
        await self.store.aclose()

    async def gql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await self.gql_http.post(
            "/graphql", json={"query": query, "variables": variables}
        )
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise SystemExit(f"GraphQL error {response.status_code}: {body}")
        return body["data"]  # type: ignore[no-any-return]

    async def create(self, kind: str) -> str:
        self._names += 1
        name = f"bench-{os.getpid()}-{self._names}"
        if kind == "model":
            return (await self.gql(CREATE_MODEL, {"n": name}))["modelCreate"]["id"]  # type: ignore[no-any-return]
        return (await self.gql(CREATE_HEAT, {"n": name}))["heatTemplateCreate"]["id"]  # type: ignore[no-any-return]

    async def send_part(self, part: dict[str, Any], data: bytes) -> str:
        """One presigned request as the contract says; the ETag it answered."""
        if part["method"] == "POST":
            fields = part["fields"] or {}
            response = await self.store.post(
                part["url"], data=fields, files={"file": ("blob", data)}
            )
        else:
            response = await self.store.request(
                part["method"], part["url"], content=data, headers=part["headers"] or {}
            )
        if response.status_code not in (200, 201, 204):
            raise SystemExit(f"part {part['number']}: HTTP {response.status_code} {response.text}")
        return response.headers.get("etag", "")

    async def start(self, artifact: str, field: str, size: int, key: str | None = None) -> Any:
        values = {"artifactId": artifact, "field": field, "key": key, "size": size}
        return (await self.gql(START, {"in": values}))["blobUploadStart"]

    async def send_parts(
        self, started: dict[str, Any], part_data: Callable[[int], bytes], concurrency: int
    ) -> list[dict[str, Any]]:
        gate = asyncio.Semaphore(concurrency)

        async def one(part: dict[str, Any]) -> dict[str, Any]:
            async with gate:
                return {
                    "number": part["number"],
                    "etag": await self.send_part(part, part_data(part["number"])),
                }

        done = await asyncio.gather(*(one(p) for p in started["parts"]))
        return sorted(done, key=lambda p: p["number"])

    async def complete(self, started: dict[str, Any], etags: list[dict[str, Any]]) -> Any:
        parts = etags if len(started["parts"]) > 1 else None
        return (await self.gql(COMPLETE, {"id": started["id"], "parts": parts}))[
            "blobUploadComplete"
        ]


def split(data: bytes, part_size: int) -> list[bytes]:
    return [data[i : i + part_size] for i in range(0, len(data), part_size)] or [b""]


async def flow_upload(
    client: Client, data: bytes, parts: list[bytes], concurrency: int
) -> dict[str, Any]:
    """start, parts, complete, timed as a whole and by phase (the artifact is made before)."""
    artifact = await client.create("model")
    t0 = time.perf_counter()
    started = await client.start(artifact, "weights", len(data))
    t1 = time.perf_counter()
    if started["partSize"] != PART_MIB * MIB:
        raise SystemExit(f"part size {started['partSize']}, expected {PART_MIB * MIB}")
    etags = await client.send_parts(started, lambda n: parts[n - 1], concurrency)
    t2 = time.perf_counter()
    blob = await client.complete(started, etags)
    t3 = time.perf_counter()
    if blob["size"] != len(data):
        raise SystemExit(f"completed {blob}, expected {len(data)} bytes")
    return {
        "total_s": t3 - t0,
        "start_s": t1 - t0,
        "parts_s": t2 - t1,
        "complete_s": t3 - t2,
        "parts": len(started["parts"]),
        "mib_per_s": len(data) / MIB / (t3 - t0),
        "verified": blob["verified"],
    }


# -- step 1: upload throughput and the verify step ----------------------------------------------


def direct_client(endpoint: str, access_key: str, secret_key: str) -> Any:
    from minio import Minio

    netloc = urllib.parse.urlsplit(endpoint).netloc
    return Minio(netloc, access_key, secret_key, secure=False, region="us-east-1")


async def direct_put(client: Client, minio: Any, data: bytes, key: str) -> dict[str, Any]:
    """One presigned PUT of the whole object (presigning is not timed: it is a computation).
    The object stays until the step ends, as the flow's objects do (a removal's background work
    in the gateway would otherwise fall on the next measurement)."""
    url = minio.presigned_put_object(BUCKET, key, expires=dt.timedelta(hours=1))
    t0 = time.perf_counter()
    response = await client.store.put(url, content=data)
    elapsed = time.perf_counter() - t0
    if response.status_code != 200:
        raise SystemExit(f"direct PUT: HTTP {response.status_code} {response.text}")
    return {"total_s": elapsed, "mib_per_s": len(data) / MIB / elapsed}


async def upload_throughput(server: Server, gateway: Any, size: int, reps: int) -> dict[str, Any]:
    client = Client(server.url)
    minio = direct_client(gateway.endpoint, gateway.access_key, gateway.secret_key)
    try:
        data = os.urandom(size)
        parts = split(data, PART_MIB * MIB)
        # warm-up: connections, the server's first upload, the gateway's first multipart
        await flow_upload(client, data[: 16 * MIB], split(data[: 16 * MIB], PART_MIB * MIB), 1)
        await direct_put(client, minio, data[: 16 * MIB], "bench/warm-up")
        runs: dict[str, list[dict[str, Any]]] = {"direct": [], "flow_seq": [], "flow_c4": []}
        order = ["direct", "flow_seq", "flow_c4"]
        for rep in range(reps):
            for what in order[rep % 3 :] + order[: rep % 3]:  # rotate: each goes first once
                if what == "direct":
                    run = await direct_put(client, minio, data, f"bench/direct-{rep}")
                else:
                    conc = 1 if what == "flow_seq" else CONCURRENT_PARTS
                    run = await flow_upload(client, data, parts, conc)
                runs[what].append(run)
                log(
                    f"  rep {rep + 1}: {what:8} {run['mib_per_s']:7.1f} MiB/s "
                    f"({run['total_s']:.2f} s"
                    + (
                        f"; complete {run['complete_s'] * 1000:.0f} ms)"
                        if "complete_s" in run
                        else ")"
                    )
                )
        for key in ["bench/warm-up", *(f"bench/direct-{rep}" for rep in range(reps))]:
            await asyncio.to_thread(minio.remove_object, BUCKET, key)
    finally:
        await client.close()
    result: dict[str, Any] = {"size_mib": size / MIB, "part_mib": PART_MIB, "reps": reps}
    for what, rs in runs.items():
        result[what] = {
            "mib_per_s": median([r["mib_per_s"] for r in rs]),
            "total_s": median([r["total_s"] for r in rs]),
            "runs": rs,
        }
        if what != "direct":
            for phase in ("start_s", "parts_s", "complete_s"):
                result[what][phase] = median([r[phase] for r in rs])
    direct = result["direct"]["mib_per_s"]
    result["ratio_seq"] = result["flow_seq"]["mib_per_s"] / direct
    result["ratio_c4"] = result["flow_c4"]["mib_per_s"] / direct
    # the same ratio per repetition (each flow against the direct PUT of its own repetition)
    result["ratio_seq_per_rep"] = [
        f["mib_per_s"] / d["mib_per_s"]
        for f, d in zip(runs["flow_seq"], runs["direct"], strict=True)
    ]
    return result


async def verify_step(server: Server, size: int, reps: int) -> dict[str, Any]:
    """Complete with hashing: the parts are sent first (not timed), then complete alone."""
    client = Client(server.url)
    runs = []
    try:
        base = os.urandom(size)
        for rep in range(reps + 1):  # the first is a warm-up on a 16 MiB object
            n = min(size, 16 * MIB) if rep == 0 else size
            # new content each time: completion skips the copy of content already stored
            data = rep.to_bytes(8, "big") + base[8:n]
            parts = split(data, PART_MIB * MIB)
            artifact = await client.create("model")
            started = await client.start(artifact, "weights", n)
            etags = await client.send_parts(started, lambda k, p=parts: p[k - 1], 1)
            t0 = time.perf_counter()
            blob = await client.complete(started, etags)
            elapsed = time.perf_counter() - t0
            if not blob["verified"] or blob["sha256"] != hashlib.sha256(data).hexdigest():
                raise SystemExit(f"complete did not verify: {blob}")
            if rep:
                runs.append({"complete_s": elapsed, "mib_per_s": n / MIB / elapsed})
                log(
                    f"  rep {rep}: complete with hashing {elapsed:.2f} s, "
                    f"{n / MIB / elapsed:.1f} MiB/s"
                )
    finally:
        await client.close()
    return {
        "size_mib": size / MIB,
        "complete_s": median([r["complete_s"] for r in runs]),
        "mib_per_s": median([r["mib_per_s"] for r in runs]),
        "runs": runs,
    }


# -- step 2: downloadUrl issuance ---------------------------------------------------------------


async def seed_entries(client: Client, entries: int) -> str:
    artifact = await client.create("heat")
    for i in range(entries):
        data = f"heat_template_version: 2018-08-31\n# entry {i}\n".encode() * 16
        started = await client.start(
            artifact, "nestedTemplates", len(data), key=f"nested-{i:03}.yaml"
        )
        etags = await client.send_parts(started, lambda _n, d=data: d, 1)
        await client.complete(started, etags)
    return artifact


async def time_query(client: Client, query: str, artifact: str, requests: int) -> list[float]:
    times = []
    for _ in range(requests):
        t0 = time.perf_counter()
        await client.gql(query, {"id": artifact})
        times.append(time.perf_counter() - t0)
    return times


async def download_urls(server: Server, entries: int, requests: int) -> dict[str, Any]:
    client = Client(server.url)
    try:
        artifact = await seed_entries(client, entries)
        got = (await client.gql(URLS, {"id": artifact}))["heatTemplate"]["nestedTemplates"]
        urls = [e["downloadUrl"]["url"] for e in got if e["downloadUrl"]]
        if len(urls) != entries:
            raise SystemExit(f"{len(urls)} download URLs for {entries} entries")
        check = await client.store.get(urls[0])  # the URL works
        if check.status_code != 200:
            raise SystemExit(f"downloadUrl answered HTTP {check.status_code}")
        for query in (URLS, KEYS_ONLY):  # warm-up
            await time_query(client, query, artifact, 5)
        with_urls, keys_only = [], []
        for _ in range(2):  # alternate halves, so that noise hits both
            with_urls += await time_query(client, URLS, artifact, requests // 2)
            keys_only += await time_query(client, KEYS_ONLY, artifact, requests // 2)
    finally:
        await client.close()
    med, base = median(with_urls), median(keys_only)
    return {
        "entries": entries,
        "requests": len(with_urls),
        "median_ms": med * 1000,
        "p90_ms": sorted(with_urls)[int(0.9 * (len(with_urls) - 1))] * 1000,
        "urls_per_s": entries / med,
        "keys_only_median_ms": base * 1000,
        "per_url_us": (med - base) / entries * 1e6,
        "issuance_only_urls_per_s": entries / (med - base) if med > base else float("inf"),
    }


# -- step 3: RSS while verifying and importing ---------------------------------------------------


def rss_window(samples: list[tuple[float, int]], t_start: float, t_end: float) -> dict[str, Any]:
    before = [kib for t, kib in samples if t < t_start]
    during = [kib for t, kib in samples if t_start <= t <= t_end]
    after = [kib for t, kib in samples if t > t_end]
    baseline = median(before[-10:]) / 1024
    peak = max(during or [0]) / 1024
    return {
        "baseline_mib": baseline,
        "peak_mib": peak,
        "growth_mib": peak - baseline,
        "after_mib": (median(after) / 1024) if after else None,
        "samples": len(during),
        "seconds": t_end - t_start,
    }


async def measure_rss(
    pid: int, operation: Callable[[], Any], settle: float = 0.6
) -> tuple[dict[str, Any], Any]:
    with RssSampler(pid) as sampler:
        await asyncio.sleep(settle)
        t0 = time.monotonic()
        value = await operation()
        t1 = time.monotonic()
        await asyncio.sleep(settle)
    return rss_window(sampler.samples, t0, t1), value


async def rss_steps(server: Server, source: str, big: int) -> dict[str, Any]:
    client = Client(server.url)
    result: dict[str, Any] = {"size_mib": big / MIB, "at_start_mib": rss_kib(server.pid) / 1024}
    try:

        async def prepared_upload(n: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
            artifact = await client.create("model")
            started = await client.start(artifact, "weights", n)
            part = PART_MIB * MIB
            etags = await client.send_parts(
                started, lambda k: os.urandom(min(part, n - (k - 1) * part)), 2
            )
            return started, etags

        async def importing(n: int) -> Any:
            artifact = await client.create("model")
            values = {
                "artifactId": artifact,
                "field": "weights",
                "sourceUrl": f"{source}/blob?size={n}",
            }
            return (await client.gql(IMPORT, {"in": values}))["blobImport"]

        # warm-up of both paths (lazy imports, thread pools, connection pools), 16 MiB each
        started, etags = await prepared_upload(16 * MIB)
        await client.complete(started, etags)
        await importing(16 * MIB)
        result["after_warm_up_mib"] = rss_kib(server.pid) / 1024

        started, etags = await prepared_upload(big)
        t0 = time.perf_counter()
        window, blob = await measure_rss(server.pid, lambda: client.complete(started, etags))
        if not blob["verified"] or blob["size"] != big:
            raise SystemExit(f"the {big} byte upload did not verify: {blob}")
        result["verify"] = window | {"mib_per_s": big / MIB / window["seconds"]}
        log(
            f"  verify {big // MIB} MiB: RSS {window['baseline_mib']:.1f} → peak "
            f"{window['peak_mib']:.1f} MiB (+{window['growth_mib']:.1f}) over "
            f"{window['seconds']:.1f} s ({time.perf_counter() - t0:.1f} s with settling)"
        )

        window, blob = await measure_rss(server.pid, lambda: importing(big))
        if not blob["verified"] or blob["size"] != big:
            raise SystemExit(f"the {big} byte import did not arrive whole: {blob}")
        result["import"] = window | {"mib_per_s": big / MIB / window["seconds"]}
        log(
            f"  import {big // MIB} MiB: RSS {window['baseline_mib']:.1f} → peak "
            f"{window['peak_mib']:.1f} MiB (+{window['growth_mib']:.1f}) over "
            f"{window['seconds']:.1f} s"
        )
    finally:
        await client.close()
    return result


# -- the run -------------------------------------------------------------------------------------


def environment(args: argparse.Namespace) -> dict[str, Any]:
    return {
        **machine(),
        **checkout(),
        "quick": QUICK,
        "blob_mib": args.blob_mib,
        "big_mib": args.big_mib,
        "part_mib": PART_MIB,
        "reps": args.reps,
        "requests": args.requests,
        "entries": args.entries,
    }


async def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from tests.s3gateway import start_gateway

    results: dict[str, Any] = {"environment": environment(args)}
    started = time.monotonic()
    (work / "gateway").mkdir()
    gateway = start_gateway(work / "gateway")
    try:
        s3 = {
            "CATALOG_STORAGE": "s3",
            "CATALOG_S3_ENDPOINT": gateway.endpoint,
            "CATALOG_S3_ACCESS_KEY": gateway.access_key,
            "CATALOG_S3_SECRET_KEY": gateway.secret_key,
            "CATALOG_S3_BUCKET": BUCKET,
            "CATALOG_S3_REGION": "us-east-1",
        }
        blob = args.blob_mib * MIB
        log(
            f"== 1. upload of {args.blob_mib} MiB, s3, VERIFY_MAX_BYTES=0: presigned flow vs "
            f"one direct presigned PUT, {args.reps} repetitions"
        )
        with glaregraph("s3-noverify", work, s3 | {"CATALOG_VERIFY_MAX_BYTES": "0"}) as gg:
            results["upload"] = await upload_throughput(gg, gateway, blob, args.reps)
        up = results["upload"]
        log(
            f"  flow (sequential parts) ÷ direct: {up['ratio_seq']:.3f}; "
            f"4 concurrent parts: {up['ratio_c4']:.3f}"
        )
        with glaregraph("s3", work, s3) as gg:
            log(f"== 1b. verify step: complete with hashing, {args.blob_mib} MiB, s3")
            results["verify"] = await verify_step(gg, blob, args.reps)
            log(f"== 2. downloadUrl for {args.entries} entries, s3")
            results["download_urls"] = {"s3": await download_urls(gg, args.entries, args.requests)}
        with glaregraph("local", work, {"CATALOG_STORAGE": "local"}) as gg:
            log(f"== 2. downloadUrl for {args.entries} entries, local")
            results["download_urls"]["local"] = await download_urls(gg, args.entries, args.requests)
        for store, cell in results["download_urls"].items():
            log(
                f"  {store}: {cell['urls_per_s']:.0f} URLs/s (median {cell['median_ms']:.1f} ms; "
                f"keys only {cell['keys_only_median_ms']:.1f} ms, "
                f"{cell['per_url_us']:.0f} µs a URL)"
            )
        log(f"== 3. server RSS while {args.big_mib} MiB is verified and imported (fresh server)")
        env = s3 | {"CATALOG_IMPORT_ALLOW_HOSTS": "127.0.0.1"}
        with source_server() as source, glaregraph("s3-rss", work, env) as gg:
            results["rss"] = await rss_steps(gg, source, args.big_mib * MIB)
    finally:
        gateway.stop()
    results["environment"]["runtime_s"] = time.monotonic() - started
    now = environment(args)
    if (now["commit"], now["dirty_paths"]) != (
        results["environment"]["commit"],
        results["environment"]["dirty_paths"],
    ):
        results["environment"]["code_changed"] = f"{now['commit']} {now['dirty_paths']} at the end"
        log("WARNING: the glaregraph code changed during the run")
    return results


def _ok(good: bool) -> str:
    return "✓" if good else "✗"


def render(results: dict[str, Any]) -> str:
    """The Markdown tables of one run."""
    env, up, ver = results["environment"], results["upload"], results["verify"]
    dl, rss = results["download_urls"], results["rss"]
    lines = [
        f"Blobs over presigned URLs: {env['date']}, commit {env['commit']}"
        + (f" + uncommitted {', '.join(env['dirty_paths'])}" if env["dirty_paths"] else "")
        + f", {env['cores']} cores, Python {env['python']}"
        + (", BENCH_QUICK" if env["quick"] else "")
        + f", {env.get('runtime_s', 0):.0f} s",
        "",
        f"Upload of {up['size_mib']:.0f} MiB (parts of {up['part_mib']} MiB; S3 = juicefs gateway; "
        f"VERIFY_MAX_BYTES=0; median of {up['reps']})",
        "",
        "| client | MiB/s | total s | start s | parts s | complete s | ÷ direct | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        f"| direct presigned PUT (one request) | {up['direct']['mib_per_s']:.1f} | "
        f"{up['direct']['total_s']:.2f} | | | | 1 | |",
    ]
    for what, label, ratio in (
        ("flow_seq", "presigned flow, parts one after another", up["ratio_seq"]),
        ("flow_c4", f"presigned flow, {CONCURRENT_PARTS} parts at a time", up["ratio_c4"]),
    ):
        cell = up[what]
        target = f"0.95 {_ok(ratio >= 0.95)}" if what == "flow_seq" else ""
        lines.append(
            f"| {label} | {cell['mib_per_s']:.1f} | {cell['total_s']:.2f} | {cell['start_s']:.3f} "
            f"| {cell['parts_s']:.2f} | {cell['complete_s']:.3f} | **{ratio:.2f}** | {target} |"
        )
    per_rep = ", ".join(f"{r:.2f}" for r in up["ratio_seq_per_rep"])
    direct_runs = ", ".join(f"{r['mib_per_s']:.0f}" for r in up["direct"]["runs"])
    seq_runs = ", ".join(f"{r['mib_per_s']:.0f}" for r in up["flow_seq"]["runs"])
    lines += [
        "",
        f"Per repetition: direct {direct_runs} MiB/s; flow (sequential) {seq_runs} MiB/s; "
        f"flow ÷ direct of the same repetition {per_rep}",
        "",
        f"Verify step (default VERIFY_MAX_BYTES): blobUploadComplete alone on {ver['size_mib']:.0f}"
        f" MiB: median {ver['complete_s']:.2f} s = **{ver['mib_per_s']:.1f} MiB/s**",
        "",
        f"`downloadUrl` for {next(iter(dl.values()))['entries']} nestedTemplates entries in one "
        "request (one server process, one client, sequential requests)",
        "",
        "| store | requests | median ms | p90 ms | URLs/s | target | keys only ms | µs per URL |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for store, c in dl.items():
        lines.append(
            f"| {store} | {c['requests']} | {c['median_ms']:.1f} | {c['p90_ms']:.1f} | "
            f"**{c['urls_per_s']:.0f}** | 2000 {_ok(c['urls_per_s'] >= 2000)} | "
            f"{c['keys_only_median_ms']:.1f} | {c['per_url_us']:.0f} |"
        )
    lines += [
        "",
        f"Server RSS (VmRSS every {RSS_INTERVAL * 1000:.0f} ms) with {rss['size_mib']:.0f} MiB; "
        f"at start {rss['at_start_mib']:.1f} MiB, after a 16 MiB warm-up of both paths "
        f"{rss['after_warm_up_mib']:.1f} MiB",
        "",
        "| operation | seconds | MiB/s | baseline MiB | peak MiB | peak - baseline | target "
        "| after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for what, label in (("verify", "complete with hashing"), ("import", "blobImport")):
        c = rss[what]
        lines.append(
            f"| {label} | {c['seconds']:.1f} | {c['mib_per_s']:.1f} | {c['baseline_mib']:.1f} | "
            f"{c['peak_mib']:.1f} | **{c['growth_mib']:+.1f}** | "
            f"±20 {_ok(abs(c['growth_mib']) <= 20)} | {c['after_mib']:.1f} |"
        )
    if env.get("code_changed"):
        lines += ["", f"WARNING: the code changed during the run: {env['code_changed']}"]
    return "\n".join(lines) + "\n"


def summary(results: dict[str, Any]) -> dict[str, Any]:
    up, rss = results["upload"], results["rss"]
    return {
        "commit": results["environment"]["commit"],
        "upload_mib": up["size_mib"],
        "direct_mib_per_s": round(up["direct"]["mib_per_s"], 1),
        "flow_seq_mib_per_s": round(up["flow_seq"]["mib_per_s"], 1),
        "flow_c4_mib_per_s": round(up["flow_c4"]["mib_per_s"], 1),
        "ratio_seq": round(up["ratio_seq"], 3),
        "ratio_c4": round(up["ratio_c4"], 3),
        "verify_mib_per_s": round(results["verify"]["mib_per_s"], 1),
        "download_urls_per_s": {
            k: round(v["urls_per_s"]) for k, v in results["download_urls"].items()
        },
        "rss_mib": rss["size_mib"],
        "rss_growth_verify_mib": round(rss["verify"]["growth_mib"], 1),
        "rss_growth_import_mib": round(rss["import"]["growth_mib"], 1),
    }


def main() -> int:
    global _json_only
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--blob-mib", type=int, default=64 if QUICK else 256)
    parser.add_argument("--big-mib", type=int, default=256 if QUICK else 1024)
    parser.add_argument("--reps", type=int, default=1 if QUICK else 5)
    parser.add_argument("--requests", type=int, default=20 if QUICK else 50)
    parser.add_argument("--entries", type=int, default=100)
    parser.add_argument("--json", action="store_true", help="stdout: only the JSON results")
    parser.add_argument("--source-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.source_server:
        ThreadingHTTPServer(("127.0.0.1", args.source_server), _Source).serve_forever()
        return 0
    _json_only = args.json
    with tempfile.TemporaryDirectory(prefix="glaregraph-blobs-") as tmp:
        results = asyncio.run(run(args, Path(tmp)))
    out = BENCH_DIR / "results"
    out.mkdir(exist_ok=True)
    (out / "blobs.json").write_text(json.dumps(results, indent=1, default=str))
    text = render(results)
    (out / "blobs.md").write_text(text)
    if args.json:
        print(json.dumps(results, default=str))
    else:
        print()
        print(text)
        print(json.dumps(summary(results)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
