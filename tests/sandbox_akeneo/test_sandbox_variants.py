"""Product models and variants as served: one- and two-level family variants, inherited values,
the parent and updated filters, and the generator's variant_share layout."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from sandbox.akeneo.catalog import generate_catalog

pytestmark = pytest.mark.integration


def _all(akeneo, path: str, **params) -> list[dict]:
    items, page = [], 1
    while True:
        found = akeneo.items(path, limit=100, page=page, **params)
        items += found
        if len(found) < 100:
            return items
        page += 1


def _search(akeneo, path: str, **filters) -> list[dict]:
    return _all(akeneo, path, search=json.dumps(filters))


def test_variant_share_makes_that_share_of_the_products_variants():
    state = generate_catalog(600, seed=3, variant_share=0.5)
    variants = [p for p in state.products.values() if p.parent is not None]
    assert len(variants) == 300
    depths = {"clothing_by_size": 0, "clothing_by_color_size": 0}
    for product in variants:
        depths[state.product_models[product.parent].family_variant] += 1
    assert depths == {"clothing_by_size": 150, "clothing_by_color_size": 150}
    assert generate_catalog(100, seed=3, variant_share=0).product_models == {}


def test_a_product_does_not_depend_on_the_catalog_size_with_a_variant_share():
    def snapshot(state):
        return {p.identifier: (p.parent, p.values_json, p.associations, p.quantified_associations)
                for p in state.products.values()}
    small, large = generate_catalog(40, seed=2, variant_share=0.3), generate_catalog(90, seed=2, variant_share=0.3)
    assert snapshot(small) == {k: v for k, v in snapshot(large).items() if k in snapshot(small)}


def test_family_variants_describe_one_and_two_levels_with_axes(akeneo):
    variants = {v["code"]: v for v in akeneo.items("/api/rest/v1/families/clothing/variants")}
    one, two = variants["clothing_by_size"], variants["clothing_by_color_size"]
    assert [(s["level"], s["axes"]) for s in one["variant_attribute_sets"]] == [(1, ["size"])]
    assert [(s["level"], s["axes"]) for s in two["variant_attribute_sets"]] == [(1, ["color"]), (2, ["size"])]
    assert "sku" in two["variant_attribute_sets"][1]["attributes"] and "description" in two["common_attributes"]
    two.pop("_links")
    assert akeneo.get("/api/rest/v1/families/clothing/variants/clothing_by_color_size").json() == two
    assert akeneo.get("/api/rest/v1/families/clothing/variants/nope").status_code == 404


def test_two_level_variant_shows_the_values_of_its_sub_model_and_root(structured):
    variant = structured.get("/api/rest/v1/products/PF-000010").json()
    sub_model = structured.get(f"/api/rest/v1/product-models/{variant['parent']}").json()
    root = structured.get(f"/api/rest/v1/product-models/{sub_model['parent']}").json()
    assert (root["parent"], root["family_variant"]) == (None, "clothing_by_color_size")
    assert "color" not in root["values"] and "manufacturer" in root["values"]
    assert sub_model["values"]["color"] and sub_model["values"]["description"] == root["values"]["description"]
    for code in ("description", "manufacturer", "materials"):
        assert variant["values"][code] == root["values"][code]
    assert variant["values"]["color"] == sub_model["values"]["color"]
    assert {"size", "price", "name"} <= set(variant["values"]) and "size" not in sub_model["values"]


def test_parent_filter_finds_variants_at_any_depth_and_a_roots_sub_models(structured):
    products = _all(structured, "/api/rest/v1/products")
    models = {m["code"]: m for m in _all(structured, "/api/rest/v1/product-models")}
    root = "model2_00002"
    below = {p["identifier"] for p in products if p["parent"] and (
        p["parent"] == root or models[p["parent"]]["parent"] == root)}
    assert below == {"PF-000010", "PF-000011", "PF-000012"}
    found = _search(structured, "/api/rest/v1/products", parent=[{"operator": "IN", "value": [root, "model_00002"]}])
    assert {p["identifier"] for p in found} == below | {"PF-000007", "PF-000008", "PF-000009"}
    subs = _search(structured, "/api/rest/v1/product-models", parent=[{"operator": "IN", "value": [root]}])
    assert {m["code"] for m in subs} == {c for c, m in models.items() if m["parent"] == root}
    roots = _search(structured, "/api/rest/v1/product-models", parent=[{"operator": "EMPTY"}])
    assert all(m["parent"] is None for m in roots) and len(roots) < len(models)
    by_code = _search(structured, "/api/rest/v1/product-models", identifier=[{"operator": "IN", "value": [root]}])
    assert [m["code"] for m in by_code] == [root]


def test_a_root_model_change_reaches_its_variants_and_their_updated_window(structured):
    since = (datetime.now(timezone.utc) - timedelta(seconds=2)).strftime("%Y-%m-%d %H:%M:%S")
    window = [{"operator": ">", "value": since}]
    assert _search(structured, "/api/rest/v1/products", updated=window) == []
    answer = structured.patch("/api/rest/v1/product-models/model2_00002", {
        "values": {"description": [{"locale": "en_US", "scope": "ecommerce", "data": "<p>Fresh</p>"}]}})
    assert answer.status_code == 204, answer.text
    changed = _search(structured, "/api/rest/v1/products", updated=window)
    assert {p["identifier"] for p in changed} == {"PF-000010", "PF-000011", "PF-000012"}
    for product in changed:
        entry = next(e for e in product["values"]["description"] if (e["locale"], e["scope"]) == ("en_US", "ecommerce"))
        assert entry["data"] == "<p>Fresh</p>"
    # sub-models too count as updated when their root was (Akeneo indexes the latest date of the line)
    assert [m["code"] for m in _search(structured, "/api/rest/v1/product-models", updated=window)] == [
        "model2_00002", "model2_00002_black", "model2_00002_white"]
    assert structured.stored("PF-000010")["updated"] < structured.stored_model("model2_00002")["updated"]


def test_default_layout_keeps_its_one_level_models(akeneo):
    models = _all(akeneo, "/api/rest/v1/product-models")
    assert models and {m["family_variant"] for m in models} == {"clothing_by_size"}
    assert all("name" not in m["values"] for m in models)
    variant = next(p for p in _all(akeneo, "/api/rest/v1/products") if p["parent"])
    assert variant["values"]["name"] and "manufacturer" not in variant["values"]


def test_control_api_replaces_the_catalog_with_a_variant_share(akeneo):
    answer = akeneo.http.post("/_sandbox/catalog", json={"products": 60, "seed": 4, "variant_share": 0.5})
    assert answer.json() == {"products": 60, "product_models": 20, "variants": 30, "seed": 4, "variant_share": 0.5,
                             "categories": 23}
    assert akeneo.stored_model("model2_00002")["family_variant"] == "clothing_by_color_size"
    assert akeneo.http.post("/_sandbox/catalog", json={"products": 6, "variant_share": 2}).status_code == 422
