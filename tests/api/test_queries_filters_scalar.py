"""Int, Long, Float, DateTime and Boolean filters on the sample type's own fields."""

from __future__ import annotations

import pytest

CREATE = """
mutation($input: SampleArtifactCreateInput!) { sampleArtifactCreate(input: $input) { id } }"""
LIST = """
query($filter: SampleArtifactFilter) {
  sampleArtifacts(filter: $filter, sort: [{field: NAME}]) { totalCount nodes { name } } }"""
BIG = 9_007_199_254_740_993  # beyond 2**53: must not go through a float
ROWS = [
    {
        "name": "a",
        "intField": -5,
        "longField": 1,
        "floatField": -1.5,
        "boolField": True,
        "datetimeField": "2024-01-01T00:00:00+00:00",
    },
    {
        "name": "b",
        "intField": 10,
        "longField": BIG,
        "floatField": 0.25,
        "boolField": False,
        "datetimeField": "2024-06-01T12:00:00+02:00",
    },
    {
        "name": "c",
        "intField": 1000,
        "longField": BIG + 1,
        "floatField": 3.75,
        "boolField": True,
        "datetimeField": "2025-01-01T00:00:00+00:00",
    },
    {"name": "n"},  # every field null
]


@pytest.fixture
async def rows(sample_gql):
    for row in ROWS:
        await sample_gql(CREATE, {"input": row})


async def _names(gql, flt):
    data = await gql(LIST, {"filter": flt})
    names = [n["name"] for n in data["sampleArtifacts"]["nodes"]]
    assert data["sampleArtifacts"]["totalCount"] == len(names)
    return names


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"eq": 10}, ["b"]),
        ({"neq": 10}, ["a", "c", "n"]),
        ({"in": [-5, 1000, 7]}, ["a", "c"]),
        ({"notIn": [-5]}, ["b", "c"]),
        ({"gt": 10}, ["c"]),
        ({"gte": 10}, ["b", "c"]),
        ({"lt": 10}, ["a"]),
        ({"lte": 10}, ["a", "b"]),
        ({"gt": -5, "lt": 1000}, ["b"]),
        ({"isNull": True}, ["n"]),
        ({"isNull": False}, ["a", "b", "c"]),
    ],
)
async def test_int_filter(sample_gql, rows, flt, expected):
    assert await _names(sample_gql, {"intField": flt}) == expected


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"eq": BIG}, ["b"]),
        ({"neq": BIG}, ["a", "c", "n"]),
        ({"in": [1, BIG + 1]}, ["a", "c"]),
        ({"notIn": [BIG]}, ["a", "c"]),
        ({"gt": BIG}, ["c"]),
        ({"gte": BIG}, ["b", "c"]),
        ({"lt": BIG}, ["a"]),
        ({"lte": BIG}, ["a", "b"]),
        ({"isNull": True}, ["n"]),
    ],
)
async def test_long_filter_beyond_double_precision(sample_gql, rows, flt, expected):
    assert await _names(sample_gql, {"longField": flt}) == expected


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"eq": 0.25}, ["b"]),
        ({"neq": 0.25}, ["a", "c", "n"]),
        ({"in": [-1.5, 3.75]}, ["a", "c"]),
        ({"notIn": [3.75]}, ["a", "b"]),
        ({"gt": 0}, ["b", "c"]),
        ({"gte": 0.25}, ["b", "c"]),
        ({"lt": 0.25}, ["a"]),
        ({"lte": 0.25}, ["a", "b"]),
        ({"isNull": False}, ["a", "b", "c"]),
    ],
)
async def test_float_filter(sample_gql, rows, flt, expected):
    assert await _names(sample_gql, {"floatField": flt}) == expected


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"eq": True}, ["a", "c"]),
        ({"eq": False}, ["b"]),
        ({"isNull": True}, ["n"]),
        ({"isNull": False}, ["a", "b", "c"]),
    ],
)
async def test_boolean_filter(sample_gql, rows, flt, expected):
    assert await _names(sample_gql, {"boolField": flt}) == expected


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"eq": "2024-06-01T10:00:00+00:00"}, ["b"]),  # same instant, other offset
        ({"neq": "2024-06-01T10:00:00Z"}, ["a", "c", "n"]),
        ({"in": ["2024-01-01T01:00:00+01:00", "2025-01-01T00:00:00Z"]}, ["a", "c"]),
        ({"notIn": ["2024-01-01T00:00:00Z"]}, ["b", "c"]),
        ({"gt": "2024-06-01T10:00:00Z"}, ["c"]),
        ({"gte": "2024-06-01T10:00:00Z"}, ["b", "c"]),
        ({"lt": "2024-06-01T11:00:00+00:00"}, ["a", "b"]),
        ({"lte": "2024-01-01T00:00:00Z"}, ["a"]),
        ({"isNull": True}, ["n"]),
    ],
)
async def test_datetime_filter_compares_instants(sample_gql, rows, flt, expected):
    assert await _names(sample_gql, {"datetimeField": flt}) == expected


async def test_created_at_filter_uses_the_returned_timestamps(sample_gql):
    first = await sample_gql(
        'mutation { sampleArtifactCreate(input: {name: "first"}) { createdAt } }'
    )
    second = await sample_gql(
        'mutation { sampleArtifactCreate(input: {name: "second"}) { createdAt } }'
    )
    t1 = first["sampleArtifactCreate"]["createdAt"]
    t2 = second["sampleArtifactCreate"]["createdAt"]
    assert await _names(sample_gql, {"createdAt": {"eq": t1}}) == ["first"]
    assert await _names(sample_gql, {"createdAt": {"lte": t2}}) == ["first", "second"]
    assert await _names(sample_gql, {"createdAt": {"gt": t2}}) == []
    assert await _names(sample_gql, {"activatedAt": {"isNull": True}}) == ["first", "second"]


async def test_wrong_scalar_in_filter_variable_is_bad_user_input(sample_gql):
    for flt in (
        {"intField": {"eq": "ten"}},
        {"intField": {"eq": 2**31}},
        {"floatField": {"gt": "x"}},
        {"boolField": {"eq": "yes"}},
        {"datetimeField": {"eq": "not a date"}},
        {"longField": {"eq": 2**64}},
    ):
        ext = await sample_gql.error(LIST, {"filter": flt})
        assert ext["code"] == "BAD_USER_INPUT", flt


async def test_long_value_beyond_double_precision_reads_back_exactly(sample_gql, rows):
    data = await sample_gql(
        "{ sampleArtifacts(sort: [{field: LONG_FIELD}]) { nodes { longField } } }"
    )
    # as decimal strings, which JavaScript reads exactly (a JSON number would lose BIG + 1)
    assert [n["longField"] for n in data["sampleArtifacts"]["nodes"]] == [
        "1",
        str(BIG),
        str(BIG + 1),
        None,
    ]
