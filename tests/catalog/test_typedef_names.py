"""Type and field names: what the columns hold (64 characters) and what maps to one GraphQL and
one Python name (no `__`, no trailing `_`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from glaregraph.catalog.errors import TypeDefinitionError
from glaregraph.catalog.typedef.loader import load_types

LONGEST = "a" + "_b" * 31 + "c"  # 64 characters


def _load(tmp_path: Path, type_name: str, field_name: str = "f") -> None:
    body = f"types:\n  {type_name}:\n    fields:\n      {field_name}: {{kind: string}}\n"
    path = tmp_path / "names.yaml"
    path.write_text(body, encoding="utf-8")
    load_types(path)


def test_names_of_64_characters_load(tmp_path: Path) -> None:
    assert len(LONGEST) == 64
    _load(tmp_path, LONGEST, LONGEST)
    _load(tmp_path, "t_1", "a_1b2")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        (LONGEST + "d", "longer than 64 characters"),
        ("t_", "snake_case"),
        ("a__b", "snake_case"),
        ("_t", "snake_case"),
    ],
    ids=["65 characters", "trailing underscore", "double underscore", "leading underscore"],
)
def test_bad_type_names(tmp_path: Path, name: str, problem: str) -> None:
    with pytest.raises(TypeDefinitionError, match=problem) as info:
        _load(tmp_path, name)
    assert (info.value.type_name, info.value.field) == (name, None)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        (LONGEST + "d", "longer than 64 characters"),
        ("from_", "snake_case"),
        ("disk__format", "snake_case"),
    ],
    ids=["65 characters", "trailing underscore", "double underscore"],
)
def test_bad_field_names(tmp_path: Path, name: str, problem: str) -> None:
    with pytest.raises(TypeDefinitionError, match=problem) as info:
        _load(tmp_path, "t", name)
    assert (info.value.type_name, info.value.field) == ("t", name)


def test_plural_may_be_one_longer_than_the_type_name(tmp_path: Path) -> None:
    _load(tmp_path, "a" * 64)  # the default plural has 65 characters and is never stored
