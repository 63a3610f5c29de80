"""TagFilter, ListFilter, DictFilter (metadata, string and float dicts) and and/or/not."""

from __future__ import annotations

import pytest

CREATE = """
mutation($input: SampleArtifactCreateInput!) { sampleArtifactCreate(input: $input) { id } }"""
LIST = """
query($filter: SampleArtifactFilter) {
  sampleArtifacts(filter: $filter, sort: [{field: NAME}]) { totalCount nodes { name } } }"""
ROWS = [
    {
        "name": "a",
        "tags": ["linux", "x86"],
        "strList": ["red", "green"],
        "intList": [1, 2],
        "metadata": {"os": "linux", "tier": "gold"},
        "strDict": {"k": "v", "ключ": "значение"},
        "floatDict": {"acc": 0.91, "loss": 0.2},
        "intField": 1,
    },
    {
        "name": "b",
        "tags": ["linux", "arm"],
        "strList": ["green", "blue"],
        "intList": [2, 3],
        "metadata": {"os": "bsd"},
        "strDict": {"k": "w"},
        "floatDict": {"acc": 0.5},
        "intField": 2,
    },
    {
        "name": "c",
        "tags": ["windows"],
        "strList": ["blue"],
        "metadata": {"tier": "silver"},
        "floatDict": {"loss": 0.9},
        "intField": 3,
    },
    {"name": "n"},
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
        ({"all": ["linux", "x86"]}, ["a"]),
        ({"all": ["linux"]}, ["a", "b"]),
        ({"any": ["arm", "windows"]}, ["b", "c"]),
        ({"none": ["linux"]}, ["c", "n"]),
        ({"any": ["linux"], "none": ["arm"]}, ["a"]),
        ({"all": ["nope"]}, []),
    ],
)
async def test_tag_filter(sample_gql, rows, flt, expected):
    assert await _names(sample_gql, {"tags": flt}) == expected


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"contains": "green"}, ["a", "b"]),
        ({"containsAny": ["red", "blue"]}, ["a", "b", "c"]),
        ({"containsAll": ["green", "blue"]}, ["b"]),
        ({"containsAll": ["red", "blue"]}, []),
        ({"contains": "gre"}, []),  # items, not substrings
    ],
)
async def test_string_list_filter(sample_gql, rows, flt, expected):
    assert await _names(sample_gql, {"strList": flt}) == expected


async def test_int_list_filter(sample_gql, rows):
    assert await _names(sample_gql, {"intList": {"contains": 2}}) == ["a", "b"]
    assert await _names(sample_gql, {"intList": {"containsAll": [2, 3]}}) == ["b"]
    assert await _names(sample_gql, {"intList": {"containsAny": [1, 9]}}) == ["a"]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"hasKey": "tier"}, ["a", "c"]),
        ({"hasAnyKey": ["os", "nope"]}, ["a", "b"]),
        ({"entries": [{"key": "os", "value": {"eq": "linux"}}]}, ["a"]),
        ({"entries": [{"key": "os", "value": {"neq": "linux"}}]}, ["b", "c", "n"]),
        ({"entries": [{"key": "os", "value": {"in": ["bsd", "linux"]}}]}, ["a", "b"]),
        ({"entries": [{"key": "tier", "value": {"like": "s%"}}]}, ["c"]),
        (
            {
                "entries": [
                    {"key": "os", "value": {"eq": "linux"}},
                    {"key": "tier", "value": {"eq": "gold"}},
                ]
            },
            ["a"],
        ),
        ({"entries": [{"key": "os", "value": {"isNull": True}}]}, ["c", "n"]),
    ],
)
async def test_metadata_dict_filter(sample_gql, rows, flt, expected):
    assert await _names(sample_gql, {"metadata": flt}) == expected


async def test_string_dict_filter_with_unicode_keys_and_values(sample_gql, rows):
    flt = {"entries": [{"key": "ключ", "value": {"eq": "значение"}}]}
    assert await _names(sample_gql, {"strDict": flt}) == ["a"]
    assert await _names(sample_gql, {"strDict": {"hasKey": "ключ"}}) == ["a"]
    assert await _names(sample_gql, {"strDict": {"hasKey": "k"}}) == ["a", "b"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"gt": 0.6}, ["a"]),
        ({"gte": 0.5}, ["a", "b"]),
        ({"lt": 0.6}, ["b"]),
        ({"eq": 0.5}, ["b"]),
        ({"isNull": True}, ["c", "n"]),
    ],
)
async def test_float_dict_filter_compares_numbers(sample_gql, rows, value, expected):
    flt = {"entries": [{"key": "acc", "value": value}]}
    assert await _names(sample_gql, {"floatDict": flt}) == expected


async def test_float_dict_key_filters(sample_gql, rows):
    assert await _names(sample_gql, {"floatDict": {"hasKey": "loss"}}) == ["a", "c"]
    assert await _names(sample_gql, {"floatDict": {"hasAnyKey": ["acc", "x"]}}) == ["a", "b"]


async def test_float_dict_entry_number_order_not_text_order(sample_gql):
    for name, acc in (("ten", 10.0), ("nine", 9.0), ("tiny", 0.05)):
        await sample_gql(CREATE, {"input": {"name": name, "floatDict": {"acc": acc}}})
    flt = {"entries": [{"key": "acc", "value": {"gt": 2}}]}
    assert await _names(sample_gql, {"floatDict": flt}) == ["nine", "ten"]


async def test_and_or_not(sample_gql, rows):
    linux = {"tags": {"any": ["linux"]}}
    gold = {"metadata": {"entries": [{"key": "tier", "value": {"eq": "gold"}}]}}
    assert await _names(sample_gql, {"and": [linux, {"intField": {"gt": 1}}]}) == ["b"]
    assert await _names(sample_gql, {"or": [gold, {"intField": {"eq": 3}}]}) == ["a", "c"]
    assert await _names(sample_gql, {"not": linux}) == ["c", "n"]
    assert await _names(sample_gql, {"not": {"or": [linux, {"name": {"eq": "n"}}]}}) == ["c"]
    nested = {"or": [{"and": [linux, {"not": gold}]}, {"name": {"eq": "n"}}]}
    assert await _names(sample_gql, nested) == ["b", "n"]


async def test_top_level_fields_and_combinators_all_hold(sample_gql, rows):
    flt = {"tags": {"any": ["linux"]}, "or": [{"name": {"eq": "b"}}, {"name": {"eq": "c"}}]}
    assert await _names(sample_gql, flt) == ["b"]


async def test_empty_and_list_matches_everything(sample_gql, rows):
    assert await _names(sample_gql, {"and": []}) == ["a", "b", "c", "n"]


async def test_unicode_tag_filter(sample_gql):
    await sample_gql(CREATE, {"input": {"name": "u", "tags": ["données", "🚀"]}})
    await sample_gql(CREATE, {"input": {"name": "v", "tags": ["donnees"]}})
    assert await _names(sample_gql, {"tags": {"all": ["données", "🚀"]}}) == ["u"]
    assert await _names(sample_gql, {"tags": {"none": ["🚀"]}}) == ["v"]


@pytest.mark.parametrize(
    "inner",
    [
        {"metadata": {"entries": [{"key": "tier", "value": {"eq": "gold"}}]}},
        {"intField": {"eq": 1}},
        {"strList": {"contains": "red"}},
        {"floatDict": {"entries": [{"key": "loss", "value": {"lt": 0.5}}]}},
    ],
)
async def test_not_is_the_complement_even_where_values_are_missing(sample_gql, rows, inner):
    assert await _names(sample_gql, {"not": inner}) == ["b", "c", "n"]
