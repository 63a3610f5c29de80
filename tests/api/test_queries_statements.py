"""SQL statements per read for the shape real callers send: a project member selecting every
argument-free leaf field of a type (found by introspection, as a generated client does). A page
of 1 and a page of 50 cost the same, and tags, aliases and shares come with the rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

FIELDS = """{ __type(name: "HeatTemplate") { fields { name args { name }
  type { kind ofType { kind ofType { kind ofType { kind } } } } } } }"""
CREATE = """mutation($name: String!, $v: String!) {
  heatTemplateCreate(input: {name: $name, version: $v, tags: ["a", "b"], metadata: {k: "v"},
    defaultEnvs: {e: "x"}}) { id } }"""


def _leaf(type_: dict) -> bool:
    while type_["kind"] in ("NON_NULL", "LIST"):
        type_ = type_["ofType"]
    return type_["kind"] in ("SCALAR", "ENUM")


async def every_leaf_field(gql) -> str:
    fields = (await gql(FIELDS))["__type"]["fields"]
    return " ".join(f["name"] for f in fields if not f["args"] and _leaf(f["type"]))


@contextmanager
def counting(app) -> Iterator[list[str]]:
    engine = app.state.catalog.db.engine.sync_engine
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


async def seed(gql, count: int = 50) -> list[str]:
    ids = []
    for i in range(count):
        data = await gql(CREATE, {"name": f"t{i % 10}", "v": f"{i}.0.0"})
        ids.append(data["heatTemplateCreate"]["id"])
    for artifact in ids[:5]:
        await gql(
            'mutation($id: ID!) { aliasSet(id: $id, alias: "stable") { id } '
            'artifactShare(id: $id, project: "p2") { id } }',
            {"id": artifact},
        )
    return ids


async def test_every_leaf_field_is_selected(gql):
    fields = (await every_leaf_field(gql)).split()
    assert {"tags", "aliases", "sharedWith", "metadata", "defaultEnvs"} <= set(fields)
    assert len(fields) == 18


async def test_a_page_of_1_and_of_50_cost_one_statement(app, gql):
    await seed(gql)
    fields = await every_leaf_field(gql)
    counts = {}
    for first in (1, 50):
        query = f"{{ heatTemplates(first: {first}) {{ edges {{ cursor node {{ {fields} }} }} }} }}"
        with counting(app) as seen:
            data = await gql(query)
        assert len(data["heatTemplates"]["edges"]) == first
        counts[first] = len(seen)
    assert counts == {1: 1, 50: 1}


async def test_total_count_and_page_info_cost_no_statement_of_their_own(app, gql):
    await seed(gql)
    fields = await every_leaf_field(gql)
    query = (
        "{ heatTemplates(first: 50) { totalCount pageInfo { hasNextPage endCursor } "
        f"nodes {{ {fields} }} }} }}"
    )
    with counting(app) as seen:
        data = await gql(query)
    assert data["heatTemplates"]["totalCount"] == 50
    assert len(seen) == 1


async def test_total_count_of_a_page_past_the_end_is_still_exact(app, gql):
    await seed(gql, 3)
    first = await gql("{ heatTemplates(first: 3) { pageInfo { endCursor } } }")
    end = first["heatTemplates"]["pageInfo"]["endCursor"]
    query = "query($a: String) { heatTemplates(first: 5, after: $a) { totalCount nodes { id } } }"
    with counting(app) as seen:
        data = await gql(query, {"a": end})
    assert data["heatTemplates"] == {"totalCount": 3, "nodes": []}
    assert len(seen) == 2  # no row to carry the count: it is asked for on its own


async def test_get_by_id_with_every_field_is_one_statement(app, gql):
    ids = await seed(gql, 5)
    fields = await every_leaf_field(gql)
    with counting(app) as seen:
        data = await gql(f'{{ heatTemplate(id: "{ids[0]}") {{ {fields} }} }}')
    assert data["heatTemplate"]["aliases"] == ["stable"]
    assert data["heatTemplate"]["sharedWith"] == ["p2"]
    assert len(seen) == 1


async def test_related_values_read_with_the_page_match_the_loaders(gql):
    ids = await seed(gql, 8)
    fields = await every_leaf_field(gql)
    page = await gql(f"{{ heatTemplates(first: 50) {{ nodes {{ {fields} }} }} }}")
    by_page = {n["id"]: n for n in page["heatTemplates"]["nodes"]}
    for artifact in ids:  # `artifact(id:)` reads aliases and shares through the loaders
        one = await gql(
            "query($id: ID!) { artifact(id: $id) { id tags aliases sharedWith } }", {"id": artifact}
        )
        node = by_page[artifact]
        assert one["artifact"] == {k: node[k] for k in ("id", "tags", "aliases", "sharedWith")}


async def test_shares_read_with_the_page_stay_hidden_from_other_projects(gql):
    ids = await seed(gql, 5)
    for artifact in ids:  # make them visible to p2 as SHARED artifacts
        await gql(
            'mutation($id: ID!) { artifactShare(id: $id, project: "p2") { id } }', {"id": artifact}
        )
    page = await gql("{ heatTemplates(first: 50) { nodes { id sharedWith aliases } } }", as_="bob")
    nodes = page["heatTemplates"]["nodes"]
    assert len(nodes) == 5
    assert all(n["sharedWith"] == [] for n in nodes)
    assert sum(n["aliases"] == ["stable"] for n in nodes) == 5


async def test_fields_selected_through_fragments_are_read_with_the_page(app, gql):
    await seed(gql, 3)
    query = """
      query { heatTemplates(first: 10) { ...Page } }
      fragment Page on HeatTemplateConnection { totalCount edges { node { ...Leaf } } }
      fragment Leaf on HeatTemplate { id ... on HeatTemplate { aliases sharedWith } }
    """
    with counting(app) as seen:
        data = await gql(query)
    nodes = [e["node"] for e in data["heatTemplates"]["edges"]]
    assert data["heatTemplates"]["totalCount"] == 3
    assert sorted(n["aliases"] for n in nodes) == [["stable"]] * 3
    assert all(n["sharedWith"] == ["p2"] for n in nodes)
    assert len(seen) == 1
