"""Coercion of data-field values and the base-field validators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from glaregraph.catalog.basefields import (
    validate_description,
    validate_metadata,
    validate_name,
    validate_tags,
    validate_version,
)
from glaregraph.catalog.errors import BadUserInput
from glaregraph.catalog.typedef.model import FieldDef, Kind, Validators
from glaregraph.catalog.typedef.values import coerce_field_value


def field(kind: Kind, of: Kind | None = None, nullable: bool = True, **rules: Any) -> FieldDef:
    return FieldDef(
        name="f",
        graphql_name="f",
        kind=kind,
        of=of,
        nullable=nullable,
        validators=Validators(**rules),
    )


def coerce(f: FieldDef, value: Any, path: str = "input.f") -> Any:
    return coerce_field_value(f, value, path)


def refused(f: FieldDef, value: Any, path: str = "input.f") -> BadUserInput:
    with pytest.raises(BadUserInput) as info:
        coerce_field_value(f, value, path)
    return info.value


def test_null() -> None:
    assert coerce(field(Kind.STRING), None) is None
    error = refused(field(Kind.STRING, nullable=False), None)
    assert "may not be null" in error.message
    assert error.field == "input.f"
    assert error.extensions() == {"code": "BAD_USER_INPUT", "field": "input.f"}


def test_string_length_counts_code_points() -> None:
    f = field(Kind.STRING, min_length=2, max_length=5)
    assert coerce(f, "abcde") == "abcde"
    assert coerce(f, "🎉🎉🎉🎉🎉") == "🎉🎉🎉🎉🎉"
    assert "at most 5" in refused(f, "abcdef").message
    assert "at least 2" in refused(f, "🎉").message
    assert "expected a string" in refused(f, 12).message


def test_string_rules() -> None:
    assert coerce(field(Kind.TEXT, pattern="[a-z]+"), "abc") == "abc"
    assert "pattern" in refused(field(Kind.STRING, pattern="[a-z]+"), "abc1").message
    assert "pattern" in refused(field(Kind.STRING, pattern="a|ab"), "ab1").message
    allowed = field(Kind.STRING, allowed_values=("raw", "qcow2"))
    assert coerce(allowed, "raw") == "raw"
    assert "one of raw, qcow2" in refused(allowed, "iso").message
    assert "'/'" in refused(field(Kind.STRING, forbidden_chars="/,"), "a/b").message


def test_strings_the_database_cannot_store_are_refused() -> None:
    assert "NUL" in refused(field(Kind.STRING), "a\x00b").message
    assert "surrogate" in refused(field(Kind.STRING), "a\ud800").message


@pytest.mark.parametrize(
    ("kind", "low", "high"),
    [(Kind.INTEGER, -(2**31), 2**31 - 1), (Kind.LONG, -(2**63), 2**63 - 1)],
)
def test_integer_ranges(kind: Kind, low: int, high: int) -> None:
    f = field(kind)
    assert coerce(f, low) == low
    assert coerce(f, high) == high
    assert "between" in refused(f, high + 1).message
    assert "between" in refused(f, low - 1).message
    assert "expected an integer" in refused(f, True).message
    assert "expected an integer" in refused(f, 1.5).message


def test_numeric_min_max_inclusive() -> None:
    f = field(Kind.INTEGER, min=0, max=10)
    assert coerce(f, 0) == 0
    assert coerce(f, 10) == 10
    assert "at least 0" in refused(f, -1).message
    assert "at most 10" in refused(f, 11).message


def test_float() -> None:
    f = field(Kind.FLOAT, min=0.5)
    assert coerce(f, 2) == 2.0
    assert isinstance(coerce(f, 2), float)
    assert coerce(f, 0.5) == 0.5
    assert "at least 0.5" in refused(f, 0.25).message
    for value in (float("nan"), float("inf"), -float("inf")):
        assert "finite" in refused(field(Kind.FLOAT), value).message
    assert "too large" in refused(field(Kind.FLOAT), 10**400).message
    assert "expected a number" in refused(field(Kind.FLOAT), "1.0").message


def test_boolean() -> None:
    assert coerce(field(Kind.BOOLEAN), False) is False
    assert "expected a boolean" in refused(field(Kind.BOOLEAN), 0).message


def test_datetime_is_stored_in_one_fixed_utc_format() -> None:
    f = field(Kind.DATETIME)
    plus_two = timezone(timedelta(hours=2))
    noon_plus_two = datetime(2024, 5, 1, 12, tzinfo=plus_two)
    assert coerce(f, noon_plus_two) == "2024-05-01T10:00:00.000000+00:00"
    assert coerce(f, datetime(2024, 5, 1, 12)) == "2024-05-01T12:00:00.000000+00:00"
    assert coerce(f, "2024-05-01T12:00:00.5Z") == "2024-05-01T12:00:00.500000+00:00"
    assert coerce(f, "0999-01-01T00:00:00+00:00") == "0999-01-01T00:00:00.000000+00:00"
    early, late = coerce(f, datetime(2024, 1, 1, tzinfo=UTC)), coerce(f, "2024-01-01T00:00:01Z")
    assert early < late
    assert "ISO-8601" in refused(f, "yesterday").message
    assert "range" in refused(f, "0001-01-01T00:00:00+05:00").message
    assert "expected a date-time" in refused(f, 1700000000).message


def test_version() -> None:
    f = field(Kind.VERSION)
    assert coerce(f, "1.0") == "1.0.0"
    assert "not a valid version" in refused(f, "one").message
    assert "expected a string" in refused(f, 1.0).message
    assert "one of" in refused(field(Kind.VERSION, allowed_values=("1.0.0",)), "2").message


def test_list() -> None:
    f = field(Kind.LIST, of=Kind.STRING, max_items=3, max_length=3)
    assert coerce(f, ["a", "b", "a"]) == ["a", "b", "a"]
    assert "at most 3 items" in refused(f, ["a"] * 4).message
    error = refused(f, ["a", "b", "long"], path="input.categories")
    assert error.field == "input.categories[2]"
    assert "input.categories[2]" in error.message
    assert refused(f, ["a", None]).field == "input.f[1]"
    assert "expected a list" in refused(f, "a").message


def test_list_unique_items() -> None:
    f = field(Kind.LIST, of=Kind.FLOAT, unique_items=True)
    assert coerce(f, [1, 2.5]) == [1.0, 2.5]
    error = refused(f, [1, 2, 1.0])
    assert error.field == "input.f[2]"
    assert "duplicate" in error.message


def test_dict() -> None:
    f = field(Kind.DICT, of=Kind.INTEGER, max_items=2, min=0)
    assert coerce(f, {"a": 1, "b": 2}) == {"a": 1, "b": 2}
    assert "at most 2 items" in refused(f, {"a": 1, "b": 2, "c": 3}).message
    assert refused(f, {"a": -1}, path="input.counts").field == "input.counts.a"
    assert "1 to 255 characters" in refused(f, {"": 1}).message
    assert "1 to 255 characters" in refused(f, {"k" * 256: 1}).message
    assert coerce(f, {"k" * 255: 1}) == {"k" * 255: 1}
    assert "expected an object" in refused(f, [1]).message
    unique = field(Kind.DICT, of=Kind.STRING, unique_items=True)
    assert refused(unique, {"a": "x", "b": "x"}).field == "input.f.b"


def test_blob_field_is_not_a_data_field() -> None:
    with pytest.raises(ValueError, match="not a data field"):
        coerce(field(Kind.BLOB), "x")


def test_name() -> None:
    assert validate_name(" padded ", "input.name") == " padded "
    assert validate_name("n" * 255, "input.name") == "n" * 255
    for bad in ("", "n" * 256, None):
        with pytest.raises(BadUserInput) as info:
            validate_name(bad, "input.name")
        assert info.value.field == "input.name"


def test_description() -> None:
    assert validate_description(None, "input.description") is None
    assert validate_description("d" * 4096, "input.description") == "d" * 4096
    with pytest.raises(BadUserInput, match="at most 4096"):
        validate_description("d" * 4097, "input.description")


def test_tags() -> None:
    assert validate_tags(["b", "a", "b", "c", "a"], "input.tags") == ["b", "a", "c"]
    assert len(validate_tags([f"t{i}" for i in range(255)] + ["t0"], "input.tags")) == 255
    for bad in ("a,b", "a/b", "", "t" * 256):
        with pytest.raises(BadUserInput) as info:
            validate_tags(["ok", bad], "input.tags")
        assert info.value.field == "input.tags[1]"
    with pytest.raises(BadUserInput, match="at most 255 tags"):
        validate_tags([f"t{i}" for i in range(256)], "input.tags")
    with pytest.raises(BadUserInput, match="expected a list"):
        validate_tags("a", "input.tags")


def test_metadata() -> None:
    assert validate_metadata({"k": "v" * 255}, "input.metadata") == {"k": "v" * 255}
    with pytest.raises(BadUserInput) as info:
        validate_metadata({"k": 1}, "input.metadata")
    assert info.value.field == "input.metadata.k"
    assert "expected a string" in info.value.message
    for bad in ({"k": "v" * 256}, {"": "v"}, {"k" * 256: "v"}, {"k": None}, ["k"]):
        with pytest.raises(BadUserInput):
            validate_metadata(bad, "input.metadata")
    with pytest.raises(BadUserInput, match="at most 255 keys"):
        validate_metadata({f"k{i}": "v" for i in range(256)}, "input.metadata")


def test_base_version() -> None:
    assert validate_version("1.2", "input.version") == "1.2.0"
    for bad in ("", "v1", 1, "1.0.0." + "1" * 300):
        with pytest.raises(BadUserInput) as info:
            validate_version(bad, "input.version")
        assert info.value.field == "input.version"
