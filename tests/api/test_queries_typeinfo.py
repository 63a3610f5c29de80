"""`artifactTypes` and `artifactType`: names, fields in definition order, JSON Schema."""

from __future__ import annotations

import pytest

FIELDS = """
query($name: String!) { artifactType(name: $name) {
  name graphqlName displayName plural description
  fields { name graphqlName kind of to description requiredOnActivate mutable nullable
           sortable filterable default validators }
  jsonSchema } }"""
IMAGE_FIELDS = [
    "container_format",
    "disk_format",
    "min_ram",
    "min_disk",
    "image",
    "kernel",
    "ramdisk",
    "instance_uuid",
    "architecture",
    "os_distro",
    "os_version",
]
SAMPLE_FIELDS = [
    "string_field",
    "string_mutable",
    "text_field",
    "int_field",
    "long_field",
    "float_field",
    "bool_field",
    "datetime_field",
    "version_field",
    "choice",
    "code",
    "required_on_activate",
    "str_list",
    "int_list",
    "str_dict",
    "float_dict",
    "datetime_list",
    "version_dict",
    "blob",
    "blob_folder",
    "link",
    "link_any",
    "link_list",
    "link_dict",
]


async def _type(gql, name):
    return (await gql(FIELDS, {"name": name}))["artifactType"]


async def test_artifact_types_lists_the_bundled_set(gql):
    data = await gql("{ artifactTypes { name graphqlName plural } }")
    by_name = {t["name"]: t for t in data["artifactTypes"]}
    assert set(by_name) >= {
        "image",
        "heat_template",
        "heat_environment",
        "tosca_template",
        "murano_package",
        "dataset",
        "model",
    }
    assert "secret" not in by_name  # disabled unless enabled
    assert by_name["heat_template"] == {
        "name": "heat_template",
        "graphqlName": "HeatTemplate",
        "plural": "heat_templates",
    }


async def test_image_type_names(gql):
    image = await _type(gql, "image")
    assert (image["name"], image["graphqlName"], image["plural"]) == ("image", "Image", "images")
    assert image["displayName"] == "Image"
    assert image["description"]


async def test_image_fields_in_definition_order(gql):
    fields = (await _type(gql, "image"))["fields"]
    assert [f["name"] for f in fields] == IMAGE_FIELDS
    assert "name" not in [f["name"] for f in fields]  # base fields are not repeated


async def test_image_field_details(gql):
    fields = {f["name"]: f for f in (await _type(gql, "image"))["fields"]}
    disk = fields["disk_format"]
    assert (disk["graphqlName"], disk["kind"], disk["of"], disk["to"]) == (
        "diskFormat",
        "string",
        None,
        None,
    )
    assert disk["requiredOnActivate"] is True
    assert disk["sortable"] is True
    assert disk["filterable"] is True
    assert "qcow2" in disk["validators"]["allowed_values"]
    ram = fields["min_ram"]
    assert (ram["kind"], ram["default"], ram["validators"]["min"]) == ("integer", 0, 0)
    kernel = fields["kernel"]
    assert (kernel["kind"], kernel["to"], kernel["graphqlName"]) == ("link", "image", "kernel")
    blob = fields["image"]
    assert blob["kind"] == "blob"
    assert blob["sortable"] is False
    assert fields["os_distro"]["mutable"] is True
    assert fields["container_format"]["mutable"] is False


async def test_sample_fields_every_kind(sample_gql):
    info = await _type(sample_gql, "sample_artifact")
    fields = {f["name"]: f for f in info["fields"]}
    assert [f["name"] for f in info["fields"]] == SAMPLE_FIELDS
    assert info["plural"] == "sample_artifacts"
    assert (fields["string_mutable"]["graphqlName"], fields["string_mutable"]["mutable"]) == (
        "stringMutable",
        True,
    )
    assert (fields["str_list"]["kind"], fields["str_list"]["of"]) == ("list", "string")
    assert (fields["float_dict"]["kind"], fields["float_dict"]["of"]) == ("dict", "float")
    assert fields["blob_folder"]["kind"] == "blob_dict"
    assert fields["blob_folder"]["graphqlName"] == "blobFolder"
    assert (fields["link_any"]["kind"], fields["link_any"]["to"]) == ("link", "*")
    assert (fields["link_list"]["kind"], fields["link_list"]["to"]) == (
        "link_list",
        "sample_target",
    )
    assert fields["link_dict"]["kind"] == "link_dict"
    assert fields["string_field"]["description"] == "A short string."
    assert fields["string_field"]["validators"]["max_length"] == 20
    assert fields["int_field"]["validators"]["min"] == -5
    assert fields["int_field"]["validators"]["max"] == 1000
    assert fields["code"]["validators"]["pattern"] == "[A-Z]{3}-[0-9]+"
    assert fields["code"]["validators"]["forbidden_chars"] == "/"
    assert fields["str_list"]["validators"]["max_items"] == 5
    assert fields["str_list"]["validators"]["unique_items"] is True
    assert fields["choice"]["default"] == "red"
    assert fields["required_on_activate"]["requiredOnActivate"] is True
    assert fields["text_field"]["sortable"] is False
    assert all(isinstance(f["validators"], dict) for f in info["fields"])


async def test_sample_target_field(sample_gql):
    info = await _type(sample_gql, "sample_target")
    assert info["plural"] == "sample_targets"
    (label,) = info["fields"]
    assert (label["name"], label["nullable"], label["default"]) == ("label", False, "unnamed")


async def test_json_schema_is_draft_2020_12_of_the_create_input(gql):
    schema = (await _type(gql, "image"))["jsonSchema"]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    assert "name" in schema["required"]
    props = schema["properties"]
    assert {"name", "version", "tags", "metadata", "diskFormat", "kernelId"} <= set(props)
    for absent in ("id", "status", "visibility", "owner", "createdAt"):
        assert absent not in props
    assert "qcow2" in props["diskFormat"]["enum"]
    assert props["minRam"]["minimum"] == 0


async def test_json_schema_of_sample_kinds(sample_gql):
    props = (await _type(sample_gql, "sample_artifact"))["jsonSchema"]["properties"]
    assert props["stringField"]["maxLength"] == 20
    assert props["strList"]["maxItems"] == 5
    assert props["strList"]["uniqueItems"] is True
    assert "linkListIds" in props
    assert "linkDict" in props


@pytest.mark.parametrize("name", ["nope", "secret", "Image", "images", ""])
async def test_unknown_type_is_null(gql, name):
    assert (await gql(FIELDS, {"name": name}))["artifactType"] is None


async def test_every_listed_type_resolves_by_name(gql):
    data = await gql("{ artifactTypes { name fields { name } } }")
    for info in data["artifactTypes"]:
        one = await _type(gql, info["name"])
        assert [f["name"] for f in one["fields"]] == [f["name"] for f in info["fields"]]
        assert one["jsonSchema"]["$schema"].endswith("2020-12/schema")
