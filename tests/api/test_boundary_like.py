"""`like` escaping, the same on SQLite and PostgreSQL: `%` and `_` are wildcards, a backslash
makes the next character literal (`\\%`, `\\_`, `\\\\`), and a pattern ending in a lone
backslash is BAD_USER_INPUT."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import asyncpg

from glaregraph.catalog.query.filters import compile_filter

CREATE = "mutation($input: ImageCreateInput!) { imageCreate(input: $input) { id } }"
IMAGES = """
query($filter: ImageFilter) { images(filter: $filter, sort: [{field: NAME}], first: 50) {
  nodes { name } } }"""
# name -> the metadata it carries (its name again, under `k`, so both paths see the same text)
NAMES = ["50%", "50x", "500", "a_b", "axb", "a\\b", "ab", "AB", "x\\", "x\\\\", "%", "_", "\\"]


async def _seed(gql):
    for name in NAMES:
        await gql(CREATE, {"input": {"name": name, "metadata": {"k": name}}})


def _by_name(pattern):
    return {"name": {"like": pattern}}


def _by_metadata(pattern):
    return {"metadata": {"entries": [{"key": "k", "value": {"like": pattern}}]}}


FILTERS = {"name": _by_name, "metadata": _by_metadata}

MATCHES = {
    "percent wildcard": ("50%", {"50%", "50x", "500"}),
    "literal percent": ("50\\%", {"50%"}),
    "only a percent": ("\\%", {"%"}),
    "underscore wildcard": ("a_b", {"a_b", "axb", "a\\b"}),
    "literal underscore": ("a\\_b", {"a_b"}),
    "only an underscore": ("\\_", {"_"}),
    "literal backslash": ("a\\\\b", {"a\\b"}),
    "ends in a literal backslash": ("%\\\\", {"x\\", "x\\\\", "\\"}),
    "ends in two literal backslashes": ("x\\\\\\\\", {"x\\\\"}),
    "contains a backslash": ("%\\\\%", {"a\\b", "x\\", "x\\\\", "\\"}),
    "backslash before a letter": ("\\a\\b", {"ab"}),
    "case-sensitive": ("a%", {"a_b", "axb", "a\\b", "ab"}),
    "escaped wildcards mixed": ("\\%%", {"%"}),
}


@pytest.mark.parametrize("where", FILTERS)
@pytest.mark.parametrize(("pattern", "expected"), MATCHES.values(), ids=MATCHES.keys())
async def test_like_escapes_the_same_on_every_database(gql, where, pattern, expected):
    await _seed(gql)
    data = await gql(IMAGES, {"filter": FILTERS[where](pattern)})
    assert {n["name"] for n in data["images"]["nodes"]} == expected


LONE = ["x\\", "\\", "%\\", "a\\\\\\", "\\\\\\\\\\"]
FIELDS = {"name": "filter.name.like", "metadata": "filter.metadata.entries[0].value.like"}


@pytest.mark.parametrize("where", FILTERS)
@pytest.mark.parametrize("pattern", LONE)
async def test_a_pattern_ending_in_a_lone_backslash_is_bad_user_input(gql, where, pattern):
    await _seed(gql)  # rows to match: PostgreSQL only fails once a row reaches the end
    response = await gql.post(IMAGES, {"filter": FILTERS[where](pattern)})
    body = response.json()
    assert response.status_code == 200, body
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": FIELDS[where]}


async def test_a_lone_backslash_deep_in_a_filter_names_its_path(gql):
    flt = {"or": [{"name": {"eq": "x"}}, {"not": {"osDistro": {"like": "u\\"}}}]}
    ext = await gql.error(IMAGES, {"filter": flt})
    assert ext == {"code": "BAD_USER_INPUT", "field": "filter.or[1].not.osDistro.like"}


@pytest.mark.parametrize(
    ("dialect", "on_name", "on_metadata"),
    [
        (
            sqlite.dialect(),
            "artifacts.name LIKE ? ESCAPE '\\'",
            "(SELECT je.value FROM json_each(artifacts.meta) AS je WHERE je.key = ?)"
            " LIKE ? ESCAPE '\\'",
        ),
        (
            asyncpg.dialect(),
            "artifacts.name LIKE $1::VARCHAR ESCAPE '\\'",
            "(artifacts.meta ->> CAST($1::VARCHAR AS TEXT)) LIKE $2::VARCHAR ESCAPE '\\'",
        ),
    ],
    ids=["sqlite", "postgresql"],
)
def test_like_is_rendered_with_an_explicit_escape(dialect, on_name, on_metadata):
    """One backslash between the quotes: both databases read it as the escape character."""
    rendered = str(compile_filter(_by_name("a\\%"), None).compile(dialect=dialect))
    assert rendered == on_name
    rendered = str(compile_filter(_by_metadata("a\\%"), None).compile(dialect=dialect))
    assert rendered == on_metadata
