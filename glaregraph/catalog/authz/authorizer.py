"""The one authorization point: which artifacts a caller sees (as SQL and in Python), what it
may do to them (policy actions plus the admin rules) and who sees `sharedWith`.

Every use case asks it; its answers are async so that a policy engine or token claims that
need I/O plug in here without touching a resolver.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from typing import Any

from sqlalchemy.sql.expression import ColumnElement

from glaregraph.catalog.authz import visibility
from glaregraph.catalog.authz.policy import Policy
from glaregraph.catalog.database.tables import artifacts
from glaregraph.catalog.errors import Forbidden, Unauthenticated
from glaregraph.catalog.principal import Principal
from glaregraph.catalog.records import ArtifactRecord

PROTECTED_VISIBILITY = "PUBLIC"
PROTECTED_STATUS = "DEACTIVATED"


class Authorizer:
    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy or Policy()
        # a predicate is immutable SQL: built once per caller, shared by every statement
        self._visible = functools.lru_cache(maxsize=1024)(self._build_visible)

    # -- visibility ------------------------------------------------------------------------

    def visible(self, principal: Principal, table: Any = artifacts) -> ColumnElement[bool]:
        """The artifacts `principal` may see, as a condition on `table`."""
        return self._visible(principal, table)

    def _build_visible(self, principal: Principal, table: Any) -> ColumnElement[bool]:
        return visibility.to_sql(visibility.rule(principal), table)

    def sees(self, principal: Principal, record: Any, shared_with: Collection[str]) -> bool:
        """The same rule for one artifact whose share projects are `shared_with`."""
        return visibility.holds(visibility.rule(principal), record, shared_with)

    # -- actions ---------------------------------------------------------------------------

    async def can(
        self, principal: Principal, action: str, artifact: ArtifactRecord | None = None
    ) -> bool:
        """Whether `principal` may do `action` (to `artifact`, which it can already see)."""
        if principal.anonymous:
            return False
        return self.policy.allows(action, principal, artifact.owner if artifact else None)

    async def check(
        self, principal: Principal, action: str, artifact: ArtifactRecord | None = None
    ) -> None:
        """`can`, or UNAUTHENTICATED for an anonymous caller and FORBIDDEN for anyone else."""
        require_user(principal)
        if not await self.can(principal, action, artifact):
            raise Forbidden(f"not allowed to {action.replace('_', ' ')}", action=action)

    async def check_change(self, principal: Principal, artifact: ArtifactRecord) -> None:
        """A PUBLIC or DEACTIVATED artifact changes only by whom `change_protected` allows
        (an admin by default)."""
        protected = (
            artifact.visibility == PROTECTED_VISIBILITY or artifact.status == PROTECTED_STATUS
        )
        if protected and not await self.can(principal, "change_protected", artifact):
            raise Forbidden(
                "only an admin may change a public or deactivated artifact",
                action="change_protected",
            )

    async def sees_shares(self, principal: Principal, artifact: ArtifactRecord) -> bool:
        """Whether `sharedWith` of `artifact` is shown to `principal` (else it reads empty)."""
        return await self.can(principal, "see_shares", artifact)


def require_user(principal: Principal) -> None:
    if principal.anonymous or principal.user_id is None or principal.project is None:
        raise Unauthenticated("this operation needs an authenticated caller")
