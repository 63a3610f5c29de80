"""Audit trail glue."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from glaregraph.catalog.audit.query import EventPage, events
from glaregraph.resolvers.context import RequestContext


async def audit_events(
    ctx: RequestContext, filter_spec: Mapping[str, Any] | None, first: int | None, after: str | None
) -> EventPage:
    return await events(ctx.catalog, ctx.principal, filter_spec, first, after)
