"""Hand-made cursors: a cursor that carries the right signature but values no real row could
have (NUL, lone surrogates, wrong types, out-of-range numbers, over-long strings) is refused
with BAD_USER_INPUT naming `after` or `before`, never an internal error."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

CREATE_IMAGE = "mutation($input: ImageCreateInput!) { imageCreate(input: $input) { id } }"
IMAGES = """
query($first: Int, $after: String, $last: Int, $before: String, $sort: [ImageSort!]) {
  images(first: $first, after: $after, last: $last, before: $before, sort: $sort) {
    edges { cursor node { name } }
  }
}"""
CREATE_SAMPLE = """
mutation($input: SampleArtifactCreateInput!) { sampleArtifactCreate(input: $input) { id } }"""
SAMPLES = """
query($after: String, $before: String, $sort: [SampleArtifactSort!]) {
  sampleArtifacts(first: 5, after: $after, before: $before, sort: $sort) {
    edges { cursor node { name } }
  }
}"""
AUTH = {"authorization": "Bearer alice-token", "content-type": "application/json"}

# sort argument -> the sort keys a cursor carries (field, descending), `id` last
SORTS = {
    "default": (None, [("created_at", True), ("id", True)]),
    "name": ([{"field": "NAME"}], [("name", False), ("id", False)]),
    "version desc": (
        [{"field": "VERSION", "direction": "DESC"}],
        [("version", True), ("id", True)],
    ),
    "min ram": ([{"field": "MIN_RAM"}], [("min_ram", False), ("id", False)]),
    "disk format, updated": (
        [{"field": "DISK_FORMAT"}, {"field": "UPDATED_AT", "direction": "DESC"}],
        [("disk_format", False), ("updated_at", True), ("id", True)],
    ),
}
NOW = "2026-01-01T00:00:00+00:00"
ID = "00000000-0000-0000-0000-000000000000"


def signature(keys: list[tuple[str, bool]], scope: str) -> str:
    """The signature a server gives a cursor: its list and sort order, hashed."""
    text = scope + "|" + ",".join(f"{name}:{'d' if desc else 'a'}" for name, desc in keys)
    return hashlib.sha1(text.encode()).hexdigest()[:8]


def cursor(keys: list[tuple[str, bool]], values: list, scope: str = "image") -> str:
    raw = json.dumps([signature(keys, scope), values])  # ASCII: surrogates as \\udXXX
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _plausible(name: str) -> object:
    """A value a real row could have for this sort key."""
    return {
        "created_at": NOW,
        "updated_at": NOW,
        "id": ID,
        "name": "n",
        "version": "0000000001.0000000000.0000000000~",
        "min_ram": 0,
        "disk_format": "raw",
    }[name]


def _with(keys: list[tuple[str, bool]], name: str, value: object) -> list:
    return [value if key == name else _plausible(key) for key, _ in keys]


async def _answer(http, query: str, variables: dict) -> tuple[int, dict]:
    # ASCII JSON: httpx's own encoder refuses lone surrogates
    content = json.dumps({"query": query, "variables": variables}).encode()
    response = await http.post("/graphql", content=content, headers=AUTH)
    return response.status_code, response.json()


async def _refused(http, query: str, variables: dict, arg: str) -> dict:
    status, body = await _answer(http, query, variables)
    assert status == 200, body
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": arg}, body
    return body


async def _accepted(http, query: str, variables: dict) -> dict:
    status, body = await _answer(http, query, variables)
    assert (status, body.get("errors")) == (200, None), body
    return body["data"]


def _page_args(arg: str) -> dict:
    return {"first": 5} if arg == "after" else {"last": 5}


async def test_the_signature_is_the_one_the_server_gives(gql):
    await gql(CREATE_IMAGE, {"input": {"name": "n"}})
    for sort, keys in SORTS.values():
        edges = (await gql(IMAGES, {"first": 1, "sort": sort}))["images"]["edges"]
        raw = edges[0]["cursor"]
        sig, values = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        assert sig == signature(keys, "image")
        assert len(values) == len(keys)


# (sort, key, value): a string key holding what no database can store
UNSTORABLE = [
    (sort, key, value)
    for sort, key in (
        ("default", "id"),
        ("name", "name"),
        ("version desc", "version"),
        ("disk format, updated", "disk_format"),
    )
    for value in ("a\x00b", "\x00", "a\ud800", "\udfff", "\ud800\x00")
]


@pytest.mark.parametrize("arg", ["after", "before"])
@pytest.mark.parametrize(("sort", "key", "value"), UNSTORABLE)
async def test_unstorable_string_in_a_cursor_is_bad_user_input(gql, arg, sort, key, value):
    await gql(CREATE_IMAGE, {"input": {"name": "n"}})
    sort_arg, keys = SORTS[sort]
    variables = {arg: cursor(keys, _with(keys, key, value)), "sort": sort_arg, **_page_args(arg)}
    await _refused(gql.http, IMAGES, variables, arg)


# (sort, key, value): a value of the wrong type or out of range for its sort key
WRONG = {
    "number for a string": ("name", "name", 12),
    "boolean for a string": ("default", "id", True),
    "list for a string": ("name", "name", ["n"]),
    "object for a string": ("default", "id", {"id": ID}),
    "null for the id": ("default", "id", None),
    "null for a name": ("name", "name", None),
    "null for a version": ("version desc", "version", None),
    "over-long name": ("name", "name", "n" * 256),
    "over-long astral name": ("name", "name", "😀" * 256),
    "over-long id": ("default", "id", "i" * 37),
    "very long id": ("default", "id", "i" * 20_000),
    "over-long version key": ("version desc", "version", "1" * 256),
    "over-long disk format": ("disk format, updated", "disk_format", "r" * 256),
    "number for a datetime": ("default", "created_at", 1_700_000_000),
    "text for a datetime": ("default", "created_at", "yesterday"),
    "month 13": ("default", "created_at", "2026-13-01T00:00:00+00:00"),
    "before year 1 in UTC": ("default", "created_at", "0001-01-01T00:00:00+01:00"),
    "after 9999 in UTC": ("disk format, updated", "updated_at", "9999-12-31T23:59:59-01:00"),
    "list for a datetime": ("default", "created_at", [NOW]),
    "null for created_at": ("default", "created_at", None),
    "null for updated_at": ("disk format, updated", "updated_at", None),
    "huge int": ("min ram", "min_ram", 10**30),
    "int past int32": ("min ram", "min_ram", 2**31),
    "int below int32": ("min ram", "min_ram", -(2**31) - 1),
    "float for an int": ("min ram", "min_ram", 1.5),
    "integral float for an int": ("min ram", "min_ram", 1.0),
    "string for an int": ("min ram", "min_ram", "1"),
    "boolean for an int": ("min ram", "min_ram", False),
    "object for an int": ("min ram", "min_ram", {"n": 1}),
    "nested list for an int": ("min ram", "min_ram", [[1]]),
}


@pytest.mark.parametrize("arg", ["after", "before"])
@pytest.mark.parametrize(("sort", "key", "value"), WRONG.values(), ids=WRONG.keys())
async def test_wrong_value_in_a_cursor_is_bad_user_input(gql, arg, sort, key, value):
    await gql(CREATE_IMAGE, {"input": {"name": "n"}})
    sort_arg, keys = SORTS[sort]
    variables = {arg: cursor(keys, _with(keys, key, value)), "sort": sort_arg, **_page_args(arg)}
    await _refused(gql.http, IMAGES, variables, arg)


@pytest.mark.parametrize(
    "values",
    [
        {"created_at": NOW, "id": ID},  # an object where a list belongs
        "ab",  # a string of the right length
        [NOW],  # too few values
        [NOW, ID, ID],  # too many
        [[NOW, ID]],
    ],
    ids=["object", "string", "too few", "too many", "nested"],
)
@pytest.mark.parametrize("arg", ["after", "before"])
async def test_cursor_values_of_the_wrong_shape_are_bad_user_input(gql, arg, values):
    _, keys = SORTS["default"]
    raw = json.dumps([signature(keys, "image"), values])
    text = base64.urlsafe_b64encode(raw.encode()).decode()
    await _refused(gql.http, IMAGES, {arg: text, **_page_args(arg)}, arg)


@pytest.mark.parametrize("arg", ["after", "before"])
async def test_a_cursor_longer_than_any_real_one_is_refused(gql, arg):
    """Padded with JSON whitespace, the cursor still decodes to plausible values."""
    _, keys = SORTS["default"]
    raw = "[" + " " * 100_000 + json.dumps([signature(keys, "image"), [NOW, ID]])[1:]
    text = base64.urlsafe_b64encode(raw.encode()).decode()
    await _refused(gql.http, IMAGES, {arg: text, **_page_args(arg)}, arg)
    short = base64.urlsafe_b64encode(raw.replace(" ", "").encode()).decode()
    await _accepted(gql.http, IMAGES, {arg: short, **_page_args(arg)})


@pytest.mark.parametrize("arg", ["after", "before"])
async def test_plausible_hand_made_cursors_are_accepted(gql, arg):
    await gql(CREATE_IMAGE, {"input": {"name": "n"}})
    sort_arg, keys = SORTS["min ram"]
    for min_ram in (None, 0, 2**31 - 1, -(2**31)):  # min_ram may be unset: null sorts too
        variables = {arg: cursor(keys, [min_ram, ID]), "sort": sort_arg, **_page_args(arg)}
        await _accepted(gql.http, IMAGES, variables)
    sort_arg, keys = SORTS["default"]
    for moment in ("2026-01-01T00:00:00", "2026-01-01T05:00:00+05:00", "0001-01-01T00:00:00Z"):
        variables = {arg: cursor(keys, [moment, ID]), **_page_args(arg)}
        await _accepted(gql.http, IMAGES, variables)


@pytest.mark.parametrize("arg", ["after", "before"])
async def test_the_longest_real_cursors_still_work(gql, arg):
    """Names of 255 characters that JSON escapes the most: astral ones and control ones."""
    names = ["😀" * 255, "\x01" * 255, "\u2028" * 255]
    for name in names:
        await gql(CREATE_IMAGE, {"input": {"name": name, "version": "1.0.0-" + "a" * 200}})
    for sort in ("name", "version desc"):
        sort_arg, _ = SORTS[sort]
        page = await gql(IMAGES, {"first": 3, "sort": sort_arg})
        cursors = [e["cursor"] for e in page["images"]["edges"]]
        assert len(cursors) == 3
        for position in range(3):
            found = await gql(IMAGES, {arg: cursors[position], "sort": sort_arg, **_page_args(arg)})
            expected = 2 - position if arg == "after" else position
            assert len(found["images"]["edges"]) == expected


async def test_float_keys_take_any_finite_json_number(sample_gql):
    """An integer too big for SQLite's INTEGER is still a float position."""
    await sample_gql(CREATE_SAMPLE, {"input": {"name": "n", "floatField": 1.5}})
    keys = [("float_field", False), ("id", False)]
    sort = [{"field": "FLOAT_FIELD"}]
    for value in (10**30, -(10**30), 1.5, 0, None):
        found = await _accepted(
            sample_gql.http,
            SAMPLES,
            {"after": cursor(keys, [value, ID], "sample_artifact"), "sort": sort},
        )
        expected = 0 if value in (10**30, None) else 1
        assert len(found["sampleArtifacts"]["edges"]) == expected
    for value in (10**400, "1.5", True, [1.5]):
        variables = {"after": cursor(keys, [value, ID], "sample_artifact"), "sort": sort}
        await _refused(sample_gql.http, SAMPLES, variables, "after")


@pytest.mark.parametrize(
    ("field", "key", "value"),
    [
        ("DATETIME_FIELD", "datetime_field", "not a date"),
        ("DATETIME_FIELD", "datetime_field", "2026-01-01\x00"),
        ("DATETIME_FIELD", "datetime_field", 5),
        ("STRING_FIELD", "string_field", "s" * 21),  # the field holds at most 20
        ("STRING_FIELD", "string_field", "s\ud800"),
        ("VERSION_FIELD", "version_field", "v" * 256),
        ("INT_FIELD", "int_field", 2**31),
        ("LONG_FIELD", "long_field", 2**63),
        ("BOOL_FIELD", "bool_field", 1),
    ],
)
async def test_type_field_keys_are_checked_like_their_values(sample_gql, field, key, value):
    await sample_gql(CREATE_SAMPLE, {"input": {"name": "n"}})
    keys = [(key, False), ("id", False)]
    for arg in ("after", "before"):
        variables = {arg: cursor(keys, [value, ID], "sample_artifact"), "sort": [{"field": field}]}
        await _refused(sample_gql.http, SAMPLES, variables, arg)
