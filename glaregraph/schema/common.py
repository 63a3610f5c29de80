"""The fixed GraphQL types every schema has: enums, page info, principal, type info, blobs."""

import datetime as dt
import enum
from typing import Annotated, Any

import strawberry

from glaregraph.resolvers import blobs as resolve_blobs
from glaregraph.schema.scalars import JSON, Long


@strawberry.enum(description="Who can see an artifact.")
class Visibility(enum.Enum):
    PRIVATE = strawberry.enum_value("PRIVATE", description="Only the owner project (and admins).")
    SHARED = strawberry.enum_value(
        "SHARED", description="The owner and the projects it is shared with."
    )
    PUBLIC = strawberry.enum_value("PUBLIC", description="Everyone.")


@strawberry.enum(description="Where an artifact is in its lifecycle (DELETED is never shown).")
class ArtifactStatus(enum.Enum):
    DRAFTED = strawberry.enum_value(
        "DRAFTED", description="Being prepared; every field may change."
    )
    ACTIVE = strawberry.enum_value("ACTIVE", description="Released; only mutable fields change.")
    DEACTIVATED = strawberry.enum_value(
        "DEACTIVATED", description="Withdrawn by an admin; downloads are refused."
    )


@strawberry.enum(description="Sort direction; nulls sort last ascending and first descending.")
class SortDirection(enum.Enum):
    ASC = strawberry.enum_value("ASC", description="Smallest first (nulls last).")
    DESC = strawberry.enum_value("DESC", description="Largest first (nulls first).")


@strawberry.enum(description="Which way lineage is walked.")
class LineageDirection(enum.Enum):
    UPSTREAM = strawberry.enum_value(
        "UPSTREAM", description="Along the links artifacts hold: what it was built from."
    )
    DOWNSTREAM = strawberry.enum_value(
        "DOWNSTREAM", description="Against them: what was built from it."
    )
    BOTH = strawberry.enum_value("BOTH", description="Both walks (siblings are not reached).")


@strawberry.enum(description="Which links to list: held by this artifact, pointing at it, or both.")
class LinkDirection(enum.Enum):
    OUT = strawberry.enum_value("OUT", description="Links this artifact holds.")
    IN = strawberry.enum_value("IN", description="Links other artifacts hold to this one.")
    BOTH = strawberry.enum_value("BOTH", description="Both directions.")


@strawberry.enum(description="Upload state of a blob.")
class BlobStatus(enum.Enum):
    SAVING = strawberry.enum_value("SAVING", description="Upload started, not yet complete.")
    ACTIVE = strawberry.enum_value("ACTIVE", description="Stored and verified; readable.")


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow the last one.")
    has_previous_page: bool = strawberry.field(description="Items precede the first one.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item.")


def page_info_of(cursors: list[str], has_next: bool, has_previous: bool) -> PageInfo:
    """The PageInfo of a page whose items have `cursors`."""
    return PageInfo(
        has_next_page=has_next,
        has_previous_page=has_previous,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )


@strawberry.type(name="Principal", description="The caller, as the server sees it.")
class PrincipalType:
    user_id: str | None = strawberry.field(description="User id (token subject).")
    project: str | None = strawberry.field(description="Project the caller acts for.")
    roles: list[str] = strawberry.field(description="Roles granted to the caller.")
    is_admin: bool = strawberry.field(description="The caller has the admin role.")
    anonymous: bool = strawberry.field(description="No credentials were presented.")


@strawberry.type(description="One field of an artifact type, as written in its definition.")
class FieldInfo:
    name: str = strawberry.field(description="Field name in the type definition (snake case).")
    graphql_name: str = strawberry.field(description="Field name in the schema (camel case).")
    kind: str = strawberry.field(description="Kind: string, integer, blob_dict, link, ...")
    of: str | None = strawberry.field(description="Element kind of a list or dict.")
    to: str | None = strawberry.field(description="Target type of a link kind, or '*'.")
    description: str | None = strawberry.field(description="What the field holds.")
    required_on_activate: bool = strawberry.field(description="Must be set to activate.")
    mutable: bool = strawberry.field(description="May change after activation.")
    nullable: bool = strawberry.field(description="May be null.")
    sortable: bool = strawberry.field(description="Has a sort enum value.")
    filterable: bool = strawberry.field(description="Appears in the type's filter input.")
    default: JSON | None = strawberry.field(description="Value a create takes when omitted.")
    validators: JSON = strawberry.field(description="Value constraints (max_length, min, ...).")


@strawberry.type(description="An artifact type: its names, fields and a JSON Schema of its input.")
class ArtifactTypeInfo:
    name: str = strawberry.field(description="Type name in definitions (snake case).")
    graphql_name: str = strawberry.field(description="Object type name in the schema.")
    display_name: str = strawberry.field(description="Human-readable name.")
    plural: str = strawberry.field(description="Plural name (the list query's base).")
    description: str | None = strawberry.field(description="What artifacts of the type are.")
    fields: list[FieldInfo] = strawberry.field(description="Own fields, in definition order.")
    json_schema: JSON = strawberry.field(
        description="JSON Schema (draft 2020-12) of the type's create input."
    )


@strawberry.type(name="PresignedRequest", description="An HTTP request a client may send as is.")
class PresignedRequestType:
    url: str = strawberry.field(description="Where to send it.")
    method: str = strawberry.field(description="GET, PUT or POST.")
    headers: JSON = strawberry.field(description="Headers to send, exactly these.")
    fields: JSON | None = strawberry.field(
        description="POST only: form fields to send (all of them), then the bytes as `file`."
    )
    expires_at: dt.datetime = strawberry.field(description="The request is refused after this.")


def presigned(request: Any) -> PresignedRequestType:
    return PresignedRequestType(
        url=request.url,
        method=request.method,
        headers=request.headers,
        fields=request.fields,
        expires_at=request.expires_at,
    )


@strawberry.type(description="A binary value of an artifact field (or of a folder entry).")
class Blob:
    field: str = strawberry.field(description="Field the blob belongs to.")
    key: str | None = strawberry.field(description="Folder entry name (blob_dict fields).")
    status: BlobStatus = strawberry.field(description="SAVING while uploading, then ACTIVE.")
    size: Long | None = strawberry.field(description="Size in bytes.")
    sha256: str | None = strawberry.field(description="Hex SHA-256 of the content.")
    verified: bool = strawberry.field(description="The server computed sha256 itself.")
    content_type: str | None = strawberry.field(description="Media type.")
    external: bool = strawberry.field(description="Data lives at an external URL.")
    url: str | None = strawberry.field(description="External location, if external.")
    created_at: dt.datetime = strawberry.field(description="When the value was set.")
    row: strawberry.Private[dict[str, Any]]
    artifact: strawberry.Private[Any]  # the record it belongs to

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="A presigned GET of the content: null unless ACTIVE and the caller may "
        "download it (never while the artifact is DEACTIVATED, admins excepted)."
    )
    async def download_url(
        self,
        info: strawberry.Info,
        expires_in: Annotated[
            int | None, strawberry.argument(description="Seconds the URL stays valid (1-604800).")
        ] = 300,
    ) -> PresignedRequestType | None:
        seconds = 300 if expires_in is None else expires_in
        found = await resolve_blobs.download(info.context, self.artifact, self.row, seconds)
        return None if found is None else presigned(found)


@strawberry.input(description="One entry of a link_dict value.")
class LinkEntryInput:
    key: str = strawberry.field(description="Entry name.")
    id: strawberry.ID = strawberry.field(description="Id of the linked artifact.")


def blob_from_row(row: dict[str, Any], artifact: Any) -> Blob:
    return Blob(
        row=row,
        artifact=artifact,
        field=row["field"],
        key=row["key"] or None,
        status=BlobStatus(row["status"]),
        size=row["size"],
        sha256=row["sha256"],
        verified=row["verified"],
        content_type=row["content_type"],
        external=row["external"],
        url=row["url"],
        created_at=row["created_at"],
    )
