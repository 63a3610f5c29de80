"""Type definition loading: the bundled set, the defaults, and every definition check."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from glaregraph.catalog.errors import TypeDefinitionError
from glaregraph.catalog.typedef.loader import BUNDLED_TYPES_DIR, load_registry, load_types
from glaregraph.catalog.typedef.model import FieldDef, Kind, to_camel, to_pascal

BUNDLED_FIELDS = {
    "image": [
        "container_format",
        "disk_format",
        "min_ram",
        "min_disk",
        "image",
        "kernel",
        "ramdisk",
        "instance_uuid",
        "architecture",
        "os_distro",
        "os_version",
    ],
    "heat_template": ["template", "nested_templates", "environments", "default_envs"],
    "heat_environment": ["environment"],
    "tosca_template": ["template_format", "template"],
    "murano_package": [
        "package",
        "type",
        "display_name",
        "categories",
        "class_definitions",
        "inherits",
        "keywords",
        "dependencies",
    ],
    "secret": ["payload", "secret_type", "algorithm", "bit_length", "mode"],
    "dataset": ["format", "license", "source_url", "rows", "files"],
    "model": ["framework", "task", "metrics", "weights", "datasets", "base_model"],
}


def write(path: Path, body: str) -> Path:
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def load_one(tmp_path: Path, fields: str) -> dict[str, FieldDef]:
    body = "types:\n  t:\n    fields:\n" + textwrap.indent(textwrap.dedent(fields), " " * 6)
    types = load_types(write(tmp_path / "one.yaml", body))
    return {f.name: f for f in types[0].fields}


def test_bundled_set_loads_with_the_disabled_secret() -> None:
    types = {t.name: t for t in load_types(BUNDLED_TYPES_DIR)}
    assert {name: [f.name for f in t.fields] for name, t in types.items()} == BUNDLED_FIELDS
    assert not types["secret"].enabled
    registry = load_registry()
    assert len(registry) == 7
    assert "secret" not in registry
    assert all(t.description and t.display_name for t in types.values())
    assert all(f.description for t in types.values() for f in t.fields)


def test_bundled_types_follow_the_table() -> None:
    fields = {(t.name, f.name): f for t in load_types(BUNDLED_TYPES_DIR) for f in t.fields}
    disk = fields["image", "disk_format"]
    assert disk.sortable
    assert disk.required_on_activate
    assert disk.validators.allowed_values is not None
    assert "ploop" in disk.validators.allowed_values
    assert fields["image", "kernel"].to == "image"
    assert fields["image", "image"].validators.max_size == 1000 * 2**30
    assert fields["image", "min_ram"].default == 0
    assert fields["image", "min_disk"].sortable
    assert fields["image", "os_distro"].mutable
    assert fields["murano_package", "type"].default == "Application"
    assert fields["murano_package", "dependencies"].kind is Kind.LINK_LIST
    assert fields["heat_template", "environments"].to == "heat_environment"
    assert fields["model", "metrics"].of is Kind.FLOAT
    assert fields["model", "metrics"].mutable
    assert fields["model", "datasets"].to == "dataset"
    assert fields["dataset", "rows"].sortable
    assert fields["secret", "bit_length"].validators.min == 1
    sortable = {key for key, f in fields.items() if f.sortable}
    assert {k for k in sortable if k[0] == "model"} == {("model", "framework"), ("model", "task")}


def test_names_and_defaults(tmp_path: Path) -> None:
    fields = load_one(
        tmp_path,
        """\
        s: {kind: string}
        txt: {kind: text}
        tags_list: {kind: list, of: string}
        counts: {kind: dict, of: integer}
        file: {kind: blob}
        folder: {kind: blob_dict}
        disk_format: {kind: string, default: raw, required_on_activate: true}
        other: {kind: link, to: t}
    """,
    )
    assert fields["s"].validators.max_length == 255
    assert fields["s"].filterable
    assert not fields["s"].sortable
    assert fields["s"].nullable
    assert not fields["s"].has_default
    assert fields["txt"].validators.max_length == 65535
    assert fields["tags_list"].validators.max_items == 255
    assert fields["tags_list"].validators.max_length == 255
    assert fields["counts"].validators.max_items == 255
    assert fields["counts"].filterable
    assert fields["file"].validators.max_size == 10 * 2**20
    assert not fields["file"].filterable
    assert fields["folder"].validators.max_folder_size == 2550 * 2**20
    assert fields["disk_format"].graphql_name == "diskFormat"
    assert fields["disk_format"].has_default
    assert fields["disk_format"].default == "raw"
    assert not fields["other"].filterable
    assert fields["other"].input_name == "otherId"


def test_type_level_defaults(tmp_path: Path) -> None:
    [t] = load_types(write(tmp_path / "ht.yaml", "types:\n  heat_template: {}\n"))
    assert (t.graphql_name, t.display_name, t.plural) == (
        "HeatTemplate",
        "Heat Template",
        "heat_templates",
    )
    assert t.enabled
    assert t.quota.max_artifacts == -1
    assert t.source == str(tmp_path / "ht.yaml")


def test_camel_and_pascal() -> None:
    assert to_camel("disk_format") == "diskFormat"
    assert to_camel("a") == "a"
    assert to_pascal("heat_template") == "HeatTemplate"


def test_folder_of_two_files(tmp_path: Path) -> None:
    write(tmp_path / "b.yaml", "types:\n  b:\n    fields:\n      a: {kind: link, to: a}\n")
    write(tmp_path / "a.yaml", "types:\n  a:\n    quota: {max_artifacts: 5, max_bytes: -1}\n")
    write(tmp_path / "notes.txt", "not a type file")
    types = load_types(str(tmp_path))
    assert [t.name for t in types] == ["a", "b"]
    assert types[0].quota.max_artifacts == 5


def test_type_defined_twice_across_files(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "types:\n  same: {}\n")
    write(tmp_path / "b.yaml", "types:\n  same: {}\n")
    with pytest.raises(TypeDefinitionError, match=r"b\.yaml: type 'same'.*already defined"):
        load_types(tmp_path)


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(TypeDefinitionError, match=r"no \*\.yaml"):
        load_types(tmp_path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TypeDefinitionError, match="cannot read"):
        load_types(tmp_path / "absent.yaml")


FILE_ERRORS = {
    "yaml_syntax": ("types: [unclosed", "invalid YAML"),
    "top_not_types": ("kinds: {}\n", "types:"),
    "types_not_mapping": ("types: [a, b]\n", "types:"),
    "empty_file": ("", "types:"),
    "duplicate_key": ("types:\n  a: {}\n  a: {}\n", "given twice"),
}


@pytest.mark.parametrize(("body", "problem"), FILE_ERRORS.values(), ids=FILE_ERRORS.keys())
def test_file_level_errors(tmp_path: Path, body: str, problem: str) -> None:
    path = write(tmp_path / "broken_file.yaml", body)
    with pytest.raises(TypeDefinitionError, match=r"broken_file\.yaml") as info:
        load_types(path)
    assert problem in str(info.value)


# (types: body, type named in the message, field named in it, words of the problem)
DEFINITION_ERRORS = {
    "bad_type_name": ("Bad-Name: {}", "Bad-Name", None, "snake_case"),
    "type_not_mapping": ("t: [1]", "t", None, "mapping"),
    "unknown_type_key": ("t: {colour: red}", "t", None, "unknown key"),
    "display_name_not_text": ("t: {display_name: 3}", "t", None, "display_name"),
    "bad_plural": ("t: {plural: Ts}", "t", None, "plural"),
    "enabled_not_bool": ("t: {enabled: maybe}", "t", None, "enabled"),
    "fields_not_mapping": ("t: {fields: [a]}", "t", None, "fields"),
    "quota_below_minus_one": ("t: {quota: {max_artifacts: -2}}", "t", None, "quota"),
    "quota_not_int": ("t: {quota: {max_bytes: 1.5}}", "t", None, "quota"),
    "quota_bool": ("t: {quota: {max_bytes: true}}", "t", None, "quota"),
    "quota_unknown_key": ("t: {quota: {max_files: 1}}", "t", None, "quota"),
    "field_not_mapping": ("t: {fields: {f: string}}", "t", "f", "mapping"),
    "unknown_option": ("t: {fields: {f: {kind: string, colour: 1}}}", "t", "f", "unknown option"),
    "missing_kind": ("t: {fields: {f: {mutable: true}}}", "t", "f", "'kind' is required"),
    "unknown_kind": ("t: {fields: {f: {kind: strng}}}", "t", "f", "unknown kind"),
    "list_without_of": ("t: {fields: {f: {kind: list}}}", "t", "f", "needs 'of'"),
    "dict_without_of": ("t: {fields: {f: {kind: dict}}}", "t", "f", "needs 'of'"),
    "list_of_text": ("t: {fields: {f: {kind: list, of: text}}}", "t", "f", "may not hold"),
    "dict_of_blob": ("t: {fields: {f: {kind: dict, of: blob}}}", "t", "f", "may not hold"),
    "list_of_unknown": ("t: {fields: {f: {kind: list, of: thing}}}", "t", "f", "unknown 'of'"),
    "of_on_scalar": ("t: {fields: {f: {kind: string, of: string}}}", "t", "f", "'of' applies"),
    "link_without_to": ("t: {fields: {f: {kind: link}}}", "t", "f", "needs 'to'"),
    "link_list_without_to": ("t: {fields: {f: {kind: link_list}}}", "t", "f", "needs 'to'"),
    "to_on_scalar": ("t: {fields: {f: {kind: string, to: t}}}", "t", "f", "'to' applies"),
    "link_to_unknown": ("t: {fields: {f: {kind: link, to: nowhere}}}", "t", "f", "unknown type"),
    "link_to_disabled": (
        "d: {enabled: false}\nt: {fields: {f: {kind: link_dict, to: d}}}",
        "t",
        "f",
        "disabled type",
    ),
    "field_name_camel": (
        "t: {fields: {diskFormat: {kind: string}}}",
        "t",
        "diskFormat",
        "snake_case",
    ),
    "field_name_digit": ("t: {fields: {1st: {kind: string}}}", "t", "1st", "snake_case"),
    "base_field": ("t: {fields: {name: {kind: string}}}", "t", "name", "base field"),
    "field_name_double_underscore": (
        "t: {fields: {type__name: {kind: string}}}",
        "t",
        "type__name",
        "snake_case",
    ),
    "base_field_link": (
        "t: {fields: {derived_from: {kind: link_list, to: t}}}",
        "t",
        "derived_from",
        "base field",
    ),
    "filter_word": ("t: {fields: {not: {kind: boolean}}}", "t", "not", "base field"),
    "link_input_clash": (
        "t: {fields: {kernel: {kind: link, to: t}, kernel_id: {kind: string}}}",
        "t",
        "kernel_id",
        "clashes with field 'kernel'",
    ),
    "link_list_input_clash": (
        "t: {fields: {deps_ids: {kind: string}, deps: {kind: link_list, to: t}}}",
        "t",
        "deps",
        "clashes with field 'deps_ids'",
    ),
    "camel_clash": (
        "t: {fields: {a1: {kind: string}, a_1: {kind: string}}}",
        "t",
        "a_1",
        "clashes with field 'a1'",
    ),
    "sortable_list": (
        "t: {fields: {f: {kind: list, of: string, sortable: true}}}",
        "t",
        "f",
        "sortable",
    ),
    "sortable_text": ("t: {fields: {f: {kind: text, sortable: true}}}", "t", "f", "sortable"),
    "sortable_link": (
        "t: {fields: {f: {kind: link, to: t, sortable: true}}}",
        "t",
        "f",
        "sortable",
    ),
    "filterable_blob": ("t: {fields: {f: {kind: blob, filterable: true}}}", "t", "f", "filterable"),
    "filterable_link": (
        "t: {fields: {f: {kind: link, to: t, filterable: true}}}",
        "t",
        "f",
        "filterable",
    ),
    "flag_not_bool": ("t: {fields: {f: {kind: string, mutable: 'yes'}}}", "t", "f", "mutable"),
    "description_not_text": (
        "t: {fields: {f: {kind: string, description: 5}}}",
        "t",
        "f",
        "description",
    ),
    "length_on_integer": (
        "t: {fields: {f: {kind: integer, max_length: 3}}}",
        "t",
        "f",
        "'max_length' does not apply",
    ),
    "pattern_on_list_of_int": (
        "t: {fields: {f: {kind: list, of: integer, pattern: x}}}",
        "t",
        "f",
        "'pattern' does not apply",
    ),
    "min_on_string": ("t: {fields: {f: {kind: string, min: 1}}}", "t", "f", "'min' does not"),
    "max_on_dict_of_string": (
        "t: {fields: {f: {kind: dict, of: string, max: 1}}}",
        "t",
        "f",
        "'max' does not",
    ),
    "max_items_on_string": (
        "t: {fields: {f: {kind: string, max_items: 1}}}",
        "t",
        "f",
        "'max_items' does not",
    ),
    "unique_on_blob": (
        "t: {fields: {f: {kind: blob, unique_items: true}}}",
        "t",
        "f",
        "'unique_items' does not",
    ),
    "max_size_on_link": (
        "t: {fields: {f: {kind: link, to: t, max_size: 1}}}",
        "t",
        "f",
        "'max_size' does not",
    ),
    "folder_size_on_blob": (
        "t: {fields: {f: {kind: blob, max_folder_size: 1}}}",
        "t",
        "f",
        "'max_folder_size' does not",
    ),
    "allowed_on_boolean": (
        "t: {fields: {f: {kind: boolean, allowed_values: [true]}}}",
        "t",
        "f",
        "'allowed_values' does not",
    ),
    "negative_length": (
        "t: {fields: {f: {kind: string, max_length: -1}}}",
        "t",
        "f",
        "non-negative",
    ),
    "negative_size": ("t: {fields: {f: {kind: blob, max_size: -5}}}", "t", "f", "non-negative"),
    "length_not_int": (
        "t: {fields: {f: {kind: string, max_length: 2.5}}}",
        "t",
        "f",
        "non-negative integer",
    ),
    "min_not_number": ("t: {fields: {f: {kind: float, min: low}}}", "t", "f", "finite number"),
    "min_nan": ("t: {fields: {f: {kind: float, min: .nan}}}", "t", "f", "finite number"),
    "min_above_max": (
        "t: {fields: {f: {kind: integer, min: 5, max: 1}}}",
        "t",
        "f",
        "min (5) is greater than max (1)",
    ),
    "min_length_above_max": (
        "t: {fields: {f: {kind: text, min_length: 9, max_length: 3}}}",
        "t",
        "f",
        "min_length (9) is greater",
    ),
    "min_length_above_default": (
        "t: {fields: {f: {kind: string, min_length: 300}}}",
        "t",
        "f",
        "max_length (255)",
    ),
    "size_above_folder": (
        "t: {fields: {f: {kind: blob_dict, max_size: 9, max_folder_size: 1}}}",
        "t",
        "f",
        "max_size (9) is greater",
    ),
    "bad_pattern": (
        "t: {fields: {f: {kind: string, pattern: '[a-'}}}",
        "t",
        "f",
        "invalid pattern",
    ),
    "allowed_not_list": (
        "t: {fields: {f: {kind: string, allowed_values: raw}}}",
        "t",
        "f",
        "allowed_values",
    ),
    "allowed_empty": (
        "t: {fields: {f: {kind: string, allowed_values: []}}}",
        "t",
        "f",
        "allowed_values",
    ),
    "allowed_too_long": (
        "t: {fields: {f: {kind: string, max_length: 2, allowed_values: [abc]}}}",
        "t",
        "f",
        "allowed_values[0]",
    ),
    "allowed_not_string": (
        "t: {fields: {f: {kind: string, allowed_values: [1]}}}",
        "t",
        "f",
        "expected a string",
    ),
    "forbidden_not_string": (
        "t: {fields: {f: {kind: string, forbidden_chars: [1]}}}",
        "t",
        "f",
        "forbidden_chars",
    ),
    "default_on_blob": ("t: {fields: {f: {kind: blob, default: x}}}", "t", "f", "no default"),
    "default_on_link": (
        "t: {fields: {f: {kind: link, to: t, default: x}}}",
        "t",
        "f",
        "no default",
    ),
    "default_too_long": (
        "t: {fields: {f: {kind: string, max_length: 3, default: long}}}",
        "t",
        "f",
        "invalid default",
    ),
    "default_wrong_type": (
        "t: {fields: {f: {kind: integer, default: x}}}",
        "t",
        "f",
        "expected an integer",
    ),
    "default_not_allowed": (
        "t: {fields: {f: {kind: string, allowed_values: [a], default: b}}}",
        "t",
        "f",
        "must be one of",
    ),
    "default_null_not_nullable": (
        "t: {fields: {f: {kind: string, nullable: false, default: null}}}",
        "t",
        "f",
        "may not be null",
    ),
    "default_pattern": (
        "t: {fields: {f: {kind: string, pattern: '[a-z]+', default: A1}}}",
        "t",
        "f",
        "pattern",
    ),
    "default_list_item": (
        "t: {fields: {f: {kind: list, of: integer, max: 5, default: [1, 9]}}}",
        "t",
        "f",
        "default[1]",
    ),
    "default_version": (
        "t: {fields: {f: {kind: version, default: 'v1'}}}",
        "t",
        "f",
        "not a valid version",
    ),
    "default_int32": (
        "t: {fields: {f: {kind: integer, default: 2147483648}}}",
        "t",
        "f",
        "between",
    ),
    "plural_is_name": ("sheep: {plural: sheep}", "sheep", None, "same query name"),
    "plural_is_other_name": ("image: {}\nimages: {}", "images", None, "collides with type"),
    "pascal_collision": ("a1: {}\na_1: {}", "a_1", None, "'A1' collides"),
    "generated_name_collision": (
        "image: {}\nimage_filter: {}",
        "image_filter",
        None,
        "'ImageFilter' collides",
    ),
    "reserved_type_name": ("tag: {}", "tag", None, "already used by the schema"),
    "reserved_scalar": ("string: {}", "string", None, "'String' is already used"),
}


@pytest.mark.parametrize(
    ("body", "type_name", "field", "problem"),
    DEFINITION_ERRORS.values(),
    ids=DEFINITION_ERRORS.keys(),
)
def test_definition_errors(
    tmp_path: Path, body: str, type_name: str, field: str | None, problem: str
) -> None:
    path = write(tmp_path / "bad_types.yaml", "types:\n" + textwrap.indent(body, "  ") + "\n")
    with pytest.raises(TypeDefinitionError) as info:
        load_types(path)
    message = str(info.value)
    assert "bad_types.yaml" in message
    assert f"type '{type_name}'" in message
    if field is not None:
        assert f"field '{field}'" in message
    assert problem in message
    assert (info.value.type_name, info.value.field) == (type_name, field)


def test_required_on_activate_with_a_default_is_allowed(tmp_path: Path) -> None:
    fields = load_one(tmp_path, "f: {kind: integer, default: 1, required_on_activate: true}\n")
    assert fields["f"].default == 1
    assert fields["f"].required_on_activate


def test_defaults_are_stored_normalised(tmp_path: Path) -> None:
    fields = load_one(
        tmp_path,
        """\
        v: {kind: version, default: '1.2'}
        at: {kind: datetime, default: '2024-05-01T12:00:00+02:00'}
        ratio: {kind: float, default: 1}
        fmt: {kind: version, allowed_values: ['1', '2.0']}
    """,
    )
    assert fields["v"].default == "1.2.0"
    assert fields["at"].default == "2024-05-01T10:00:00.000000+00:00"
    assert fields["ratio"].default == 1.0
    assert isinstance(fields["ratio"].default, float)
    assert fields["fmt"].validators.allowed_values == ("1.0.0", "2.0.0")


def test_disabled_type_may_link_to_a_disabled_type(tmp_path: Path) -> None:
    body = "types:\n  a: {enabled: false, fields: {f: {kind: link, to: a}}}\n"
    [a] = load_types(write(tmp_path / "a.yaml", body))
    assert not a.enabled
    assert not load_registry(tmp_path / "a.yaml")


def test_link_to_any_type(tmp_path: Path) -> None:
    fields = load_one(tmp_path, "f: {kind: link_list, to: '*'}\n")
    assert fields["f"].to == "*"
    assert fields["f"].input_name == "fIds"
