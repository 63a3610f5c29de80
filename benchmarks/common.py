"""What every benchmark script shares: database URLs, the GraphQL documents and small helpers."""

from __future__ import annotations

import os
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
PG_ADMIN_DSN = os.environ.get("BENCH_PG_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB_100K = "glaregraph_bench"
PG_DB_10K = "glaregraph_bench_10k"
QUICK = os.environ.get("BENCH_QUICK") == "1"

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
