"""What a data field (scalar, list, dict) accepts and the JSON-safe form it is stored in.

Input arrives after GraphQL scalar parsing; every refusal is a BadUserInput naming the input path.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from glaregraph.catalog.errors import BadUserInput
from glaregraph.catalog.typedef.model import SCALAR_KINDS, FieldDef, Kind, Validators
from glaregraph.catalog.versions import storable_version

INT32_RANGE = (-(2**31), 2**31 - 1)
INT64_RANGE = (-(2**63), 2**63 - 1)
MAX_KEY_LENGTH = 255


def bad(path: str, problem: str) -> BadUserInput:
    return BadUserInput(f"{path}: {problem}", field=path)


def describe(value: Any) -> str:
    """`a string`, `an object`, ... for messages."""
    names = {
        bool: "a boolean",
        str: "a string",
        int: "an integer",
        float: "a number",
        list: "a list",
        dict: "an object",
        datetime: "a date-time",
    }
    return names.get(type(value), type(value).__name__)


def check_string(
    value: Any, path: str, *, min_length: int | None = None, max_length: int | None = None
) -> str:
    """A string the database can store (no NUL, no lone surrogate) within the length bounds."""
    if not isinstance(value, str):
        raise bad(path, f"expected a string, got {describe(value)}")
    if "\x00" in value:
        raise bad(path, "may not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise bad(path, "is not valid Unicode (lone surrogate)") from exc
    if min_length is not None and len(value) < min_length:
        raise bad(path, f"must be at least {min_length} characters long (got {len(value)})")
    if max_length is not None and len(value) > max_length:
        raise bad(path, f"must be at most {max_length} characters long (got {len(value)})")
    return value


def check_key(key: Any, path: str, what: str = "key") -> str:
    """A dict key: a string of 1 to 255 characters."""
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise bad(
            path,
            f"each {what} must be a string of 1 to {MAX_KEY_LENGTH} characters, got {key!r:.60}",
        )
    return check_string(key, path)


def coerce_field_value(field: FieldDef, value: Any, path: str) -> Any:
    """Validate `value` for a data field and return what is stored."""
    if value is None:
        if not field.nullable:
            raise bad(path, "may not be null")
        return None
    if field.kind is Kind.LIST:
        return _coerce_list(field, value, path)
    if field.kind is Kind.DICT:
        return _coerce_dict(field, value, path)
    if field.kind in SCALAR_KINDS:
        return coerce_scalar(field.kind, field.validators, value, path)
    raise ValueError(f"field '{field.name}' is a {field.kind} field, not a data field")


def coerce_scalar(kind: Kind, rules: Validators, value: Any, path: str) -> Any:
    """One scalar value (a field's or a list/dict element's); null is refused."""
    if value is None:
        raise bad(path, "may not be null")
    return _SCALARS[kind](rules, value, path)


def _coerce_list(field: FieldDef, value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise bad(path, f"expected a list, got {describe(value)}")
    _check_count(field.validators, len(value), path)
    assert field.of is not None
    items = [(f"{path}[{i}]", item) for i, item in enumerate(value)]
    out = [coerce_scalar(field.of, field.validators, item, p) for p, item in items]
    if field.validators.unique_items:
        _check_unique(zip((p for p, _ in items), out, strict=True))
    return out


def _coerce_dict(field: FieldDef, value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad(path, f"expected an object, got {describe(value)}")
    _check_count(field.validators, len(value), path)
    assert field.of is not None
    out = {
        check_key(key, path): coerce_scalar(field.of, field.validators, item, f"{path}.{key}")
        for key, item in value.items()
    }
    if field.validators.unique_items:
        _check_unique((f"{path}.{key}", item) for key, item in out.items())
    return out


def _check_count(rules: Validators, count: int, path: str) -> None:
    if rules.max_items is not None and count > rules.max_items:
        raise bad(path, f"must have at most {rules.max_items} items (got {count})")


def _check_unique(items: Iterable[tuple[str, Any]]) -> None:
    seen: set[Any] = set()
    for path, item in items:
        if item in seen:
            raise bad(path, f"duplicate value {item!r}: items must be unique")
        seen.add(item)


def _string(rules: Validators, value: Any, path: str) -> str:
    text = check_string(value, path, min_length=rules.min_length, max_length=rules.max_length)
    if rules.pattern is not None and re.fullmatch(rules.pattern, text) is None:
        raise bad(path, f"must match the pattern {rules.pattern!r}")
    if rules.allowed_values is not None and text not in rules.allowed_values:
        raise bad(path, "must be one of " + ", ".join(map(str, rules.allowed_values)))
    forbidden = sorted(set(text) & set(rules.forbidden_chars or ""))
    if forbidden:
        raise bad(path, f"may not contain {''.join(forbidden)!r}")
    return text


def _version(rules: Validators, value: Any, path: str) -> str:
    text = check_string(value, path)
    try:
        normalized = storable_version(text)
    except ValueError as exc:
        raise bad(path, f"is not a valid version: {exc}") from exc
    return _string(rules, normalized, path)


def _integer(bounds: tuple[int, int], rules: Validators, value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(path, f"expected an integer, got {describe(value)}")
    low, high = bounds
    if not low <= value <= high:
        raise bad(path, f"must be between {low} and {high}")
    _check_range(rules, value, path)
    return value


def _float(rules: Validators, value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad(path, f"expected a number, got {describe(value)}")
    try:
        number = float(value)
    except OverflowError as exc:
        raise bad(path, "is too large for a float") from exc
    if not math.isfinite(number):
        raise bad(path, "must be a finite number (not NaN or infinity)")
    _check_range(rules, number, path)
    return number


def _check_range(rules: Validators, value: float, path: str) -> None:
    if rules.min is not None and value < rules.min:
        raise bad(path, f"must be at least {rules.min}")
    if rules.max is not None and value > rules.max:
        raise bad(path, f"must be at most {rules.max}")


def _boolean(rules: Validators, value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise bad(path, f"expected a boolean, got {describe(value)}")
    return value


def _datetime(rules: Validators, value: Any, path: str) -> str:
    """Stored as `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`, so lexical order is time order."""
    moment = _parse_datetime(value, path) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        raise bad(path, f"expected a date-time, got {describe(value)}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC).isoformat(timespec="microseconds")
    except OverflowError as exc:
        raise bad(path, "is out of the supported date-time range") from exc


def _parse_datetime(text: str, path: str) -> datetime:
    try:
        return datetime.fromisoformat(check_string(text, path))
    except ValueError as exc:
        raise bad(path, f"is not an ISO-8601 date-time: {text!r:.60}") from exc


_SCALARS: dict[Kind, Callable[[Validators, Any, str], Any]] = {
    Kind.STRING: _string,
    Kind.TEXT: _string,
    Kind.INTEGER: partial(_integer, INT32_RANGE),
    Kind.LONG: partial(_integer, INT64_RANGE),
    Kind.FLOAT: _float,
    Kind.BOOLEAN: _boolean,
    Kind.DATETIME: _datetime,
    Kind.VERSION: _version,
}
