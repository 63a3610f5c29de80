"""The checks of one field definition (API.md §1): name, options, kind, `of`/`to`, validators
and their defaults, and the default value. Each failure raises a TypeDefinitionError naming
file, type and field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from glaregraph.catalog.errors import BadUserInput, TypeDefinitionError
from glaregraph.catalog.typedef import model
from glaregraph.catalog.typedef.model import (
    BLOB_KINDS,
    CONTAINER_KINDS,
    DATA_KINDS,
    ELEMENT_KINDS,
    LINK_KINDS,
    SCALAR_KINDS,
    FieldDef,
    Kind,
    Validators,
    to_camel,
)
from glaregraph.catalog.typedef.values import coerce_field_value, coerce_scalar

# No `__` and no trailing `_`: the schema layer strips a trailing `_` from Python names, and
# `a__b` and `a_b` would give one GraphQL name
NAME_RE = re.compile(r"[a-z](?:_?[a-z0-9])*")
GRAPHQL_NAME_RE = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")  # the GraphQL spec's Name
MAX_NAME_LENGTH = 64  # the `type_name` and `edges.relation` columns
STRING_VALIDATORS = frozenset(
    {"min_length", "max_length", "pattern", "allowed_values", "forbidden_chars"}
)
VALIDATORS = STRING_VALIDATORS | {
    "min",
    "max",
    "max_items",
    "unique_items",
    "max_size",
    "max_folder_size",
}
_FLAGS = ("required_on_activate", "mutable", "nullable", "sortable", "filterable", "unique_items")
_COUNTS = ("min_length", "max_length", "max_items", "max_size", "max_folder_size")
FIELD_OPTIONS = VALIDATORS | set(_FLAGS) | {"kind", "of", "to", "description", "default"}
_STRING_LIKE = frozenset({Kind.STRING, Kind.TEXT, Kind.VERSION})
_NUMERIC = frozenset({Kind.INTEGER, Kind.LONG, Kind.FLOAT})
_COLLECTIONS = CONTAINER_KINDS | {Kind.LINK_LIST, Kind.LINK_DICT, Kind.BLOB_DICT}


@dataclass(frozen=True, slots=True)
class Where:
    """The place a problem is in: file, and type and field when known."""

    source: str
    type_name: str | None = None
    field: str | None = None

    def at(self, field: str) -> Where:
        return replace(self, field=field)

    def error(self, problem: str) -> TypeDefinitionError:
        return TypeDefinitionError(self.source, self.type_name, self.field, problem)


def check_name(where: Where, name: Any, what: str, max_length: int | None = None) -> str:
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise where.error(
            f"{what} {name!r:.80} is not lower snake_case (a letter, then letters and digits"
            " with single '_' between them)"
        )
    if max_length is not None and len(name) > max_length:
        raise where.error(f"{what} {name!r:.80} is longer than {max_length} characters")
    return name


def build_field(where: Where, name: Any, spec: Any) -> FieldDef:
    """One field from its YAML options, with the validator defaults filled in."""
    graphql_name = _graphql_name(where, name)
    if not isinstance(spec, dict):
        raise where.error("a field definition must be a mapping of options")
    unknown = sorted(map(str, set(spec) - FIELD_OPTIONS))
    if unknown:
        raise where.error("unknown option(s): " + ", ".join(unknown))
    if "kind" not in spec:
        raise where.error("'kind' is required")
    kind = _kind(where, spec["kind"], "kind")
    of, to = _of_and_to(where, kind, spec)
    _check_option_types(where, spec)
    _check_applicable(where, kind, of, spec)
    field = FieldDef(
        name=name,
        graphql_name=graphql_name,
        kind=kind,
        of=of,
        to=to,
        description=spec.get("description"),
        required_on_activate=spec.get("required_on_activate", False),
        mutable=spec.get("mutable", False),
        nullable=spec.get("nullable", True),
        has_default="default" in spec,
        sortable=spec.get("sortable", False),
        filterable=spec.get("filterable", kind in DATA_KINDS),
        validators=_validators(where, kind, of, spec),
    )
    return _settle_values(where, field, spec)


def _graphql_name(where: Where, name: Any) -> str:
    graphql_name = to_camel(check_name(where, name, "field name", MAX_NAME_LENGTH))
    if not GRAPHQL_NAME_RE.fullmatch(graphql_name):
        raise where.error(f"'{graphql_name}' is not a valid GraphQL name")
    if graphql_name.startswith("__"):
        raise where.error(f"'{graphql_name}' is reserved for GraphQL introspection")
    return graphql_name


def _kind(where: Where, value: Any, option: str) -> Kind:
    try:
        return Kind(value)
    except (ValueError, TypeError):
        known = ", ".join(k.value for k in Kind)
        raise where.error(f"unknown {option} {value!r} (known: {known})") from None


def _of_and_to(where: Where, kind: Kind, spec: dict[str, Any]) -> tuple[Kind | None, str | None]:
    of = to = None
    if kind in CONTAINER_KINDS:
        if "of" not in spec:
            raise where.error(f"a {kind} field needs 'of': the kind of its values")
        of = _kind(where, spec["of"], "'of'")
        if of not in ELEMENT_KINDS:
            raise where.error(f"a {kind} may not hold '{of}' values")
    elif "of" in spec:
        raise where.error("'of' applies only to list and dict fields")
    if kind in LINK_KINDS:
        to = spec.get("to")
        if not isinstance(to, str) or not to:
            raise where.error(f"a {kind} field needs 'to': a type name or '*'")
    elif "to" in spec:
        raise where.error("'to' applies only to link fields")
    return of, to


def _check_option_types(where: Where, spec: dict[str, Any]) -> None:
    for key in _FLAGS:
        if key in spec and not isinstance(spec[key], bool):
            raise where.error(f"'{key}' must be true or false")
    for key in _COUNTS:
        if key in spec and (not _is_int(spec[key]) or spec[key] < 0):
            raise where.error(f"'{key}' must be a non-negative integer")
    for key in ("min", "max"):
        if key in spec and not (_is_number(spec[key]) and math.isfinite(spec[key])):
            raise where.error(f"'{key}' must be a finite number")
    for key in ("description", "pattern", "forbidden_chars"):
        if key in spec and not isinstance(spec[key], str):
            raise where.error(f"'{key}' must be a string")
    values = spec.get("allowed_values")
    if "allowed_values" in spec and not (isinstance(values, list) and values):
        raise where.error("'allowed_values' must be a non-empty list")


def _check_applicable(where: Where, kind: Kind, of: Kind | None, spec: dict[str, Any]) -> None:
    misplaced = sorted(VALIDATORS.intersection(spec) - _applicable(kind, of))
    if misplaced:
        what = f"{kind} of {of}" if of else kind
        raise where.error(f"validator '{misplaced[0]}' does not apply to {what} fields")
    if spec.get("sortable") and (kind not in SCALAR_KINDS or kind is Kind.TEXT):
        raise where.error(f"a {kind} field cannot be sortable (only scalars other than text)")
    if spec.get("filterable") and kind in BLOB_KINDS | LINK_KINDS:
        raise where.error(f"a {kind} field cannot be filterable")
    if "default" in spec and kind in BLOB_KINDS | LINK_KINDS:
        raise where.error(f"a {kind} field takes no default")


def _applicable(kind: Kind, of: Kind | None) -> set[str]:
    value_kind = of or kind
    names: set[str] = set()
    if value_kind in _STRING_LIKE:
        names |= STRING_VALIDATORS
    if value_kind in _NUMERIC:
        names |= {"min", "max"}
    if kind in _COLLECTIONS:
        names |= {"max_items", "unique_items"}
    if kind in BLOB_KINDS:
        names.add("max_size")
    if kind is Kind.BLOB_DICT:
        names.add("max_folder_size")
    return names


def _validators(where: Where, kind: Kind, of: Kind | None, spec: dict[str, Any]) -> Validators:
    given = {key: spec[key] for key in VALIDATORS.intersection(spec)}
    if "allowed_values" in given:
        given["allowed_values"] = tuple(given["allowed_values"])
    if "pattern" in given:
        try:
            re.compile(given["pattern"])
        except re.error as exc:
            raise where.error(f"invalid pattern {given['pattern']!r}: {exc}") from exc
    rules = {**_default_validators(kind, of), **given}
    for low, high in (
        ("min_length", "max_length"),
        ("min", "max"),
        ("max_size", "max_folder_size"),
    ):
        if rules.get(low) is not None and rules.get(high) is not None and rules[low] > rules[high]:
            raise where.error(f"{low} ({rules[low]}) is greater than {high} ({rules[high]})")
    return Validators(**rules)


def _default_validators(kind: Kind, of: Kind | None) -> dict[str, Any]:
    """string 255 chars, text 65535, 255 items, blobs 10 MiB each and 2550 MiB per folder."""
    defaults: dict[str, Any] = {}
    if (of or kind) is Kind.STRING:
        defaults["max_length"] = model.DEFAULT_MAX_LENGTH
    if kind is Kind.TEXT:
        defaults["max_length"] = model.DEFAULT_TEXT_MAX_LENGTH
    if kind in _COLLECTIONS:
        defaults["max_items"] = model.DEFAULT_MAX_ITEMS
    if kind in BLOB_KINDS:
        defaults["max_size"] = model.DEFAULT_MAX_SIZE
    if kind is Kind.BLOB_DICT:
        defaults["max_folder_size"] = model.DEFAULT_MAX_FOLDER_SIZE
    return defaults


def _settle_values(where: Where, field: FieldDef, spec: dict[str, Any]) -> FieldDef:
    """Allowed values and the default must pass the field's own validators; kept normalised."""
    rules = field.validators
    if rules.allowed_values is not None:
        loose = replace(rules, allowed_values=None)
        allowed = tuple(
            _checked(where, coerce_scalar, field.of or field.kind, loose, v, f"allowed_values[{i}]")
            for i, v in enumerate(rules.allowed_values)
        )
        field = replace(field, validators=replace(rules, allowed_values=allowed))
    if "default" in spec:
        default = _checked(where, coerce_field_value, field, spec["default"], "default")
        field = replace(field, default=default)
    return field


def _checked(where: Where, coerce: Callable[..., Any], *args: Any) -> Any:
    try:
        return coerce(*args)
    except BadUserInput as exc:
        raise where.error(f"invalid {exc.message}") from exc


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
