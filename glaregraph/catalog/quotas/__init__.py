"""Per-project quotas: limits on artifact counts and bytes, for all types and per type, kept by
usage counters that only conditional statements change (so no concurrency can overrun them)."""

from glaregraph.catalog.quotas.limits import QuotaSettings

__all__ = ["QuotaSettings"]
