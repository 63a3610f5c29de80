"""The SDL of the test type set is committed: any schema change shows up as a reviewed diff."""

from pathlib import Path

from glaregraph.catalog.typedef.loader import load_registry
from glaregraph.schema.build import build_schema, print_sdl

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_sdl_matches_committed_file():
    printed = print_sdl(build_schema(load_registry(FIXTURES / "types")))
    committed = (FIXTURES / "schema.graphql").read_text(encoding="utf-8")
    assert printed == committed, "schema changed: run `make schema` and review the diff"


def test_every_type_field_and_argument_has_a_description():
    schema = build_schema(load_registry())._schema
    missing = []
    for name, named in schema.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        if not named.description:
            missing.append(name)
        for field_name, field in (getattr(named, "fields", None) or {}).items():
            if not field.description:
                missing.append(f"{name}.{field_name}")
            for arg_name, arg in (getattr(field, "args", None) or {}).items():
                if not arg.description:
                    missing.append(f"{name}.{field_name}({arg_name})")
        for value_name, value in (getattr(named, "values", None) or {}).items():
            if not value.description:
                missing.append(f"{name}.{value_name}")
    assert missing == []
