"""Automatic persisted queries, as Apollo's PersistedQueryLink speaks them: an unknown hash asks
for the query, a query with its hash is kept, a hash alone then runs it (POST and GET), and a
hash that does not match its query is refused."""

from __future__ import annotations

import hashlib
import json

AUTH = {"authorization": "Bearer alice-token"}
QUERY = "query Me { me { userId project } }"
HASH = hashlib.sha256(QUERY.encode()).hexdigest()
EXT = {"persistedQuery": {"version": 1, "sha256Hash": HASH}}


async def test_unknown_hash_asks_for_the_query_then_the_hash_alone_runs(gql):
    first = await gql.http.post("/graphql", json={"extensions": EXT}, headers=AUTH)
    assert first.status_code == 200
    assert first.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert first.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    sent = await gql.http.post("/graphql", json={"query": QUERY, "extensions": EXT}, headers=AUTH)
    assert sent.json() == {"data": {"me": {"userId": "alice", "project": "p1"}}}
    again = await gql.http.post("/graphql", json={"extensions": EXT}, headers=AUTH)
    assert again.json() == sent.json()
    got = await gql.http.get(
        "/graphql", params={"extensions": json.dumps(EXT), "operationName": "Me"}, headers=AUTH
    )
    assert got.json() == sent.json()
    assert got.headers["cache-control"] == "private, no-cache"


async def test_a_hash_that_does_not_match_its_query_is_refused(gql):
    wrong = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
    answer = await gql.http.post(
        "/graphql", json={"query": QUERY, "extensions": wrong}, headers=AUTH
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    bad_version = {"persistedQuery": {"version": 2, "sha256Hash": HASH}}
    answer = await gql.http.post("/graphql", json={"extensions": bad_version}, headers=AUTH)
    assert answer.status_code == 400


async def test_a_mutation_by_hash_over_get_still_runs_nothing(gql):
    mutation = 'mutation { imageCreate(input: {name: "g"}) { id } }'
    digest = hashlib.sha256(mutation.encode()).hexdigest()
    ext = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    await gql.http.post("/graphql", json={"query": mutation, "extensions": ext}, headers=AUTH)
    got = await gql.http.get("/graphql", params={"extensions": json.dumps(ext)}, headers=AUTH)
    assert got.status_code == 405
    count = await gql("{ images { totalCount } }")
    assert count["images"]["totalCount"] == 1  # only the POST created one
