"""Audiences: the visibility rule (authz/visibility.py) cut into disjoint parts, so that counts
kept per audience add up to exactly what a caller may see.

An artifact that is not DELETED is counted for
- PUBLIC ('P', ''), if it is PUBLIC;
- OWNER ('O', its owner), if it is not PUBLIC (its own project sees it);
- SHARED ('S', p) for each project p it is shared with, if it is SHARED.
A caller reads: an admin PUBLIC and every OWNER; a member of project p PUBLIC, OWNER p and
SHARED p; anyone else PUBLIC. Each artifact a caller sees falls in exactly one audience it
reads: PUBLIC and the others differ in visibility, and an artifact is never shared with its own
project (shares naming the owner are left out, as `share` refuses them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.expression import ColumnElement

from glaregraph.catalog import lifecycle
from glaregraph.catalog.principal import Principal

PUBLIC, OWNER, SHARED = "P", "O", "S"
Audience = tuple[str, str]  # (scope, project)


def audiences(
    owner: str, visibility: str, status: str, shared_with: Iterable[str]
) -> frozenset[Audience]:
    """Whom an artifact with these base columns and share projects is counted for."""
    if status == lifecycle.DELETED:
        return frozenset()
    if visibility == lifecycle.PUBLIC:
        return frozenset({(PUBLIC, "")})
    shared = visibility == lifecycle.SHARED
    return frozenset({(OWNER, owner), *((SHARED, p) for p in shared_with if shared and p != owner)})


def readable(principal: Principal, table: Any) -> ColumnElement[bool]:
    """The audiences `principal` reads, as a condition on a count table's scope and project."""
    public: ColumnElement[bool] = table.c.scope == PUBLIC
    if principal.is_admin:
        return sa.or_(public, table.c.scope == OWNER)
    if principal.anonymous or principal.project is None:
        return public
    mine = sa.and_(table.c.scope.in_((OWNER, SHARED)), table.c.project == principal.project)
    return sa.or_(public, mine)
