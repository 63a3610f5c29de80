"""Quotas and row locks under concurrency: `glaregraph serve --workers 2` on PostgreSQL, 64
closed-loop clients (loadgen.py's RawClient: one keep-alive connection each, a static bearer
token), three measurements in one run:

1. creates under a quota: `heatTemplateCreate` with unique versions into ONE project whose
   override (`quotaSet`, maxArtifacts 1,000,000) is never reached: creates/s, p50/p99; at the end
   usage counter (`quotaUsage` as the member) == successful creates == `heatTemplates {
   totalCount }`; then a LOW limit (500) that 64 clients overrun with 1,500 attempts: exactly
   500 succeed, the rest answer QUOTA_EXCEEDED;
2. quota overhead, as the issue defines it: the same creates with the same code into a project
   with NO quota configured (no override, unlimited defaults); and, for context, against the
   commit before quotas landed (BASE, 79daeca, run from a git worktree with this venv's python
   and PYTHONPATH); each server on its own fresh database, windows alternating (current with an
   override / base / current without one, the order rotated each round) ROUNDS times; medians
   and ratios of one run;
3. one artifact, many writers: 64 clients sending `artifactTagsAdd` (distinct tags) and
   `artifactMetadataSet` (distinct keys) to ONE artifact; an artifact takes at most 255 tags
   and 255 keys, so a shared budget of 250 + 250 mutations moves the clients on to the next
   artifact; per artifact: every tag and key present, revision == 1 + successful mutations.

Between 2 and 3, in-process (the app with a `before_cursor_execute` listener, each code from
its own tree): statements per create / tag add / metadata set, and how long the contended row
locks are held when nothing contends (the quota counters' from their upsert, the artifact's
from SELECT ... FOR UPDATE, to the answer).

    python benchmarks/concurrency.py              # ≈ 5 minutes; BENCH_QUICK=1: ≈ 2 minutes
    python benchmarks/concurrency.py --current checkout   # the main checkout's code instead
    python benchmarks/concurrency.py --only writers       # only the one-artifact case (3)
    BENCH_CLIENTS=8 python benchmarks/concurrency.py ...  # fewer clients than 64

The current code runs by default from a worktree of HEAD (resolved at start), so that commits or
uncommitted edits in the checkout during the run do not split the figures; `--current
checkout` measures the checkout itself (editable install). Every server is started per window
(both up at once would hold more than PostgreSQL's 100 connections: 2 workers x pool 20 + 20
overflow) on its database, which lives for the whole run; after each window the written
database gets an ANALYZE (autovacuum is off on the bench machine). During every timed window
pg_stat_activity of the database is sampled every 100 ms (backends active / idle in
transaction / waiting on a lock), to show where the time goes.

Writes benchmarks/results/concurrency-<UTC timestamp>.json; prints a table, then one JSON line
with the summary (`--json`: the whole results on the last line instead).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    BENCH_DIR,
    PG_ADMIN_DSN,
    PY,
    QUICK,
    ROOT,
    free_port,
    log,
    machine,
    median,
    percentile,
    pg_dsn,
    pg_url,
    wait_ready,
)
from loadgen import RawClient

BASE_COMMIT = "79daeca"  # "PostgreSQL statement timeout": the commit before quotas (09b51d8)
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "64"))
WORKERS = 2
WARMUP, WINDOW, ROUNDS = (1.0, 3.0, 1) if QUICK else (2.0, 8.0, 3)
WRITERS_WARMUP, WRITERS_WINDOW = (1.0, 3.0) if QUICK else (2.0, 10.0)
HIGH_LIMIT, LOW_LIMIT, LOW_ATTEMPTS = 1_000_000, 500, 1_500
PER_ARTIFACT = 500  # 250 tag adds + 250 metadata keys: under the 255 of each
TARGETS = {"creates_per_s": 300.0, "mutations_per_s": 200.0, "overhead_max": 0.15}
TYPE = "heat_template"

ADMIN, MEMBER, PLAIN, LOW, WRITER = "cc-admin", "cc-member", "cc-plain", "cc-low", "cc-writer"
PROJECTS = {MEMBER: "cc-quota", PLAIN: "cc-noquota", LOW: "cc-low", WRITER: "cc-writers"}

CREATE = (
    "mutation($n: String!, $v: String!) "
    "{ heatTemplateCreate(input: {name: $n, version: $v}) { id } }"
)
TAGS_ADD = "mutation($id: ID!, $t: String!) { artifactTagsAdd(id: $id, tags: [$t]) { id } }"
META_SET = "mutation($id: ID!, $e: JSON!) { artifactMetadataSet(id: $id, entries: $e) { id } }"
QUOTA_SET = "mutation($in: QuotaInput!) { quotaSet(input: $in) { project maxArtifacts } }"
USAGE = "{ quotaUsage { typeName artifacts maxArtifacts } }"
COUNT = "{ heatTemplates { totalCount } }"
READ = "query($id: ID!) { artifact(id: $id) { revision tags metadata } }"


def write_tokens(workdir: Path) -> Path:
    """Static tokens (tests/fixtures/tokens.yaml's format): an admin, and one member per
    project of this benchmark."""
    lines = ["tokens:", f"  {ADMIN}: {{user: cc-root, project: ops, roles: [admin]}}"]
    for token, project in PROJECTS.items():
        lines.append(f"  {token}: {{user: {token}-user, project: {project}, roles: [member]}}")
    path = workdir / "tokens.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


# --- code under test: worktrees --------------------------------------------------------------


def git(*args: str, cwd: Path = ROOT) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.rstrip("\n")


@dataclass
class Code:
    """Which glaregraph a server runs: a worktree (PYTHONPATH) or the main checkout."""

    label: str
    commit: str
    path: Path | None  # None: the main checkout (editable install)
    module_file: str = ""

    def env(self) -> dict[str, str]:
        return {"PYTHONPATH": str(self.path)} if self.path else {}

    def dirty(self) -> list[str]:
        out = git("status", "--porcelain", "--", "glaregraph", cwd=self.path or ROOT)
        return [line[3:] for line in out.splitlines()]

    def check_import(self, workdir: Path) -> str:
        """glaregraph.__file__ as the server's interpreter sees it (same env and cwd); it must
        lie in the worktree."""
        env = {**os.environ, **self.env()}
        done = subprocess.run(
            [PY, "-c", "import glaregraph; print(glaregraph.__file__)"],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        found = done.stdout.strip()
        expected = self.path or ROOT
        if not Path(found).resolve().is_relative_to(expected.resolve()):
            raise SystemExit(f"{self.label}: glaregraph imports from {found}, not from {expected}")
        self.module_file = found
        return found


@contextmanager
def worktree(label: str, rev: str) -> Iterator[Code]:
    commit = git("rev-parse", "--short", rev)
    path = Path(tempfile.mkdtemp(prefix=f"gg-conc-{label}-{commit}-"))
    path.rmdir()
    git("worktree", "add", "--detach", str(path), commit)
    try:
        code = Code(label, commit, path)
        if code.dirty():
            raise SystemExit(f"worktree {path} is not clean")
        yield code
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, check=False)


# --- databases and servers -------------------------------------------------------------------


async def _pg(database: str, sql: str, *args: Any) -> list[Any]:
    import asyncpg

    conn = await asyncpg.connect(pg_dsn(database), timeout=10)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


@contextmanager
def databases(names: list[str]) -> Iterator[dict[str, str]]:
    """New empty PostgreSQL databases gg_conc_<random>_<name>, dropped at the end."""
    run = uuid.uuid4().hex[:6]
    made = {n: f"gg_conc_{run}_{n}" for n in names}
    admin = PG_ADMIN_DSN.rsplit("/", 1)[1]
    try:
        for db in made.values():
            asyncio.run(_pg(admin, f'CREATE DATABASE "{db}"'))
        yield made
    finally:
        for db in made.values():
            asyncio.run(_pg(admin, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))


@contextmanager
def serve(code: Code, database: str, workdir: Path, tokens: Path) -> Iterator[str]:
    """`python -m glaregraph serve --workers 2` of `code` on `database`; its base URL."""
    port = free_port()
    env = {
        **os.environ,
        **code.env(),
        "CATALOG_AUTH": "static",
        "CATALOG_STATIC_TOKENS": str(tokens),
        "CATALOG_DATABASE_URL": pg_url(database),
        "CATALOG_LOCAL_STORAGE_DIR": str(workdir / "blobs"),
    }
    cmd = [PY, "-m", "glaregraph", "serve", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", str(WORKERS)]
    logfile = workdir / f"{code.label}-{port}.log"
    with logfile.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    SERVERS[url] = proc.pid  # start_new_session: its session id
    try:
        wait_ready(url, "/readyz", proc, logfile)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


# --- clients ---------------------------------------------------------------------------------


def client(url: str, token: str) -> RawClient:
    host, port = url.rsplit("//", 1)[1].split(":")
    return RawClient(host, int(port), {"Authorization": f"Bearer {token}"})


def body(query: str, variables: dict[str, Any] | None = None) -> bytes:
    return json.dumps({"query": query, "variables": variables}).encode()


def outcome(status: int, payload: bytes) -> tuple[str, Any]:
    """("OK", data) or (the first error's code, the message)."""
    try:
        answer = json.loads(payload)
    except ValueError:
        return f"HTTP {status}", payload[:200]
    if answer.get("errors"):
        error = answer["errors"][0]
        return (error.get("extensions") or {}).get("code", "ERROR"), error.get("message")
    if status != 200:
        return f"HTTP {status}", payload[:200]
    return "OK", answer.get("data")


async def gql(url: str, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    c = client(url, token)
    try:
        code, data = outcome(*await c.post("/graphql", body(query, variables)))
    finally:
        await c.close()
    if code != "OK":
        raise SystemExit(f"{query[:60]}...: {code} {data}")
    return data


async def gql_raw(url: str, token: str, query: str) -> tuple[str, Any]:
    c = client(url, token)
    try:
        return outcome(*await c.post("/graphql", body(query)))
    finally:
        await c.close()


TICK = os.sysconf("SC_CLK_TCK")
SERVERS: dict[str, int] = {}  # base URL -> session id of the server's processes


def cpu_seconds(sid: int | None) -> dict[str, float]:
    """CPU seconds so far of the processes of session `sid` (the server: uvicorn's supervisor
    and its workers), of every process named postgres, and of the whole machine (not idle)."""
    server = postgres = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        used = (int(fields[11]) + int(fields[12])) / TICK
        if sid is not None and int(fields[3]) == sid:
            server += used
        elif comm == "postgres":
            postgres += used
    cpu = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = (sum(cpu) - cpu[3] - cpu[4]) / TICK
    return {"server": server, "postgres": postgres, "machine_busy": busy}


class Sampler:
    """pg_stat_activity of one database every 100 ms while a window is timed."""

    SQL = (
        "SELECT state, wait_event_type, wait_event, count(*) FROM pg_stat_activity "
        "WHERE datname = $1 AND pid <> pg_backend_pid() GROUP BY 1, 2, 3"
    )

    WAITING = (
        "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 70), count(*) "
        "FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' GROUP BY 1"
    )

    def __init__(self, database: str, server_sid: int | None) -> None:
        self.database = database
        self.sid = server_sid
        self.samples: list[list[Any]] = []
        self.waiting: Counter[str] = Counter()
        self.cpu: list[dict[str, float]] = []

    async def run(self, start: float, stop: float) -> None:
        import asyncpg

        conn = await asyncpg.connect(pg_dsn(self.database), timeout=10)
        try:
            while time.perf_counter() < stop:
                now = time.perf_counter()
                if now >= start:
                    if not self.cpu:
                        self.cpu.append(cpu_seconds(self.sid))
                    self.samples.append(list(await conn.fetch(self.SQL, self.database)))
                    for query, count in await conn.fetch(self.WAITING, self.database):
                        self.waiting[query] += count
                await asyncio.sleep(0.1)
            self.cpu.append(cpu_seconds(self.sid))
        finally:
            await conn.close()

    def summary(self) -> dict[str, Any]:
        """Mean backends per state over the samples (`waiting on Lock:transactionid` / `tuple`:
        a row lock another transaction holds; `idle in transaction`: a transaction waiting for
        the server's next statement), the statements waiting on a lock, and CPU seconds of the
        window: the server's processes, all postgres processes, the whole machine (busy)."""
        n = max(1, len(self.samples))
        totals: Counter[str] = Counter()
        for sample in self.samples:
            for state, wtype, wevent, count in sample:
                if state == "active" and wtype == "Lock":
                    key = f"active, waiting on Lock:{wevent}"
                elif state == "active":
                    key = "active, running" if wtype is None else f"active, {wtype}:{wevent}"
                else:
                    key = str(state)
                totals[key] += count
        out: dict[str, Any] = {"samples": len(self.samples)}
        out.update({k: round(v / n, 2) for k, v in totals.most_common()})
        out["lock_waits_by_statement"] = {
            q: round(c / n, 2) for q, c in self.waiting.most_common(4)
        }
        if self.cpu and len(self.cpu) == 2:
            out["cpu_s"] = {k: round(self.cpu[1][k] - self.cpu[0][k], 2) for k in self.cpu[0]}
        return out


@dataclass
class Tally:
    """Outcomes of every request (warm-up and tail included: the invariants need them) and the
    latencies of those inside the timed window."""

    codes: Counter[str] = field(default_factory=Counter)
    first_error: str | None = None
    window: list[float] = field(default_factory=list)
    window_s: float = 0.0

    def result(self) -> dict[str, Any]:
        ms = [x * 1000 for x in self.window]
        return {
            "window_s": round(self.window_s, 3),
            "requests": len(ms),
            "per_s": len(ms) / self.window_s if self.window_s else float("nan"),
            "p50_ms": percentile(ms, 0.5),
            "p99_ms": percentile(ms, 0.99),
            "all_requests": dict(self.codes),
            "first_error": self.first_error,
        }


async def closed_loop(
    url: str,
    token: str,
    next_request: Callable[[int], tuple[bytes, Any] | None],
    warmup: float,
    window: float,
    database: str | None,
    done: Callable[[Any, str], None] | None = None,
) -> tuple[Tally, dict[str, Any]]:
    """CLIENTS workers, each on its own connection, send `next_request(worker)` (None: no more
    work) until the window ends; `done(meta, code)` sees every answer."""
    tally = Tally()
    start = time.perf_counter()
    window_start, deadline = start + warmup, start + warmup + window
    last_end = [window_start]

    async def worker(index: int) -> None:
        c = client(url, token)
        try:
            while (t0 := time.perf_counter()) < deadline:
                request = next_request(index)
                if request is None:
                    break
                payload, meta = request
                status, answer = await c.post("/graphql", payload)
                t1 = time.perf_counter()
                code, detail = outcome(status, answer)
                tally.codes[code] += 1
                if code != "OK" and tally.first_error is None:
                    tally.first_error = f"{code}: {detail}"
                if done is not None:
                    done(meta, code)
                if t0 >= window_start and t1 <= deadline:
                    tally.window.append(t1 - t0)
                    last_end[0] = max(last_end[0], t1)
        finally:
            await c.close()

    sampler = Sampler(database, SERVERS.get(url)) if database else None
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    tasks = [worker(i) for i in range(CLIENTS)]
    if sampler:
        tasks.append(sampler.run(window_start, deadline))
    await asyncio.gather(*tasks)
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    # a window cut short by running out of work ends with its last answer
    tally.window_s = min(window, max(1e-9, last_end[0] - window_start))
    extra = {
        "client_cpu_s": round((cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime), 2),
        "pg_activity": sampler.summary() if sampler else None,
    }
    return tally, extra


def run_async(coro: Any) -> Any:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


# --- 1 + 2: creates --------------------------------------------------------------------------


class Creates:
    """Unique (name, version) creates of one token's project, counted over the whole run."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.run = uuid.uuid4().hex[:6]
        self.counter = itertools.count()
        self.ok = 0
        self.codes: Counter[str] = Counter()

    def next_request(self, worker: int) -> tuple[bytes, Any]:
        n = next(self.counter)
        variables = {"n": f"cc-{self.run}-{worker}", "v": f"1.0.{n}"}
        return body(CREATE, variables), None

    def done(self, _meta: Any, code: str) -> None:
        self.codes[code] += 1
        self.ok += code == "OK"


def create_window(url: str, database: str, creates: Creates) -> dict[str, Any]:
    tally, extra = run_async(
        closed_loop(
            url, creates.token, creates.next_request, WARMUP, WINDOW, database, creates.done
        )
    )
    return {**tally.result(), **extra}


async def usage_row(url: str, token: str) -> dict[str, Any]:
    rows = (await gql(url, token, USAGE))["quotaUsage"]
    by_scope = {r["typeName"]: r for r in rows}
    return {"all_types": by_scope[None], TYPE: by_scope[TYPE]}


async def invariants(
    url: str, creates: Creates, limit: int | None, with_quota: bool
) -> dict[str, Any]:
    total = (await gql(url, creates.token, COUNT))["heatTemplates"]["totalCount"]
    out: dict[str, Any] = {
        "successful_creates": creates.ok,
        "answers": dict(creates.codes),
        "total_count": total,
    }
    ok = total == creates.ok and set(creates.codes) <= {"OK", "QUOTA_EXCEEDED"}
    if with_quota:
        usage = await usage_row(url, creates.token)
        out["usage_all_types"] = usage["all_types"]["artifacts"]
        out["usage_type"] = usage[TYPE]["artifacts"]
        out["max_artifacts"] = usage["all_types"]["maxArtifacts"]
        out["overruns"] = max(0, creates.ok - limit) if limit is not None else 0
        ok = ok and out["usage_all_types"] == creates.ok == out["usage_type"]
        ok = ok and out["overruns"] == 0
    out["ok"] = ok
    return out


def analyze(database: str) -> None:
    asyncio.run(_pg(database, "ANALYZE"))


def low_limit(url: str) -> dict[str, Any]:
    """LOW_ATTEMPTS creates by CLIENTS clients against a limit of LOW_LIMIT."""
    creates = Creates(LOW)
    left = itertools.count()

    def next_request(worker: int) -> tuple[bytes, Any] | None:
        return None if next(left) >= LOW_ATTEMPTS else creates.next_request(worker)

    t0 = time.perf_counter()
    tally, _ = run_async(closed_loop(url, LOW, next_request, 0.0, 600.0, None, creates.done))
    seconds = time.perf_counter() - t0
    checked = asyncio.run(invariants(url, creates, LOW_LIMIT, True))
    exceeded = creates.codes.get("QUOTA_EXCEEDED", 0)
    checked["ok"] = (
        checked["ok"]
        and creates.ok == LOW_LIMIT
        and exceeded == LOW_ATTEMPTS - LOW_LIMIT
        and checked["usage_all_types"] == LOW_LIMIT
    )
    return {
        "limit": LOW_LIMIT,
        "attempts": sum(creates.codes.values()),
        "quota_exceeded": exceeded,
        "seconds": round(seconds, 2),
        "p50_ms": percentile([x * 1000 for x in tally.window], 0.5),
        **checked,
    }


def creates_step(
    current: Code, base: Code, dbs: dict[str, str], work: Path, tokens: Path
) -> dict[str, Any]:
    """Windows alternating: current with an override, base, current without one."""
    cur_db, base_db = dbs["current"], dbs["base"]
    arms = {
        "quota": (current, cur_db, Creates(MEMBER)),
        "base": (base, base_db, Creates(MEMBER)),
        "no override": (current, cur_db, Creates(PLAIN)),
    }
    checks: dict[str, Any] = {}
    for label, code in (("current", current), ("base", base)):
        code.check_import(work)
        db = cur_db if code is current else base_db
        with serve(code, db, work, tokens) as url:
            known, detail = asyncio.run(gql_raw(url, MEMBER, USAGE))
            checks[label] = {
                "glaregraph_file": code.module_file,
                "commit": code.commit,
                "quotaUsage": known if known == "OK" else f"{known}: {detail}",
            }
            if code is current:
                for project, limit in (("cc-quota", HIGH_LIMIT), ("cc-low", LOW_LIMIT)):
                    variables = {"in": {"project": project, "maxArtifacts": limit}}
                    asyncio.run(gql(url, ADMIN, QUOTA_SET, variables))
    if checks["current"]["quotaUsage"] != "OK" or checks["base"]["quotaUsage"] == "OK":
        raise SystemExit(f"the servers do not run the code they should: {checks}")
    windows: dict[str, list[dict[str, Any]]] = {k: [] for k in arms}
    order = list(arms)
    for r in range(ROUNDS):
        for label in order[r % len(order) :] + order[: r % len(order)]:
            code, db, creates = arms[label]
            with serve(code, db, work, tokens) as url:
                res = create_window(url, db, creates)
            analyze(db)
            windows[label].append(res)
            log(
                f"  round {r + 1} {label:12} {res['per_s']:7.1f} creates/s  p50 "
                f"{res['p50_ms']:6.1f} ms  p99 {res['p99_ms']:6.1f} ms  "
                f"answers {res['all_requests']}  pg {res['pg_activity']}"
            )
    with serve(current, cur_db, work, tokens) as url:
        quota_inv = asyncio.run(invariants(url, arms["quota"][2], HIGH_LIMIT, True))
        plain_inv = asyncio.run(invariants(url, arms["no override"][2], None, True))
        log("  low limit: 64 clients, 1,500 attempts against 500")
        low = low_limit(url)
    with serve(base, base_db, work, tokens) as url:
        base_inv = asyncio.run(invariants(url, arms["base"][2], None, False))
    med = {k: median([w["per_s"] for w in v]) for k, v in windows.items()}
    # time per create under the quota ÷ the same create with no quota configured, minus 1
    overhead = med["no override"] / med["quota"] - 1
    return {
        "code_check": checks,
        "windows": windows,
        "median_per_s": med,
        "median_p50_ms": {k: median([w["p50_ms"] for w in v]) for k, v in windows.items()},
        "median_p99_ms": {k: median([w["p99_ms"] for w in v]) for k, v in windows.items()},
        "ratio_quota_to_base": med["quota"] / med["base"],
        "ratio_no_override_to_base": med["no override"] / med["base"],
        "ratio_quota_to_no_override": med["quota"] / med["no override"],
        "overhead": overhead,
        "overhead_vs_base": med["base"] / med["quota"] - 1,
        "invariants": {"quota": quota_inv, "no override": plain_inv, "base": base_inv},
        "low_limit": low,
    }


# --- 3: one artifact, many writers -----------------------------------------------------------


class Writers:
    """A shared stream of mutations: PER_ARTIFACT per artifact (tags and keys alternating),
    then the next artifact."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        self.seq = itertools.count()
        self.ok: dict[int, list[tuple[str, str]]] = {}
        self.failed: Counter[str] = Counter()
        self.sent: Counter[int] = Counter()
        self.by_kind: dict[str, list[float]] = {"tag": [], "key": []}

    def next_request(self, _worker: int) -> tuple[bytes, Any] | None:
        n = next(self.seq)
        artifact, i = divmod(n, PER_ARTIFACT)
        if artifact >= len(self.ids):
            return None
        self.sent[artifact] += 1
        aid = self.ids[artifact]
        if i % 2 == 0:
            name = f"t{i // 2:03}"
            return body(TAGS_ADD, {"id": aid, "t": name}), (artifact, "tag", name)
        name = f"k{i // 2:03}"
        return body(META_SET, {"id": aid, "e": {name: str(i)}}), (artifact, "key", name)

    def done(self, meta: Any, code: str) -> None:
        artifact, kind, name = meta
        if code == "OK":
            self.ok.setdefault(artifact, []).append((kind, name))
        else:
            self.failed[code] += 1


async def check_artifacts(url: str, writers: Writers) -> dict[str, Any]:
    per: list[dict[str, Any]] = []
    for index, sent in sorted(writers.sent.items()):
        done = writers.ok.get(index, [])
        read = (await gql(url, WRITER, READ, {"id": writers.ids[index]}))["artifact"]
        tags = {n for k, n in done if k == "tag"}
        keys = {n for k, n in done if k == "key"}
        present_tags = set(read["tags"]) >= tags and len(read["tags"]) == len(tags)
        present_keys = set(read["metadata"] or {}) == keys
        per.append(
            {
                "artifact": index,
                "sent": sent,
                "ok": len(done),
                "revision": read["revision"],
                "tags": len(read["tags"]),
                "keys": len(read["metadata"] or {}),
                "ok_check": present_tags and present_keys and read["revision"] == 1 + len(done),
            }
        )
    return {
        "artifacts": len(per),
        "mutations_ok": sum(p["ok"] for p in per),
        "failed": dict(writers.failed),
        "lost_updates": sum(1 + p["ok"] - p["revision"] for p in per),
        "all_ok": all(p["ok_check"] for p in per) and not writers.failed,
        "per_artifact": per,
    }


def writers_step(current: Code, database: str, work: Path, tokens: Path) -> dict[str, Any]:
    needed = int((WRITERS_WARMUP + WRITERS_WINDOW) * 2_000 / PER_ARTIFACT) + 2
    with serve(current, database, work, tokens) as url:

        async def make() -> list[str]:
            ids = []
            for i in range(needed):
                created = await gql(url, WRITER, CREATE, {"n": "cc-writers", "v": f"1.0.{i}"})
                ids.append(created["heatTemplateCreate"]["id"])
            return ids

        ids = run_async(make())
        analyze(database)
        writers = Writers(ids)
        tally, extra = run_async(
            closed_loop(
                url,
                WRITER,
                writers.next_request,
                WRITERS_WARMUP,
                WRITERS_WINDOW,
                database,
                writers.done,
            )
        )
        checked = asyncio.run(check_artifacts(url, writers))
    res = {**tally.result(), **extra, "artifacts_made": needed, "invariants": checked}
    if len(writers.sent) >= needed:
        res["note"] = "ran out of artifacts: the window ended early"
    return res


# --- where a create's time goes: statements in-process --------------------------------------


async def statements_of(kind: str, token: str, count: int) -> dict[str, Any]:
    """In-process (this process's glaregraph: PYTHONPATH picks the worktree), one request at a
    time through the app: `create` (heatTemplateCreate), `tags` (artifactTagsAdd) or `meta`
    (artifactMetadataSet, both on one artifact): the statements each sends
    (`before_cursor_execute`), their driver time, and how long the contended locks are held:
    from the first statement that takes them (the quota_counters update; the artifact's SELECT ...
    FOR UPDATE) to COMMIT being sent (`lock_to_commit`) and to the answer (`lock_to_answer`:
    COMMIT's round trip, WAL flush included, and rendering)."""
    import httpx
    from sqlalchemy import event

    import glaregraph
    from glaregraph.server.app import create_app
    from glaregraph.server.settings import Settings

    app = create_app(Settings())  # CATALOG_* from the environment, as `serve` reads them
    engine = app.state.catalog.db.engine.sync_engine
    events: list[tuple[str, float, float]] = []
    pending: list[float] = []
    marker = "quota_counters" if kind == "create" else "FOR UPDATE"

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        pending.append(time.perf_counter())

    def after(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        text = " ".join(statement.split())
        if marker in text:
            text = f"{text[:50]} … {marker}"
        events.append((text[:90], pending.pop(), time.perf_counter()))

    def commit(_conn: Any) -> None:
        events.append(("COMMIT", time.perf_counter(), float("nan")))

    run = uuid.uuid4().hex[:6]
    shapes: Counter[tuple[str, ...]] = Counter()
    total_ms, driver_ms, to_commit, to_answer = [], [], [], []
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://bench", headers=headers
    ) as http:

        async def send(query: str, variables: dict[str, Any]) -> Any:
            answer = await http.post("/graphql", json={"query": query, "variables": variables})
            if answer.json().get("errors"):
                raise SystemExit(answer.text)
            return answer.json()["data"]

        aid = ""
        if kind != "create":
            made = await send(CREATE, {"n": f"cc-stmt-{run}", "v": "0.0.1"})
            aid = made["heatTemplateCreate"]["id"]
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        event.listen(engine, "commit", commit)
        for n in range(count + 20):
            if kind == "create":
                query, variables = CREATE, {"n": f"cc-stmt-{run}", "v": f"1.0.{n}"}
            elif kind == "tags":
                query, variables = TAGS_ADD, {"id": aid, "t": f"s{n:03}"}
            else:
                query, variables = META_SET, {"id": aid, "e": {f"s{n:03}": "v"}}
            events.clear()
            t0 = time.perf_counter()
            await send(query, variables)
            t1 = time.perf_counter()
            if n < 20:  # warm-up
                continue
            shapes[tuple(e[0] for e in events)] += 1
            total_ms.append((t1 - t0) * 1000)
            driver_ms.append(sum((e[2] - e[1]) * 1000 for e in events if e[0] != "COMMIT"))
            locked = [e[1] for e in events if marker in e[0]]
            commits = [e[1] for e in events if e[0] == "COMMIT"]
            if locked and commits:
                to_commit.append((commits[-1] - locked[0]) * 1000)
                to_answer.append((t1 - locked[0]) * 1000)
    await app.state.catalog.db.dispose()
    shape, seen = shapes.most_common(1)[0]
    return {
        "glaregraph_file": glaregraph.__file__,
        "kind": kind,
        "requests": count,
        "statements_per_request": sum(1 for x in shape if x != "COMMIT"),
        "statements": list(shape),
        "same_shape": seen,
        "median_ms": median(total_ms),
        "median_driver_ms": median(driver_ms),
        "median_lock_to_commit_ms": median(to_commit) if to_commit else None,
        "median_lock_to_answer_ms": median(to_answer) if to_answer else None,
    }


def statements_step(
    code: Code, database: str, work: Path, tokens: Path, token: str, kind: str = "create"
) -> Any:
    env = {
        **os.environ,
        **code.env(),
        "CATALOG_AUTH": "static",
        "CATALOG_STATIC_TOKENS": str(tokens),
        "CATALOG_DATABASE_URL": pg_url(database),
        "CATALOG_LOCAL_STORAGE_DIR": str(work / "blobs"),
    }
    cmd = [PY, str(Path(__file__).resolve()), "--statements", kind, token]
    done = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the run ---------------------------------------------------------------------------------


def environment(current: Code, base: Code) -> dict[str, Any]:
    return {
        **machine(),
        "checkout_commit": git("rev-parse", "--short", "HEAD"),
        "current": {"commit": current.commit, "from": str(current.path or ROOT)},
        "current_dirty": current.dirty(),
        "base": {"commit": base.commit},
        "quick": QUICK,
        "clients": CLIENTS,
        "server_workers": WORKERS,
        "warmup_s": WARMUP,
        "window_s": WINDOW,
        "rounds": ROUNDS,
        "writers_window_s": WRITERS_WINDOW,
        "load_before": os.getloadavg(),
    }


def table(results: dict[str, Any]) -> str:
    if "creates" not in results:  # --only writers
        return writers_table(results)
    c, w, t = results["creates"], results["writers"], TARGETS
    rows = [
        "| case | per s (median) | p50 ms | p99 ms | target | invariants |",
        "|---|---:|---:|---:|---:|---|",
    ]
    inv = c["invariants"]
    for label, text in (
        ("quota", "creates, override 1,000,000 (current)"),
        ("no override", "creates, no quota configured (current)"),
        ("base", f"creates at {BASE_COMMIT} (no quotas)"),
    ):
        rate = c["median_per_s"][label]
        target = (
            f"{t['creates_per_s']:.0f} {mark(rate >= t['creates_per_s'])}"
            if label == "quota"
            else ""
        )
        i = inv[label]
        if label == "base":
            note = f"totalCount {i['total_count']} == {i['successful_creates']} ok: {mark(i['ok'])}"
        else:
            note = (
                f"usage {i['usage_all_types']}/{i['usage_type']} == ok {i['successful_creates']}"
                f" == totalCount {i['total_count']}, overruns {i['overruns']}: {mark(i['ok'])}"
            )
        rows.append(
            f"| {text} | {rate:.1f} | {c['median_p50_ms'][label]:.1f} | "
            f"{c['median_p99_ms'][label]:.1f} | {target} | {note} |"
        )
    rows.append(writers_row(w))
    low = c["low_limit"]
    ov = c["overhead"]
    lines = [
        "\n".join(rows),
        "",
        f"quota overhead: no quota ÷ quota creates/s = {1 + ov:.3f} → "
        f"+{ov * 100:.1f} % per create (target ≤ {t['overhead_max'] * 100:.0f} %: "
        f"{mark(ov <= t['overhead_max'])}); against {BASE_COMMIT} (before quotas, leases and "
        f"the audit trail): +{c['overhead_vs_base'] * 100:.1f} % per create with a quota, "
        f"no quota ÷ base {c['ratio_no_override_to_base']:.3f}",
        f"low limit {low['limit']}: {low['attempts']} attempts, {low['successful_creates']} ok, "
        f"{low['quota_exceeded']} QUOTA_EXCEEDED, usage {low['usage_all_types']}, totalCount "
        f"{low['total_count']}, overruns {low['overruns']}: {mark(low['ok'])} "
        f"({low['seconds']} s)",
        statements_line(results),
        "per window creates/s: "
        + "; ".join(
            f"{k} " + " ".join(f"{x['per_s']:.0f}" for x in v) for k, v in c["windows"].items()
        ),
    ]
    return "\n".join(lines)


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def writers_row(w: dict[str, Any]) -> str:
    wi, target = w["invariants"], TARGETS["mutations_per_s"]
    return (
        f"| tagsAdd + metadataSet on one artifact | {w['per_s']:.1f} | {w['p50_ms']:.1f} | "
        f"{w['p99_ms']:.1f} | {target:.0f} {mark(w['per_s'] >= target)}"
        f" | {wi['artifacts']} artifacts, {wi['mutations_ok']} ok, failed {wi['failed'] or 0}, "
        f"lost updates {wi['lost_updates']}: {mark(wi['all_ok'])} |"
    )


def writers_table(results: dict[str, Any]) -> str:
    rows = [
        "| case | per s | p50 ms | p99 ms | target | invariants |",
        "|---|---:|---:|---:|---:|---|",
        writers_row(results["writers"]),
    ]
    return "\n".join(["\n".join(rows), "", statements_line(results)])


def statements_line(results: dict[str, Any]) -> str:
    return (
        "statements (in-process, one request at a time; medians of two alternating runs): "
        + "; ".join(
            f"{k}: {v[0]['statements_per_request']} statements, "
            + "/".join(f"{r['median_ms']:.2f}" for r in v)
            + " ms, lock held to answer "
            + "/".join(f"{r['median_lock_to_answer_ms'] or 0:.2f}" for r in v)
            + " ms"
            for k, v in results.get("statements", {}).items()
        )
    )


def summary(results: dict[str, Any]) -> dict[str, Any]:
    w = results["writers"]
    if "creates" not in results:  # --only writers
        return {"mutations_per_s": round(w["per_s"], 1), "invariants_ok": w["invariants"]["all_ok"]}
    c = results["creates"]
    return {
        "creates_per_s_quota": round(c["median_per_s"]["quota"], 1),
        "creates_per_s_no_override": round(c["median_per_s"]["no override"], 1),
        "creates_per_s_base": round(c["median_per_s"]["base"], 1),
        "quota_overhead": round(c["overhead"], 3),
        "quota_overhead_vs_base": round(c["overhead_vs_base"], 3),
        "mutations_per_s": round(w["per_s"], 1),
        "invariants_ok": all(v["ok"] for v in c["invariants"].values())
        and c["low_limit"]["ok"]
        and w["invariants"]["all_ok"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--current", default="HEAD", help="a commit (worktree) or 'checkout'")
    parser.add_argument("--base", default=BASE_COMMIT, help="the commit before quotas")
    parser.add_argument("--json", action="store_true", help="last line: the whole results")
    parser.add_argument(
        "--only",
        choices=["writers"],
        help="writers: only the one-artifact case (and its statements), no creates",
    )
    parser.add_argument("--statements", nargs=2, metavar=("KIND", "TOKEN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.statements:  # the in-process step, started by statements_step
        kind, token = args.statements
        print(json.dumps(run_async(statements_of(kind, token, 200))))
        return 0
    started = time.monotonic()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    with (
        tempfile.TemporaryDirectory(prefix="glaregraph-concurrency-") as tmp,
        worktree("base", args.base) as base,
        (
            nullcontext(None) if args.current == "checkout" else worktree("current", args.current)
        ) as pinned,
        databases(["current", "base"]) as dbs,
    ):
        work = Path(tmp)
        tokens = write_tokens(work)
        current = pinned or Code("current", git("rev-parse", "--short", "HEAD"), None)
        results: dict[str, Any] = {
            "environment": environment(current, base),
            "targets": TARGETS,
            "databases": dbs,
        }
        if not args.only:
            log(f"== creates: {CLIENTS} clients, {WORKERS} workers, {ROUNDS} rounds of {WINDOW} s")
            results["creates"] = creates_step(current, base, dbs, work, tokens)
        else:
            with serve(current, dbs["current"], work, tokens):
                pass  # the server's start migrates the database the statements step writes
        log("== statements and lock hold times, in-process, one request at a time")
        st: dict[str, Any] = {}
        for _ in range(2):  # alternating, as the windows
            for label, code, db, token, kind in (
                ("create, quota", current, dbs["current"], MEMBER, "create"),
                ("create, base", base, dbs["base"], MEMBER, "create"),
                ("create, no override", current, dbs["current"], PLAIN, "create"),
                ("artifactTagsAdd", current, dbs["current"], WRITER, "tags"),
                ("artifactMetadataSet", current, dbs["current"], WRITER, "meta"),
            ):
                if args.only and kind == "create":
                    continue
                st.setdefault(label, []).append(
                    statements_step(code, db, work, tokens, token, kind)
                )
        results["statements"] = st
        for label, reps in st.items():
            one = reps[0]
            log(
                f"  {label:20} {one['statements_per_request']} statements; median ms "
                + " / ".join(f"{r['median_ms']:.2f}" for r in reps)
                + " (driver "
                + " / ".join(f"{r['median_driver_ms']:.2f}" for r in reps)
                + "); lock to COMMIT sent "
                + " / ".join(f"{r['median_lock_to_commit_ms'] or 0:.2f}" for r in reps)
                + ", to answer "
                + " / ".join(f"{r['median_lock_to_answer_ms'] or 0:.2f}" for r in reps)
            )
        log(f"== one artifact, {CLIENTS} writers, {WRITERS_WINDOW} s")
        results["writers"] = writers_step(current, dbs["current"], work, tokens)
        w = results["writers"]
        log(
            f"  {w['per_s']:.1f} mutations/s p50 {w['p50_ms']:.1f} ms p99 {w['p99_ms']:.1f} ms "
            f"pg {w['pg_activity']}"
        )
        if args.current == "checkout":
            results["environment"]["current_dirty_at_end"] = current.dirty()
            results["environment"]["checkout_commit_at_end"] = git("rev-parse", "--short", "HEAD")
    results["environment"]["runtime_s"] = round(time.monotonic() - started, 1)
    results["summary"] = summary(results)
    out_dir = BENCH_DIR / "results"
    out_dir.mkdir(exist_ok=True)
    path = out_dir / f"concurrency-{stamp}.json"
    path.write_text(json.dumps(results, indent=1, default=str))
    print()
    print(table(results))
    print(f"\nresults: {path.relative_to(ROOT)}")
    print(json.dumps(results if args.json else results["summary"], default=str), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
