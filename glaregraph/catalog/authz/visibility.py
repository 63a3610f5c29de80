"""Who sees which artifact, written once as a small predicate and read two ways: as SQL for
every query (`to_sql`) and in Python for one record (`holds`), so the two agree by construction.

A caller sees its own project's artifacts, PUBLIC ones and SHARED ones shared with its project;
an admin sees all. DELETED artifacts are never visible to anyone.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.expression import ColumnElement

from glaregraph.catalog.database.tables import artifact_shares, artifacts
from glaregraph.catalog.principal import Principal


@dataclass(frozen=True, slots=True)
class Equals:
    """A base column of the artifact holds `value` (`negate`: does not)."""

    column: str
    value: str
    negate: bool = False


@dataclass(frozen=True, slots=True)
class SharedWith:
    """The artifact is shared with `project`."""

    project: str


@dataclass(frozen=True, slots=True)
class AllOf:
    parts: tuple[Predicate, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    parts: tuple[Predicate, ...]


Predicate = Equals | SharedWith | AllOf | AnyOf


def rule(principal: Principal) -> Predicate:
    """The visibility rule for `principal`."""
    live = Equals("status", "DELETED", negate=True)
    if principal.is_admin:
        return live
    public = Equals("visibility", "PUBLIC")
    if principal.anonymous or principal.project is None:
        return AllOf((live, public))
    shared = AllOf((Equals("visibility", "SHARED"), SharedWith(principal.project)))
    return AllOf((live, AnyOf((Equals("owner", principal.project), public, shared))))


def to_sql(predicate: Predicate, table: Any = artifacts) -> ColumnElement[bool]:
    """The predicate as a condition on `table` (the artifacts table or an alias of it)."""
    if isinstance(predicate, Equals):
        column = table.c[predicate.column]
        compared: ColumnElement[bool] = (
            column != predicate.value if predicate.negate else column == predicate.value
        )
        return compared
    if isinstance(predicate, SharedWith):
        # a lookup of this artifact's share (the shares' key: artifact, project), as a count:
        # PostgreSQL may turn an EXISTS into a hashed subplan that reads every share of the
        # project before the first row, even for a page of 50 artifacts; a count it cannot
        shares = (
            sa.select(sa.func.count())
            .where(
                artifact_shares.c.artifact_id == table.c.id,
                artifact_shares.c.project == predicate.project,
            )
            .scalar_subquery()
        )
        return shares > 0
    parts = [to_sql(p, table) for p in predicate.parts]
    return sa.and_(*parts) if isinstance(predicate, AllOf) else sa.or_(*parts)


def holds(predicate: Predicate, record: Any, shared_with: Collection[str]) -> bool:
    """The predicate on one artifact (any object with the base columns as attributes) whose
    share projects are `shared_with`."""
    if isinstance(predicate, Equals):
        equal: bool = getattr(record, predicate.column) == predicate.value
        return equal != predicate.negate
    if isinstance(predicate, SharedWith):
        return predicate.project in shared_with
    results = (holds(p, record, shared_with) for p in predicate.parts)
    return all(results) if isinstance(predicate, AllOf) else any(results)
