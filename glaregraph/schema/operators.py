"""Operator inputs used by every generated filter: scalar, tag, list and dict conditions."""

import datetime as dt
import types
from typing import Any

import strawberry

from glaregraph.schema.common import ArtifactStatus, Visibility
from glaregraph.schema.scalars import Long

_D = {
    "eq": "Equal to.",
    "neq": "Not equal to (nulls included).",
    "in": "One of.",
    "not_in": "None of (nulls excluded).",
    "like": "SQL LIKE pattern: % any run, _ one char.",
    "gt": "Greater than.",
    "gte": "Greater than or equal.",
    "lt": "Less than.",
    "lte": "Less than or equal.",
    "is_null": "true: has no value; false: has a value.",
}


def _op(name: str, annotation: Any) -> tuple[str, Any, Any]:
    graphql = {"in": "in", "not_in": "notIn", "is_null": "isNull"}.get(name, name)
    py = "in_" if name == "in" else name
    return py, annotation, strawberry.field(name=graphql, default=None, description=_D[name])


def _filter(name: str, description: str, ops: list[tuple[str, Any, Any]]) -> Any:
    cls = types.new_class(name, (), {}, lambda ns: ns.update({"__module__": __name__}))
    cls.__annotations__ = {py: ann for py, ann, _ in ops}
    for py, _, field in ops:
        setattr(cls, py, field)
    return strawberry.input(cls, description=description)


def _comparable(name: str, t: Any, like: bool = False) -> Any:
    names = [
        "eq",
        "neq",
        "in",
        "not_in",
        *(["like"] if like else []),
        "gt",
        "gte",
        "lt",
        "lte",
        "is_null",
    ]
    ops = [
        _op(
            n,
            (list[t] | None)
            if n in ("in", "not_in")
            else (bool | None)
            if n == "is_null"
            else (t | None),
        )
        for n in names
    ]
    return _filter(
        name, f"Conditions on a {name.removesuffix('Filter')} value; all must hold.", ops
    )


StringFilter = _comparable("StringFilter", str, like=True)
IntFilter = _comparable("IntFilter", int)
LongFilter = _comparable("LongFilter", Long)
FloatFilter = _comparable("FloatFilter", float)
DateTimeFilter = _comparable("DateTimeFilter", dt.datetime)
BooleanFilter = _filter(
    "BooleanFilter",
    "Conditions on a Boolean value.",
    [_op("eq", bool | None), _op("is_null", bool | None)],
)
IDFilter = _filter(
    "IDFilter",
    "Conditions on an id.",
    [
        _op("eq", strawberry.ID | None),
        _op("neq", strawberry.ID | None),
        _op("in", list[strawberry.ID] | None),
        _op("not_in", list[strawberry.ID] | None),
    ],
)
StatusFilter = _filter(
    "ArtifactStatusFilter",
    "Conditions on the status.",
    [
        _op("eq", ArtifactStatus | None),
        _op("neq", ArtifactStatus | None),
        _op("in", list[ArtifactStatus] | None),
        _op("not_in", list[ArtifactStatus] | None),
    ],
)
VisibilityFilter = _filter(
    "VisibilityFilter",
    "Conditions on the visibility.",
    [
        _op("eq", Visibility | None),
        _op("neq", Visibility | None),
        _op("in", list[Visibility] | None),
        _op("not_in", list[Visibility] | None),
    ],
)


@strawberry.input(description="Conditions on a semver version, compared in semver order.")
class VersionFilter:
    eq: str | None = strawberry.field(default=None, description=_D["eq"])
    neq: str | None = strawberry.field(default=None, description=_D["neq"])
    in_: list[str] | None = strawberry.field(name="in", default=None, description=_D["in"])
    gt: str | None = strawberry.field(default=None, description=_D["gt"])
    gte: str | None = strawberry.field(default=None, description=_D["gte"])
    lt: str | None = strawberry.field(default=None, description=_D["lt"])
    lte: str | None = strawberry.field(default=None, description=_D["lte"])
    range: str | None = strawberry.field(
        default=None, description="A range: '^1.2', '~1.2.3', '>=1.0.0 <2.0.0', '1.x || 3'."
    )
    latest: bool | None = strawberry.field(
        default=None,
        description="true: keep only the highest version per name after the "
        "other filters (top-level filter only).",
    )


@strawberry.input(description="Conditions on the tags an artifact carries.")
class TagFilter:
    all: list[str] | None = strawberry.field(default=None, description="Carries every one.")
    any: list[str] | None = strawberry.field(default=None, description="Carries at least one.")
    none: list[str] | None = strawberry.field(default=None, description="Carries none of them.")
    include_descendants: bool | None = strawberry.field(
        default=None, description="A tag also matches its descendants in the taxonomy."
    )


def _list_filter(name: str, t: Any) -> Any:
    return _filter(
        name,
        "Conditions on a list value.",
        [
            ("contains", t | None, strawberry.field(default=None, description="Holds this item.")),
            (
                "contains_any",
                list[t] | None,
                strawberry.field(default=None, description="Holds at least one of these."),
            ),
            (
                "contains_all",
                list[t] | None,
                strawberry.field(default=None, description="Holds every one of these."),
            ),
        ],
    )


def _dict_filter(name: str, value_filter: Any) -> Any:
    entry = _filter(
        name.replace("Filter", "EntryFilter"),
        "A condition on one key's value.",
        [
            ("key", str, strawberry.field(description="The key.")),
            ("value", value_filter, strawberry.field(description="Conditions on its value.")),
        ],
    )
    return _filter(
        name,
        "Conditions on a dict value (keys are strings).",
        [
            ("has_key", str | None, strawberry.field(default=None, description="Has this key.")),
            (
                "has_any_key",
                list[str] | None,
                strawberry.field(default=None, description="Has at least one of these keys."),
            ),
            (
                "entries",
                list[entry] | None,
                strawberry.field(
                    default=None, description="Conditions on values by key; all hold."
                ),
            ),
        ],
    )


# Element kind -> (list filter, dict filter); string-like kinds share the plain names.
_ELEMENTS: dict[str, tuple[str, Any, Any]] = {
    "string": ("", str, StringFilter),
    "integer": ("Int", int, IntFilter),
    "long": ("Long", Long, LongFilter),
    "float": ("Float", float, FloatFilter),
    "boolean": ("Boolean", bool, BooleanFilter),
    "datetime": ("DateTime", dt.datetime, DateTimeFilter),
    "version": ("Version", str, VersionFilter),
}
LIST_FILTERS = {k: _list_filter(f"{p}ListFilter", t) for k, (p, t, _) in _ELEMENTS.items()}
DICT_FILTERS = {k: _dict_filter(f"{p}DictFilter", f) for k, (p, _, f) in _ELEMENTS.items()}
SCALAR_FILTERS = {
    "string": StringFilter,
    "text": StringFilter,
    "integer": IntFilter,
    "long": LongFilter,
    "float": FloatFilter,
    "boolean": BooleanFilter,
    "datetime": DateTimeFilter,
    "version": VersionFilter,
}
