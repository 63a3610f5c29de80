"""The audit trail in the schema: `AuditEvent`, `AuditEventFilter`, `AuditEventConnection` and
the admin-only `auditEvents` query."""

import datetime as dt
from typing import Annotated, Any, Optional

import strawberry

from glaregraph.resolvers import audit as resolve
from glaregraph.schema.common import PageInfo, page_info_of
from glaregraph.schema.convert import to_plain
from glaregraph.schema.operators import DateTimeFilter, StringFilter
from glaregraph.schema.scalars import JSON


def _arg(description: str) -> Any:
    return strawberry.argument(description=description)


@strawberry.type(description="What one successful mutation did, and who did it.")
class AuditEvent:
    id: strawberry.ID = strawberry.field(description="Event id.")
    at: dt.datetime = strawberry.field(description="When the mutation committed its change.")
    actor: str = strawberry.field(description="User id of the caller.")
    project: str = strawberry.field(description="The caller's project.")
    action: str = strawberry.field(description="The mutation's name, e.g. artifactTagsAdd.")
    artifact_id: Optional[strawberry.ID] = strawberry.field(
        description="The artifact it was about; null for mutations about none."
    )
    type_name: Optional[str] = strawberry.field(description="That artifact's type.")
    revision_before: Optional[int] = strawberry.field(description="Null for a create.")
    revision_after: Optional[int] = strawberry.field(description="Revision afterwards.")
    request_id: Optional[str] = strawberry.field(description="X-Request-Id of the request.")
    details: JSON = strawberry.field(description="More about it (other artifacts changed, ...).")


@strawberry.input(description="Which audit events to list; all given conditions must hold.")
class AuditEventFilter:
    actor: Optional[StringFilter] = strawberry.field(default=None, description="By user id.")
    project: Optional[StringFilter] = strawberry.field(default=None, description="By project.")
    action: Optional[StringFilter] = strawberry.field(default=None, description="By mutation.")
    artifact_id: Optional[StringFilter] = strawberry.field(default=None, description="By artifact.")
    type_name: Optional[StringFilter] = strawberry.field(default=None, description="By type.")
    at: Optional[DateTimeFilter] = strawberry.field(default=None, description="By time.")
    and_: Optional[list["AuditEventFilter"]] = strawberry.field(
        default=None, name="and", description="All of these."
    )
    or_: Optional[list["AuditEventFilter"]] = strawberry.field(
        default=None, name="or", description="Any of these."
    )
    not_: Optional["AuditEventFilter"] = strawberry.field(
        default=None, name="not", description="Not this."
    )


@strawberry.type(description="One audit event in a page.")
class AuditEventEdge:
    cursor: str = strawberry.field(description="Opaque cursor of this item.")
    node: AuditEvent = strawberry.field(description="The event.")


@strawberry.type(description="A page of audit events, newest first.")
class AuditEventConnection:
    edges: list[AuditEventEdge] = strawberry.field(description="Items with their cursors.")
    nodes: list[AuditEvent] = strawberry.field(description="Items without cursors.")
    page_info: PageInfo = strawberry.field(description="Paging state.")


def _event(row: dict[str, Any]) -> AuditEvent:
    artifact = row["artifact_id"]
    return AuditEvent(
        id=strawberry.ID(row["id"]),
        at=row["at"],
        actor=row["actor"],
        project=row["project"],
        action=row["action"],
        artifact_id=None if artifact is None else strawberry.ID(artifact),
        type_name=row["type_name"],
        revision_before=row["revision_before"],
        revision_after=row["revision_after"],
        request_id=row["request_id"],
        details=row["details"],
    )


async def audit_events(
    info: strawberry.Info,
    filter: Annotated[Optional[AuditEventFilter], _arg("Which events.")] = None,
    first: Annotated[Optional[int], _arg("Items from the start (default 25, at most 500).")] = None,
    after: Annotated[Optional[str], _arg("Items after this cursor.")] = None,
) -> AuditEventConnection:
    page = await resolve.audit_events(info.context, to_plain(filter), first, after)
    nodes = [_event(r) for r in page.rows]
    return AuditEventConnection(
        edges=[AuditEventEdge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
        nodes=nodes,
        page_info=page_info_of(page.cursors, page.has_next, page.has_previous),
    )


def fields() -> tuple[list[Any], list[Any]]:
    query = strawberry.field(
        resolver=audit_events, description="Audit events, newest first (admin)."
    )
    return [query], []
