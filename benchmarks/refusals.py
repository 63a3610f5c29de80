"""How long a request whose list argument is past its bound holds a worker before its error.

A request body of up to 1 MiB (CATALOG_MAX_BODY_BYTES) can carry tens of thousands of list items;
the server is single-threaded per worker, so the time until the refusal is time no other request
of that worker runs. Each case sends, to one `glaregraph serve` on a new SQLite file (dev auth),
the longest list of its kind that fits the body limit, 5 times, and prints the median time to
the answer with the answer's code (every one must be refused with BAD_USER_INPUT).

    .venv/bin/python benchmarks/refusals.py      # or: make bench-refusals
"""

from __future__ import annotations

import json
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import cpu_loop_ms, median, server, sqlite_url

BODY_LIMIT = 1_048_576
RUNS = 5
CREATE = 'mutation { imageCreate(input: {name: "a", version: "1.0"}) { id } }'


def cases(artifact: str) -> dict[str, tuple[str, Any]]:
    """name -> (document, variables as a function of the item count)."""

    def names(prefix: str, n: int) -> list[str]:
        return [f"{prefix}{i}" for i in range(n)]

    return {
        "sort keys": (
            "query($s: [ArtifactSort!]) { artifacts(sort: $s) { totalCount } }",
            lambda n: {"s": [{"field": "NAME", "direction": "ASC"}] * n},
        ),
        "upload parts": (
            "mutation($p: [CompletedPartInput!]) { "
            'blobUploadComplete(uploadId: "x", parts: $p) { size } }',
            lambda n: {"p": [{"number": i, "etag": "e"} for i in range(1, n + 1)]},
        ),
        "filter values": (
            "query($ids: [ID!]!) { artifacts(filter: {id: {in: $ids}}) { totalCount } }",
            lambda n: {"ids": [str(uuid.uuid4()) for _ in range(n)]},
        ),
        "derivedFromIds": (
            "mutation($d: [ID!]) { "
            'imageCreate(input: {name: "b", version: "1.0", derivedFromIds: $d}) { id } }',
            lambda n: {"d": [str(uuid.uuid4()) for _ in range(n)]},
        ),
        "tags": (
            "mutation($id: ID!, $t: [String!]!) { artifactTagsAdd(id: $id, tags: $t) { id } }",
            lambda n: {"id": artifact, "t": names("t", n)},
        ),
        "metadata keys": (
            "mutation($id: ID!, $e: JSON!) { artifactMetadataSet(id: $id, entries: $e) { id } }",
            lambda n: {"id": artifact, "e": {k: "v" for k in names("k", n)}},
        ),
    }


def body(document: str, variables: dict[str, Any]) -> bytes:
    return json.dumps({"query": document, "variables": variables}, separators=(",", ":")).encode()


def longest(document: str, make: Any) -> int:
    """The most items whose request still fits the body limit (bisection)."""
    low, high = 1, 200_000
    while low < high:
        mid = (low + high + 1) // 2
        if len(body(document, make(mid))) <= BODY_LIMIT:
            low = mid
        else:
            high = mid - 1
    return low


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="gg-refusals-"))
    env = {"CATALOG_LOCAL_STORAGE_DIR": str(work / "blobs")}
    rows = []
    with server("glaregraph", sqlite_url(work / "catalog.db"), work, env) as url:
        headers = {"content-type": "application/json"}
        with httpx.Client(base_url=url, timeout=300, headers=headers) as http:
            made = http.post("/graphql", json={"query": CREATE}).json()
            artifact = made["data"]["imageCreate"]["id"]
            for name, (document, make) in cases(artifact).items():
                n = longest(document, make)
                content = body(document, make(n))
                times, codes = [], set()
                for _ in range(RUNS):
                    response = http.post("/graphql", content=content)
                    times.append(response.elapsed.total_seconds() * 1000)
                    errors = response.json().get("errors") or [{"extensions": {"code": "none"}}]
                    codes.add(errors[0]["extensions"]["code"])
                rows.append((name, n, len(content), round(median(times), 1), ",".join(codes)))
    print("| list argument | items | body bytes | ms to the answer (median of 5) | code |")
    print("|---|---:|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(f"{v:,}" if isinstance(v, int) else str(v) for v in row) + " |")
    print(f"\nCPU: a 5M-addition Python loop took {cpu_loop_ms():.1f} ms")
    return 0 if all(row[4] == "BAD_USER_INPUT" for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
