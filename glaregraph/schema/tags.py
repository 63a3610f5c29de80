"""The tag graph in the schema: `Tag`, `RelatedTag`, `TagConnection`, the `tag` and `tags`
queries and `tagSetParent`; and the cross-type `ArtifactConnection` a tag's artifacts page in."""

from typing import Annotated, Any, Optional

import strawberry

from glaregraph.catalog.listing import PageArgs
from glaregraph.resolvers import graph as resolve
from glaregraph.schema.artifact import Artifact
from glaregraph.schema.common import PageInfo, page_info_of
from glaregraph.schema.lookahead import related_of_page, selects
from glaregraph.schema.typegen import make_connection


def _arg(description: str) -> Any:
    return strawberry.argument(description=description)


ArtifactConnection = make_connection("Artifact", Artifact)


@strawberry.type(description="A tag: its place in the taxonomy and the artifacts carrying it.")
class Tag:
    name: str = strawberry.field(description="The tag.")

    @strawberry.field(description="Parent in the taxonomy, if any.")
    async def parent(self, info: strawberry.Info) -> Optional["Tag"]:
        found = await resolve.tag_parent(info.context, self.name)
        return None if found is None else Tag(name=found)

    @strawberry.field(description="Tags directly below it in the taxonomy, by name.")
    async def children(self, info: strawberry.Info) -> list["Tag"]:
        return [Tag(name=n) for n in await resolve.tag_children(info.context, self.name)]

    @strawberry.field(description="Tags above it in the taxonomy, nearest first.")
    async def ancestors(self, info: strawberry.Info) -> list["Tag"]:
        return [Tag(name=n) for n in await resolve.tag_ancestors(info.context, self.name)]

    @strawberry.field(
        description="Artifacts you may see that carry it or a tag below it "
        "(= artifacts().totalCount)."
    )
    async def artifact_count(self, info: strawberry.Info) -> int:
        return await resolve.tag_count(info.context, self.name)

    @strawberry.field(description="A page of the artifacts you may see that carry it.")
    async def artifacts(
        self,
        info: strawberry.Info,
        include_descendants: Annotated[bool, _arg("Also those carrying a tag below it.")] = True,
        first: Annotated[
            Optional[int], _arg("Items from the start (default 25, at most 500).")
        ] = None,
        after: Annotated[Optional[str], _arg("Items after this cursor.")] = None,
    ) -> ArtifactConnection:
        args = PageArgs(first=first, after=after)
        related, count = related_of_page(info)
        return await resolve.tag_artifacts(
            info.context, self.name, include_descendants, args, related, count
        )

    @strawberry.field(
        description="Tags carried by the artifacts you may see that carry this one, with "
        "how many carry each: most first, then by name."
    )
    async def related(
        self,
        info: strawberry.Info,
        first: Annotated[int, _arg("How many (0-100).")] = 10,
    ) -> list["RelatedTag"]:
        found = await resolve.tag_related(info.context, self.name, first)
        return [RelatedTag(tag=Tag(name=n), count=c) for n, c in found]


@strawberry.type(description="A tag found together with another one, and how often.")
class RelatedTag:
    tag: Tag = strawberry.field(description="The other tag.")
    count: int = strawberry.field(description="Artifacts carrying both.")


@strawberry.type(description="One tag in a page.")
class TagEdge:
    cursor: str = strawberry.field(description="Opaque cursor of this item.")
    node: Tag = strawberry.field(description="The tag.")


@strawberry.type(description="A page of tags, in name order.")
class TagConnection:
    edges: list[TagEdge] = strawberry.field(description="Items with their cursors.")
    nodes: list[Tag] = strawberry.field(description="Items without cursors.")
    page_info: PageInfo = strawberry.field(description="Paging state.")


async def tag(info: strawberry.Info, name: Annotated[str, _arg("Tag name.")]) -> Optional[Tag]:
    found = await resolve.tag(info.context, name, subtree=selects(info, "artifacts"))
    return None if found is None else Tag(name=found)


async def tags(
    info: strawberry.Info,
    prefix: Annotated[Optional[str], _arg("Only tags starting with this.")] = None,
    first: Annotated[Optional[int], _arg("Items from the start (default 25, at most 500).")] = None,
    after: Annotated[Optional[str], _arg("Items after this cursor.")] = None,
) -> TagConnection:
    page = await resolve.tags_page(info.context, prefix, first, after)
    nodes = [Tag(name=n) for n in page.names]
    return TagConnection(
        edges=[TagEdge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
        nodes=nodes,
        page_info=page_info_of(page.cursors, page.has_next, page.has_previous),
    )


async def tag_set_parent(
    info: strawberry.Info,
    name: Annotated[str, _arg("The tag to place (created if unknown).")],
    parent: Annotated[
        Optional[str], _arg("Its new parent (created if unknown); null detaches.")
    ] = None,
) -> Tag:
    return Tag(name=await resolve.tag_set_parent(info.context, name, parent))


def fields() -> tuple[list[Any], list[Any]]:
    """(query fields, mutation fields) of the tag graph."""
    queries = [
        strawberry.field(resolver=tag, description="One tag, or null if you may not see it."),
        strawberry.field(resolver=tags, description="Tags you may see, in name order."),
    ]
    mutations = [
        strawberry.field(
            resolver=tag_set_parent,
            description="Place a tag in the taxonomy (admin by default); cycles are refused.",
        )
    ]
    return queries, mutations
