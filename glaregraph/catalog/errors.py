"""The catalog's error tree. Each class carries the stable `code` clients branch on (API.md §9).

CatalogError
├── Unauthenticated          UNAUTHENTICATED
├── Forbidden                FORBIDDEN        policy, immutability
├── NotFound                 NOT_FOUND        also what exists but is invisible
├── BadUserInput             BAD_USER_INPUT   validation; `field` names the input path
│   └── ActivationIncomplete                  required_on_activate fields unset (`fields`)
├── Conflict                 CONFLICT         duplicate, revision, transition, blob SAVING
│   ├── RevisionMismatch                      (`expected`, `actual`)
│   ├── TransitionNotAllowed                  (`from`, `to`)
│   └── ConcurrentChange                      left no trace; may run again
├── Locked                   LOCKED           (`holder`, `expiresAt`)
├── QuotaExceeded            QUOTA_EXCEEDED   (`scope`, `limit`, `used`, `requested`)
├── PayloadTooLarge          PAYLOAD_TOO_LARGE
├── StorageUnavailable       STORAGE_UNAVAILABLE
└── QueryTooComplex          QUERY_TOO_COMPLEX (`limit`, `actual`)

TypeDefinitionError is not a CatalogError: it stops the server at start, it never reaches a client.
"""

from __future__ import annotations

from typing import Any, ClassVar


class CatalogError(Exception):
    """Base of every error a client may see; `details` become keys of `extensions`."""

    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = {k: v for k, v in details.items() if v is not None}

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, **self.details}


class Unauthenticated(CatalogError):
    code = "UNAUTHENTICATED"


class Forbidden(CatalogError):
    code = "FORBIDDEN"


class NotFound(CatalogError):
    code = "NOT_FOUND"

    def __init__(self, message: str = "not found", **details: Any) -> None:
        super().__init__(message, **details)


class BadUserInput(CatalogError):
    code = "BAD_USER_INPUT"

    def __init__(self, message: str, field: str | None = None, **details: Any) -> None:
        super().__init__(message, field=field, **details)
        self.field = field


class ActivationIncomplete(BadUserInput):
    def __init__(self, fields: list[str]) -> None:
        super().__init__(
            "cannot activate: required fields are not set: " + ", ".join(fields), fields=fields
        )


class Conflict(CatalogError):
    code = "CONFLICT"


class ConcurrentChange(Conflict):
    """The database gave up on the mutation's transaction because of another one (a lock
    cycle, a row it may not wait for): nothing of it was written, and it may run again."""


class RevisionMismatch(Conflict):
    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(
            f"revision mismatch: expected {expected}, the artifact is at {actual}",
            expected=expected,
            actual=actual,
        )


class TransitionNotAllowed(Conflict):
    def __init__(self, from_status: str, to_status: str) -> None:
        super().__init__(
            f"cannot go from {from_status} to {to_status}", **{"from": from_status, "to": to_status}
        )


class Locked(CatalogError):
    code = "LOCKED"


class QuotaExceeded(CatalogError):
    code = "QUOTA_EXCEEDED"


class PayloadTooLarge(CatalogError):
    code = "PAYLOAD_TOO_LARGE"


class StorageUnavailable(CatalogError):
    code = "STORAGE_UNAVAILABLE"


class QueryTooComplex(CatalogError):
    code = "QUERY_TOO_COMPLEX"


class TypeDefinitionError(Exception):
    """A type definition file is wrong; the message names file, type and field."""

    def __init__(self, source: str, type_name: str | None, field: str | None, problem: str) -> None:
        where = source
        if type_name:
            where += f": type '{type_name}'"
        if field:
            where += f", field '{field}'"
        super().__init__(f"{where}: {problem}")
        self.source, self.type_name, self.field, self.problem = source, type_name, field, problem
