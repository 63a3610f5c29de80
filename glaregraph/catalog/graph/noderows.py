"""The columns of an artifact that a lineage node carries, and its record built from them.

Built from plain tuples: a thousand nodes through `ArtifactRecord.from_row` on result mappings
took 20 ms (every optional column the row lacks is a KeyError inside SQLAlchemy), this 2.

A walk whose nodes select only fields read straight from these columns (a frontend drawing a
graph: `artifact { id name typeName }`) reads only those columns (and the id and type, which
decide the node's GraphQL type): a 10k hub's first level moved 17 columns of 1,134 rows where
3 were asked for, half of the level's time in decoding. Its records have the other fields
None (`data` and `meta` empty): nothing reads them (schema/lookahead.py decides).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from operator import itemgetter
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
# what every node reads, whatever is selected: what it is and which GraphQL type it is
ALWAYS = ("id", "type_name")


# the record's properties, by the column each reads
PROPERTIES = {"metadata": "meta"}


def chosen(needed: Sequence[str] | None) -> tuple[str, ...]:
    """The columns a walk reads for nodes whose fields read the record attributes `needed`
    (None: any): those of `NAMES` needed, in its order; all of them when an attribute is not
    one of them (nor a property reading one)."""
    if needed is None:
        return NAMES
    wanted = {PROPERTIES.get(name, name) for name in needed}
    if not wanted <= set(NAMES):
        return NAMES
    return tuple(name for name in NAMES if name in wanted or name in ALWAYS)


def columns(table: Any, names: tuple[str, ...] = NAMES) -> list[sa.ColumnElement[Any]]:
    """The columns `maker(names)` takes, in its order, of the artifacts table or an alias."""
    return [table.c[name] for name in names]


if not all(isinstance(getattr(ArtifactRecord, p, None), property) for p in PROPERTIES):
    raise RuntimeError("noderows.PROPERTIES names an attribute that is not a record property")

# `record` passes the row positionally: the record's first fields must be these, in this order
if tuple(f.name for f in dataclasses.fields(ArtifactRecord))[: len(NAMES)] != NAMES:
    raise RuntimeError("noderows.NAMES no longer match the first fields of ArtifactRecord")


@functools.lru_cache(maxsize=64)
def maker(names: tuple[str, ...]) -> Callable[[Sequence[Any]], ArtifactRecord]:
    """The record of a row of `columns(table, names)`: `record` for all of them, else one
    with the columns not read None (`data` and `meta` empty)."""
    if names == NAMES:
        return record
    absent = len(names)  # a row padded with one None: where the columns not read are taken
    base = itemgetter(*(names.index(n) if n in names else absent for n in BASE))
    data = names.index("data") if "data" in names else absent
    meta = names.index("meta") if "meta" in names else absent

    def partial(row: Sequence[Any]) -> ArtifactRecord:
        padded = (*row, None)
        v = base(padded)
        return ArtifactRecord(
            v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12],
            padded[data] or {}, padded[meta] or {},
        )  # fmt: skip

    return partial


def record(row: Sequence[Any]) -> ArtifactRecord:
    """The record of a row of `columns` (positionally: no dict of keywords per node)."""
    return ArtifactRecord(
        row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9],
        row[10], row[11], row[12], row[13] or {}, row[14] or {},
    )  # fmt: skip
