"""Extract the response schemas pimflow relies on from Akeneo's official Swagger 2.0 spec.

Run by hand when the spec changes (it reads /work/shared, which the tests never do):

    .venv/bin/python tests/contract/extract_response_schemas.py [path/to/akeneo-web-api.json]

It writes `akeneo_response_schemas.json` next to this file. Swagger 2.0 schemas become JSON Schema
(draft 4) with these translations, each needed because real Akeneo answers differ from the letter
of the spec:

- annotations (description, example, default, x-*) are dropped;
- Swagger 2.0 has no null: scalar properties that are not `required` also accept null (Akeneo
  answers `"parent": null`, `"locale": null`, `"metric_family": null`... as the spec's own examples
  show); lists and objects stay non-null;
- placeholder property names of the docs (`localeCode`, `channelCode`, `attributeCode`, `unitCode`,
  `associationTypeCode`, ...) mean "any key": they become `additionalProperties`;
- value `data` declared `{"type": "object"}` without properties holds any JSON type (string,
  number, boolean, list or object depending on the attribute type);
- `format: dateTime` (not a JSON Schema format) becomes `date-time`;
- a response documented with a list of `x-examples` is a JSON array of the schema
  (GET /measurement-families answers a plain array) unless the schema is an array already;
- collection PATCH answers are JSON lines: the schema applies to each line.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

DEFAULT_SPEC = Path("/work/shared/reference/akeneo-web-api.json")
OUTPUT = Path(__file__).with_name("akeneo_response_schemas.json")

# (method, path) of every operation pimflow's Akeneo client calls.
OPERATIONS = [
    ("post", "/api/oauth/v1/token"),
    ("get", "/api/rest/v1/products"),
    ("get", "/api/rest/v1/products/{code}"),
    ("patch", "/api/rest/v1/products/{code}"),
    ("patch", "/api/rest/v1/products"),
    ("get", "/api/rest/v1/products-uuid"),
    ("get", "/api/rest/v1/products-uuid/{uuid}"),
    ("patch", "/api/rest/v1/products-uuid/{uuid}"),
    ("patch", "/api/rest/v1/products-uuid"),
    ("get", "/api/rest/v1/product-models"),
    ("get", "/api/rest/v1/product-models/{code}"),
    ("post", "/api/rest/v1/product-models"),
    ("patch", "/api/rest/v1/product-models/{code}"),
    ("patch", "/api/rest/v1/product-models"),
    ("get", "/api/rest/v1/attributes"),
    ("get", "/api/rest/v1/attributes/{code}"),
    ("get", "/api/rest/v1/attributes/{attribute_code}/options"),
    ("get", "/api/rest/v1/families"),
    ("get", "/api/rest/v1/families/{code}"),
    ("get", "/api/rest/v1/families/{family_code}/variants"),
    ("get", "/api/rest/v1/families/{family_code}/variants/{code}"),
    ("get", "/api/rest/v1/association-types"),
    ("get", "/api/rest/v1/association-types/{code}"),
    ("get", "/api/rest/v1/reference-entities"),
    ("get", "/api/rest/v1/reference-entities/{code}"),
    ("get", "/api/rest/v1/reference-entities/{reference_entity_code}/attributes"),
    ("get", "/api/rest/v1/reference-entities/{reference_entity_code}/attributes/{code}"),
    ("get", "/api/rest/v1/reference-entities/{reference_entity_code}/records"),
    ("get", "/api/rest/v1/reference-entities/{reference_entity_code}/records/{code}"),
    ("get", "/api/rest/v1/channels"),
    ("get", "/api/rest/v1/channels/{code}"),
    ("get", "/api/rest/v1/locales"),
    ("get", "/api/rest/v1/locales/{code}"),
    ("get", "/api/rest/v1/currencies"),
    ("get", "/api/rest/v1/currencies/{code}"),
    ("get", "/api/rest/v1/categories"),
    ("get", "/api/rest/v1/categories/{code}"),
    ("get", "/api/rest/v1/measurement-families"),
    ("get", "/api/rest/v1/media-files"),
    ("get", "/api/rest/v1/media-files/{code}"),
    ("get", "/api/rest/v1/media-files/{code}/download"),
]
JSON_LINES = {("patch", "/api/rest/v1/products"), ("patch", "/api/rest/v1/products-uuid"),
              ("patch", "/api/rest/v1/product-models")}
BINARY = {("get", "/api/rest/v1/media-files/{code}/download")}
PLACEHOLDERS = {"localeCode", "channelCode", "attributeCode", "unitCode", "associationTypeCode",
                "quantifiedAssociationTypeCode", "attributeCode|attributeUuid|channelCode|localeCode"}
SCALARS = {"string", "integer", "number", "boolean"}
KEEP = {"type", "properties", "required", "items", "allOf", "enum", "additionalProperties", "format",
        "minimum", "maximum"}


def translate(schema: dict, nullable: bool = False) -> dict:
    """One Swagger 2.0 schema node as JSON Schema (see the module docstring)."""
    node = {key: value for key, value in schema.items() if key in KEEP}
    if node.get("format") == "dateTime":
        node["format"] = "date-time"
    if "items" in node:
        node["items"] = translate(node["items"])
    if "allOf" in node:
        node["allOf"] = [translate(part) for part in node["allOf"]]
    if isinstance(node.get("additionalProperties"), dict):
        node["additionalProperties"] = translate(node["additionalProperties"])
    if "properties" in node:
        properties = dict(node["properties"])
        placeholders = [name for name in properties if name in PLACEHOLDERS]
        if placeholders and len(properties) == 1:
            node["additionalProperties"] = translate(properties.pop(placeholders[0]))
        required = set(node.get("required", ()))
        node["properties"] = {name: translate(sub, nullable=name not in required) for name, sub in properties.items()}
        data = node["properties"].get("data")
        if data is not None and data.get("type") in ("object", ["object", "null"]) and "properties" not in data:
            node["properties"]["data"] = {}
        if not node["properties"]:
            del node["properties"]
    if nullable and node.get("type") in SCALARS:
        node["type"] = [node["type"], "null"]
        if "enum" in node:
            node["enum"] = node["enum"] + [None]
    return node


def extract(spec: dict) -> dict:
    operations = {}
    for method, path in OPERATIONS:
        responses = {}
        for status, response in spec["paths"][path][method]["responses"].items():
            if "$ref" in response:
                response = spec["responses"][response["$ref"].rsplit("/", 1)[-1]]
            schema = response.get("schema")
            if (method, path) in BINARY and status == "200":
                responses[status] = {"body": "binary"}
            elif schema is None:
                responses[status] = {"body": "empty"}
            elif (method, path) in JSON_LINES and status == "200":
                responses[status] = {"body": "json-lines", "schema": translate(schema)}
            elif isinstance(response.get("x-examples"), list) and schema.get("type") != "array":
                responses[status] = {"body": "json", "schema": {"type": "array", "items": translate(schema)}}
            else:
                responses[status] = {"body": "json", "schema": translate(schema)}
        operations[f"{method.upper()} {path}"] = {"responses": responses}
    return {"spec": {"title": spec["info"]["title"], "swagger": spec["swagger"],
                     "paths": len(spec["paths"])}, "operations": operations}


def main(argv: list[str]) -> None:
    spec_path = Path(argv[0]) if argv else DEFAULT_SPEC
    extracted = extract(json.loads(spec_path.read_text()))
    OUTPUT.write_text(json.dumps(extracted, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    print(f"wrote {OUTPUT} ({len(extracted['operations'])} operations)")


if __name__ == "__main__":
    main(sys.argv[1:])
