"""Authorization: the policy table, the visibility rule and the one point that asks both."""

from glaregraph.catalog.authz.authorizer import Authorizer, require_user
from glaregraph.catalog.authz.policy import Policy

__all__ = ["Authorizer", "Policy", "require_user"]
