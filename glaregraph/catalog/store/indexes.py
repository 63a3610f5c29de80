"""Expression indexes for type fields, derived from the registry and created at start-up.

Types are data, so these are not in the migrations: each sortable or filterable scalar field gets
a partial index `(expr) WHERE type_name = '<type>'`, named `ix_af_...` (ignored by alembic).
"""

from __future__ import annotations

import hashlib
from typing import Any

from glaregraph.catalog.query.columns import field_column
from glaregraph.catalog.store.database import Database
from glaregraph.catalog.typedef.model import Kind, Registry

PREFIX = "ix_af_"
_INDEXABLE = {Kind.STRING, Kind.INTEGER, Kind.LONG, Kind.FLOAT, Kind.DATETIME, Kind.VERSION}


def index_statements(registry: Registry, dialect: Any) -> list[str]:
    out = []
    for t in registry.values():
        for f in t.data_fields:
            if f.kind not in _INDEXABLE or not (f.sortable or f.filterable):
                continue
            expr = str(field_column(f).compile(dialect=dialect))
            digest = hashlib.sha1(f"{t.name}.{f.name}".encode()).hexdigest()[:10]
            name = f"{PREFIX}{t.name[:20]}_{f.name[:20]}_{digest}"
            out.append(
                f"CREATE INDEX IF NOT EXISTS {name} ON artifacts (({expr}), id) "
                f"WHERE type_name = '{t.name}'"
            )
    return out


async def ensure_type_indexes(db: Database, registry: Registry) -> int:
    """Create the missing indexes; returns how many statements ran."""
    async with db.engine.begin() as conn:
        statements = index_statements(registry, conn.dialect)
        for sql in statements:
            await conn.exec_driver_sql(sql)
    return len(statements)
