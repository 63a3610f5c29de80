"""INSERT ... ON CONFLICT DO UPDATE on both dialects: one statement, no read-then-write race."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def upsert(conn: AsyncConnection, table: sa.Table, values: dict[str, Any], key: list[str]) -> Any:
    """Insert `values`, or update the non-key columns of the row that has the same `key`."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(**values)
    updates = {k: stmt.excluded[k] for k in values if k not in key}
    return stmt.on_conflict_do_update(index_elements=key, set_=updates)
