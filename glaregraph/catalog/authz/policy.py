"""Who may do what: actions mapped to rules over roles and ownership, with built-in defaults.

A rule is `any`, `admin`, `owner` or `role:<name>`, joined with ` or `. Operators override
the defaults with a YAML file of `{action: rule}` (CATALOG_POLICY).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml

from glaregraph.catalog.principal import Principal

DEFAULT_RULES: dict[str, str] = {
    "create": "any",
    "update": "owner or admin",
    "activate": "owner or admin",
    "deactivate": "admin",
    "reactivate": "admin",
    "publish": "admin",
    "share": "owner or admin",
    "delete": "owner or admin",
    "delete_public": "admin",
    "edit_tags": "owner or admin",
    "edit_metadata": "owner or admin",
    "set_alias": "owner or admin",
    "change_protected": "admin",  # any change to a PUBLIC or DEACTIVATED artifact
    "see_shares": "owner or admin",  # read `sharedWith`
    "edit_tag_taxonomy": "admin",
    "set_quota": "admin",
    "force_unlock": "admin",
    "download": "any",  # fetch blob content of an artifact the caller can see
    "read_audit": "admin",
}


class Policy:
    """Answers `allows(action, principal, owner)` from the rule table (asked through
    `authz.Authorizer`, never directly by a use case)."""

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        rules = dict(DEFAULT_RULES)
        for action, rule in (overrides or {}).items():
            if action not in DEFAULT_RULES:
                raise ValueError(f"policy: unknown action '{action}'")
            rules[action] = rule
        self._rules = {action: _parse(action, rule) for action, rule in rules.items()}

    @classmethod
    def from_file(cls, path: str | Path | None) -> Policy:
        if not path:
            return cls()
        try:
            doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ValueError(f"{path}: cannot read the policy file: {exc}") from exc
        if not isinstance(doc, dict) or not all(isinstance(v, str) for v in doc.values()):
            raise ValueError(f"{path}: a policy file is a mapping of action to rule string")
        return cls(doc)

    def allows(self, action: str, principal: Principal, owner: str | None = None) -> bool:
        if principal.anonymous:
            return False
        for term in self._rules[action]:
            if term == "any":
                return True
            if term == "admin" and principal.is_admin:
                return True
            if term == "owner" and owner is not None and owner == principal.project:
                return True
            if term.startswith("role:") and term[5:] in principal.roles:
                return True
        return False


def _parse(action: str, rule: str) -> tuple[str, ...]:
    terms = tuple(t.strip() for t in rule.split(" or ") if t.strip())
    for term in terms:
        if term not in ("any", "admin", "owner") and not (term.startswith("role:") and term[5:]):
            raise ValueError(f"policy: rule for '{action}' has an unknown term '{term}'")
    if not terms:
        raise ValueError(f"policy: rule for '{action}' is empty")
    return terms
