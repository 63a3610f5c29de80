"""Who is asking: the principal (built by the server's auth) and the caller every use case
receives (the principal, the request it came with, and who to tell about changes)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str | None
    project: str | None
    roles: tuple[str, ...] = ()
    is_admin: bool = False
    anonymous: bool = False
    subject: str | None = None  # the token's `sub`, when a token named the caller
    issuer: str | None = None  # the token's `iss`

    @classmethod
    def anonymous_user(cls) -> Principal:
        return cls(user_id=None, project=None, roles=(), is_admin=False, anonymous=True)


def _ignore(_ids: Collection[str]) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Caller:
    """One request's caller. `changed` is told the ids of the artifacts a committed mutation
    changed, so that request-scoped caches (DataLoaders) forget them."""

    principal: Principal
    request_id: str | None = None
    changed: Callable[[Collection[str]], None] = field(default=_ignore)
