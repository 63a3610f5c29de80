"""JSON Schema (draft 2020-12) of a type's GraphQL create input, for `ArtifactTypeInfo.jsonSchema`.

Property names are the GraphQL ones; blobs are left out (they are uploaded, not written).
"""

from __future__ import annotations

from typing import Any

from glaregraph.catalog import basefields as base
from glaregraph.catalog.typedef.model import FieldDef, Kind, TypeDef, Validators
from glaregraph.catalog.typedef.values import INT32_RANGE, INT64_RANGE, MAX_KEY_LENGTH

DRAFT = "https://json-schema.org/draft/2020-12/schema"
_TYPES = {
    Kind.STRING: "string",
    Kind.TEXT: "string",
    Kind.VERSION: "string",
    Kind.DATETIME: "string",
    Kind.INTEGER: "integer",
    Kind.LONG: "integer",
    Kind.FLOAT: "number",
    Kind.BOOLEAN: "boolean",
}
_INT_RANGES: dict[Kind, tuple[float | None, float | None]] = {
    Kind.INTEGER: INT32_RANGE,
    Kind.LONG: INT64_RANGE,
}


def create_input_schema(t: TypeDef) -> dict[str, Any]:
    properties = _base_properties()
    for field in t.fields:
        if not field.is_blob:
            name, schema = _field_property(field)
            properties[name] = schema
    required = ["name"] + [f.input_name for f in t.fields if f.required_on_create]
    return {
        "$schema": DRAFT,
        "title": f"{t.graphql_name}CreateInput",
        "description": t.description or f"Create input of {t.display_name}.",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _key() -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH}


def _id() -> dict[str, Any]:
    return {"type": "string", "format": "uuid"}


def _base_properties() -> dict[str, Any]:
    return {
        "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": base.MAX_NAME_LENGTH,
            "description": "Name of the artifact.",
        },
        "version": {
            "type": "string",
            "default": "0.0.0",
            "description": "Semantic version; normalised (1.0 -> 1.0.0).",
        },
        "description": {
            "type": ["string", "null"],
            "maxLength": base.MAX_DESCRIPTION_LENGTH,
            "description": "Free text about the artifact.",
        },
        "tags": {
            "type": "array",
            "maxItems": base.MAX_TAGS,
            "description": "Duplicates are dropped.",
            "items": {
                "type": "string",
                "minLength": 1,
                "maxLength": base.MAX_TAG_LENGTH,
                "pattern": "^[^,/]*$",
            },
        },
        "metadata": {
            "type": "object",
            "maxProperties": base.MAX_METADATA_KEYS,
            "propertyNames": _key(),
            "additionalProperties": {"type": "string", "maxLength": base.MAX_METADATA_VALUE_LENGTH},
        },
        "derivedFromIds": {
            "type": "array",
            "items": _id(),
            "description": "Artifacts this one was derived from.",
        },
    }


def _field_property(field: FieldDef) -> tuple[str, dict[str, Any]]:
    rules = field.validators
    if field.kind is Kind.LINK:
        schema = _id()
    elif field.kind is Kind.LINK_LIST:
        schema = {"type": "array", "items": _id(), **_count(rules)}
    elif field.kind is Kind.LINK_DICT:
        entry = {
            "type": "object",
            "properties": {"key": _key(), "id": _id()},
            "required": ["key", "id"],
            "additionalProperties": False,
        }
        schema = {"type": "array", "items": entry, **_count(rules)}
    elif field.kind is Kind.LIST:
        assert field.of is not None
        schema = {"type": "array", "items": _scalar(field.of, rules), **_count(rules)}
    elif field.kind is Kind.DICT:
        assert field.of is not None
        schema = {
            "type": "object",
            "propertyNames": _key(),
            "additionalProperties": _scalar(field.of, rules),
        }
        if rules.max_items is not None:
            schema["maxProperties"] = rules.max_items
    else:
        schema = _scalar(field.kind, rules)
    if field.nullable:
        _allow_null(schema)
    if field.has_default:
        schema["default"] = field.default
    if field.description:
        schema["description"] = field.description
    return field.input_name, schema


def _count(rules: Validators) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if rules.max_items is not None:
        out["maxItems"] = rules.max_items
    if rules.unique_items:
        out["uniqueItems"] = True
    return out


def _scalar(kind: Kind, rules: Validators) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": _TYPES[kind]}
    if kind is Kind.DATETIME:
        schema["format"] = "date-time"
    if kind in (Kind.STRING, Kind.TEXT, Kind.VERSION):
        schema.update(_string_keywords(rules))
    if kind in (Kind.INTEGER, Kind.LONG, Kind.FLOAT):
        schema.update(_range_keywords(kind, rules))
    return schema


def _range_keywords(kind: Kind, rules: Validators) -> dict[str, Any]:
    """The tighter of the kind's own range and the field's min/max."""
    low: float | None
    high: float | None
    low, high = _INT_RANGES.get(kind, (None, None))
    if rules.min is not None:
        low = rules.min if low is None else max(low, rules.min)
    if rules.max is not None:
        high = rules.max if high is None else min(high, rules.max)
    return {k: v for k, v in (("minimum", low), ("maximum", high)) if v is not None}


def _string_keywords(rules: Validators) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if rules.min_length is not None:
        out["minLength"] = rules.min_length
    if rules.max_length is not None:
        out["maxLength"] = rules.max_length
    if rules.pattern is not None:
        out["pattern"] = f"^(?:{rules.pattern})$"
    if rules.allowed_values is not None:
        out["enum"] = list(rules.allowed_values)
    if rules.forbidden_chars:
        escaped = "".join("\\" + c if c in "\\]^-[" else c for c in rules.forbidden_chars)
        out["not"] = {"pattern": f"[{escaped}]"}
    return out


def _allow_null(schema: dict[str, Any]) -> None:
    schema["type"] = [schema["type"], "null"]
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
