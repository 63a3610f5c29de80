"""Turning validated input into the stored form: base columns, the `data` document, link entries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from glaregraph.catalog import basefields
from glaregraph.catalog.query.columns import version_key_name
from glaregraph.catalog.typedef.model import Kind, TypeDef
from glaregraph.catalog.typedef.values import coerce_field_value
from glaregraph.catalog.versions import version_key

BASE_INPUTS = ("name", "version", "description", "tags", "metadata", "derived_from_ids")


def input_path(t: TypeDef, key: str) -> str:
    """The GraphQL input path of an input key, for `extensions.field`."""
    f = t.field(key)
    if f is None:
        return "input." + {"derived_from_ids": "derivedFromIds"}.get(key, key)
    suffix = {Kind.LINK: "Id", Kind.LINK_LIST: "Ids"}.get(f.kind, "")
    return f"input.{f.graphql_name}{suffix}"


def base_columns(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validated column values for the base fields present in `values`."""
    out: dict[str, Any] = {}
    if "name" in values:
        out["name"] = basefields.validate_name(values["name"], "input.name")
    if "version" in values:
        version = values["version"]
        normalized = basefields.validate_version(
            "0.0.0" if version is None else version, "input.version"
        )
        out["version"], out["version_key"] = normalized, version_key(normalized)
    if "description" in values:
        out["description"] = basefields.validate_description(
            values["description"], "input.description"
        )
    if "metadata" in values:
        out["meta"] = basefields.validate_metadata(values["metadata"] or {}, "input.metadata")
    return out


def set_data_fields(t: TypeDef, data: dict[str, Any], values: Mapping[str, Any]) -> list[str]:
    """Coerce the type's data fields present in `values` into `data`; the names that changed."""
    changed = []
    for f in t.data_fields:
        if f.name not in values:
            continue
        new = coerce_field_value(f, values[f.name], input_path(t, f.name))
        if new is None:
            if f.name in data:
                changed.append(f.name)
            data.pop(f.name, None)
            data.pop(version_key_name(f.name), None)
            continue
        if data.get(f.name) != new:
            changed.append(f.name)
        data[f.name] = new
        if f.kind is Kind.VERSION:
            data[version_key_name(f.name)] = version_key(new)
    return changed


def defaults(t: TypeDef) -> dict[str, Any]:
    """The values a create takes for data fields it does not mention."""
    return {f.name: f.default for f in t.data_fields if f.has_default}
