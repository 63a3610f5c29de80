"""A battery of malformed requests: none gets a 5xx or an INTERNAL_SERVER_ERROR, and every
error carries a code."""

from __future__ import annotations

import base64
import hashlib
import json
import random

import pytest

AUTH = {"authorization": "Bearer alice-token", "content-type": "application/json"}
CREATE = "mutation($input: ImageCreateInput!) { imageCreate(input: $input) { id } }"
PAGE = "query($n: Int, $a: String) { images(first: $n, after: $a) { totalCount } }"
FILTER = "query($f: ImageFilter) { images(filter: $f) { totalCount } }"
UPDATE = """mutation($id: ID!, $r: Int) {
  imageUpdate(id: $id, input: {osDistro: "x"}, expectedRevision: $r) { id } }"""
BEFORE = "query($n: Int, $b: String) { images(last: $n, before: $b) { totalCount } }"
SORTED = "query($s: [ImageSort!], $a: String) { images(sort: $s, after: $a) { totalCount } }"
TAGS_ADD = "mutation($id: ID!, $t: [String!]!) { artifactTagsAdd(id: $id, tags: $t) { id } }"
TAGS_REMOVE = "mutation($id: ID!, $t: [String!]!) { artifactTagsRemove(id: $id, tags: $t) { id } }"
KEYS_REMOVE = (
    "mutation($id: ID!, $k: [String!]!) { artifactMetadataRemove(id: $id, keys: $k) { id } }"
)
SOME_ID = "00000000-0000-0000-0000-000000000000"
MANY = 40_000  # past PostgreSQL's 32,767 bind parameters


def _body(query, variables=None):
    return json.dumps({"query": query, "variables": variables}).encode()


def _random_bytes(seed, size):
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(size))


def _nested_object(levels):
    return '{"a":' * levels + "1" + "}" * levels


def _nested_not(levels, op="not"):
    open_, close = ('{"not": ', "}") if op == "not" else ('{"and": [', "]}")
    return open_ * levels + '{"name": {"eq": "x"}}' + close * levels


def _compact(query, variables):
    """40,000 items must fit under the 1 MiB body limit."""
    return json.dumps({"query": query, "variables": variables}, separators=(",", ":")).encode()


def _cursor(values, keys="created_at:d,id:d"):
    """A hand-made cursor with the signature the server gives `images` in that order."""
    sig = hashlib.sha1(f"image|{keys}".encode()).hexdigest()[:8]
    raw = json.dumps([sig, values])  # ASCII: NUL and lone surrogates as \\u escapes
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _raw(query, filter_json):
    return (
        json.dumps({"query": query})[:-1] + ', "variables": {"f": ' + filter_json + "}}"
    ).encode()


# Requests that are wrong: each must be answered with an error that has a code.
MUST_FAIL = {
    "random bytes": _random_bytes(1, 256),
    "more random bytes": _random_bytes(2, 4096),
    "random bytes after a brace": b"{" + _random_bytes(3, 512),
    "invalid utf-8 inside json": b'{"query": "{ me { userId } }\xff\xfe"}',
    "deeply nested json arrays": b"[" * 100_000 + b"]" * 100_000,
    "deeply nested json object": b'{"query": "{ me { userId } }", "variables": '
    + _nested_object(50_000).encode()
    + b"}",
    "deeply nested json as query": b'{"query": ' + _nested_object(50_000).encode() + b"}",
    "deep document": _body("{" * 5000),
    "deep selection": _body("{ me " + "{ userId " * 3000 + "}" * 3001),
    "null byte in document": _body("{ me { userId } }\x00"),
    "huge int literal": _body("{ images(first: 99999999999999999999999) { totalCount } }"),
    "NaN variable": b'{"query": "' + PAGE.encode() + b'", "variables": {"n": NaN}}',
    "Infinity variable": b'{"query": "' + PAGE.encode() + b'", "variables": {"n": Infinity}}',
    "1e400 variable": b'{"query": "' + PAGE.encode() + b'", "variables": {"n": 1e400}}',
    "huge int variable": _body(PAGE, {"n": 10**400}),
    "string page size": _body(PAGE, {"n": "10"}),
    "int cursor": _body(PAGE, {"n": 1, "a": 5}),
    "cursor of other json": _body(PAGE, {"n": 1, "a": "WyJ4IiwgMV0="}),
    "cursor with unicode": _body(PAGE, {"n": 1, "a": "☃☃☃"}),
    "huge name": _body(CREATE, {"input": {"name": "n" * 500_000}}),
    "huge description": _body(CREATE, {"input": {"name": "n", "description": "d" * 100_000}}),
    "too many tags": _body(
        CREATE, {"input": {"name": "n", "tags": [f"t{i}" for i in range(5000)]}}
    ),
    "tag with slash": _body(CREATE, {"input": {"name": "n", "tags": ["a/b"]}}),
    "too many metadata keys": _body(
        CREATE, {"input": {"name": "n", "metadata": {f"k{i}": "v" for i in range(1000)}}}
    ),
    "nested metadata value": _body(CREATE, {"input": {"name": "n", "metadata": {"a": {"b": 1}}}}),
    "metadata as string": _body(CREATE, {"input": {"name": "n", "metadata": "x"}}),
    "metadata as list": _body(CREATE, {"input": {"name": "n", "metadata": [1, 2]}}),
    "emoji version": _body(CREATE, {"input": {"name": "n", "version": "🚀"}}),
    "garbage derived ids": _body(CREATE, {"input": {"name": "n", "derivedFromIds": ["x", ""]}}),
    "garbage link id": _body(CREATE, {"input": {"name": "n", "kernelId": "not-a-uuid"}}),
    "bad allowed value": _body(CREATE, {"input": {"name": "n", "diskFormat": "floppy"}}),
    "negative min ram": _body(CREATE, {"input": {"name": "n", "minRam": -1}}),
    "string revision": _body(UPDATE, {"id": "x", "r": "one"}),
    "bad version filter": _body(FILTER, {"f": {"version": {"range": "~~~"}}}),
    "filter of wrong shape": _body(FILTER, {"f": {"name": "x"}}),
    "filter list for object": _body(FILTER, {"f": [{"name": {"eq": "x"}}]}),
    "variables with wrong type everywhere": _body(
        CREATE, {"input": {"name": [], "version": 1, "tags": 3, "minRam": "x", "metadata": 1}}
    ),
    "cursor with NUL": _body(PAGE, {"n": 1, "a": _cursor(["2026-01-01T00:00:00+00:00", "\x00"])}),
    "cursor with lone surrogate": _body(
        PAGE, {"n": 1, "a": _cursor(["2026-01-01T00:00:00+00:00", "a\ud800"])}
    ),
    "before cursor with NUL": _body(
        BEFORE, {"n": 1, "b": _cursor(["2026-01-01T00:00:00+00:00", "a\x00"])}
    ),
    "before cursor with lone surrogate": _body(
        BEFORE, {"n": 1, "b": _cursor(["2026-01-01T00:00:00+00:00", "\udfff"])}
    ),
    "cursor with NUL in a datetime": _body(PAGE, {"n": 1, "a": _cursor(["2026-01-01\x00", "x"])}),
    "sorted cursor with lone surrogate": _body(
        SORTED, {"s": [{"field": "NAME"}], "a": _cursor(["\ud800", SOME_ID], "name:a,id:a")}
    ),
    "sorted cursor with huge int": _body(
        SORTED, {"s": [{"field": "MIN_RAM"}], "a": _cursor([10**40, SOME_ID], "min_ram:a,id:a")}
    ),
    "cursor padded to 200 kB": _body(
        PAGE, {"n": 1, "a": _cursor(["2026-01-01T00:00:00+00:00", SOME_ID]) + "A" * 200_000}
    ),
    "like ending in a backslash": _body(FILTER, {"f": {"name": {"like": "abc\\"}}}),
    "like of one backslash": _body(FILTER, {"f": {"name": {"like": "\\"}}}),
    "like ending in three backslashes": _body(FILTER, {"f": {"osDistro": {"like": "%\\\\\\"}}}),
    "metadata like ending in a backslash": _body(
        FILTER, {"f": {"metadata": {"entries": [{"key": "k", "value": {"like": "v\\"}}]}}}
    ),
    "40,000 tags to add": _compact(TAGS_ADD, {"id": SOME_ID, "t": [f"t{i}" for i in range(MANY)]}),
    "40,000 tags to remove": _compact(
        TAGS_REMOVE, {"id": SOME_ID, "t": [f"t{i}" for i in range(MANY)]}
    ),
    "40,000 metadata keys to remove": _compact(
        KEYS_REMOVE, {"id": SOME_ID, "k": [f"k{i}" for i in range(MANY)]}
    ),
    "40,000 values in a filter in": _compact(
        FILTER, {"f": {"name": {"in": list(map(str, range(MANY)))}}}
    ),
    "40,000 values in a filter notIn": _compact(
        FILTER, {"f": {"minRam": {"notIn": list(range(MANY))}}}
    ),
    "40,000 tags in a tag filter": _compact(
        FILTER, {"f": {"tags": {"any": list(map(str, range(MANY)))}}}
    ),
    "40,000 nots in a filter": _compact(FILTER, {"f": {"and": [{"not": {}}] * MANY}}),
    "40,000 sort keys": _compact(SORTED, {"s": [{"field": "NAME"}] * MANY}),
    "40,000 tags in an input": _compact(
        CREATE, {"input": {"name": "n", "tags": list(map(str, range(MANY)))}}
    ),
    "40,000 derived-from ids": _compact(
        CREATE, {"input": {"name": "n", "derivedFromIds": list(map(str, range(MANY)))}}
    ),
}

# Odd but possibly acceptable: never a 5xx, and any error has a code.
NEVER_5XX = {
    "null byte in name": _body(CREATE, {"input": {"name": "a\x00b"}}),
    "null byte in metadata": _body(CREATE, {"input": {"name": "n", "metadata": {"k\x00": "v"}}}),
    "null byte in tag": _body(CREATE, {"input": {"name": "n", "tags": ["a\x00"]}}),
    "null byte in filter": _body(FILTER, {"f": {"name": {"eq": "a\x00"}}}),
    "null byte in like": _body(FILTER, {"f": {"name": {"like": "%\x00%"}}}),
    "null byte in id": _body("query($id: ID!) { artifact(id: $id) { id } }", {"id": "\x00"}),
    "null byte in lookup": _body('{ image(name: "a\\u0000", version: "1.0\\u0000") { id } }'),
    "lone surrogate in name": b'{"query": "'
    + CREATE.replace("\n", " ").encode()
    + b'", "variables": {"input": {"name": "\\ud800"}}}',
    "lone surrogate in filter": b'{"query": "'
    + FILTER.encode()
    + b'", "variables": {"f": {"name": {"eq": "\\udfff"}}}}',
    "deeply nested not filter": _raw(FILTER, _nested_not(400)),
    "deeply nested and filter": _raw(FILTER, _nested_not(200, "and")),
    "huge in list": _body(FILTER, {"f": {"name": {"in": [f"n{i}" for i in range(20_000)]}}}),
    "huge like pattern": _body(FILTER, {"f": {"name": {"like": "%_" * 20_000}}}),
    "weird lookup version": _body('{ image(name: "x", version: "^^^ || ~~") { id } }'),
    "weird id": _body('{ image(id: "☃") { id } }'),
}


def _codes(response):
    """The error codes of an answer that is no server failure (no 5xx, no masked error)."""
    assert response.status_code < 500, response.text[:300]
    body = response.json()
    codes = [e["extensions"]["code"] for e in body.get("errors") or ()]
    assert all(codes), body
    assert "INTERNAL_SERVER_ERROR" not in codes, str(body)[:500]
    return codes


@pytest.mark.parametrize("content", MUST_FAIL.values(), ids=MUST_FAIL.keys())
async def test_malformed_request_gets_a_coded_error(gql, content):
    response = await gql.http.post("/graphql", content=content, headers=AUTH)
    assert _codes(response), response.text[:300]
    assert (await gql("{ images { totalCount } }"))["images"]["totalCount"] == 0


@pytest.mark.parametrize("content", NEVER_5XX.values(), ids=NEVER_5XX.keys())
async def test_odd_request_never_gets_a_5xx(gql, content):
    response = await gql.http.post("/graphql", content=content, headers=AUTH)
    _codes(response)
