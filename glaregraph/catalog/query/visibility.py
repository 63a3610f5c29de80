"""Who sees what, as SQL: own project, PUBLIC, SHARED with the caller's project; admin sees all.

DELETED artifacts are never visible to anyone.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.expression import ColumnElement

from glaregraph.catalog.principal import Principal
from glaregraph.catalog.store.tables import artifact_shares, artifacts


def visible(principal: Principal, table: Any = artifacts) -> ColumnElement[bool]:
    live: ColumnElement[bool] = table.c.status != "DELETED"
    if principal.is_admin:
        return live
    if principal.anonymous or principal.project is None:
        return sa.and_(live, table.c.visibility == "PUBLIC")
    shared = sa.exists().where(
        artifact_shares.c.artifact_id == table.c.id,
        artifact_shares.c.project == principal.project,
    )
    return sa.and_(
        live,
        sa.or_(
            table.c.owner == principal.project,
            table.c.visibility == "PUBLIC",
            sa.and_(table.c.visibility == "SHARED", shared),
        ),
    )
