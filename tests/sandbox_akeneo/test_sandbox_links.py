"""Association types, associations and quantified associations, reference entities and their
records, and enriched category values."""
from __future__ import annotations

import json

import pytest

from sandbox.akeneo.routes_structure import RECORDS_PER_PAGE

pytestmark = pytest.mark.integration


def test_association_types_list_quantified_and_plain_types(akeneo):
    types = {t["code"]: t for t in akeneo.items("/api/rest/v1/association-types", limit=100)}
    assert {code: t["is_quantified"] for code, t in types.items()} == {
        "PACK": True, "SUBSTITUTION": False, "UPSELL": False, "X_SELL": False}
    assert akeneo.get("/api/rest/v1/association-types/X_SELL").json()["labels"]["en_US"] == "Cross sell"
    assert akeneo.get("/api/rest/v1/association-types/NOPE").status_code == 404


def test_associations_name_products_by_identifier_or_uuid_depending_on_the_endpoint(structured):
    bundle = next(p for p in structured.items("/api/rest/v1/products", limit=100) if p["quantified_associations"])
    pack = bundle["quantified_associations"]["PACK"]
    assert set(pack) == {"products", "product_models"} and all(set(link) == {"identifier", "quantity"}
                                                               for link in pack["products"])
    by_uuid = structured.get(f"/api/rest/v1/products-uuid/{bundle['uuid']}").json()
    uuid_links = by_uuid["quantified_associations"]["PACK"]["products"]
    assert [set(link) for link in uuid_links] == [{"uuid", "quantity"}] * len(pack["products"])
    assert set(bundle["associations"]) == {"SUBSTITUTION", "UPSELL", "X_SELL"}


def test_patching_associations_checks_types_targets_and_quantities(structured):
    ok = structured.patch("/api/rest/v1/products/PF-000001", {
        "associations": {"UPSELL": {"products": ["PF-000002"], "product_models": ["model_00002"]}},
        "quantified_associations": {"PACK": {"products": [{"identifier": "PF-000003", "quantity": 2}],
                                             "product_models": [{"identifier": "model2_00002", "quantity": 1}]}}})
    assert ok.status_code == 204, ok.text
    stored = structured.stored("PF-000001")
    assert stored["associations"]["UPSELL"] == {"products": ["PF-000002"], "product_models": ["model_00002"],
                                                "groups": []}
    assert stored["quantified_associations"]["PACK"]["products"] == [{"identifier": "PF-000003", "quantity": 2}]
    unknown_type = structured.patch("/api/rest/v1/products/PF-000001", {"associations": {"NOPE": {"products": []}}})
    assert unknown_type.status_code == 422 and "association type" in unknown_type.json()["message"]
    unknown_product = structured.patch("/api/rest/v1/products/PF-000001",
                                       {"associations": {"X_SELL": {"products": ["NOPE-1"]}}})
    assert unknown_product.json()["message"].startswith(
        'Property "associations" expects a valid product identifier. The product does not exist, "NOPE-1" given.')
    bad = structured.patch("/api/rest/v1/products/PF-000001", {"quantified_associations": {
        "PACK": {"products": [{"identifier": "PF-000003", "quantity": 0}]}, "NOPE": {"products": []}}})
    assert bad.status_code == 422
    assert {e["property"] for e in bad.json()["errors"]} == {"quantifiedAssociations.PACK.products[0].quantity",
                                                             "quantifiedAssociations.NOPE"}


def test_reference_entities_attributes_and_records(structured):
    entities = structured.items("/api/rest/v1/reference-entities")
    assert [e["code"] for e in entities] == ["brands", "materials"]
    attributes = structured.get("/api/rest/v1/reference-entities/brands/attributes").json()
    assert [(a["code"], a["type"]) for a in attributes] == [("label", "text"), ("country", "text"),
                                                            ("founded", "number")]
    record = structured.get("/api/rest/v1/reference-entities/brands/records/acme").json()
    assert record["values"]["country"] == [{"locale": None, "channel": None, "data": "us"}]
    assert structured.get("/api/rest/v1/reference-entities/brands/records/nope").status_code == 404
    assert structured.get("/api/rest/v1/reference-entities/nope").status_code == 404
    wanted = json.dumps({"code": [{"operator": "IN", "value": ["acme", "wayne"]}]})
    found = structured.items("/api/rest/v1/reference-entities/brands/records", search=wanted, locales="en_US")
    assert [r["code"] for r in found] == ["acme", "wayne"]
    assert {e["locale"] for e in found[0]["values"]["label"]} == {"en_US"}
    later = json.dumps({"updated": [{"operator": ">", "value": "2030-01-01T00:00:00+00:00"}]})
    assert structured.items("/api/rest/v1/reference-entities/brands/records", search=later) == []


def test_records_page_with_search_after(running_sandbox, structured):
    app, _ = running_sandbox
    records = app.state.sandbox.state.reference_entity_records["brands"]
    for n in range(RECORDS_PER_PAGE + 5):
        records[f"extra_{n:03d}"] = {"code": f"extra_{n:03d}", "values": {}, "created": None, "updated": None}
    first = structured.get("/api/rest/v1/reference-entities/brands/records").json()
    assert len(first["_embedded"]["items"]) == RECORDS_PER_PAGE
    second = structured.http.get(first["_links"]["next"]["href"]).json()
    codes = [r["code"] for r in first["_embedded"]["items"] + second["_embedded"]["items"]]
    assert codes == sorted(records) and "next" not in second["_links"]


def test_product_values_of_reference_entity_attributes_are_record_codes(structured):
    product = structured.get("/api/rest/v1/products/PF-000010").json()
    assert isinstance(product["values"]["manufacturer"][0]["data"], str)
    assert isinstance(product["values"]["materials"][0]["data"], list)
    refused = structured.patch("/api/rest/v1/products/PF-000001", {"values": {
        "manufacturer": [{"locale": None, "scope": None, "data": "no_such_brand"}]}})
    assert refused.json()["errors"][0]["attribute"] == "manufacturer"


def test_categories_carry_enriched_values_on_request(akeneo):
    plain = akeneo.get("/api/rest/v1/categories/tshirts").json()
    assert "values" not in plain
    enriched = akeneo.get("/api/rest/v1/categories/tshirts", with_enriched_attributes="true").json()
    titles = {key: v for key, v in enriched["values"].items() if v["attribute_code"].startswith("title|")}
    assert titles and all(key == f"{v['attribute_code']}|{v['channel']}|{v['locale']}" for key, v in titles.items())
    listed = akeneo.items("/api/rest/v1/categories", limit=100, with_enriched_attributes="true")
    assert all("values" in c for c in listed) and listed[0]["parent"] is None


def test_a_variant_shows_the_associations_of_its_models_with_its_own(structured):
    assert structured.patch("/api/rest/v1/product-models/model2_00002", {
        "associations": {"X_SELL": {"products": ["PF-000001"]}}}).status_code == 204
    assert structured.patch("/api/rest/v1/products/PF-000010", {
        "associations": {"X_SELL": {"products": ["PF-000002"]}}}).status_code == 204
    variant = structured.stored("PF-000010")
    assert variant["associations"]["X_SELL"]["products"] == ["PF-000001", "PF-000002"]
    assert structured.stored_model("model2_00002_white")["associations"]["X_SELL"]["products"] == ["PF-000001"]
