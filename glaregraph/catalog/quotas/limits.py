"""The limits in force for a project: an override (`quotaSet`) where one exists, else the
defaults (`CATALOG_QUOTA_MAX_*` for the all-types scope, the type's `quota:` for its own)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from glaregraph.catalog.database.tables import quotas
from glaregraph.catalog.typedef.model import Registry

ALL_TYPES = ""  # the all-types scope, as stored


@dataclass(frozen=True, slots=True)
class QuotaSettings:
    """Defaults of every project's all-types scope (-1: unlimited)."""

    max_artifacts: int = -1
    max_bytes: int = -1


@dataclass(frozen=True, slots=True)
class Limit:
    scope: str  # ALL_TYPES or a type name
    max_artifacts: int | None  # None: unlimited
    max_bytes: int | None


def _limit(value: int | None) -> int | None:
    return None if value is None or value < 0 else value


# runs a SELECT with its parameters (UnitOfWork.flush: with the writes waiting for COMMIT)
Reader = Callable[[sa.Select[Any], Mapping[str, Any]], Awaitable[Any]]

# built once (every create reads it): the overrides of some of a project's scopes
_OVERRIDES = sa.select(quotas).where(
    quotas.c.project == sa.bindparam("project"),
    quotas.c.type_name.in_(sa.bindparam("scopes", expanding=True)),
)


async def limits(
    conn: AsyncConnection,
    settings: QuotaSettings,
    registry: Registry,
    project: str,
    type_names: Sequence[str],
    read: Reader | None = None,
) -> list[Limit]:
    """The all-types limit, then one per type of `type_names`, in that order (the order
    counters are changed in, so two writers never wait for each other in a cycle). `read`
    runs the statement (a mutation sends its waiting writes with it), else `conn`."""
    scopes = [ALL_TYPES, *type_names]
    params = {"project": project, "scopes": scopes}
    rows = await (conn.execute if read is None else read)(_OVERRIDES, params)
    overrides = {r.type_name: r for r in rows}
    out = []
    for scope in scopes:
        if scope in overrides:
            row = overrides[scope]
            out.append(Limit(scope, _limit(row.max_artifacts), _limit(row.max_bytes)))
        elif scope == ALL_TYPES:
            out.append(Limit(scope, _limit(settings.max_artifacts), _limit(settings.max_bytes)))
        else:
            default = registry[scope].quota if scope in registry else None
            out.append(
                Limit(
                    scope,
                    _limit(default.max_artifacts if default else None),
                    _limit(default.max_bytes if default else None),
                )
            )
    return out
