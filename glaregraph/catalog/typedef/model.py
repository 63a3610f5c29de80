"""The artifact type model: kinds, field definitions, type definitions and the registry.

Plain frozen values built by `loader.py` from YAML; everything else (schema, SQL, validation)
reads them and never the YAML.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


class Kind(enum.StrEnum):
    STRING = "string"
    TEXT = "text"
    INTEGER = "integer"
    LONG = "long"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    VERSION = "version"
    LIST = "list"
    DICT = "dict"
    BLOB = "blob"
    BLOB_DICT = "blob_dict"
    LINK = "link"
    LINK_LIST = "link_list"
    LINK_DICT = "link_dict"


SCALAR_KINDS = frozenset(
    {
        Kind.STRING,
        Kind.TEXT,
        Kind.INTEGER,
        Kind.LONG,
        Kind.FLOAT,
        Kind.BOOLEAN,
        Kind.DATETIME,
        Kind.VERSION,
    }
)
CONTAINER_KINDS = frozenset({Kind.LIST, Kind.DICT})
BLOB_KINDS = frozenset({Kind.BLOB, Kind.BLOB_DICT})
LINK_KINDS = frozenset({Kind.LINK, Kind.LINK_LIST, Kind.LINK_DICT})
# Kinds whose value lives in the artifact's `data` document (blobs and links have tables).
DATA_KINDS = SCALAR_KINDS | CONTAINER_KINDS
# Scalar kinds that may appear as `of:` of a list or dict.
ELEMENT_KINDS = SCALAR_KINDS - {Kind.TEXT}
ANY_TYPE = "*"

DEFAULT_MAX_LENGTH = 255
DEFAULT_TEXT_MAX_LENGTH = 65535
DEFAULT_MAX_ITEMS = 255
DEFAULT_MAX_SIZE = 10 * 1024 * 1024
DEFAULT_MAX_FOLDER_SIZE = 2550 * 1024 * 1024


def to_camel(snake: str) -> str:
    """`disk_format` -> `diskFormat`: the GraphQL name of a field or query."""
    first, *rest = snake.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def to_pascal(snake: str) -> str:
    """`heat_template` -> `HeatTemplate`: the GraphQL name of a type."""
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_"))


@dataclass(frozen=True, slots=True)
class Validators:
    """Value constraints; `None` means unconstrained."""

    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    allowed_values: tuple[Any, ...] | None = None
    forbidden_chars: str | None = None
    min: float | int | None = None
    max: float | int | None = None
    max_items: int | None = None
    unique_items: bool = False
    max_size: int | None = None
    max_folder_size: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The validators that are set, JSON-safe (for introspection)."""
        out: dict[str, Any] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            if value is None or value is False:
                continue
            out[name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One field of an artifact type, as written in the type definition."""

    name: str  # snake_case, as in YAML
    graphql_name: str  # camelCase, as in the schema
    kind: Kind
    of: Kind | None = None  # element kind of list/dict
    to: str | None = None  # target type name of link kinds, or "*"
    description: str | None = None
    required_on_activate: bool = False
    mutable: bool = False
    nullable: bool = True
    default: Any = None
    has_default: bool = False
    sortable: bool = False
    filterable: bool = False
    validators: Validators = field(default_factory=Validators)

    @property
    def is_data(self) -> bool:
        return self.kind in DATA_KINDS

    @property
    def is_link(self) -> bool:
        return self.kind in LINK_KINDS

    @property
    def is_blob(self) -> bool:
        return self.kind in BLOB_KINDS

    @property
    def input_name(self) -> str:
        """Its name in create/update inputs: `kernelId` for a link `kernel`, `depsIds` for a
        link_list `deps`, else the GraphQL name."""
        return self.graphql_name + {Kind.LINK: "Id", Kind.LINK_LIST: "Ids"}.get(self.kind, "")

    @property
    def required_on_create(self) -> bool:
        """A create input must give it: not nullable, no default, and settable at create."""
        settable = self.is_data or self.kind is Kind.LINK
        return settable and not self.nullable and not self.has_default


@dataclass(frozen=True, slots=True)
class QuotaDefaults:
    max_artifacts: int = -1
    max_bytes: int = -1


@dataclass(frozen=True, slots=True)
class TypeDef:
    """One artifact type: its names and its own fields in definition order."""

    name: str  # lower snake_case: "heat_template"
    graphql_name: str  # "HeatTemplate"
    display_name: str
    plural: str  # "heat_templates"
    description: str | None
    fields: tuple[FieldDef, ...]
    enabled: bool = True
    quota: QuotaDefaults = field(default_factory=QuotaDefaults)
    source: str = ""  # file it was read from, for messages

    def field(self, name: str) -> FieldDef | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    @property
    def data_fields(self) -> tuple[FieldDef, ...]:
        return tuple(f for f in self.fields if f.is_data)

    @property
    def link_fields(self) -> tuple[FieldDef, ...]:
        return tuple(f for f in self.fields if f.is_link)

    @property
    def blob_fields(self) -> tuple[FieldDef, ...]:
        return tuple(f for f in self.fields if f.is_blob)


class Registry(Mapping[str, TypeDef]):
    """The enabled artifact types by name, in definition order."""

    def __init__(self, types: list[TypeDef]) -> None:
        self._types = {t.name: t for t in types if t.enabled}

    def __getitem__(self, name: str) -> TypeDef:
        return self._types[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._types)

    def __len__(self) -> int:
        return len(self._types)
