"""The Artifact base fields every type shares: their names and the rules for the ones a client
writes (API.md §3, as in Glare). Each validator returns the value to store or raises BadUserInput.
"""

from __future__ import annotations

from typing import Any

from glaregraph.catalog.typedef.values import bad, check_key, check_string, describe
from glaregraph.catalog.versions import storable_version

# Snake-case names of the Artifact interface; a type's own field may not reuse one.
BASE_FIELD_NAMES = (
    "id",
    "type_name",
    "name",
    "version",
    "description",
    "owner",
    "created_by",
    "visibility",
    "status",
    "tags",
    "metadata",
    "revision",
    "created_at",
    "updated_at",
    "activated_at",
    "blobs",
    "derived_from",
    "derived_from_ids",
    "links",
    "lineage",
    "aliases",
    "shared_with",
    "lock",
)
MAX_NAME_LENGTH = 255
MAX_DESCRIPTION_LENGTH = 4096
MAX_TAGS = 255
MAX_TAG_LENGTH = 255
FORBIDDEN_TAG_CHARS = ",/"
MAX_METADATA_KEYS = 255
MAX_METADATA_VALUE_LENGTH = 255
MAX_VERSION_LENGTH = 255


def validate_name(value: Any, path: str) -> str:
    """1 to 255 characters, kept as given (not stripped)."""
    return check_string(value, path, min_length=1, max_length=MAX_NAME_LENGTH)


def validate_description(value: Any, path: str) -> str | None:
    if value is None:
        return None
    return check_string(value, path, max_length=MAX_DESCRIPTION_LENGTH)


def validate_tags(value: Any, path: str) -> list[str]:
    """At most 255 distinct tags of 1 to 255 characters without `,` or `/`; duplicates dropped."""
    if not isinstance(value, list):
        raise bad(path, f"expected a list of strings, got {describe(value)}")
    tags: dict[str, None] = {}
    for i, tag in enumerate(value):
        tags.setdefault(_tag(tag, f"{path}[{i}]"))
    if len(tags) > MAX_TAGS:
        raise bad(path, f"at most {MAX_TAGS} tags are allowed (got {len(tags)})")
    return list(tags)


def _tag(value: Any, path: str) -> str:
    tag = check_string(value, path, min_length=1, max_length=MAX_TAG_LENGTH)
    if any(c in tag for c in FORBIDDEN_TAG_CHARS):
        raise bad(path, "a tag may not contain ',' or '/'")
    return tag


def validate_metadata(value: Any, path: str) -> dict[str, str]:
    """A JSON object of at most 255 keys (1 to 255 characters) with string values (≤ 255)."""
    if not isinstance(value, dict):
        raise bad(path, f"expected an object, got {describe(value)}")
    if len(value) > MAX_METADATA_KEYS:
        raise bad(path, f"at most {MAX_METADATA_KEYS} keys are allowed (got {len(value)})")
    return {
        check_key(key, path): check_string(
            item, f"{path}.{key}", max_length=MAX_METADATA_VALUE_LENGTH
        )
        for key, item in value.items()
    }


def validate_metadata_keys(value: Any, path: str) -> list[str]:
    """At most 255 key names (a longer list cannot name more keys than an artifact has)."""
    if not isinstance(value, list):
        raise bad(path, f"expected a list of strings, got {describe(value)}")
    if len(value) > MAX_METADATA_KEYS:
        raise bad(path, f"at most {MAX_METADATA_KEYS} keys are allowed (got {len(value)})")
    return [check_key(key, f"{path}[{i}]") for i, key in enumerate(value)]


def validate_version(value: Any, path: str) -> str:
    """A semver string, returned normalised (`1.0` -> `1.0.0`)."""
    text = check_string(value, path, min_length=1, max_length=MAX_VERSION_LENGTH)
    try:
        return storable_version(text)
    except ValueError as exc:
        raise bad(path, f"is not a valid version: {exc}") from exc
