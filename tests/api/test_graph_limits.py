"""Query cost counts the items a page or graph may hold, and size arguments are bounded first:
a `first` out of bounds is BAD_USER_INPUT whatever the cost; `totalCount` and `pageInfo` cost 1."""

from __future__ import annotations


async def test_first_above_its_maximum_is_bad_user_input_before_any_cost(sample_gql):
    error = await sample_gql.error("{ sampleArtifacts(first: 100000) { totalCount } }")
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "first")
    error = await sample_gql.error(
        "query($n: Int) { sampleArtifacts(first: $n) { nodes { id } } }", {"n": 501}
    )
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "first")


async def test_a_page_count_and_page_info_cost_one(sample_gql):
    # 200 sibling pages of 500 with only totalCount and pageInfo: cheap (cost about 1,400)
    pages = " ".join(
        f"p{i}: sampleArtifacts(first: 500) {{ totalCount pageInfo {{ hasNextPage }} }}"
        for i in range(150)
    )
    data = await sample_gql(f"{{ {pages} }}")
    assert data["p0"]["totalCount"] == 0


async def test_items_of_nested_pages_multiply(sample_gql):
    query = """{ sampleArtifacts(first: 500) { nodes { lineage(first: 10000) {
      nodes { artifact { id name } } } } } }"""
    error = await sample_gql.error(query)
    assert error["code"] == "QUERY_TOO_COMPLEX"
    assert error["actual"] > error["limit"]
