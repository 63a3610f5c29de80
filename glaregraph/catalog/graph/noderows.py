"""The columns of an artifact that a lineage node carries, and its record built from them.

Built from plain tuples: a thousand nodes through `ArtifactRecord.from_row` on result mappings
took 20 ms (every optional column the row lacks is a KeyError inside SQLAlchemy), this 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from glaregraph.catalog.records import ArtifactRecord

# the ArtifactRecord fields read from the row as they are; `data` and `meta` follow
BASE = (
    "id",
    "type_name",
    "name",
    "version",
    "description",
    "owner",
    "created_by",
    "visibility",
    "status",
    "revision",
    "created_at",
    "updated_at",
    "activated_at",
)


def columns(table: Any) -> list[sa.ColumnElement[Any]]:
    """The columns `record` takes, in its order, of the artifacts table or an alias of it."""
    return [*(table.c[name] for name in BASE), table.c.data, table.c.meta]


def record(row: Sequence[Any]) -> ArtifactRecord:
    values = dict(zip(BASE, row, strict=False))
    return ArtifactRecord(**values, data=row[-2] or {}, meta=row[-1] or {})
