"""Objects made only of plain leaves are completed inline; the answer must be exactly what
graphql-core's standard path gives (forced here by also selecting a resolver field)."""

FIELDS = """id typeName name version description owner createdBy visibility status metadata
revision createdAt updatedAt activatedAt tags __typename stringField intField longField floatField
boolField datetimeField versionField choice strList intList strDict floatDict"""
CREATE = """mutation($i: SampleArtifactCreateInput!) { sampleArtifactCreate(input: $i) { id } }"""


async def test_inline_and_standard_completion_agree(sample_gql):
    full = {
        "name": "full ✨",
        "version": "1.2-rc.1",
        "description": "d",
        "tags": ["b", "a"],
        "metadata": {"k": "v"},
        "stringField": "s",
        "intField": 7,
        "longField": 2**40,
        "floatField": 0.5,
        "boolField": False,
        "datetimeField": "2026-01-02T03:04:05+01:00",
        "versionField": "2.0",
        "strList": ["x"],
        "intList": [1, 2],
        "strDict": {"a": "b"},
        "floatDict": {"f": 1.5},
    }
    await sample_gql(CREATE, {"i": full})
    await sample_gql(CREATE, {"i": {"name": "bare"}})
    inline = await sample_gql(
        f"{{ sampleArtifacts(sort: [{{field: NAME}}]) {{ nodes {{ {FIELDS} }} }} }}"
    )
    standard = await sample_gql(
        f"{{ sampleArtifacts(sort: [{{field: NAME}}]) {{ nodes {{ {FIELDS} aliases }} }} }}"
    )
    for fast, slow in zip(
        inline["sampleArtifacts"]["nodes"], standard["sampleArtifacts"]["nodes"], strict=True
    ):
        assert slow.pop("aliases") == []
        assert fast == slow
    bare, rich = inline["sampleArtifacts"]["nodes"]
    assert bare["tags"] == []
    assert bare["stringField"] is None
    assert bare["choice"] == "red"
    assert rich["tags"] == ["a", "b"]
    assert rich["longField"] == str(2**40)  # Long: a decimal string
    assert rich["datetimeField"] == "2026-01-02T02:04:05+00:00"
    assert rich["__typename"] == "SampleArtifact"
    assert rich["version"] == "1.2.0-rc.1"
