"""Lifecycle rules: which status and visibility changes are allowed from where, and by whom."""

from __future__ import annotations

from glaregraph.catalog.errors import Forbidden, TransitionNotAllowed

DRAFTED, ACTIVE, DEACTIVATED, DELETED = "DRAFTED", "ACTIVE", "DEACTIVATED", "DELETED"
PRIVATE, SHARED, PUBLIC = "PRIVATE", "SHARED", "PUBLIC"

# transition (also its policy action) -> the statuses it may start from, and where it goes
SOURCES: dict[str, frozenset[str]] = {
    "activate": frozenset({DRAFTED}),
    "deactivate": frozenset({ACTIVE}),
    "reactivate": frozenset({DEACTIVATED}),
}
TARGET = {"activate": ACTIVE, "deactivate": DEACTIVATED, "reactivate": ACTIVE}


def check_transition(name: str, current: str) -> bool:
    """True when the move changes something; False when already there; CONFLICT otherwise."""
    target = TARGET[name]
    if current == target:
        return False
    if current not in SOURCES[name]:
        raise TransitionNotAllowed(current, target)
    return True


def check_publish(status: str, visibility: str) -> bool:
    if visibility == PUBLIC:
        return False
    if status != ACTIVE:
        raise TransitionNotAllowed(status, PUBLIC)
    return True


def check_share(visibility: str) -> None:
    if visibility == PUBLIC:
        raise TransitionNotAllowed(PUBLIC, SHARED)


def check_field_change(status: str, mutable: bool, field: str) -> None:
    """Immutable fields change only while DRAFTED; mutable ones while DRAFTED or ACTIVE (or by
    an admin on a DEACTIVATED artifact, which the authorization point already vetted)."""
    if status == DRAFTED or mutable:
        return
    raise Forbidden(f"'{field}' cannot change once the artifact is {status}", field=field)
