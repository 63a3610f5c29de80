"""Reads artifact type definitions (API.md §1–2) from a YAML file or a folder of them, checks
them one by one and as a set (link targets, GraphQL name collisions), and builds the Registry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from glaregraph.catalog.basefields import BASE_FIELD_NAMES
from glaregraph.catalog.errors import TypeDefinitionError
from glaregraph.catalog.typedef.checks import MAX_NAME_LENGTH, Where, build_field, check_name
from glaregraph.catalog.typedef.model import (
    ANY_TYPE,
    FieldDef,
    QuotaDefaults,
    Registry,
    TypeDef,
    to_camel,
    to_pascal,
)

BUNDLED_TYPES_DIR = Path(__file__).parent / "bundled"
TYPE_KEYS = frozenset({"display_name", "plural", "description", "fields", "enabled", "quota"})
QUOTA_KEYS = frozenset({"max_artifacts", "max_bytes"})
# A field may not take the name of a base field, nor of the filter inputs' `and`, `or`, `not`.
_RESERVED_FIELD_NAMES = frozenset(to_camel(n) for n in (*BASE_FIELD_NAMES, "and", "or", "not"))
# Names the schema derives from a type's PascalCase name (API.md §2).
_TYPE_SUFFIXES = (
    "",
    "CreateInput",
    "UpdateInput",
    "Filter",
    "Sort",
    "SortField",
    "Connection",
    "Edge",
)
# Names the fixed part of the schema already uses (API.md §3–§10), and GraphQL's own scalars.
_RESERVED_NAMES = frozenset(
    {
        "Query",
        "Mutation",
        "Subscription",
        "String",
        "Int",
        "Float",
        "Boolean",
        "ID",
        "DateTime",
        "JSON",
        "Long",
        "Artifact",
        "ArtifactLink",
        "ArtifactStatus",
        "ArtifactTypeInfo",
        "FieldInfo",
        "Visibility",
        "Blob",
        "BlobStatus",
        "BlobUpload",
        "PresignedRequest",
        "PresignedPart",
        "Tag",
        "RelatedTag",
        "Quota",
        "QuotaUsage",
        "Lock",
        "Principal",
        "AuditEvent",
        "LineageGraph",
        "LineageNode",
        "LineageEdge",
        "LinkDirection",
        "LineageDirection",
        "LinkEntryInput",
        "PageInfo",
        "artifact",
        "artifacts",
        "artifactType",
        "artifactTypes",
        "tag",
        "tags",
        "quotas",
        "quotaUsage",
        "me",
        "auditEvents",
    }
)


def load_registry(path: str | Path | None = None) -> Registry:
    """The enabled types of `path`, or of the bundled set when `path` is None."""
    return Registry(load_types(BUNDLED_TYPES_DIR if path is None else path))


def load_types(path: str | Path) -> list[TypeDef]:
    """Every type of a YAML file or of a folder's `*.yaml` files (by file name), disabled too.

    Unset validators get defaults: string 255 characters, text 65535 (a bounded JSON document),
    255 items per list/dict/link_list/link_dict/blob_dict, 10 MiB per blob, 2550 MiB per folder.
    """
    types: dict[str, TypeDef] = {}
    for file in _files(Path(path)):
        for typedef in _read_file(file):
            first = types.setdefault(typedef.name, typedef)
            if first is not typedef:
                raise TypeDefinitionError(
                    typedef.source, typedef.name, None, f"type already defined in {first.source}"
                )
    result = list(types.values())
    _check_links(result)
    _check_type_names(result)
    return result


def _files(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    files = sorted(path.glob("*.yaml"))
    if not files:
        raise TypeDefinitionError(str(path), None, None, "the folder holds no *.yaml file")
    return files


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice (PyYAML keeps the last one silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str):
                continue
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _read_file(file: Path) -> list[TypeDef]:
    source = str(file)
    try:
        with file.open(encoding="utf-8") as stream:
            doc = yaml.load(stream, Loader=_UniqueKeyLoader)
    except (OSError, UnicodeDecodeError) as exc:
        raise TypeDefinitionError(source, None, None, f"cannot read the file: {exc}") from exc
    except yaml.YAMLError as exc:
        raise TypeDefinitionError(source, None, None, f"invalid YAML: {exc}") from exc
    if not isinstance(doc, dict) or set(doc) != {"types"} or not isinstance(doc["types"], dict):
        raise TypeDefinitionError(
            source, None, None, "the file must hold one mapping: {types: {<name>: <definition>}}"
        )
    types = doc["types"].items()
    return [_build_type(Where(source, str(name)), name, spec) for name, spec in types]


def _build_type(where: Where, name: Any, spec: Any) -> TypeDef:
    check_name(where, name, "type name", MAX_NAME_LENGTH)
    spec = {} if spec is None else spec
    if not isinstance(spec, dict):
        raise where.error("a type definition must be a mapping")
    unknown = sorted(map(str, set(spec) - TYPE_KEYS))
    if unknown:
        raise where.error(f"unknown key(s): {', '.join(unknown)} (allowed: {sorted(TYPE_KEYS)})")
    fields_spec = spec.get("fields") or {}
    if not isinstance(fields_spec, dict):
        raise where.error("'fields' must be a mapping of field name to options")
    fields = tuple(build_field(where.at(str(n)), n, s) for n, s in fields_spec.items())
    _check_field_names(where, fields)
    default_display = " ".join(part.capitalize() for part in name.split("_") if part)
    return TypeDef(
        name=name,
        graphql_name=to_pascal(name),
        display_name=_text(where, spec, "display_name") or default_display,
        plural=check_name(where, spec.get("plural", name + "s"), "plural"),
        description=_text(where, spec, "description"),
        fields=fields,
        enabled=_flag(where, spec, "enabled"),
        quota=_quota(where, spec.get("quota")),
        source=where.source,
    )


def _check_field_names(where: Where, fields: tuple[FieldDef, ...]) -> None:
    """No two fields, and no field and base field, share a GraphQL name (read or input)."""
    owners: dict[str, str] = {}
    for field in fields:
        for name in dict.fromkeys((field.graphql_name, field.input_name)):
            if name in _RESERVED_FIELD_NAMES:
                raise where.at(field.name).error(f"GraphQL name '{name}' clashes with a base field")
            other = owners.setdefault(name, field.name)
            if other != field.name:
                raise where.at(field.name).error(
                    f"GraphQL name '{name}' clashes with field '{other}'"
                )


def _text(where: Where, spec: dict[str, Any], key: str) -> str | None:
    value = spec.get(key)
    if value is not None and not (isinstance(value, str) and value.strip()):
        raise where.error(f"'{key}' must be a non-empty string")
    return value


def _flag(where: Where, spec: dict[str, Any], key: str) -> bool:
    value = spec.get(key, True)
    if not isinstance(value, bool):
        raise where.error(f"'{key}' must be true or false")
    return value


def _quota(where: Where, value: Any) -> QuotaDefaults:
    if value is None:
        return QuotaDefaults()
    if not isinstance(value, dict) or not QUOTA_KEYS.issuperset(value):
        raise where.error("'quota' must be a mapping with max_artifacts and/or max_bytes")
    for key, limit in value.items():
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < -1:
            raise where.error(f"quota {key} must be an integer ≥ -1 (-1 = unlimited)")
    return QuotaDefaults(**value)


def _check_links(types: list[TypeDef]) -> None:
    by_name = {t.name: t for t in types}
    for source in types:
        for field in source.link_fields:
            if field.to == ANY_TYPE:
                continue
            where = Where(source.source, source.name, field.name)
            target = by_name.get(field.to or "")
            if target is None:
                raise where.error(f"'to: {field.to}' names an unknown type")
            if source.enabled and not target.enabled:
                raise where.error(f"'to: {field.to}' names a disabled type")


def _check_type_names(types: list[TypeDef]) -> None:
    """No two types, and no type and the fixed schema, share a generated GraphQL name."""
    owners: dict[str, str] = {}
    for typedef in types:
        where = Where(typedef.source, typedef.name)
        for name in _claimed_names(where, typedef):
            if name in _RESERVED_NAMES:
                raise where.error(f"GraphQL name '{name}' is already used by the schema")
            other = owners.setdefault(name, typedef.name)
            if other != typedef.name:
                raise where.error(f"GraphQL name '{name}' collides with type '{other}'")


def _claimed_names(where: Where, typedef: TypeDef) -> list[str]:
    one, many = to_camel(typedef.name), to_camel(typedef.plural)
    if one == many:
        raise where.error(f"plural '{typedef.plural}' gives the same query name as the type")
    return [*(typedef.graphql_name + suffix for suffix in _TYPE_SUFFIXES), one, many]
