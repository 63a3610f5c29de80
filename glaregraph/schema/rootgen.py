"""Generated root fields per artifact type: `image`, `images`, `imageCreate`, `imageUpdate`."""

from typing import Annotated, Any, Optional

import strawberry

from glaregraph.catalog.listing import PageArgs
from glaregraph.catalog.typedef.model import TypeDef, to_camel
from glaregraph.resolvers import artifacts as resolve
from glaregraph.resolvers import mutations
from glaregraph.schema.convert import sort_pairs, to_plain
from glaregraph.schema.lookahead import related_of_lookup, related_of_page

FIRST = "Page size from the start (default 25, at most 500)."
LAST = "Page size from the end (at most 500)."


def arg(ann: Any, description: str) -> Any:
    return Annotated[ann, strawberry.argument(description=description)]


def lower_camel(graphql_name: str) -> str:
    return graphql_name[0].lower() + graphql_name[1:]


def list_field(
    name: str,
    t: TypeDef | None,
    node: Any,
    connection: Any,
    filter_: Any,
    sort: Any,
    description: str,
) -> Any:
    async def resolver(
        info: strawberry.Info,
        filter: Any = None,
        sort: Any = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Any:
        args = PageArgs(first=first, after=after, last=last, before=before)
        related, count = related_of_page(info)
        return await resolve.list_page(
            info.context, t, to_plain(filter), sort_pairs(sort), args, related, count
        )

    resolver.__name__ = name
    resolver.__annotations__.update(
        filter=arg(Optional[filter_], "Conditions the items meet."),
        sort=arg(Optional[list[sort]], "Sort keys, in order; default CREATED_AT DESC."),
        first=arg(Optional[int], FIRST),
        after=arg(Optional[str], "Items after this cursor."),
        last=arg(Optional[int], LAST),
        before=arg(Optional[str], "Items before this cursor."),
        **{"return": connection},
    )
    return strawberry.field(resolver=resolver, name=name, description=description)


def type_fields(
    t: TypeDef,
    node: Any,
    connection: Any,
    filter_: Any,
    sort: Any,
    create_input: Any,
    update_input: Any,
) -> tuple[list[Any], list[Any]]:
    """(query fields, mutation fields) of one type."""
    single = lower_camel(t.graphql_name)

    async def one(
        info: strawberry.Info,
        id: strawberry.ID | None = None,
        name: str | None = None,
        version: str | None = "latest",
        alias: str | None = None,
    ) -> Any:
        return await resolve.find_one(
            info.context,
            t,
            related_of_lookup(info),
            id=id,
            name=name,
            version=version,
            alias=alias,
        )

    one.__name__ = single
    one.__annotations__.update(
        id=arg(Optional[strawberry.ID], "Look up by id."),
        name=arg(Optional[str], "Look up by name (with version or alias)."),
        version=arg(
            Optional[str],
            "Exact version, 'latest' (default) or a range such as '^1.2'.",
        ),
        alias=arg(Optional[str], "An alias of that name."),
        **{"return": Optional[node]},
    )

    async def create(info: strawberry.Info, input: Any) -> Any:
        return await mutations.create(info.context, t, to_plain(input))

    create.__name__ = f"{single}Create"
    create.__annotations__.update(input=arg(create_input, "The new artifact."), **{"return": node})

    async def update(
        info: strawberry.Info, id: strawberry.ID, input: Any, expected_revision: int | None = None
    ) -> Any:
        return await mutations.update(info.context, t, id, to_plain(input), expected_revision)

    update.__name__ = f"{single}Update"
    update.__annotations__.update(
        id=arg(strawberry.ID, "The artifact to change."),
        input=arg(update_input, "The changes."),
        expected_revision=arg(Optional[int], REVISION),
        **{"return": node},
    )

    plural = to_camel(t.plural)
    queries = [
        strawberry.field(
            resolver=one, name=single, description=f"One {t.display_name} you may see, or null."
        ),
        list_field(
            plural,
            t,
            node,
            connection,
            filter_,
            sort,
            f"A page of {t.display_name} artifacts you may see.",
        ),
    ]
    mutations_ = [
        strawberry.field(
            resolver=create,
            name=create.__name__,
            description=f"Create a DRAFTED {t.display_name} in your project.",
        ),
        strawberry.field(
            resolver=update, name=update.__name__, description=f"Change a {t.display_name}."
        ),
    ]
    return queries, mutations_


REVISION = "Fail with CONFLICT unless the artifact is at this revision."
