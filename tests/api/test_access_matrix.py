"""The access matrix: every query and mutation the server has, asked by the owner, a member of
a project the artifact is shared with, a member of another project, an admin and an anonymous
caller. The list of fields comes from the served schema, so a new field without a row here
fails `test_every_field_has_a_row`, and a new mutation without a policy check fails its row.

Outcomes: ALLOW (authorization passed, whatever the operation answered: data, or a state error
such as CONFLICT) or the error code a refused caller gets."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from conftest import GraphQLClient, make_settings

from glaregraph.server.app import create_app

ALLOW = "ALLOW"
DENIED = ("UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND")
ROLES = ("alice", "bob", "dave", "admin", "anon")  # owner, shared project, other, admin, anon
OWNER_ONLY = (ALLOW, "FORBIDDEN", "NOT_FOUND", ALLOW, "UNAUTHENTICATED")
ADMIN_ON_ARTIFACT = ("FORBIDDEN", "FORBIDDEN", "NOT_FOUND", ALLOW, "UNAUTHENTICATED")
ADMIN_ONLY = ("FORBIDDEN", "FORBIDDEN", "FORBIDDEN", ALLOW, "UNAUTHENTICATED")
ANY_USER = (ALLOW, ALLOW, ALLOW, ALLOW, "UNAUTHENTICATED")
_versions = itertools.count()


@dataclass
class Setup:
    artifact: str  # alice's heat template, DRAFTED, shared with p2 (bob's project)
    upload: str  # an open upload of it, started by alice
    name: str
    version: str


async def _setup(gql: GraphQLClient, graphql_type: str = "HeatTemplate") -> Setup:
    """Alice's fresh artifact (a heat template unless another type is asked for)."""
    n = next(_versions)
    version, name = f"7.0.{n}", f"m{n}"
    create = graphql_type[0].lower() + graphql_type[1:] + "Create"
    created = await gql(
        f"mutation($v: String!, $n: String!) {{ {create}(input: {{name: $n, version: $v,"
        ' tags: ["t"]}) { id } }',
        {"v": version, "n": name},
    )
    artifact = created[create]["id"]
    await gql(
        'mutation($id: ID!) { artifactShare(id: $id, project: "p2") { id } }', {"id": artifact}
    )
    await gql('mutation($id: ID!) { aliasSet(id: $id, alias: "a") { id } }', {"id": artifact})
    if graphql_type != "HeatTemplate":
        return Setup(artifact, "", name, version)
    started = await gql(
        """mutation($id: ID!) { blobUploadStart(input: {artifactId: $id, field: "nestedTemplates",
        key: "k", size: 3}) { id } }""",
        {"id": artifact},
    )
    return Setup(artifact, started["blobUploadStart"]["id"], name, version)


Doc = Callable[[Setup], tuple[str, dict[str, Any]]]


def _on(field: str, args: str = "", select: str = "{ id }") -> Doc:
    """A mutation of the setup's artifact: `field(id: $id <args>) <select>`."""
    return lambda s: (
        f"mutation($id: ID!) {{ {field}(id: $id {args}) {select} }}",
        {"id": s.artifact},
    )


def _query(text: str) -> Doc:
    return lambda s: (text, {"id": s.artifact, "name": s.name, "version": s.version})


BLOB_IN = '{artifactId: $id, field: "template"'
MUTATIONS: dict[str, tuple[Doc, tuple[str, ...]]] = {
    "artifactActivate": (_on("artifactActivate"), OWNER_ONLY),
    "artifactDeactivate": (_on("artifactDeactivate"), ADMIN_ON_ARTIFACT),
    "artifactReactivate": (_on("artifactReactivate"), ADMIN_ON_ARTIFACT),
    "artifactPublish": (_on("artifactPublish"), ADMIN_ON_ARTIFACT),
    "artifactShare": (_on("artifactShare", ', project: "p9"'), OWNER_ONLY),
    "artifactUnshare": (_on("artifactUnshare", ', project: "p2"'), OWNER_ONLY),
    "artifactDelete": (_on("artifactDelete", select=""), OWNER_ONLY),
    "artifactTagsAdd": (_on("artifactTagsAdd", ', tags: ["x"]'), OWNER_ONLY),
    "artifactTagsRemove": (_on("artifactTagsRemove", ', tags: ["t"]'), OWNER_ONLY),
    "artifactMetadataSet": (_on("artifactMetadataSet", ', entries: {k: "v"}'), OWNER_ONLY),
    "artifactMetadataRemove": (_on("artifactMetadataRemove", ', keys: ["k"]'), OWNER_ONLY),
    "aliasSet": (_on("aliasSet", ', alias: "b"'), OWNER_ONLY),
    "aliasRemove": (_on("aliasRemove", ', alias: "a"'), OWNER_ONLY),
    "artifactLock": (_on("artifactLock", select="{ holder }"), OWNER_ONLY),
    "artifactLockRenew": (_on("artifactLockRenew", select="{ holder }"), OWNER_ONLY),
    "artifactUnlock": (_on("artifactUnlock", select=""), OWNER_ONLY),
    "blobUploadStart": (
        lambda s: (
            f"mutation($id: ID!) {{ blobUploadStart(input: {BLOB_IN}, size: 1}}) {{ id }} }}",
            {"id": s.artifact},
        ),
        OWNER_ONLY,
    ),
    "blobUploadComplete": (
        lambda s: (
            "mutation($u: ID!) { blobUploadComplete(uploadId: $u) { status } }",
            {"u": s.upload},
        ),
        OWNER_ONLY,
    ),
    "blobUploadAbort": (
        lambda s: ("mutation($u: ID!) { blobUploadAbort(uploadId: $u) }", {"u": s.upload}),
        OWNER_ONLY,
    ),
    "blobSetLocation": (
        lambda s: (
            f'mutation($id: ID!) {{ blobSetLocation(input: {BLOB_IN}, url: "https://e.x/t"}})'
            " { status } }",
            {"id": s.artifact},
        ),
        OWNER_ONLY,
    ),
    "blobImport": (
        lambda s: (
            f'mutation($id: ID!) {{ blobImport(input: {BLOB_IN}, sourceUrl: "https://e.x/t"}})'
            " { status } }",
            {"id": s.artifact},
        ),
        OWNER_ONLY,
    ),
    "blobDelete": (
        lambda s: (
            'mutation($id: ID!) { blobDelete(artifactId: $id, field: "nestedTemplates", key: "k") {'
            " id } }",
            {"id": s.artifact},
        ),
        OWNER_ONLY,
    ),
    "tagSetParent": (
        _query('mutation { tagSetParent(name: "c", parent: "p") { name } }'),
        ADMIN_ONLY,
    ),
    "quotaSet": (_query('mutation { quotaSet(input: {project: "p1"}) { project } }'), ADMIN_ONLY),
    "quotaDelete": (_query('mutation { quotaDelete(project: "p1") }'), ADMIN_ONLY),
}
QUERIES: dict[str, tuple[Doc, tuple[str, ...]]] = {
    "artifact": (_query("query($id: ID!) { artifact(id: $id) { id } }"), ANY_USER),
    "node": (_query("query($id: ID!) { node(id: $id) { id } }"), ANY_USER),
    "nodes": (_query("query($id: ID!) { nodes(ids: [$id]) { id } }"), ANY_USER),
    "artifacts": (_query("{ artifacts { totalCount } }"), ANY_USER),
    "artifactTypes": (_query("{ artifactTypes { name } }"), ANY_USER),
    "artifactType": (_query('{ artifactType(name: "image") { name } }'), ANY_USER),
    "me": (_query("{ me { userId } }"), ANY_USER),
    "tag": (_query('{ tag(name: "t") { name } }'), ANY_USER),
    "tags": (_query("{ tags { nodes { name } } }"), ANY_USER),
    "quotas": (
        _query('{ quotas(project: "p1") { project } }'),
        (ALLOW, "FORBIDDEN", "FORBIDDEN", ALLOW, "UNAUTHENTICATED"),
    ),
    "quotaUsage": (
        _query('{ quotaUsage(project: "p1") { artifacts } }'),
        (ALLOW, "FORBIDDEN", "FORBIDDEN", ALLOW, "UNAUTHENTICATED"),
    ),
    "auditEvents": (_query("{ auditEvents { nodes { action } } }"), ADMIN_ONLY),
}
# what each role sees of the setup's artifact through the lookups (None: null)
SEES = {"alice": True, "bob": True, "dave": False, "admin": True, "anon": None}


def _per_type(field: str, types: dict[str, str]) -> tuple[Doc, tuple[str, ...]] | None:
    """Generated fields of each artifact type: create and update."""
    for lower in types:
        if field == f"{lower}Create":
            text = (
                f'mutation($v: String!) {{ {field}(input: {{name: "x", version: $v}}) {{ id }} }}'
            )
            return (lambda s, t=text: (t, {"v": f"8.0.{next(_versions)}"})), ANY_USER
        if field == f"{lower}Update":  # run on an artifact of its own type (see _subject)
            return _on(field, ', input: {description: "d"}'), OWNER_ONLY
    return None


def _subject(field: str, types: dict[str, str]) -> str:
    """The type of artifact a mutation is tried on: its own for `<type>Update`."""
    for lower, name in types.items():
        if field == f"{lower}Update":
            return name
    return "HeatTemplate"


async def _outcome(gql: GraphQLClient, doc: Doc, setup: Setup, role: str) -> str:
    text, variables = doc(setup)
    body = (await gql.post(text, variables, as_=role)).json()
    errors = body.get("errors") or []
    codes = [e.get("extensions", {}).get("code") for e in errors]
    denied = [c for c in codes if c in DENIED]
    assert "INTERNAL_SERVER_ERROR" not in codes, body
    return denied[0] if denied else ALLOW


async def _fields(gql: GraphQLClient, root: str) -> list[str]:
    data = await gql(f'{{ __type(name: "{root}") {{ fields {{ name }} }} }}')
    return [f["name"] for f in data["__type"]["fields"]]


async def _types(gql: GraphQLClient) -> dict[str, str]:
    infos = (await gql("{ artifactTypes { graphqlName } }"))["artifactTypes"]
    return {t["graphqlName"][0].lower() + t["graphqlName"][1:]: t["graphqlName"] for t in infos}


def _row(field: str, types: dict[str, str], table: dict[str, Any]) -> Any:
    if field in table:
        return table[field]
    return _per_type(field, types)


async def test_every_field_has_a_row(gql):
    types = await _types(gql)
    lookups = set(types) | {f"{t}s" for t in types}
    for root, table in (("Mutation", MUTATIONS), ("Query", QUERIES)):
        for field in await _fields(gql, root):
            plural_list = root == "Query" and any(field.startswith(t) for t in types)
            assert _row(field, types, table) is not None or plural_list or field in lookups, (
                f"{root}.{field} has no row in the access matrix"
            )


@pytest.mark.parametrize("role", ROLES)
async def test_mutations(gql, role):
    types = await _types(gql)
    index = ROLES.index(role)
    for field in await _fields(gql, "Mutation"):
        doc, expected = _row(field, types, MUTATIONS)
        setup = await _setup(gql, _subject(field, types))
        got = await _outcome(gql, doc, setup, role)
        assert got == expected[index], f"{field} as {role}: {got}, expected {expected[index]}"


@pytest.mark.parametrize("role", ROLES)
async def test_queries(gql, role):
    types = await _types(gql)
    setup = await _setup(gql)
    index = ROLES.index(role)
    for field in await _fields(gql, "Query"):
        row = _row(field, types, QUERIES)
        if row is None:
            continue  # per-type lookups and lists: below
        doc, expected = row
        got = await _outcome(gql, doc, setup, role)
        assert got == expected[index], f"{field} as {role}: {got}, expected {expected[index]}"


@pytest.mark.parametrize("role", ROLES)
async def test_what_each_role_sees(gql, role):
    setup = await _setup(gql)
    query = """query($id: ID!, $name: String!) {
      byId: heatTemplate(id: $id) { id nestedTemplates { status } }
      latest: heatTemplate(name: $name, version: "latest") { id }
      alias: heatTemplate(name: $name, alias: "a") { id }
      list: heatTemplates { totalCount }
      links: artifact(id: $id) { links(direction: IN) { artifactId } }
      node: node(id: $id) { id ... on HeatTemplate { name } } }"""
    body = (await gql.post(query, {"id": setup.artifact, "name": setup.name}, as_=role)).json()
    if SEES[role] is None:  # anonymous, anonymous reads off: the whole request is refused
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        return
    data = body["data"]
    seen = SEES[role]
    for key in ("byId", "latest", "alias", "links", "node"):
        assert (data[key] is not None) == seen, (key, role, data)
    assert data["list"]["totalCount"] == (1 if seen else 0)


async def test_download_urls_follow_what_the_caller_may_read(gql):
    setup = await _setup(gql)
    await gql(
        'mutation($id: ID!) { blobSetLocation(input: {artifactId: $id, field: "template",'
        ' url: "https://e.x/t"}) { status } }',
        {"id": setup.artifact},
    )
    query = "query($id: ID!) { heatTemplate(id: $id) { template { downloadUrl { url } } } }"
    for role, expected in (("alice", True), ("bob", True), ("admin", True), ("dave", False)):
        found = (await gql(query, {"id": setup.artifact}, as_=role))["heatTemplate"]
        assert (found is not None and found["template"]["downloadUrl"] is not None) == expected


@pytest.fixture
async def anon_reads(migrated: str):
    """The app with anonymous reads on: the same fields, asked without a token."""
    app = create_app(make_settings(migrated, anonymous_read=True))
    await app.state.catalog.blobs.store.open()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield GraphQLClient(http)
    await app.state.catalog.db.dispose()


async def test_anonymous_with_reads_on_changes_nothing_and_sees_only_public(gql, anon_reads):
    types = await _types(gql)
    setup = await _setup(gql)
    for field in await _fields(gql, "Mutation"):
        doc, _ = _row(field, types, MUTATIONS)
        assert await _outcome(anon_reads, doc, setup, "anon") == "UNAUTHENTICATED", field
    for field in ("quotas", "quotaUsage", "auditEvents"):
        doc, _ = QUERIES[field]
        assert await _outcome(anon_reads, doc, setup, "anon") == "UNAUTHENTICATED", field
    query = "query($id: ID!) { artifact(id: $id) { id } artifacts { totalCount } }"
    data = await anon_reads(query, {"id": setup.artifact}, as_="anon")
    assert data == {"artifact": None, "artifacts": {"totalCount": 0}}
