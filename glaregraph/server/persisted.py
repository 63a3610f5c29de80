"""Automatic persisted queries (Apollo's protocol): a client sends only the sha256 of a query it
sent before; an unknown hash answers PERSISTED_QUERY_NOT_FOUND so the client resends the query
with its hash, which is checked and kept in a bounded per-process cache."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

MAX_ENTRIES = 2000


class QueryNotFound(Exception):
    """The hash names no query this process knows: the client should send the query along."""


class HashMismatch(Exception):
    """The query sent does not have the hash sent with it."""


class PersistedQueries:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._queries: OrderedDict[str, str] = OrderedDict()
        self._max = max_entries

    def resolve(self, query: str | None, extensions: Any) -> str | None:
        """The query to run: `query` itself, or the one its persisted hash names. None when
        the request carries no persisted query (the caller then checks `query` as usual)."""
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if not isinstance(persisted, dict):
            return query
        digest = persisted.get("sha256Hash")
        if persisted.get("version") != 1 or not isinstance(digest, str):
            raise HashMismatch("persistedQuery needs version 1 and a sha256Hash")
        digest = digest.lower()
        if query is None:
            found = self._queries.get(digest)
            if found is None:
                raise QueryNotFound("PersistedQueryNotFound")
            self._queries.move_to_end(digest)
            return found
        if not isinstance(query, str) or hashlib.sha256(query.encode()).hexdigest() != digest:
            raise HashMismatch("the query does not match its sha256Hash")
        self._queries[digest] = query
        self._queries.move_to_end(digest)
        while len(self._queries) > self._max:
            self._queries.popitem(last=False)
        return query
