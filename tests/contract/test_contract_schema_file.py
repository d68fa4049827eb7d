"""The committed schema file is exactly what the extraction script makes of the official spec."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import jsonschema
import pytest

HERE = Path(__file__).parent
# The official spec travels beside the repository (../shared) for developers and CI, not with it.
SPEC = next((candidate for candidate in (HERE.parents[2] / "shared" / "reference" / "akeneo-web-api.json",
                                         Path("/work/shared/reference/akeneo-web-api.json"))
             if candidate.exists()), HERE.parents[2] / "shared" / "reference" / "akeneo-web-api.json")
needs_spec = pytest.mark.skipif(not SPEC.exists(), reason="the official spec is only beside the repository (../shared)")
# Examples of the spec that contradict the spec's own schemas (so real answers may too):
# Akeneo 7 has table attributes missing from the `type` enum, quality scores are lists although
# typed object, and channels may map a metric to no conversion unit (null).
KNOWN_SPEC_DEFECTS = {
    ("GET /api/rest/v1/attributes", "200", "_embedded/items/2/type"),
    ("GET /api/rest/v1/channels", "200", "_embedded/items/0/conversion_units/a_metric_to_not_convert"),
    ("GET /api/rest/v1/channels", "200", "_embedded/items/1/conversion_units/a_metric_to_not_convert"),
    ("GET /api/rest/v1/product-models", "200", "_embedded/items/0/quality_scores"),
    ("GET /api/rest/v1/product-models", "200", "_embedded/items/1/quality_scores"),
    ("GET /api/rest/v1/product-models/{code}", "200", "quality_scores"),
    ("GET /api/rest/v1/products/{code}", "200", "quality_scores"),
    ("GET /api/rest/v1/products-uuid/{uuid}", "200", "quality_scores"),
}


def _extractor():
    spec = importlib.util.spec_from_file_location("extract_response_schemas", HERE / "extract_response_schemas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _examples(response: dict, wrapped_in_array: bool):
    """The examples the spec gives for one response, as (name, body)."""
    schema = response.get("schema") or {}
    if "example" in schema:
        yield "schema.example", [schema["example"]] if wrapped_in_array else schema["example"]
    examples = response.get("examples")
    if isinstance(examples, dict):
        lines = {name: text for name, text in examples.items() if name.startswith("x-example")}
        if lines:
            yield from ((name, json.loads(text)) for name, text in lines.items())
        else:
            yield "examples", examples
    if isinstance(response.get("x-examples"), list):
        yield "x-examples", response["x-examples"]


@needs_spec
def test_schema_file_matches_a_fresh_extraction_from_the_spec():
    committed = json.loads((HERE / "akeneo_response_schemas.json").read_text())
    assert _extractor().extract(json.loads(SPEC.read_text())) == committed


@needs_spec
def test_spec_examples_fit_the_translated_schemas_except_known_spec_defects():
    spec = json.loads(SPEC.read_text())
    committed = json.loads((HERE / "akeneo_response_schemas.json").read_text())["operations"]
    failures, checked = set(), 0
    for operation, documented in committed.items():
        method, path = operation.split(" ", 1)
        for status, expected in documented["responses"].items():
            if "schema" not in expected:
                continue
            source = spec["paths"][path][method.lower()]["responses"][status]
            wrapped = expected["schema"].get("type") == "array"
            for _, example in _examples(source, wrapped):
                checked += 1
                for error in jsonschema.Draft4Validator(expected["schema"]).iter_errors(example):
                    failures.add((operation, status, "/".join(map(str, error.absolute_path))))
    assert checked > 100
    assert failures == KNOWN_SPEC_DEFECTS
