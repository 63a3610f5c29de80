"""The JSON Schema of a type's create input."""

from __future__ import annotations

from pathlib import Path

from glaregraph.catalog.typedef.jsonschema import DRAFT, create_input_schema
from glaregraph.catalog.typedef.loader import load_registry, load_types

BASE = ["name", "version", "description", "tags", "metadata", "derivedFromIds"]


def test_image_schema() -> None:
    schema = create_input_schema(load_registry()["image"])
    assert schema["$schema"] == DRAFT
    assert schema["title"] == "ImageCreateInput"
    assert schema["required"] == ["name"]
    assert schema["additionalProperties"] is False
    props = schema["properties"]
    assert list(props) == [
        *BASE,
        "containerFormat",
        "diskFormat",
        "minRam",
        "minDisk",
        "kernelId",
        "ramdiskId",
        "instanceUuid",
        "architecture",
        "osDistro",
        "osVersion",
    ]
    assert "image" not in props
    assert "qcow2" in props["diskFormat"]["enum"]
    assert None in props["diskFormat"]["enum"]
    assert props["kernelId"] == {
        "type": ["string", "null"],
        "format": "uuid",
        "description": "The kernel image an AMI-style image boots with.",
    }
    assert props["minRam"]["minimum"] == 0
    assert props["minRam"]["maximum"] == 2**31 - 1
    assert props["minRam"]["default"] == 0
    assert props["name"]["maxLength"] == 255
    assert props["description"]["maxLength"] == 4096


def test_links_and_containers() -> None:
    registry = load_registry()
    murano = create_input_schema(registry["murano_package"])["properties"]
    assert murano["dependenciesIds"]["items"] == {"type": "string", "format": "uuid"}
    assert murano["classDefinitions"]["uniqueItems"] is True
    assert murano["categories"]["maxItems"] == 255
    assert murano["categories"]["items"] == {"type": "string", "maxLength": 255}
    heat = create_input_schema(registry["heat_template"])["properties"]
    assert heat["environments"]["items"]["required"] == ["key", "id"]
    assert heat["defaultEnvs"]["additionalProperties"] == {"type": "string", "maxLength": 255}
    model = create_input_schema(registry["model"])["properties"]
    assert model["metrics"]["additionalProperties"] == {"type": "number"}
    assert "weights" not in model
    assert "baseModelId" in model


def test_validators_and_required(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "types:\n  t:\n    fields:\n"
        "      code: {kind: string, pattern: 'a|b', nullable: false, forbidden_chars: ']-'}\n"
        "      size: {kind: long, min: -5}\n"
        "      at: {kind: datetime}\n"
        "      owner_ref: {kind: link, to: t, nullable: false}\n",
        encoding="utf-8",
    )
    schema = create_input_schema(load_types(path)[0])
    props = schema["properties"]
    assert schema["required"] == ["name", "code", "ownerRefId"]
    assert props["code"]["pattern"] == "^(?:a|b)$"
    assert props["code"]["type"] == "string"
    assert props["code"]["not"] == {"pattern": "[\\]\\-]"}
    assert props["size"]["minimum"] == -5
    assert props["size"]["maximum"] == 2**63 - 1
    assert props["at"]["format"] == "date-time"
    assert props["ownerRefId"]["type"] == "string"
