"""Reading the audit trail (admin by default: policy action `read_audit`): newest first, in
keyset pages, filtered by actor, project, action, artifact, type and time."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.tables import audit_events
from glaregraph.catalog.errors import BadUserInput
from glaregraph.catalog.listing import DEFAULT_PAGE, MAX_PAGE
from glaregraph.catalog.principal import Principal
from glaregraph.catalog.query.filters import MAX_DEPTH, scalar_ops
from glaregraph.catalog.typedef.model import Kind, to_camel

FIELDS = {
    "actor": Kind.STRING,
    "project": Kind.STRING,
    "action": Kind.STRING,
    "artifact_id": Kind.STRING,
    "type_name": Kind.STRING,
    "at": Kind.DATETIME,
}


@dataclass(frozen=True, slots=True)
class EventPage:
    rows: list[dict[str, Any]]
    cursors: list[str]
    has_next: bool
    has_previous: bool


def _compile(spec: Mapping[str, Any] | None, path: str, depth: int = 0) -> sa.ColumnElement[bool]:
    if not spec:
        return sa.true()
    if depth > MAX_DEPTH:
        raise BadUserInput(f"filters nest at most {MAX_DEPTH} deep", field=path)
    parts: list[sa.ColumnElement[bool]] = []
    for key, value in spec.items():
        if value is None:
            continue
        where = f"{path}.{to_camel(key)}"
        if key in ("and", "or"):
            subs = [_compile(s, f"{where}[{i}]", depth + 1) for i, s in enumerate(value)]
            parts.append(sa.and_(sa.true(), *subs) if key == "and" else sa.or_(sa.false(), *subs))
        elif key == "not":
            parts.append(sa.not_(sa.func.coalesce(_compile(value, where, depth + 1), sa.false())))
        else:
            parts.append(scalar_ops(audit_events.c[key], FIELDS[key], value, where))
    return sa.and_(sa.true(), *parts)


def _cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"audit:{seq}".encode()).decode()


def _seq(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not text.startswith("audit:"):
            raise ValueError(cursor)
        return int(text[6:])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadUserInput("not a cursor of this list", field="after") from None


async def events(
    catalog: Catalog,
    principal: Principal,
    filter_spec: Mapping[str, Any] | None,
    first: int | None,
    after: str | None,
) -> EventPage:
    await catalog.authz.check(principal, "read_audit")
    size = DEFAULT_PAGE if first is None else first
    if not 0 <= size <= MAX_PAGE:
        raise BadUserInput(f"first must be between 0 and {MAX_PAGE}", field="first")
    stmt = sa.select(audit_events).where(_compile(filter_spec, "filter"))
    if after is not None:
        stmt = stmt.where(audit_events.c.seq < _seq(after))
    stmt = stmt.order_by(audit_events.c.seq.desc()).limit(size + 1)
    async with catalog.db.read() as conn:
        rows = [dict(r) for r in (await conn.execute(stmt)).mappings()]
    kept = rows[:size]
    return EventPage(kept, [_cursor(r["seq"]) for r in kept], len(rows) > size, after is not None)
