"""A list of ids bound as ONE parameter and read in SQL as a one-column table: a PostgreSQL
array through `unnest`, a JSON array through SQLite's `json_each`.

A lineage answer passes up to 10,001 ids to a statement (a walk level's visited artifacts, the
rows and the edges of the returned ones). Written as `IN (:id_1, ..., :id_n)` that is a bound
parameter per id (SQLite refuses more than 32,766), a new statement text for every length (no
plan reuse) and SQLAlchemy coercing each value while the statement is built (about 1 ms per
1,000 ids). One parameter keeps one statement text, and `IN (SELECT ...)` lets the database hash
a long list rather than compare each row with every element.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


def id_list(name: str, dialect: str) -> sa.Select[Any]:
    """`SELECT` of the ids bound as parameter `name` (bind them with `bind_ids`)."""
    if dialect == "postgresql":
        values = sa.bindparam(name, type_=postgresql.ARRAY(sa.String()))
        return sa.select(sa.func.unnest(values))
    each = sa.func.json_each(sa.bindparam(name, type_=sa.String())).table_valued("value")
    return sa.select(each.c.value)


def bind_ids(ids: Iterable[str], dialect: str) -> Any:
    """The value of an `id_list` parameter."""
    if dialect == "postgresql":
        return list(ids)
    return orjson.dumps(list(ids)).decode()
