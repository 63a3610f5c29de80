"""What OIDC authentication costs per request, in-process (ASGI calls, no sockets).

    python benchmarks/auth.py [-n 2000] [--count 1000] [--url URL]

Seeds a small SQLite database (benchmarks/seed.py; or uses --url as it is), builds the real app
twice — CATALOG_AUTH=static and CATALOG_AUTH=oidc — for the same caller (a member of
project-03), and times the same small list request (10 images) through both, interleaved so
drift hits both alike (random order per round): static, oidc with an RS256 token, oidc with
an ES256 token; the difference is given both between p50s and as the p50 of per-round
differences (steadier on a busy machine). Then
`authenticate()` alone for each. The OIDC app's keys are put in its key cache as a fetched
JWKS would be (parsed once); no identity provider runs, so every request uses cached keys.
Prints one JSON object: p50/p90 in milliseconds and the oidc - static differences.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    MEMBER_PROJECT,
    MEMBER_TOKEN,
    list_query,
    median,
    percentile,
    sqlite_url,
    write_tokens,
)
from inprocess import _asgi_post
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey
from seed import seed

from glaregraph.server.app import create_app
from glaregraph.server.auth import Authenticator
from glaregraph.server.oidc import OIDCAuthenticator
from glaregraph.server.oidc_keys import parse_jwks
from glaregraph.server.settings import Settings

ISSUER = "https://idp.bench.invalid/realms/bench"
AUDIENCE = "glaregraph"
QUERY = json.dumps({"query": list_query(10)}).encode()


def authenticator_of(app: Any) -> Authenticator:
    for route in app.routes:
        if getattr(route, "path", None) == "/graphql":
            auth: Authenticator = route.endpoint.__self__.authenticator
            return auth
    raise SystemExit("no /graphql route")


def tokens() -> tuple[dict[str, Any], dict[str, str]]:
    """A JWKS of one RSA and one EC key, and a token signed by each for the bench member."""
    rsa = RSAKey.generate_key(2048, parameters={"kid": "rsa", "use": "sig"})
    ec = ECKey.generate_key("P-256", parameters={"kid": "ec", "use": "sig"})
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "bench-user",
        "project_id": MEMBER_PROJECT,
        "roles": ["member"],
        "iat": now,
        "exp": now + 3600,
    }
    signed = {
        "RS256": jwt.encode({"alg": "RS256", "kid": "rsa"}, claims, rsa, algorithms=["RS256"]),
        "ES256": jwt.encode({"alg": "ES256", "kid": "ec"}, claims, ec, algorithms=["ES256"]),
    }
    jwks = {"keys": [rsa.as_dict(private=False), ec.as_dict(private=False)]}
    return jwks, signed


async def timed(call: Callable[[], Awaitable[Any]]) -> float:
    t0 = time.perf_counter_ns()
    await call()
    return (time.perf_counter_ns() - t0) / 1e6


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(median(samples), 4),
        "p90_ms": round(percentile(samples, 0.9), 4),
        "n": len(samples),
    }


async def run(url: str, n: int, workdir: Path) -> dict[str, Any]:
    jwks, signed = tokens()
    static_app = create_app(
        Settings(database_url=url, auth="static", static_tokens=write_tokens(workdir))
    )
    oidc_app = create_app(
        Settings(database_url=url, auth="oidc", oidc_issuer=ISSUER, oidc_audience=AUDIENCE)
    )
    oidc_auth = authenticator_of(oidc_app)
    assert isinstance(oidc_auth, OIDCAuthenticator)
    oidc_auth.keys.keys = parse_jwks(jwks)  # as a fetched JWKS: parsed once, then cached
    static_auth = authenticator_of(static_app)

    cases: dict[str, tuple[Any, str]] = {
        "static": (static_app, MEMBER_TOKEN),
        "oidc_rs256": (oidc_app, signed["RS256"]),
        "oidc_es256": (oidc_app, signed["ES256"]),
    }
    bodies = {}
    for name, (app, token) in cases.items():  # warm-up; all must answer the same
        headers = ((b"authorization", f"Bearer {token}".encode()),)
        for _ in range(20):
            body = await _asgi_post(app, QUERY, headers)
        result = json.loads(body)
        if result.get("errors") or not result["data"]["images"]["nodes"]:
            raise SystemExit(f"{name}: unexpected answer {str(result)[:300]}")
        bodies[name] = body
    if len(set(bodies.values())) != 1:
        raise SystemExit("static and oidc callers got different answers")

    gc.collect()
    gc.freeze()  # as the app's lifespan does when served
    rng = random.Random(7)
    request: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(n):  # interleaved rounds, in a random order each
        for name in rng.sample(list(cases), len(cases)):
            app, token = cases[name]
            headers = ((b"authorization", f"Bearer {token}".encode()),)
            request[name].append(await timed(lambda: _asgi_post(app, QUERY, headers)))  # noqa: B023

    auth_cases: dict[str, tuple[Authenticator, str]] = {
        "static": (static_auth, f"Bearer {MEMBER_TOKEN}"),
        "oidc_rs256": (oidc_auth, f"Bearer {signed['RS256']}"),
        "oidc_es256": (oidc_auth, f"Bearer {signed['ES256']}"),
    }
    alone: dict[str, list[float]] = {name: [] for name in auth_cases}
    for _ in range(n * 5):
        for name, (auth, header) in auth_cases.items():
            alone[name].append(await timed(lambda: auth.authenticate(header)))  # noqa: B023

    await static_app.state.catalog.db.dispose()
    await oidc_app.state.catalog.db.dispose()

    out: dict[str, Any] = {
        "query": "images(first: 10) as a member of project-03",
        "request": {name: summary(s) for name, s in request.items()},
        "authenticate": {name: summary(s) for name, s in alone.items()},
        "added_p50_ms": {},
    }
    for name in ("oidc_rs256", "oidc_es256"):
        paired = [o - s for o, s in zip(request[name], request["static"], strict=True)]
        out["added_p50_ms"][name] = {
            "request": round(median(request[name]) - median(request["static"]), 4),
            "request_paired": round(median(paired), 4),  # median of per-round differences
            "authenticate": round(median(alone[name]) - median(alone["static"]), 4),
        }
    out["target_ms"] = 0.2
    return out


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="glaregraph-bench-auth-") as tmp:
        workdir = Path(tmp)
        url = args.url
        if url is None:
            url = sqlite_url(workdir / "auth.db")
            await seed(url, args.count)
        return await run(url, args.n, workdir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="requests per case")
    parser.add_argument("--count", type=int, default=1000, help="artifacts to seed")
    parser.add_argument("--url", help="an already seeded database (default: a new SQLite one)")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main_async(args)), indent=2))


if __name__ == "__main__":
    main()
