"""Who is asking: the principal every use case receives (built by the server's auth)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str | None
    project: str | None
    roles: tuple[str, ...] = ()
    is_admin: bool = False
    anonymous: bool = False

    @classmethod
    def anonymous_user(cls) -> Principal:
        return cls(user_id=None, project=None, roles=(), is_admin=False, anonymous=True)
