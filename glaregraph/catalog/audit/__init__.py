"""The audit trail: one event per successful mutation, written in its own transaction by the
mutation unit of work (a commit hook), and read by admins newest first."""

from glaregraph.catalog.audit.trail import record_event

__all__ = ["record_event"]
