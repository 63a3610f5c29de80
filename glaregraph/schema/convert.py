"""GraphQL input objects to the plain dicts the catalog takes (snake keys, omitted keys absent)."""

import enum
from typing import Any

import strawberry


def to_plain(value: Any) -> Any:
    """Inputs → dicts keyed by python name (trailing `_` of keywords dropped); UNSET left out."""
    if value is None or value is strawberry.UNSET:
        return None
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    definition = getattr(type(value), "__strawberry_definition__", None)
    if definition is None or not definition.is_input:
        return value
    out: dict[str, Any] = {}
    for field in definition.fields:
        raw = getattr(value, field.python_name)
        if raw is strawberry.UNSET:
            continue
        out[field.python_name.rstrip("_")] = to_plain(raw)
    return out


def sort_pairs(sort: Any) -> list[tuple[str, bool]] | None:
    """[{field, direction}] → [(field name, descending)]."""
    if not sort:
        return None
    return [(s.field.value, s.direction.value == "DESC") for s in sort]
