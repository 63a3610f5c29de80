"""Which related values (aliases, sharedWith) a lookup or a page selects on its artifacts, and
whether a page's `totalCount` is selected, so that all of it is read in the statement that reads
the rows instead of one more round trip each."""

from collections.abc import Iterator
from typing import Any

import strawberry
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

# GraphQL field -> the catalog's name of the related values behind it
RELATED = {"aliases": "aliases", "sharedWith": "shared_with"}


def related_of_lookup(info: strawberry.Info) -> tuple[str, ...]:
    """For a field returning artifacts directly (`image(id:)`)."""
    return _related(_fields(info.selected_fields[0].selections))


def related_of_page(info: strawberry.Info) -> tuple[tuple[str, ...], bool]:
    """For a connection: what `nodes` and `edges { node }` select, and whether the answer
    selects `totalCount`."""
    chosen: list[SelectedField] = []
    total = False
    for field in _fields(info.selected_fields[0].selections):
        total = total or field.name == "totalCount"
        if field.name == "nodes":
            chosen += _fields(field.selections)
        elif field.name == "edges":
            for inner in _fields(field.selections):
                if inner.name == "node":
                    chosen += _fields(inner.selections)
    return _related(chosen), total


def _related(fields: list[SelectedField]) -> tuple[str, ...]:
    names = {f.name for f in fields}
    return tuple(value for field, value in RELATED.items() if field in names)


def _fields(selections: list[Any]) -> list[SelectedField]:
    return list(_walk(selections))


def _walk(selections: list[Any]) -> Iterator[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _walk(selection.selections)
