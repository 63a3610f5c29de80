"""Custom scalars: DateTime (ISO-8601 with offset), Long (64-bit integer) and JSON."""

import datetime as dt
from typing import Any, NewType

import strawberry
from graphql import GraphQLError
from strawberry.scalars import JSON

Long = NewType("Long", int)
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1


def _serialize_datetime(value: Any) -> str:
    if value.__class__ is dt.datetime and value.tzinfo is dt.UTC:
        return value.isoformat()  # what the database layer hands out: already UTC
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return str(value.astimezone(dt.UTC).isoformat())


def _parse_datetime(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise GraphQLError("DateTime must be an ISO-8601 string")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise GraphQLError(f"not an ISO-8601 date-time: {value!r}") from exc
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    try:  # in UTC right away: 0001-01-01T00:00+01:00 has no UTC form, and must fail here
        return parsed.astimezone(dt.UTC)
    except OverflowError as exc:
        raise GraphQLError(f"date-time out of the supported range: {value!r:.60}") from exc


def _parse_long(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.lstrip("-").isdigit():
            value = int(value)
        else:
            raise GraphQLError("Long must be an integer")
    if not _LONG_MIN <= value <= _LONG_MAX:
        raise GraphQLError("Long must fit in 64 bits")
    return int(value)


DATETIME_SCALAR = strawberry.scalar(
    name="DateTime",
    description="An ISO-8601 date-time with offset, e.g. 2026-01-31T12:00:00+00:00.",
    serialize=_serialize_datetime,
    parse_value=_parse_datetime,
)


def _serialize_long(value: Any) -> str:
    """A decimal string, as GitHub's BigInt: JavaScript numbers lose integers above 2^53."""
    return str(int(value))


LONG_SCALAR = strawberry.scalar(
    name="Long",
    description="A 64-bit signed integer, written as a decimal string (JavaScript reads it "
    "exactly); accepted as a string or an integer.",
    serialize=_serialize_long,
    parse_value=_parse_long,
)

SCALAR_MAP: dict[object, Any] = {dt.datetime: DATETIME_SCALAR, Long: LONG_SCALAR}

__all__ = ["JSON", "SCALAR_MAP", "Long"]
