"""Generated inputs per artifact type: create, update, filter and sort (with its field enum)."""

import enum
from typing import Any, Optional

import strawberry

from glaregraph.catalog.typedef.model import SCALAR_KINDS, FieldDef, Kind, TypeDef, to_camel
from glaregraph.schema.common import LinkEntryInput, SortDirection
from glaregraph.schema.operators import (
    DICT_FILTERS,
    LIST_FILTERS,
    SCALAR_FILTERS,
    DateTimeFilter,
    IDFilter,
    StatusFilter,
    StringFilter,
    TagFilter,
    VersionFilter,
    VisibilityFilter,
)
from glaregraph.schema.registry_module import GENERATED, new_class, py_name
from glaregraph.schema.scalars import JSON
from glaregraph.schema.typegen import describe, value_type

UNSET: Any = strawberry.UNSET

BASE_SORT = [
    "name",
    "version",
    "status",
    "visibility",
    "owner",
    "created_at",
    "updated_at",
    "activated_at",
]
BASE_FILTERS: list[tuple[str, Any, str]] = [
    ("id", IDFilter, "Artifact id."),
    ("name", StringFilter, "Name."),
    ("version", VersionFilter, "Version, in semver order."),
    ("status", StatusFilter, "Lifecycle status."),
    ("visibility", VisibilityFilter, "Visibility."),
    ("owner", StringFilter, "Owner project."),
    ("created_by", StringFilter, "Creating user."),
    ("created_at", DateTimeFilter, "Creation time."),
    ("updated_at", DateTimeFilter, "Last change."),
    ("activated_at", DateTimeFilter, "Activation time."),
    ("tags", TagFilter, "Tags carried."),
    ("metadata", DICT_FILTERS["string"], "Metadata entries."),
]


def _input(name: str, fields: list[tuple[str, Any, Any]], description: str) -> Any:
    cls = new_class(name)
    cls.__annotations__ = {py: ann for py, ann, _ in fields}
    for py, _, field in fields:
        setattr(cls, py, field)
    return strawberry.input(cls, description=description)


def _opt(py: str, ann: Any, graphql: str, description: str) -> tuple[str, Any, Any]:
    return (
        py,
        Optional[ann],
        strawberry.field(
            name=graphql,
            default=UNSET,
            description=description,
        ),
    )


def _base_inputs(create: bool) -> list[tuple[str, Any, Any]]:
    name_field: tuple[str, Any, Any] = (
        ("name", str, strawberry.field(description="Name, 1-255 characters."))
        if create
        else _opt("name", str, "name", "New name (DRAFTED only).")
    )
    return [
        name_field,
        _opt("version", str, "version", "Semver version; default 0.0.0 ('1.0' = '1.0.0')."),
        _opt("description", str, "description", "Free text, up to 4096 characters."),
        _opt("tags", list[str], "tags", "Tags (replaces the set on update)."),
        _opt("metadata", JSON, "metadata", "Object of string to string (DRAFTED only)."),
        _opt(
            "derived_from_ids",
            list[strawberry.ID],
            "derivedFromIds",
            "Artifacts this one was derived from (DRAFTED only).",
        ),
    ]


def _field_input(f: FieldDef, create: bool) -> tuple[str, Any, Any] | None:
    if f.is_blob:
        return None
    if f.kind is Kind.LINK:
        ann, text = strawberry.ID, f"Id of the linked {f.to} artifact. "
    elif f.kind is Kind.LINK_LIST:
        ann, text = list[strawberry.ID], "Ids of the linked artifacts, in order. "
    elif f.kind is Kind.LINK_DICT:
        ann, text = list[LinkEntryInput], "Named links. "
    else:
        ann, text = value_type(f), ""
    if create and f.required_on_create:
        return (
            py_name(f.name),
            ann,
            strawberry.field(name=f.input_name, description=text + describe(f)),
        )
    return _opt(py_name(f.name), ann, f.input_name, text + describe(f))


def make_inputs(t: TypeDef) -> tuple[Any, Any]:
    own = [i for f in t.fields if (i := _field_input(f, True)) is not None]
    # required fields first: dataclass fields without defaults must precede the others
    own.sort(key=lambda i: i[2].default is not UNSET)
    changes = [i for f in t.fields if (i := _field_input(f, False)) is not None]
    create = _input(
        f"{t.graphql_name}CreateInput",
        _base_inputs(True) + own,
        f"A new {t.display_name}. Omitted fields take their defaults.",
    )
    update = _input(
        f"{t.graphql_name}UpdateInput",
        _base_inputs(False) + changes,
        f"Changes to a {t.display_name}: omitted = unchanged, null = cleared.",
    )
    return create, update


def make_filter(graphql_name: str, t: TypeDef | None) -> Any:
    name = f"{graphql_name}Filter"
    cls = new_class(name)
    fields = [_opt(py, ann, to_camel(py), desc) for py, ann, desc in BASE_FILTERS]
    if t is None:
        fields.append(_opt("type_name", StringFilter, "typeName", "Artifact type name."))
    for f in t.fields if t is not None else ():
        if f.filterable:
            fields.append(_opt(py_name(f.name), _filter_of(f), f.graphql_name, describe(f)))
    fields += [
        _opt("and_", list[cls], "and", "Every one of these holds."),
        _opt("or_", list[cls], "or", "At least one of these holds."),
        _opt("not_", cls, "not", "This does not hold."),
    ]
    cls.__annotations__ = {py: ann for py, ann, _ in fields}
    for py, _, field in fields:
        setattr(cls, py, field)
    return strawberry.input(cls, description="Conditions on artifacts; all given must hold.")


def _filter_of(f: FieldDef) -> Any:
    if f.kind in SCALAR_KINDS:
        return SCALAR_FILTERS[f.kind.value]
    assert f.of is not None
    return (LIST_FILTERS if f.kind is Kind.LIST else DICT_FILTERS)[f.of.value]


def _sort_text(name: str, t: TypeDef | None) -> str:
    f = t.field(name) if t is not None else None
    if f is not None:
        return f"By {f.name.replace('_', ' ')}."
    return "By version, in semver order." if name == "version" else f"By {name.replace('_', ' ')}."


def make_sort(graphql_name: str, t: TypeDef | None) -> Any:
    names = list(BASE_SORT) + (["type_name"] if t is None else [])
    names += [f.name for f in (t.fields if t is not None else ()) if f.sortable]
    members = {n.upper(): strawberry.enum_value(n, description=_sort_text(n, t)) for n in names}
    field_enum = strawberry.enum(
        enum.Enum(f"{graphql_name}SortField", members, module=GENERATED.__name__),  # type: ignore[misc]
        description="Fields to sort by (VERSION sorts in semver order).",
    )

    return _input(
        f"{graphql_name}Sort",
        [
            ("field", field_enum, strawberry.field(description="Field to sort by.")),
            (
                "direction",
                SortDirection,
                strawberry.field(default=SortDirection.ASC, description="ASC or DESC."),
            ),
        ],
        "One sort key; later keys break ties, then id.",
    )
