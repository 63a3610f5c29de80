"""No N+1 in the graph: a page of 50 artifacts selecting their links (with the linked
artifacts), derivedFrom, tags, aliases and blobs costs the same number of SQL statements as a
page of 1."""

from __future__ import annotations

from tests.api.test_queries_statements import counting

CREATE = """mutation($n: String!, $v: String!, $from: [ID!], $env: [LinkEntryInput!]) {
  heatTemplateCreate(input: {name: $n, version: $v, tags: ["a", "b"], derivedFromIds: $from,
                             environments: $env}) { id } }"""
ENV = (
    """mutation($v: String!) { heatEnvironmentCreate(input: {name: "env", version: $v}) { id } }"""
)
LOCATION = """mutation($id: ID!) { blobSetLocation(input: {artifactId: $id, field: "template",
  url: "https://example.org/t.yaml"}) { status } }"""
ALIAS = 'mutation($id: ID!) { aliasSet(id: $id, alias: "stable") { id } }'


async def _seed(gql, count: int) -> None:
    previous: list[str] = []
    for i in range(count):
        env = (await gql(ENV, {"v": f"{i}.0.0"}))["heatEnvironmentCreate"]["id"]
        variables = {
            "n": f"t{i % 7}",
            "v": f"{i}.0.0",
            "from": previous[-2:],
            "env": [{"key": "prod", "id": env}],
        }
        artifact = (await gql(CREATE, variables))["heatTemplateCreate"]["id"]
        await gql(LOCATION, {"id": artifact})
        if i % 7 == 0:
            await gql(ALIAS, {"id": artifact})
        previous.append(artifact)


def _query(first: int) -> str:
    return f"""{{ heatTemplates(first: {first}) {{ nodes {{
      id tags aliases blobs {{ field status url }}
      links {{ relation artifact {{ name }} }} derivedFrom {{ name }} }} }} }}"""


async def test_a_page_of_50_costs_what_a_page_of_1_costs(app, gql):
    await _seed(gql, 50)
    counts = {}
    for first in (1, 50):
        with counting(app) as seen:
            data = await gql(_query(first))
        nodes = data["heatTemplates"]["nodes"]
        assert len(nodes) == first
        assert all(n["blobs"][0]["url"] == "https://example.org/t.yaml" for n in nodes)
        assert all({link["relation"] for link in n["links"]} >= {"environments"} for n in nodes)
        counts[first] = len(seen)
    assert counts[1] == counts[50]
    assert counts[50] <= 6  # page, links, linked artifacts, blobs (values, open uploads)


IMAGE = """mutation($n: String!, $from: [ID!]) {
  imageCreate(input: {name: $n, version: "1.0.0", derivedFromIds: $from}) { id } }"""
LINEAGE = """query($id: ID!) { artifact(id: $id) {
  lineage(direction: DOWNSTREAM, depth: 5, first: 1000) {
    nodes { depth artifact { id name tags } } edges { fromId toId } hiddenCount } } }"""


async def test_lineage_costs_statements_per_level_not_per_artifact(app, gql):
    """Two levels below a root: 1 artifact per level, then 30; the same statements."""
    counts = {}
    for width in (1, 30):
        root = (await gql(IMAGE, {"n": f"root{width}"}))["imageCreate"]["id"]
        level1 = [
            (await gql(IMAGE, {"n": f"a{width}-{i}", "from": [root]}))["imageCreate"]["id"]
            for i in range(width)
        ]
        for i in range(width):
            await gql(IMAGE, {"n": f"b{width}-{i}", "from": level1[i : i + 2]})
        with counting(app) as seen:
            data = await gql(LINEAGE, {"id": root})
        assert len(data["artifact"]["lineage"]["nodes"]) == 2 * width
        counts[width] = len(seen)
    assert counts[1] == counts[30]


async def test_lineage_nodes_selecting_columns_read_only_those_columns(app, gql):
    """A graph drawn from `artifact { id name }` does not move every column of every node
    (a 10k hub's first level: half its time); a field with a resolver reads them all."""
    root = (await gql(IMAGE, {"n": "narrow-root"}))["imageCreate"]["id"]
    await gql(IMAGE, {"n": "narrow-child", "from": [root]})
    query = """query($id: ID!) { artifact(id: $id) { lineage(direction: DOWNSTREAM) {
      nodes { artifact { %s } } } } }"""
    read = {}
    for selection in ("id name", "name tags"):
        with counting(app) as seen:
            data = await gql(query % selection, {"id": root})
        assert [n["artifact"]["name"] for n in data["artifact"]["lineage"]["nodes"]] == [
            "narrow-child"
        ]
        levels = [s for s in seen if "visible" in s]
        assert levels
        read[selection] = [("description" in s, "created_at" in s, "meta" in s) for s in levels]
    assert read["id name"] == [(False, False, False)] * len(read["id name"])
    assert read["name tags"] == [(True, True, True)] * len(read["name tags"])
