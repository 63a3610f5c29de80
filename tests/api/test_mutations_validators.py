"""Validators of type fields on create and update, through sample_artifact (API.md §1, §9): each
rejected value is BAD_USER_INPUT with `field` naming the input path."""

import pytest

CREATE = """
mutation($input: SampleArtifactCreateInput!) {
  sampleArtifactCreate(input: $input) {
    id stringField intField longField floatField boolField datetimeField versionField choice code
    strList intList strDict floatDict
  }
}"""
UPDATE = """
mutation($id: ID!, $input: SampleArtifactUpdateInput!) {
  sampleArtifactUpdate(id: $id, input: $input) { id stringField intField revision }
}"""


async def create(gql, **fields):
    return (await gql(CREATE, {"input": {"name": "s", **fields}}))["sampleArtifactCreate"]


async def create_error(gql, **fields):
    return await gql.error(CREATE, {"input": {"name": "s", **fields}})


ACCEPTED = [
    ("stringField", "s" * 20),
    ("code", "ABC-12"),
    ("choice", "green"),
    ("intField", -5),
    ("intField", 1000),
    ("longField", 2**63 - 1),
    ("longField", -(2**63)),
    ("floatField", 2.5),
    ("boolField", False),
    ("strList", ["a", "b", "c", "d", "e"]),
    ("intList", [3, 1, 3]),
    ("strDict", {"a": "x", "b": ""}),
    ("floatDict", {"a": 1.5, "b": -2.25}),
]


@pytest.mark.parametrize(("field", "value"), ACCEPTED)
async def test_valid_value_is_stored_and_returned(sample_gql, field, value):
    expected = str(value) if field == "longField" else value  # Long reads as a decimal string
    assert (await create(sample_gql, **{field: value}))[field] == expected


REJECTED = [
    ("stringField", "s" * 21),  # max_length 20
    ("code", "abc-12"),  # pattern
    ("code", "xABC-12"),  # pattern must match the whole string, not a part
    ("code", "ABC-12x"),
    ("code", "ABC-1/2"),  # forbidden_chars
    ("choice", "purple"),  # allowed_values
    ("choice", "Red"),
    ("intField", -6),  # min
    ("intField", 1001),  # max
    ("intField", 2**31),  # beyond GraphQL Int
    ("intField", 1.5),
    ("longField", 2**63),  # beyond 64 bits
    ("longField", -(2**63) - 1),
    ("floatField", "fast"),
    ("versionField", "not-a-version"),
    ("datetimeField", "yesterday"),
    ("strList", ["a", "b", "c", "d", "e", "f"]),  # max_items 5
    ("strList", ["a", "b", "a"]),  # unique_items
    ("intList", [1, 2**31]),
    ("strDict", {"a": 1}),  # dict of string
    ("strDict", ["a"]),
    ("floatDict", {"a": "x"}),  # dict of float
    ("floatDict", {"a": None}),
]


@pytest.mark.parametrize(("field", "value"), REJECTED)
async def test_invalid_value_is_bad_user_input_naming_the_field(sample_gql, field, value):
    error = await create_error(sample_gql, **{field: value})
    assert error["code"] == "BAD_USER_INPUT"
    assert error["field"].startswith(f"input.{field}"), error


async def test_int_field_beyond_32_bits_names_the_field_exactly(sample_gql):
    error = await create_error(sample_gql, intField=2**31)
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "input.intField")


async def test_string_field_too_long_names_the_field_exactly(sample_gql):
    error = await create_error(sample_gql, stringField="s" * 21)
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "input.stringField")


async def test_float_dict_accepts_integers_as_floats(sample_gql):
    created = await create(sample_gql, floatDict={"a": 2})
    assert created["floatDict"] == {"a": 2.0}


async def test_version_field_is_normalised(sample_gql):
    assert (await create(sample_gql, versionField="1.2"))["versionField"] == "1.2.0"


async def test_datetime_field_round_trips(sample_gql):
    created = await create(sample_gql, datetimeField="2024-05-06T07:08:09+00:00")
    assert created["datetimeField"].startswith("2024-05-06T07:08:09")


async def test_max_length_counts_characters(sample_gql):
    assert (await create(sample_gql, stringField="🙂" * 20))["stringField"] == "🙂" * 20


async def test_validators_apply_on_update(sample_gql):
    sample = await create(sample_gql)
    error = await sample_gql.error(UPDATE, {"id": sample["id"], "input": {"intField": 1001}})
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "input.intField")
    error = await sample_gql.error(UPDATE, {"id": sample["id"], "input": {"stringField": "s" * 21}})
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "input.stringField")


async def test_valid_update_of_a_validated_field_is_stored(sample_gql):
    sample = await create(sample_gql)
    data = await sample_gql(UPDATE, {"id": sample["id"], "input": {"intField": 7}})
    assert (data["sampleArtifactUpdate"]["intField"], data["sampleArtifactUpdate"]["revision"]) == (
        7,
        2,
    )
