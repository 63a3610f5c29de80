"""Writing the audit event of a mutation: a commit hook of the unit of work, so it commits or
rolls back with the mutation, and every mutation (those added later too) gets exactly one."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from glaregraph.catalog.database.tables import audit_events

if TYPE_CHECKING:
    from glaregraph.catalog.unit_of_work import UnitOfWork

# built once, parameters `audit_<column>`: every event is this statement with its values
_INSERT = sa.insert(audit_events).values(
    {
        c.name: sa.bindparam(f"audit_{c.name}", type_=c.type)
        for c in audit_events.c
        if c.name != "seq"
    }
)


async def record_event(uow: UnitOfWork) -> None:
    if not uow.audited:
        return
    subject = uow.subject
    before = after = None
    if subject is not None:
        change = next((c for c in uow.changes if c.artifact_id == subject.id), None)
        before, after = (
            (change.revision_before, change.revision_after)
            if change is not None
            else (subject.revision, subject.revision)  # taken, not changed (a lease, say)
        )
    details: dict[str, Any] = dict(uow.details)
    others = [c.artifact_id for c in uow.changes if subject is None or c.artifact_id != subject.id]
    if others:
        details["alsoChanged"] = sorted(others)
    principal = uow.principal
    row = {
        "id": str(uuid.uuid4()),
        "at": uow.now,
        "actor": principal.user_id or "",
        "project": principal.project or "",
        "action": uow.name,
        "artifact_id": None if subject is None else subject.id,
        "type_name": None if subject is None else subject.type_name,
        "revision_before": before,
        "revision_after": after,
        "request_id": uow.caller.request_id,
        "details": details,
    }
    # nothing in the mutation reads it back: sent with its last writes
    uow.later(_INSERT, {f"audit_{k}": v for k, v in row.items()})
