"""Catalog structure through the client against the Akeneo sandbox over real HTTP: product models
and their variants, the incremental variant poll, category trees, associations, reference entities
and product model writes."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from akeneo.search import ProductQuery

pytestmark = pytest.mark.integration


def descendant_uuids(state, model_code: str) -> set[str]:
    """Variant products below a model, at any depth (from the served catalog's records)."""
    found = set()
    for key, product in state.products.items():
        parent = product.parent
        while parent is not None:
            if parent == model_code:
                found.add(key)
                break
            parent = state.product_models[parent].parent
    return found


def test_iter_product_models_reads_every_model_once_with_the_products_filters(structured):
    client = structured.client()
    models = list(client.iter_product_models())
    assert sorted(m["code"] for m in models) == sorted(structured.state.product_models)
    in_tree = list(client.iter_product_models(ProductQuery(categories=("tshirts",), enabled=True)))
    expected = {code for code, m in structured.state.product_models.items() if "tshirts" in m.categories}
    assert {m["code"] for m in in_tree} == expected and expected
    chosen = list(client.iter_product_models(ProductQuery(identifiers=("model_00002", "model2_00002"))))
    assert sorted(m["code"] for m in chosen) == ["model2_00002", "model_00002"]
    subs = list(client.iter_product_models(ProductQuery(parents=("model2_00002",))))
    assert {m["parent"] for m in subs} == {"model2_00002"} and len(subs) == 2


def test_two_level_model_variants_carry_values_of_both_levels(structured):
    client = structured.client(product_id_format="identifier")
    variants = list(client.iter_products(ProductQuery(parents=("model2_00002",))))
    models = {m["code"]: m for m in client.iter_product_models(ProductQuery(identifiers=(
        "model2_00002", "model2_00002_black", "model2_00002_white")))}
    root = models["model2_00002"]
    assert sorted(v["identifier"] for v in variants) == ["PF-000010", "PF-000011", "PF-000012"]
    for variant in variants:
        sub_model = models[variant["parent"]]
        assert sub_model["parent"] == "model2_00002"
        assert variant["values"]["color"] == sub_model["values"]["color"]
        assert variant["values"]["manufacturer"] == root["values"]["manufacturer"]
        assert variant["values"]["description"] == root["values"]["description"]
        assert variant["values"]["size"] and variant["values"]["price"]


def test_parents_filter_over_many_models_is_split_into_short_requests_and_finds_each_variant_once(structured):
    client = structured.client()
    # roots and sub-models together: the chunks overlap (a variant descends from both)
    models = sorted(structured.state.product_models, key=lambda code: (len(code), code))
    assert len(models) > 100
    variants = {key for key, p in structured.state.products.items() if p.parent is not None}
    found = [p["uuid"] for p in client.iter_products(ProductQuery(parents=tuple(models)))]
    assert len(found) == len(set(found)) and set(found) == variants
    concurrent = [p["uuid"] for p in client.iter_products_concurrently(ProductQuery(parents=tuple(models)))]
    assert sorted(concurrent) == sorted(found)
    listings = structured.stats()["requests"]["GET /api/rest/v1/products-uuid"]
    assert listings >= 4


def test_changed_model_returns_all_its_variants_in_the_updated_window(writable_structured):
    sandbox = writable_structured
    client = sandbox.client()
    since = datetime.now(timezone.utc) - timedelta(seconds=1)
    results = client.patch_product_models([{"code": "model2_00002", "values": {
        "description": [{"locale": "en_US", "scope": "ecommerce", "data": "<p>New season</p>"}]}}])
    assert [r.status_code for r in results] == [204]
    window = ProductQuery(updated_since=since)
    changed_models = [m["code"] for m in client.iter_product_models(window)]
    assert "model2_00002" in changed_models
    variants = list(client.iter_products(ProductQuery(parents=tuple(changed_models))))
    assert {v["uuid"] for v in variants} == descendant_uuids(sandbox.state, "model2_00002")
    # Akeneo's own updated filter agrees: the variants count as changed with their model
    assert {p["uuid"] for p in client.iter_products(window)} == descendant_uuids(sandbox.state, "model2_00002")
    for variant in variants:
        entry = next(e for e in variant["values"]["description"] if e["scope"] == "ecommerce" and e["locale"] == "en_US")
        assert entry["data"] == "<p>New season</p>"


def test_category_tree_lists_parents_before_children(structured):
    client = structured.client()
    tree = client.iter_category_tree()
    codes = [c["code"] for c in tree]
    assert sorted(codes) == sorted(structured.state.categories)
    seen: set[str] = set()
    for category in tree:
        assert category["parent"] is None or category["parent"] in seen, category["code"]
        seen.add(category["code"])
    siblings = [c["code"] for c in tree if c["parent"] == "master"]
    assert siblings == [c for c in structured.state.category_children()["master"]]
    sales = client.iter_category_tree("sales")
    assert sales[0]["code"] == "sales" and {c["code"] for c in sales} == {
        "sales", "new_arrivals", "clearance", "clearance_winter", "clearance_summer", "bestsellers"}


def test_category_tree_with_enriched_attributes_carries_values(structured):
    tree = structured.client().iter_category_tree("master", with_enriched_attributes=True)
    assert all(isinstance(c["values"], dict) for c in tree)
    tshirts = next(c for c in tree if c["code"] == "tshirts")
    assert any(v["attribute_code"].startswith("title|") and v["locale"] == "en_US" for v in tshirts["values"].values())


def test_association_types_family_variants_and_reference_entities(structured):
    client = structured.client()
    types = client.fetch_association_types()
    assert types["PACK"]["is_quantified"] and not types["X_SELL"]["is_quantified"]
    variants = client.fetch_family_variants("clothing")
    assert set(variants) == {"clothing_by_size", "clothing_by_color_size"}
    attributes = client.fetch_reference_entity_attributes("brands")
    assert [a["code"] for a in attributes] == ["label", "country", "founded"]
    records = list(client.iter_reference_entity_records("brands"))
    assert sorted(r["code"] for r in records) == sorted(structured.state.reference_entity_records["brands"])
    chosen = list(client.iter_reference_entity_records("materials", codes=["wool", "silk", "wool"]))
    assert [r["code"] for r in chosen] == ["silk", "wool"]
    assert list(client.iter_reference_entity_records("materials", codes=[])) == []


def test_catalog_metadata_holds_the_structure_in_few_calls(structured):
    client = structured.client()
    structured.reset()
    metadata = client.fetch_catalog_metadata()
    assert set(metadata.family_variants) == {"clothing"}
    assert {t["code"] for t in metadata.association_types} == {"PACK", "SUBSTITUTION", "UPSELL", "X_SELL"}
    assert set(metadata.reference_entity_attributes) == {"brands", "materials"}
    levels = metadata.variant_levels("clothing_by_color_size")
    assert (levels["description"], levels["color"], levels["size"], levels["sku"]) == (0, 1, 2, 2)
    assert metadata.quantified_association_types == {"PACK"}
    requests = structured.stats()["requests"]
    assert requests["GET /api/rest/v1/families/{family_code}/variants"] == len(metadata.families)
    assert requests["GET /api/rest/v1/association-types"] == 1
    assert requests["GET /api/rest/v1/reference-entities/{entity}/attributes"] == 2


def test_bundles_and_related_products_come_with_the_products(structured):
    client = structured.client(product_id_format="identifier")
    products = {p["identifier"]: p for p in client.iter_products()}
    bundles = [p for p in products.values() if p["quantified_associations"]]
    assert bundles
    for bundle in bundles:
        for link in bundle["quantified_associations"]["PACK"]["products"]:
            assert link["identifier"] in products and link["quantity"] >= 1
    related = [p for p in products.values() if p["associations"]["X_SELL"]["products"]]
    assert related and all(sku in products for p in related for sku in p["associations"]["X_SELL"]["products"])


def test_patch_product_models_reports_each_line(writable_structured):
    client = writable_structured.client()
    # Batches run concurrently, so the root goes first, in its own call (as the method's docstring
    # asks): sent together, a sub-model's batch could reach Akeneo before its parent's.
    [root] = client.patch_product_models([
        {"code": "parka", "family_variant": "clothing_by_color_size", "categories": ["jackets"],
         "values": {"brand": [{"locale": None, "scope": None, "data": "acme"}]}}])
    assert (root.index, root.code, root.status_code) == (0, "parka", 201)
    results = client.patch_product_models([
        {"code": "parka_red", "parent": "parka", "values": {"color": [{"locale": None, "scope": None, "data": "red"}]}},
        {"code": "parka_again", "parent": "parka", "values": {"color": [{"locale": None, "scope": None, "data": "red"}]}},
        {"code": "model_00002", "values": {"size": [{"locale": None, "scope": None, "data": "m"}]}},
        {"family_variant": "clothing_by_size"},
    ], batch_size=2)
    assert [(r.index, r.code, r.status_code) for r in results] == [
        (0, "parka_red", 201), (1, "parka_again", 422), (2, "model_00002", 422), (3, None, None)]
    assert results[1].errors[0].message.startswith('Cannot set value "[red]" for the attribute axis "color"')
    assert "not in the attribute set" in results[2].summary and not results[3].sent
    assert writable_structured.state.product_models["parka_red"].parent == "parka"


def test_patch_products_writes_parent_and_associations_unchanged(writable_structured):
    client = writable_structured.client(product_id_format="identifier")
    results = client.patch_products([{
        "identifier": "NEW-VARIANT", "parent": "model_00002",
        "values": {"size": [{"locale": None, "scope": None, "data": "xl"}]},
        "associations": {"UPSELL": {"products": ["PF-000001"], "product_models": ["model2_00002"]}},
        "quantified_associations": {"PACK": {"products": [{"identifier": "PF-000002", "quantity": 3}]}}}])
    assert [r.status_code for r in results] == [201], results[0].summary
    stored = writable_structured.stored_product("NEW-VARIANT")
    assert stored["parent"] == "model_00002" and stored["family"] == "clothing"
    assert stored["associations"]["UPSELL"]["product_models"] == ["model2_00002"]
    assert stored["quantified_associations"]["PACK"]["products"] == [{"identifier": "PF-000002", "quantity": 3}]
