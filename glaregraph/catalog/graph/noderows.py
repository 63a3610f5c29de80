"""The columns of an artifact that a lineage node carries, and its record built from them.

Built from plain tuples: a thousand nodes through `ArtifactRecord.from_row` on result mappings
took 20 ms (every optional column the row lacks is a KeyError inside SQLAlchemy), this 2.
"""

from __future__ import annotations

import dataclasses
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


NAMES = (*BASE, "data", "meta")


def columns(table: Any) -> list[sa.ColumnElement[Any]]:
    """The columns `record` takes, in its order, of the artifacts table or an alias of it."""
    return [table.c[name] for name in NAMES]


# `record` passes the row positionally: the record's first fields must be these, in this order
if tuple(f.name for f in dataclasses.fields(ArtifactRecord))[: len(NAMES)] != NAMES:
    raise RuntimeError("noderows.NAMES no longer match the first fields of ArtifactRecord")


def record(row: Sequence[Any]) -> ArtifactRecord:
    """The record of a row of `columns` (positionally: no dict of keywords per node)."""
    return ArtifactRecord(
        row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9],
        row[10], row[11], row[12], row[13] or {}, row[14] or {},
    )  # fmt: skip
